"""No position bias (issue 10 #17): in every output the best/correct option comes first in at most 40% of the
decisions and of the choice questions, measured on the real course's built files (read with their own readers)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, require_tool

from coursekit.validate import validate_course

LIMIT = 0.40
RANK = {"best": 3, "ok": 2, "poor": 1}


def authored() -> tuple[dict[str, bool], dict[str, bool]]:
    """From the YAML as written: is each graded choice text a best one; is each option text correct."""
    best: dict[str, bool] = {}
    for path in sorted((REPO / "scenarios").glob("*.yaml")):
        for node in yaml.safe_load(path.read_text("utf-8"))["nodes"].values():
            graded = [c for c in node.get("choices", []) if c.get("quality")]
            top = max((RANK[c["quality"]] for c in graded), default=0)
            best.update({" ".join(c["text"].split()): RANK[c["quality"]] == top for c in graded})
    correct: dict[str, bool] = {}
    for path in sorted((REPO / "quizzes").glob("*.yaml")):
        for question in yaml.safe_load(path.read_text("utf-8"))["questions"]:
            for option in question.get("options", []):
                correct[" ".join(option["text"].split())] = bool(option.get("correct"))
    return best, correct


def rate(firsts: list[bool]) -> float:
    return sum(firsts) / len(firsts)


@pytest.fixture(scope="module")
def built(real_outputs: Path) -> tuple[Any, Path]:
    """The real course's web, print, slides and quizbank outputs (the session's shared build)."""
    course = validate_course(REPO).course
    assert course is not None
    return course, real_outputs


def test_module_course_data(built: tuple[Any, Path]) -> None:
    course, out = built
    decisions: list[bool] = []
    questions: list[bool] = []
    for audience in course.audiences:
        html = (out / "web" / f"{course.id}-{audience}" / "index.html").read_text("utf-8")
        data = json.loads(re.search(r'<script[^>]*id="course-data"[^>]*>(.*?)</script>', html, re.DOTALL).group(1))
        for scenario in data["scenarios"]:
            for node in scenario["nodes"]:
                qualities = [c["quality"] for c in node.get("choices", [])]
                if any(qualities):
                    top = max(RANK[q] for q in qualities if q)
                    decisions.append(RANK.get(qualities[0] or "", 0) == top)
        for quiz in data["quizzes"]:
            questions += ["a" in q["correct"] for q in quiz["questions"] if q["type"] in ("single", "multiple")]
    assert len(decisions) >= 20 and len(questions) >= 20, (len(decisions), len(questions))
    assert rate(decisions) <= LIMIT and rate(questions) <= LIMIT, (rate(decisions), rate(questions))


def test_slides(built: tuple[Any, Path]) -> None:
    from pptx import Presentation

    _, out = built
    best, _ = authored()
    decisions: list[bool] = []
    questions: list[bool] = []
    for deck in sorted((out / "slides").glob("*.pptx")):
        for slide in Presentation(str(deck)).slides:
            choices = [s.text_frame.text for s in slide.shapes if s.name.startswith("Choice ")]
            texts = [" ".join(text.split()[1:]) for text in choices]  # "A  text" -> "text"
            if texts and texts[0] in best:
                decisions.append(best[texts[0]])
            body = " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
            answer = re.search(r"Answer: ((?:[A-J] \(.*?\)(?:, )?)+)", body)
            if re.search(r": answer \d+ of \d+$", slide.shapes.title.text_frame.text) and answer:
                questions.append(answer.group(1).startswith("A ("))
    assert decisions and questions
    assert rate(decisions) <= LIMIT and rate(questions) <= LIMIT, (rate(decisions), rate(questions))


def test_gamebook(built: tuple[Any, Path]) -> None:
    course, out = built
    best, _ = authored()
    pdftotext = require_tool("pdftotext", "extracts PDF text")
    decisions: list[bool] = []
    for audience in course.audiences:
        raw = subprocess.run([pdftotext, str(out / "print" / audience / "gamebook.pdf"), "-"],
                             capture_output=True, text=True, check=True).stdout
        text = " ".join(raw.split())
        for section in re.split(r"SECTION \d+ ", text)[1:]:
            turns = re.findall(r"(?:\?|\.|!|\)) ([^?]*?) \u2192 turn to \d+", section)
            if turns:
                first = next((t for t in best if turns[0].endswith(t)), None)
                if first is not None:
                    decisions.append(best[first])
    assert len(decisions) >= 20
    assert rate(decisions) <= LIMIT, rate(decisions)


def test_kahoot(built: tuple[Any, Path]) -> None:
    from openpyxl import load_workbook

    course, out = built
    questions: list[bool] = []
    for audience in course.audiences:
        sheet = load_workbook(out / "quizbank" / audience / f"{course.id}.kahoot.xlsx").worksheets[0]
        for row in sheet.iter_rows(min_row=9, values_only=True):
            if row[1] is None or (row[2], row[3]) == ("True", "False"):
                continue
            questions.append(1 in [int(n) for n in str(row[7]).split(",")])
    assert len(questions) >= 20
    assert rate(questions) <= LIMIT, rate(questions)


def test_reordered_options_and_choices_keep_their_authored_lines() -> None:
    """The seeded order moves the YAML line map with it: an option or choice still names the line it is on."""
    result = validate_course(REPO / "tests" / "fixtures" / "phishing")
    course = result.course
    assert course is not None
    final = (REPO / "tests" / "fixtures" / "phishing" / "quizzes" / "final.yaml").read_text("utf-8").splitlines()
    for question in course.quizzes["final"].questions:
        for option in getattr(question, "options", []):
            line = int(result.sources.where(course, option).rsplit(":", 1)[1])
            assert option.text in final[line - 1], (option.text, line)
    story = (REPO / "tests" / "fixtures" / "phishing" / "scenarios" / "odd-email.yaml").read_text("utf-8")
    for node in course.scenarios["odd-email"].nodes.values():
        for choice in getattr(node, "choices", []):
            line = int(result.sources.where(course, choice).rsplit(":", 1)[1])
            assert choice.text in story.splitlines()[line - 1], (choice.text, line)
