"""Text fidelity decisions (issue 13): autolinks off, line breaks kept, ` #` comments warned about, reading age
warned about for any course, help contacts with an email address, slide reveal and jump labels."""

from __future__ import annotations

import shutil
from pathlib import Path

import pydantic
import pytest
from conftest import FIXTURES

from coursekit import model as m
from coursekit.targets import slides_outline
from coursekit.text import to_blocks, to_html, to_inline_html
from coursekit.validate import validate_course


def copy_fixture(tmp_path: Path, name: str = "phishing") -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    return root


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), "utf-8")


# --- #2 autolinks, #3 line breaks ------------------------------------------------------------------------


def test_bare_addresses_and_angle_brackets_stay_literal_text() -> None:
    """An address in angle brackets is the scammer's, shown as typed: no link, brackets kept. A link the
    author wrote as a link stays a link."""
    html = to_html("Mail <support@example.org> or <https://evil.example> now; [help](https://help.example.org)")
    assert "&lt;support@example.org&gt;" in html and "&lt;https://evil.example&gt;" in html
    assert html.count("<a ") == 1 and 'href="https://help.example.org"' in html
    assert "mailto:" not in html
    assert "<a" not in to_inline_html("www.example.org and a@b.org")
    runs = to_blocks("Write to <a@b.org>, see [the site](https://x.example)")[0].runs
    assert "".join(r.text for r in runs) == "Write to <a@b.org>, see the site"
    assert [r.href for r in runs if r.href] == ["https://x.example"]


def test_line_breaks_are_kept_where_asked() -> None:
    """Chat messages and prompts keep the author's line breaks; other prose reflows as markdown does."""
    text = "From: IT Desk <it@example.org>\nSubject: Urgent\n\nThanks,\nIT"
    assert to_inline_html(text, breaks=True).count("<br") == 4  # the blank line stays a blank line
    assert "<br" not in to_inline_html("one\ntwo")
    assert [[r.text for r in b.runs] for b in to_blocks(text, breaks=True)] == [
        ["From: IT Desk <it@example.org>", "\n", "Subject: Urgent"], ["Thanks,", "\n", "IT"]]


# --- #6 a comment after plain text ----------------------------------------------------------------------


def test_a_comment_cutting_learner_text_is_a_warning_with_file_and_line(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    scenario = root / "scenarios" / "odd-email.yaml"
    replace(scenario, "    prompt: What should Ana do?\n", "    prompt: What should Ana do? Ticket #1234 is open\n")
    replace(scenario, "        quality: best\n        teaches: [check-sender]",
            "        quality: best  # a comment after a keyword is fine\n        teaches: [check-sender]")
    replace(root / "quizzes" / "final.yaml", '    prompt: "What should you check first?"',
            '    prompt: "What should you check #first?"  # quoted: nothing is cut')
    result = validate_course(root)
    assert result.errors == []
    cut = [str(w) for w in result.warnings if "YAML comment" in w.message]
    assert cut == ["scenarios/odd-email.yaml:14: warning: 'prompt' reads \"What should Ana do? Ticket\": the "
                   "\"#1234 is open\" after it is a YAML comment, so it is not part of the text; if it belongs to "
                   "the text, put the whole text in quotes: \"What should Ana do? Ticket #1234 is open\""]
    strict = validate_course(root, strict=True)
    assert strict.course is None and any("YAML comment" in e.message for e in strict.errors)


# --- #9 reading age ---------------------------------------------------------------------------------------

HARD = ("Notwithstanding institutional considerations, organisational accountability necessitates "
        "comprehensive investigation of unauthorised authentication circumvention methodologies.")


def test_reading_age_above_the_target_is_a_warning_at_the_text(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    replace(root / "course" / "course.yaml", "        body: Look at the real address, not just the name.",
            f"        body: {HARD}")
    result = validate_course(root)
    assert result.errors == []
    found = [str(w) for w in result.warnings if "reading age" in w.message]
    # students (reading_age 12) see the page; staff have no target. The figure is the three formulas' mean + 5.
    import textstat

    figure = (textstat.flesch_kincaid_grade(HARD) + textstat.coleman_liau_index(HARD)
              + textstat.automated_readability_index(HARD)) / 3 + 5
    assert figure > 25
    assert found == [f"course/course.yaml:87: warning: reading age {figure:.1f} of the page 'sender' is above the "
                     "students audience's reading_age of 12 (textstat 0.7.8: mean of the Flesch-Kincaid, "
                     "Coleman-Liau and ARI grades, plus 5; English only): use shorter sentences and shorter, "
                     "everyday words"]
    assert validate_course(root, strict=True).course is None


def test_reading_age_is_not_guessed_for_other_languages(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    replace(root / "course" / "course.yaml", "language: en-GB", "language: cy")
    replace(root / "course" / "course.yaml", "        body: Look at the real address, not just the name.",
            f"        body: {HARD}")
    found = [str(w) for w in validate_course(root).warnings if "reading" in w.message]
    assert found == ["course/course.yaml:35: warning: reading_age is not checked: the reading-age formulas are for "
                     "English text only, and this course's language is 'cy'"]


def test_a_language_without_a_catalogue_is_refused_with_its_line(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    replace(root / "course" / "course.yaml", "language: en-GB", "language: de-DE")
    result = validate_course(root)
    assert result.course is None
    assert [str(e) for e in result.errors if "language" in e.message] == [
        "course/course.yaml:4: language 'de-DE' has no message catalogue: use one of cy, en, en-GB "
        "(see docs/languages.md to add a language)"]


def test_the_fixtures_and_the_real_course_meet_their_reading_age() -> None:
    for root in (FIXTURES / "phishing", FIXTURES / "awkward", FIXTURES.parent.parent):
        result = validate_course(root)
        assert [str(w) for w in result.warnings if "reading" in w.message] == [], root


# --- #12 help contacts with an email address ------------------------------------------------------------


def test_help_email_is_validated() -> None:
    base = {"name": "Desk", "description": "Help.", "suitable_for": ["a"], "cite": ["s#a"]}
    assert m.HelpContact.model_validate({**base, "email": "help@example.org"}).email == "help@example.org"
    for bad in ("mailto:help@example.org", "<help@example.org>", "help at example.org", "help@example"):
        with pytest.raises(pydantic.ValidationError):
            m.HelpContact.model_validate({**base, "email": bad})


# --- #7 slides: true/false reveal, jump labels ---------------------------------------------------------


def test_true_false_reveal_keeps_both_answers_feedback() -> None:
    question = m.TrueFalseQuestion(id="tf", type="true_false", prompt="Sharing is safe.", assesses=["x"],
                                   answer=False, feedback_true="No: it can spread.",
                                   feedback_false="Right: think first.")
    quiz = m.Quiz(id="q", title="Quiz", questions=[question])
    _, reveal, _ = slides_outline.question_content(quiz, question)
    lines = [p.text for group in reveal for p in group]
    assert lines == ["Answer: False", "True \u2717 not correct", "No: it can spread.", "False \u2713 correct",
                     "Right: think first."]
