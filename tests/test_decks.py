"""Decks a presenter can use (issue 10 #16, #9): size limits, answers never on the clicker, question titles."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, REPO
from pptx import Presentation
from pptx.enum.action import PP_ACTION

from coursekit import model as m
from coursekit.pipeline import build_course
from coursekit.validate import validate_course

# What only an answer or a consequence shows (the marks of the slides target, written out here).
ANSWER_MARKS = ("\u2713 correct", "\u2717 not correct", "Answer: ", "The right order:", "The matches:",
                "A strong choice", "An OK choice, but there is a better one", "Not the safest choice",
                "A common reaction \u2014 here is what helps next")
LIMITS = {"lesson": 60, "talk": 40}


@pytest.fixture(scope="module", params=["real", "phishing", "story"])
def decks(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[m.Course, Path]:
    """The slides target's output for a course (no previews: the tests read the .pptx files)."""
    root = REPO if request.param == "real" else FIXTURES / request.param
    course = validate_course(root).course
    assert course is not None
    out = tmp_path_factory.mktemp(f"decks-{request.param}")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSEKIT_SLIDE_PREVIEWS", "0")
        (result,) = build_course(course, out, ["slides"], list(course.audiences), jobs=1)
    assert result.error == ""
    return course, out / "slides"


def title(slide: Any) -> str:
    return str(slide.shapes.title.text_frame.text)


def body(slide: Any) -> str:
    return " ".join(" ".join(s.text_frame.text for s in slide.shapes
                             if s.has_text_frame and s != slide.shapes.title).split())


def hidden(slide: Any) -> bool:
    return slide._element.get("show") == "0"


def links(slide: Any) -> dict[str, Any]:
    """Each linking shape's text and the slide it jumps to."""
    return {s.text_frame.text: s.click_action.target_slide for s in slide.shapes
            if s.has_text_frame and s.click_action.action == PP_ACTION.NAMED_SLIDE}


def plans(course: m.Course) -> list[m.Plan]:
    return [plan for plan in (course.lesson, course.talk) if plan is not None]


def test_the_real_course_decks_fit_a_lesson_and_a_talk(decks: tuple[m.Course, Path]) -> None:
    course, folder = decks
    for plan in plans(course):
        slides = list(Presentation(str(folder / f"{course.id}-{plan.kind}.pptx")).slides)
        assert len(slides) <= LIMITS[plan.kind], f"{plan.kind}: {len(slides)} slides"


def test_the_clicker_never_shows_an_answer(decks: tuple[m.Course, Path]) -> None:
    course, folder = decks
    for plan in plans(course):
        slides = list(Presentation(str(folder / f"{course.id}-{plan.kind}.pptx")).slides)
        shown = [s for s in slides if not hidden(s)]  # what pressing "next" walks through
        for slide in shown:
            marks = [mark for mark in ANSWER_MARKS if mark in body(slide)]
            assert not marks, f"{plan.kind}: the visible slide {title(slide)!r} shows {marks}"
        questions = [s for s in slides if re.search(r": question \d+ of \d+$", title(s))]
        answers = [s for s in slides if re.search(r": answer \d+ of \d+$", title(s))]
        assert len(answers) == len(questions) and all(hidden(a) for a in answers)
        for question in questions:
            answer = links(question)["Show answer"]
            assert hidden(answer) and not hidden(question)
            assert title(answer) == title(question).replace(": question ", ": answer ")
            assert links(answer)["Back to the question"] == question
            after = slides[slides.index(answer) + 1] if slides.index(answer) + 1 < len(slides) else None
            assert after is None or links(answer)["Continue \u2192"] == after


def test_a_choice_leads_to_a_hidden_what_happens_slide_whose_title_is_the_question(
        decks: tuple[m.Course, Path]) -> None:
    course, folder = decks
    for plan in plans(course):
        slides = list(Presentation(str(folder / f"{course.id}-{plan.kind}.pptx")).slides)
        played = [course.scenarios[a.scenario] for a in plan.activities if a.scenario]
        choice_texts = {c.text for s in played for n in s.nodes.values() if isinstance(n, m.DecisionNode)
                        for c in n.choices}
        prompts = {n.prompt for s in played for n in s.nodes.values() if isinstance(n, m.DecisionNode)}
        for slide in slides:
            assert not [t for t in choice_texts if t in title(slide)], f"a choice is a title: {title(slide)!r}"
            choices = [s for s in slide.shapes if s.name.startswith("Choice ")]
            if not choices:
                continue
            assert re.sub(r" \(\d+\)$", "", title(slide)) in prompts and not hidden(slide)
            for shape in choices:
                outcome = shape.click_action.target_slide
                assert hidden(outcome), f"{title(slide)}: {shape.name} leads to a visible slide"
                assert title(outcome).startswith(re.sub(r" \(\d+\)$", "", title(slide)))
