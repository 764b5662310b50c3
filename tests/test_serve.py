"""`coursekit serve` in a real browser: edit → the new text shows, bad edit → overlay with file:line, fix → gone."""

from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, REPO

pytestmark = pytest.mark.browser
MODULE = "web/phishing-basics-students/index.html"


class Server:
    """`coursekit serve --port 0` in a subprocess; its stderr lines in a queue."""

    def __init__(self, course: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "coursekit.cli", "serve", "--course", str(course), "--port", "0", "--target", "web"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        match = re.search(r"serving (http://127\.0\.0\.1:\d+)/", self.wait_for("serving "))
        assert match
        self.origin = match.group(1)

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                assert self.proc.poll() is None, "serve exited:\n" + "\n".join(self.log)
                continue
            self.log.append(line)
            if text in line:
                return line
        raise AssertionError(f"serve never printed {text!r}:\n" + "\n".join(self.log))

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=20)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    course = tmp_path / "course"
    shutil.copytree(FIXTURES / "phishing", course)
    server = Server(course)
    server.wait_for("built web")
    yield server, course
    server.stop()


@pytest.fixture(scope="module")
def browser(shared_browser: Any) -> Any:
    """The test process's headless Debian Chromium (conftest.shared_browser)."""
    return shared_browser


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_edit_reloads_bad_edit_shows_overlay_fix_removes_it(served: tuple[Server, Path], browser: Any) -> None:
    server, course = served
    page = browser.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("response", lambda response: problems.append(f"{response.status} {response.url}")
            if response.status >= 400 else None)
    page.goto(f"{server.origin}/{MODULE}")
    title = page.locator("#start h1")
    assert title.inner_text() == "Spotting phishing"
    page.wait_for_function("() => document.querySelector('script[src=\"/__coursekit/live.js\"]') !== null")
    time.sleep(0.5)  # the event stream is open

    edit(course / "course" / "course.yaml", "title: Spotting phishing\n", "title: Spotting phishing fast\n")
    saved = time.monotonic()
    page.wait_for_function("() => document.querySelector('#start h1').innerText === 'Spotting phishing fast'",
                           timeout=30_000)
    print(f"save to reload: {time.monotonic() - saved:.2f} s")

    # On disk: exactly what `coursekit build` writes, no live script, the module's CSP unchanged.
    on_disk = (course / "outputs" / MODULE).read_text("utf-8")
    assert "Spotting phishing fast" in on_disk and "__coursekit" not in on_disk and "connect-src &#39;none&#39;" in on_disk

    edit(course / "course" / "course.yaml", "cite: [src#what]", "cite: [src#whatt]")
    overlay = page.locator("#coursekit-overlay")
    overlay.wait_for(state="visible", timeout=30_000)
    assert re.search(r"course/course\.yaml:18: .*'src#whatt'", overlay.inner_text()), overlay.inner_text()
    assert title.inner_text() == "Spotting phishing fast"  # the last good output stays
    assert "Spotting phishing fast" in (course / "outputs" / MODULE).read_text("utf-8")

    edit(course / "course" / "course.yaml", "cite: [src#whatt]", "cite: [src#what]")
    overlay.wait_for(state="detached", timeout=30_000)
    assert page.locator("#start h1").inner_text() == "Spotting phishing fast"
    assert not problems, problems


def test_served_outputs_and_index(served: tuple[Server, Path]) -> None:
    server, course = served
    with urllib.request.urlopen(f"{server.origin}/") as response:
        index = response.read().decode()
    assert MODULE in index and "live.js" in index  # the pack's front page, or serve's own list
    with urllib.request.urlopen(f"{server.origin}/{MODULE}") as response:
        served_html = response.read()
        assert response.headers["Cache-Control"] == "no-store"
    on_disk = (course / "outputs" / MODULE).read_bytes()
    csp = re.compile(rb'<meta http-equiv="Content-Security-Policy" content="[^"]*">')
    # Served = on disk, but for the live script and a CSP that lets it reach this server.
    assert csp.search(served_html).group(0).count(b"connect-src &#x27;self&#x27;") == 1  # type: ignore[union-attr]
    assert csp.sub(b"", served_html.replace(b'<script src="/__coursekit/live.js"></script>\n', b"")) == csp.sub(
        b"", on_disk)
    with urllib.request.urlopen(f"{server.origin}/web/phishing-basics-students/player.js") as response:
        assert response.read() == (course / "outputs" / "web" / "phishing-basics-students" / "player.js").read_bytes()
