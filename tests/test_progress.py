"""The live build display: a row per target and per document on a terminal; nothing of it when stderr is not a
terminal."""

from __future__ import annotations

import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES, REPO

ARGS = [sys.executable, "-m", "coursekit.cli", "build", "--course", str(FIXTURES / "phishing"), "coverage", "quizbank"]
ENV = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "100"}
ENV.pop("FORCE_COLOR", None)
ENV.pop("NO_COLOR", None)


def _terminal_screen(args: list[str]) -> str:
    """What a build shows on a terminal (a pty), control codes removed."""
    main, child = pty.openpty()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=child, env=ENV)
    os.close(child)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert proc.wait(timeout=120) == 0
    os.close(main)
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode("utf-8", "replace"))


def test_terminal_shows_each_target_live(tmp_path: Path) -> None:
    screen = _terminal_screen([*ARGS, "--out", str(tmp_path / "out"), "--jobs", "1"])
    assert re.search(r"quizbank\s+waiting", screen), screen  # one worker: quizbank waits for coverage
    assert re.search(r"coverage\s+\S? ?building", screen), screen
    assert re.search(r"coverage\s+✓ 2 files, \d+\.\d s", screen), screen
    assert re.search(r"quizbank\s+✓ 12 files, \d+\.\d s", screen), screen
    # Under each target, its documents: one quiz bank per audience, rendered.
    for audience in ("students", "staff"):
        assert re.search(rf"└ {audience}/phishing-basics\s+✓ rendered, \d+\.\d s", screen), screen
    # Built again after an edit the quiz banks do not show (a scenario): the target runs, its documents are copied.
    plan = tmp_path / "phishing"
    shutil.copytree(FIXTURES / "phishing", plan)
    screen = _terminal_screen([*ARGS[:4], "--course", str(plan), "coverage", "quizbank", "--out", str(tmp_path / "o2")])
    assert "└ students/phishing-basics" in screen and "rendered" in screen, screen
    scenario = next((plan / "scenarios").glob("*.yaml"))
    scenario.write_text(scenario.read_text("utf-8").replace("What should Ana do?", "What can Ana do?"), "utf-8")
    screen = _terminal_screen([*ARGS[:4], "--course", str(plan), "coverage", "quizbank", "--out", str(tmp_path / "o2")])
    assert re.search(r"└ students/phishing-basics\s+✓ unchanged, copied", screen), screen


def test_not_a_terminal_prints_no_progress(tmp_path: Path) -> None:
    result = subprocess.run([*ARGS, "--out", str(tmp_path / "out")], check=False, capture_output=True, text=True,
                            env=ENV, timeout=120)
    assert result.returncode == 0, result.stderr
    assert not re.search(r"waiting|building|✓|\x1b\[", result.stderr), result.stderr
    assert result.stderr.splitlines()[0].startswith("coverage: students")
    assert result.stderr.splitlines()[-1].startswith("built 3 targets for students, staff in ")  # + the pack page
