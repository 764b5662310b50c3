"""The worksheet is activities (issue 10 #18): the plan's baseline as a knowledge map, the plan's worksheet tasks
(the leaflet's steps in the learner's words, a written task), where to get help, then the quiz questions; the
answer key gives the steps. Built for the real course and re-read with pdftotext."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import require_tool


@pytest.fixture(scope="module")
def printed(real_outputs: Path) -> Path:
    """The real course's students' printables (the session's shared build)."""
    return real_outputs / "print" / "students"


def text(pdf: Path) -> str:
    pdftotext = require_tool("pdftotext", "extracts PDF text")
    raw = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(raw.split())


def test_worksheet_parts_in_order(printed: Path) -> None:
    sheet = text(printed / "worksheet.pdf")
    parts = ["1. What do we know? (knowledge map)", "what sextortion is what someone could do where to get help",
             "2. If it happens: the four steps",
             ("Students fill in the four steps on the worksheet, one short sentence each."), "3. Helping a friend", "a short, kind message to a fictional friend",
             "4. Where to get help", "Childline · 0800 1111", "One adult I trust:", "Quick check: what sextortion is"]
    positions = [sheet.find(part) for part in parts]
    assert -1 not in positions, [p for p, at in zip(parts, positions, strict=True) if at < 0]
    assert positions == sorted(positions)
    # Presenter-only sentences of the plan stay off the learner's sheet.
    assert "Teach the steps with the pages" not in sheet and "Collect a few ideas on the board" not in sheet


def test_answer_key_gives_the_steps(printed: Path) -> None:
    key = text(printed / "answer-key.pdf")
    at = key.find("If it happens: the four steps")
    assert at >= 0
    steps = ["Tell someone", "Stop contact", "Don't pay or send more", "Keep the chat"]  # leaflet-students.yaml
    assert all(key.find(step, at) > at for step in steps), steps
