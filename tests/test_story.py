"""Whose choice (issue 10 #5, issue 13 #11, #14): ungraded choices of the targeted character, retry endings."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import test_scorm_e2e as e2e
from conftest import FIXTURES, require_tool

from coursekit import model as m
from coursekit.check.harness import calls, unload_sco
from coursekit.check.rules import check_calls, interaction_records
from coursekit.pipeline import build_course
from coursekit.targets import run_target
from coursekit.targets.scorm import Scorm12Target, Scorm2004Target
from coursekit.validate import validate_course
from coursekit.view import audience_view

STORY = FIXTURES / "story"
# The test LMS and its browser, shared with the end-to-end SCORM tests.
browser, site, page, Learner, launch = e2e.browser, e2e.site, e2e.page, e2e.Learner, e2e.launch


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
    assert sorted(str(c.quality) for c in clicked.choices) == ["best", "poor"]
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


# --- the module: what the learner sees and what the module SENDS to the LMS ----------------------------------

UNGRADED = "A common reaction — here is what helps next"  # written out: the test must not use the engine's constant


@pytest.fixture(scope="module")
def story_packages(site: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The story fixture as SCORM 1.2 and 2004 packages, unpacked under the test LMS."""
    course = validate_course(STORY).course
    assert course is not None
    packages = {}
    for version, target in (("12", Scorm12Target), ("2004", Scorm2004Target)):
        out = tmp_path_factory.mktemp(f"story-{version}")
        (archive,) = run_target(target(), course, out, ["students"]).written
        folder = site.add_package(archive, f"story-{version}")
        packages[version] = {"launch": f"{folder.name}/index.html", "view": audience_view(course, "students")}
    return packages


@pytest.mark.browser
@pytest.mark.parametrize("version", ["12", "2004"])
def test_ungraded_choice_is_sent_as_neutral_and_shown_with_the_neutral_label(
        page: Any, site: Any, story_packages: dict[str, dict[str, Any]], version: str) -> None:
    package = story_packages[version]
    frame = launch(page, site, package, version)
    learner = Learner(frame, keyboard=False)
    (scenario,) = learner.data["scenarios"]
    while learner.current() != scenario["screen"]:
        learner.next_screen()
    screen = frame.locator(f"#{scenario['screen']}")
    assert screen.locator(".hint").inner_text().startswith("You decide what Ana and Ben do.")
    # Ana (targeted) clicks the link: her reaction is not marked; Ben (a helper) then says nothing: graded poor.
    def press(text: str) -> str:
        """Press the choice button with this text; its letter (by position on screen)."""
        buttons = screen.locator(".chat-controls button[data-choice]")
        texts = [" ".join(t.split()) for t in buttons.all_inner_texts()]
        learner.press(buttons.nth(texts.index(text)))
        return "abcdef"[texts.index(text)]

    ana_letter = press("Click the link straight away")
    feedback = screen.locator(".chat-log .message.feedback").last
    assert feedback.locator(".sender").inner_text().strip() == UNGRADED
    assert feedback.get_attribute("class") == "message feedback"
    assert screen.locator(".chat-log .message.mine .sender").last.inner_text() == "Ana"
    ben_letter = press("Say nothing and hope it is fine")
    best_letter = "b" if ben_letter == "a" else "a"  # Ben's other choice is the best one
    assert screen.locator(".chat-log .message.mine .sender").last.inner_text() == "Ben"
    assert "is-incorrect" in (screen.locator(".chat-log .message.feedback").last.get_attribute("class") or "")
    ending = screen.locator(".chat-controls .ending")
    assert ending.get_attribute("class") == "ending ending-retry"
    assert ending.locator(".ending-invite").inner_text() == (
        "This is one way the story can go, and not the best one. Go back and try another way.")
    assert screen.locator(".chat-controls button[data-action=restart-story]").inner_text() == "Try another way"
    unload_sco(page)
    log = calls(page)
    assert check_calls(log, version) == []
    records = interaction_records(log)
    assert [r["id"] for r in records] == ["s_odd_email_inbox", "s_odd_email_clicked"]
    response = "student_response" if version == "12" else "learner_response"
    assert (records[0]["result"], records[0][response]) == ("neutral", ana_letter)
    assert "correct_responses.0.pattern" not in records[0]
    assert records[1]["result"] == ("wrong" if version == "12" else "incorrect")
    assert records[1]["correct_responses.0.pattern"] == best_letter
    results_sent = [c["args"][1] for c in log if c["method"] in ("LMSSetValue", "SetValue")
                    and c["args"][0] == "cmi.interactions.0.result"]
    assert results_sent == ["neutral"]


# --- the gamebook and the slides, re-read with their real readers -------------------------------------------

RETRY_INVITE = "This is one way the story can go, and not the best one. Go back and try another way."


@pytest.fixture(scope="module")
def story_outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The story fixture's print and slides targets for the students (the lesson deck plays the story)."""
    course = validate_course(STORY).course
    assert course is not None
    out = tmp_path_factory.mktemp("story-outputs")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSEKIT_SLIDE_PREVIEWS", "0")
        results = build_course(course, out, ["print", "slides"], ["students"], jobs=1)
    assert [r.error for r in results] == ["", ""]
    return out


def test_gamebook_shows_the_neutral_label_and_a_retry_ending_that_sends_the_reader_back(story_outputs: Path) -> None:
    pdftotext = require_tool("pdftotext", "extracts PDF text")
    raw = subprocess.run([pdftotext, str(story_outputs / "print" / "students" / "gamebook.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    text = " ".join(raw.split())
    # Two ungraded choices (Ana's), three graded ones (Ben's): 2 neutral labels, no mark for Ana's choices.
    assert text.count(UNGRADED) == 2
    sections = dict(re.findall(r"SECTION (\d+) (.*?)(?= SECTION \d+ |$)", text))  # headings are in capitals
    ana = [body for body in sections.values() if "You chose: Click the link straight away" in body
           or "You chose: Show the email to Ben" in body]
    assert len(ana) == 2 and all(body.startswith(UNGRADED) for body in ana)
    assert "Not the end yet: Nobody knows yet" in text
    assert text.count("The end: ") == 2  # the positive and the recovered ending, not the retry one
    (retry,) = [body for body in sections.values() if body.startswith("Not the end yet")]
    back = re.search(r"Go back and try another way\. Go back to section (\d+)\.", retry)
    assert back is not None and RETRY_INVITE in retry
    assert "What should Ben say?" in sections[back.group(1)]


def test_slides_label_ungraded_choices_and_link_a_retry_ending_back_to_its_decision(story_outputs: Path) -> None:
    from pptx import Presentation
    from pptx.enum.action import PP_ACTION

    prs = Presentation(str(story_outputs / "slides" / "phishing-story-lesson.pptx"))
    slides = list(prs.slides)

    def title(slide: Any) -> str:
        return str(slide.shapes.title.text_frame.text)

    def body(slide: Any) -> str:
        return " ".join(" ".join(s.text_frame.text for s in slide.shapes
                                 if s.has_text_frame and s != slide.shapes.title).split())

    labelled = [(title(s), body(s).count(UNGRADED)) for s in slides if UNGRADED in body(s)]
    assert labelled == [("What might Ana do? (what happens)", 2)]
    choice_texts = {"Click the link straight away", "Show the email to Ben", "Say nothing and hope it is fine",
                    "It's not your fault. Let's close it and tell a teacher.", "Report it together",
                    "Delete it and say nothing"}
    assert not [title(s) for s in slides if any(text in title(s) for text in choice_texts)]
    (retry,) = [s for s in slides if title(s) == "Nobody knows yet"]
    assert body(retry).startswith(RETRY_INVITE)
    (again,) = [s for s in retry.shapes if s.has_text_frame and s.text_frame.text == "Try another way"]
    assert again.click_action.action == PP_ACTION.NAMED_SLIDE
    assert title(again.click_action.target_slide) == "What should Ben say?"
    for ending in ("Ana stays safe", "Ana gets help"):
        (slide,) = [s for s in slides if title(s) == ending]
        assert RETRY_INVITE not in body(slide)
