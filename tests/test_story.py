"""Whose choice (issue 10 #5, issue 13 #11, #14): ungraded choices of the targeted character, retry endings."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import FIXTURES

from coursekit import model as m
from coursekit.validate import validate_course

STORY = FIXTURES / "story"


def test_story_fixture_validates_with_targeted_chooser_and_ungraded_choices() -> None:
    result = validate_course(STORY, strict=True)
    assert result.errors == []
    course = result.course
    assert course is not None
    scenario = course.scenarios["odd-email"]
    assert scenario.targeted == "ana"
    inbox, clicked = scenario.nodes["inbox"], scenario.nodes["clicked"]
    assert isinstance(inbox, m.DecisionNode) and isinstance(clicked, m.DecisionNode)
    assert scenario.chooser(inbox) == "ana" and scenario.chooser(clicked) == "ben"
    assert [c.quality for c in inbox.choices] == [None, None]
    assert [c.quality for c in clicked.choices] == ["best", "poor"]
    quiet = scenario.nodes["quiet"]
    assert isinstance(quiet, m.EndingNode) and quiet.ending == "retry"


def test_retry_is_the_only_new_ending_kind(tmp_path: Path) -> None:
    root = tmp_path / "story"
    shutil.copytree(STORY, root)
    path = root / "scenarios" / "odd-email.yaml"
    path.write_text(path.read_text("utf-8").replace("ending: retry", "ending: again"), "utf-8")
    errors = [str(e) for e in validate_course(root).errors]
    assert errors == [("scenarios/odd-email.yaml:57: 'again' is not a valid ending: "
                       "use one of positive, recovered, neutral, retry")]
