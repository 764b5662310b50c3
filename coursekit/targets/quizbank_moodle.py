"""Moodle XML: a `<question type="category">` per quiz, then multichoice, truefalse and matching questions.

Texts are HTML from `coursekit.text` (sanitised markdown) in CDATA; the right-hand sides of matching
pairs are plain text because Moodle shows them in a drop-down menu. Ordering questions are matching
questions whose answers are positions; their per-item feedback goes into the general feedback.
"""

from __future__ import annotations

from typing import assert_never

from lxml import etree

from coursekit import model as m
from coursekit.messages import engine_name
from coursekit.order import presented
from coursekit.questions import BankQuestion
from coursekit.targets.quizbank import (
    LeftOutQuestion,
    bank_questions,
    bank_quizzes,
    category_path,
    edition_line,
    format_percent,
    general_feedback_markdown,
    help_id,
    help_markdown,
    help_title,
    in_course_language,
    match_answers,
    match_rows,
    multiple_weights,
    question_id,
    say,
)
from coursekit.text import one_line, to_html, to_inline_html
from coursekit.view import AudienceView

PENALTY = "0.3333333"  # Moodle's default penalty for a wrong try in interactive mode


def _text(parent: etree._Element, tag: str, html: str | None, *, fmt: str | None = "html") -> etree._Element:
    """`<tag format="html"><text><![CDATA[...]]></text></tag>` (plain <text> when html is None)."""
    element = etree.SubElement(parent, tag, format=fmt) if fmt else etree.SubElement(parent, tag)
    text = etree.SubElement(element, "text")
    if html:
        # CDATA cannot hold "]]>"; sanitised HTML escapes ">", so this only guards odd input.
        text.text = etree.CDATA(html) if "]]>" not in html else html
    return element


def _plain(parent: etree._Element, tag: str, value: str) -> etree._Element:
    element = etree.SubElement(parent, tag)
    element.text = value
    return element


def _common(quiz: m.Quiz, question: m.QuestionBase, qtype: str, root: etree._Element) -> etree._Element:
    element = etree.SubElement(root, "question", type=qtype)
    name = etree.SubElement(element, "name")
    _plain(name, "text", question.id)
    _text(element, "questiontext", to_html(question.prompt, breaks=True))
    feedback = general_feedback_markdown(question, with_answer_key=qtype == "matching")
    _text(element, "generalfeedback", to_html(feedback) if feedback else None)
    _plain(element, "defaultgrade", "1")
    _plain(element, "penalty", "1" if qtype == "truefalse" else PENALTY)
    _plain(element, "hidden", "0")
    _plain(element, "idnumber", question_id(quiz, question))
    return element


def _tags(element: etree._Element, question: m.QuestionBase) -> None:
    tags = etree.SubElement(element, "tags")
    for advice in question.assesses:
        _plain(etree.SubElement(tags, "tag"), "text", advice)


def _combined_feedback(element: etree._Element, correct: str = "", incorrect: str = "") -> None:
    # A partly right answer is "not quite" too: the question is right only when all of it is.
    for tag, text in (("correctfeedback", correct), ("partiallycorrectfeedback", incorrect),
                      ("incorrectfeedback", incorrect)):
        _text(element, tag, to_html(text) if text else None)


def _answer(element: etree._Element, fraction: str, html: str, feedback_html: str, fmt: str = "html") -> None:
    answer = etree.SubElement(element, "answer", fraction=fraction, format=fmt)
    etree.SubElement(answer, "text").text = etree.CDATA(html) if fmt == "html" and "]]>" not in html else html
    _text(answer, "feedback", feedback_html)


def question_xml(quiz: m.Quiz, question: BankQuestion, root: etree._Element) -> None:
    """Append one question to `root` in Moodle XML."""
    match question:
        case m.SingleQuestion() | m.MultipleQuestion():
            element = _common(quiz, question, "multichoice", root)
            single = isinstance(question, m.SingleQuestion)
            _plain(element, "single", "true" if single else "false")
            _plain(element, "shuffleanswers", "true" if quiz.shuffle else "false")
            _plain(element, "answernumbering", "abc")
            _combined_feedback(element)
            weights = ([100.0 if o.correct else 0.0 for o in question.options]
                       if not isinstance(question, m.MultipleQuestion) else multiple_weights(question))
            # Options are in the course's one seeded order (coursekit/arrange.py); Moodle may shuffle again.
            for option, weight in zip(question.options, weights):
                _answer(element, format_percent(weight), to_inline_html(option.text),
                        to_inline_html(option.feedback))
        case m.TrueFalseQuestion():
            element = _common(quiz, question, "truefalse", root)
            for value, feedback in ((True, question.feedback_true), (False, question.feedback_false)):
                _answer(element, "100" if value == question.answer else "0", "true" if value else "false",
                        to_inline_html(feedback), fmt="moodle_auto_format")
        case m.OrderQuestion() | m.MatchQuestion():
            element = _common(quiz, question, "matching", root)
            # Stems in authored order would give an ordering question away: always shuffle.
            _plain(element, "shuffleanswers", "true")
            _combined_feedback(element, question.feedback_correct, question.feedback_incorrect)
            rows = match_rows(question)
            # An ordering question's items (the stems) in the shared seeded order, as on paper and in Canvas.
            stems = presented(quiz.id, question.id, rows) if isinstance(question, m.OrderQuestion) else rows
            for row in stems:
                sub = _text(element, "subquestion", to_inline_html(row.left))
                _plain(etree.SubElement(sub, "answer"), "text", one_line(row.right))
            for extra in match_answers(question)[len({row.right for row in rows}):]:
                sub = _text(element, "subquestion", None)
                _plain(etree.SubElement(sub, "answer"), "text", one_line(extra))
        case _:
            assert_never(question)
    _tags(element, question)


def _help(view: AudienceView, quiz: m.Quiz, root: etree._Element) -> None:
    element = etree.SubElement(root, "question", type="description")
    _plain(etree.SubElement(element, "name"), "text", help_title())
    _text(element, "questiontext", to_html(help_markdown(view)))
    _text(element, "generalfeedback", None)
    _plain(element, "defaultgrade", "0")
    _plain(element, "penalty", "0")
    _plain(element, "hidden", "0")
    _plain(element, "idnumber", help_id(quiz))


@in_course_language
def moodle_xml(view: AudienceView, left_out: list[LeftOutQuestion] | None = None) -> bytes:
    """The Moodle XML file for one audience, as UTF-8 bytes.

    Questions Moodle XML cannot carry are named in a comment where they would be, and added to `left_out`."""
    course = view.course
    root = etree.Element("quiz")
    # An XML comment may not contain "--".
    for note in (say("quizbank.bank_heading", title=course.title, audience=view.audience.label),
                 edition_line(course), engine_name()):
        root.append(etree.Comment(f" {note} ".replace("--", "- -")))
    for quiz in bank_quizzes(view):
        category = etree.SubElement(root, "question", type="category")
        _plain(etree.SubElement(category, "category"), "text", category_path(view, quiz))
        _text(category, "info", to_html(quiz.intro) if quiz.intro else None)
        missing: list[LeftOutQuestion] = []
        for question in bank_questions(quiz, "moodle_xml", missing):
            question_xml(quiz, question, root)
        for entry in missing:
            root.append(etree.Comment(f" {entry} ".replace("--", "- -")))
        if left_out is not None:
            left_out += missing
        _help(view, quiz, root)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
