"""Plan timing (issue 10 #15): an activity that plays a quiz or a scenario allows at least 1 minute per 2 quiz
questions and per 3 scenario decisions; otherwise validate warns (file:line) and --strict fails."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO

from coursekit.validate import validate_course

# The phishing lesson: Starter 5 min, Pages 10, Scenario 10 (odd-email: 5 decisions), Quiz 5 (final: 7 questions,
# one of them an unscored scale: it still takes the class time).
LESSON = {"starter": "{ title: Starter, minutes: 5,", "scenario": "{ title: Scenario, minutes: 10,",
          "quiz": "{ title: Quiz, minutes: 5,"}


def lesson_with(tmp_path: Path, scenario: int, quiz: int) -> Path:
    """The phishing fixture with new scenario and quiz minutes (the starter takes up the rest of the 30)."""
    root = tmp_path / "course"
    shutil.copytree(FIXTURES / "phishing", root)
    path = root / "course" / "lesson.yaml"
    text = path.read_text("utf-8")
    for key, minutes in (("starter", 20 - scenario - quiz), ("scenario", scenario), ("quiz", quiz)):
        assert text.count(LESSON[key]) == 1
        text = text.replace(LESSON[key], LESSON[key].replace(LESSON[key].split("minutes: ")[1], f"{minutes},"))
    path.write_text(text, "utf-8")
    return root


def timing(root: Path, strict: bool = False) -> tuple[list[str], list[str]]:
    result = validate_course(root, strict=strict)
    assert not [e for e in result.errors if " plays " not in e.message], result.errors
    return ([str(e) for e in result.errors if " plays " in e.message],
            [str(w) for w in result.warnings if " plays " in w.message])


@pytest.mark.parametrize(("scenario", "quiz", "expected"), [
    (2, 4, []),  # 5 decisions need 1.67 minutes; 7 questions need 3.5, so 4 whole minutes
    (1, 4, [("course/lesson.yaml:16: warning: 'Scenario' plays 5 scenario decisions in 1 minute: give it at least "
             "2 (1 minute per 2 questions and per 3 decisions), or play a shorter quiz or scenario")]),
    (2, 3, [("course/lesson.yaml:17: warning: 'Quiz' plays 7 quiz questions in 3 minutes: give it at least 4 "
             "(1 minute per 2 questions and per 3 decisions), or play a shorter quiz or scenario")]),
])
def test_minutes_per_question_and_decision(tmp_path: Path, scenario: int, quiz: int, expected: list[str]) -> None:
    root = lesson_with(tmp_path, scenario, quiz)
    assert timing(root) == ([], expected)
    errors, warnings = timing(root, strict=True)
    assert (errors, warnings) == ([e.replace("warning: ", "") for e in expected], [])


def test_every_plan_of_the_real_course_has_time_for_what_it_plays() -> None:
    assert timing(REPO, strict=True) == ([], [])
