"""Moodle GIFT: one `$CATEGORY:` per quiz, questions in `[markdown]` format, every reserved character escaped.

GIFT semantics this writer relies on (Moodle's qformat_gift, mirrored by the gift-pegjs parser):
- `~ = # { } :` and backslash are escaped with a backslash; a newline inside text is written `\\n`;
- single choice: `=right#feedback ~wrong#feedback`; multiple answers: every option `~%weight%`, with
  no `=` at all (Moodle makes a question multiple-answer exactly when no option starts with `=`);
- true/false: `{TRUE#feedback if wrong#feedback if right}`: the FIRST feedback is shown to a learner
  whose answer is wrong, the second to one whose answer is right, whatever the right answer is;
- matching: `=left -> right`; Moodle splits each pair at its first `->`, so `->` inside answer texts is
  written `-&gt;` (markdown renders it as `->`); a distractor is `= -> text`;
- `####text` is the general feedback; `// [id:...] [tag:...]` before a question sets its id number and tags.
"""

from __future__ import annotations

import re
from typing import assert_never

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
from coursekit.text import one_line
from coursekit.view import AudienceView

_ESCAPES = {"\\": "\\\\", "~": "\\~", "=": "\\=", "#": "\\#", "{": "\\{", "}": "\\}", ":": "\\:", "\n": "\\n"}
# A leading "%12%" reads as a weight and a leading "[html]" as a format. Their first character is written
# as an HTML character reference, which markdown renders unchanged (Moodle's PHP Markdown and CommonMark
# alike; a backslash would not do: PHP Markdown does not treat "\\%" as an escape).
_LEADING_HAZARD = re.compile(r"^(%|\[(html|moodle|plain|markdown)\])")
_REFERENCES = {"%": "&#37;", "[": "&#91;"}
# Moodle's markdown passes raw HTML through (a `<script>` or `<img onerror>` would reach the page) and makes
# "<a@b.org>" a mailto: link, while the Moodle XML and QTI banks show such text literally (autolinks are off
# in learner text). So every "<" is written "&lt;", which markdown shows as "<": GIFT shows what the other
# banks show. Code spans (where "&lt;" would show literally) are left alone.
_KEEP = re.compile(r"(`+).+?(?<!`)\1(?!`)", re.DOTALL)
_TAG_START = re.compile(r"<")


def without_raw_html(text: str) -> str:
    """Markdown whose raw HTML is shown as text, as Moodle XML and QTI show it (see above)."""
    parts, position = [], 0
    for keep in _KEEP.finditer(text):
        parts += [_TAG_START.sub("&lt;", text[position:keep.start()]), keep.group()]
        position = keep.end()
    parts.append(_TAG_START.sub("&lt;", text[position:]))
    return "".join(parts)


def escape_gift(text: str) -> str:
    """Text with every GIFT control character escaped and newlines written as `\\n`."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(_ESCAPES.get(char, char) for char in text)


def answer_markdown(text: str) -> str:
    """The markdown written for an answer, feedback or subquestion (before GIFT escaping).

    `->` ends the left side of a matching pair (and makes gift-pegjs read a multiple-choice answer as one),
    so it is written `-&gt;`; a leading `%` or `[html]` becomes a character reference. Markdown renders all
    of these exactly as the original text."""
    text = _REFERENCES[text[0]] + text[1:] if _LEADING_HAZARD.match(text) else text
    return without_raw_html(text).replace("->", "-&gt;")


def prompt_markdown(text: str) -> str:
    """A prompt's markdown with every line break the author typed inside a paragraph kept (a markdown hard
    break: two spaces before it); lines that start a list item, heading, quote or table are left alone."""
    return _SOFT_BREAK.sub("  \n", without_raw_html(text))


_SOFT_BREAK = re.compile(r"(?<=[^\n ])\n(?=(?![ \t]*([-*+][ \t]|\d+[.)][ \t]|[#>|]))[^\n])")


def _comment(text: str) -> str:
    return "// " + " ".join(text.split())


def _feedback(text: str) -> str:
    return "#" + escape_gift(answer_markdown(text)) if text else ""


def _general(question: m.QuestionBase) -> str:
    text = general_feedback_markdown(question, with_answer_key=True, with_overall=True)
    return "####" + escape_gift(answer_markdown(text)) if text else ""


def question_gift(quiz: m.Quiz, question: BankQuestion) -> str:
    """One question as a GIFT block (comment line with id and tags, then the question)."""
    tags = " ".join(f"[tag:{advice}]" for advice in question.assesses)
    head = (f"// [id:{question_id(quiz, question)}] {tags}\n"
            f"::{escape_gift(question.id)}::[markdown]{escape_gift(prompt_markdown(question.prompt))}")
    general = _general(question)
    lines: list[str] = []
    # Options are in the course's one seeded order (coursekit/arrange.py); Moodle may shuffle again.
    match question:
        case m.SingleQuestion():
            for option in question.options:
                lines.append(("=" if option.correct else "~") + escape_gift(answer_markdown(option.text))
                             + _feedback(option.feedback))
        case m.MultipleQuestion():
            for option, weight in zip(question.options, multiple_weights(question)):
                lines.append(f"~%{format_percent(weight)}%" + escape_gift(answer_markdown(option.text))
                             + _feedback(option.feedback))
        case m.TrueFalseQuestion():
            right, wrong = ((question.feedback_true, question.feedback_false) if question.answer
                            else (question.feedback_false, question.feedback_true))
            verdict = "TRUE" if question.answer else "FALSE"
            return f"{head}{{{verdict}{_feedback(wrong)}{_feedback(right)}{general}}}"
        case m.OrderQuestion() | m.MatchQuestion():
            rows = match_rows(question)
            # The right side is plain text in Moodle's menu; an ordering question's items in the seeded order.
            stems = presented(quiz.id, question.id, rows) if isinstance(question, m.OrderQuestion) else rows
            for row in stems:
                left, right = escape_gift(answer_markdown(row.left)), escape_gift(one_line(row.right))
                lines.append(f"={left} -> {right}")
            for extra in match_answers(question)[len({row.right for row in rows}):]:
                lines.append(f"= -> {escape_gift(one_line(extra))}")
        case _:
            assert_never(question)
    if general:
        lines.append(general)
    return head + "{\n" + "\n".join(lines) + "\n}"


def help_gift(view: AudienceView, quiz: m.Quiz) -> str:
    """The closing description item of a category: core messages and help contacts."""
    return (f"// [id:{help_id(quiz)}]\n"
            f"::{escape_gift(help_title())}::[markdown]{escape_gift(without_raw_html(help_markdown(view)))}")


@in_course_language
def gift_text(view: AudienceView, left_out: list[LeftOutQuestion] | None = None) -> str:
    """The whole GIFT file for one audience: a header comment, then one category per quiz.

    Questions GIFT cannot carry are named in a comment where they would be, and added to `left_out`."""
    course = view.course
    blocks = ["\n".join([
        _comment(say("quizbank.gift_heading", title=course.title, audience=view.audience.label)),
        _comment(edition_line(course)),
        _comment(say("quizbank.gift_import")),
        _comment(engine_name()),
    ])]
    for quiz in bank_quizzes(view):
        blocks.append(f"$CATEGORY: {category_path(view, quiz)}")
        missing: list[LeftOutQuestion] = []
        blocks += [question_gift(quiz, question) for question in bank_questions(quiz, "gift", missing)]
        blocks += [_comment(str(entry)) for entry in missing]
        if left_out is not None:
            left_out += missing
        blocks.append(help_gift(view, quiz))
    return "\n\n".join(blocks) + "\n"
