"""Kahoot spreadsheet import (openpyxl), in the layout of Kahoot's own quiz template.

Rows 1-7 are the template's notes (here: course, edition, how to import, help), row 8 the template's
headers, questions from row 9: number | question | answers 1-4 | time limit | correct answer numbers.
Kahoot takes up to four answers, a question of at most 120 characters and answers of at most 75, so a
question that does not fit (too long, more than four options, ordering, matching) is LEFT OUT, listed
with its reason in `<course-id>.kahoot-skipped.txt` and printed as a build warning; nothing is shortened.
Lengths are counted as Kahoot's web editor counts them (UTF-16 code units: an emoji counts 2).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, assert_never

from coursekit import model as m
from coursekit.messages import engine_name
from coursekit.questions import LeftOut, for_kahoot
from coursekit.targets.quizbank import bank_quizzes, edition_line, in_course_language, reason_text, say
from coursekit.text import one_line
from coursekit.view import AudienceView
from coursekit.write import zip_folder

HEADER_ROW = 8
FIRST_QUESTION_ROW = HEADER_ROW + 1
HEADERS = (
    "",
    "Question - max 120 characters",
    "Answer 1 - max 75 characters",
    "Answer 2 - max 75 characters",
    "Answer 3 - max 75 characters",
    "Answer 4 - max 75 characters",
    "Time limit (sec) – 5, 10, 20, 30, 60, 90, 120, or 240 secs",
    "Correct answer(s) - choose at least one",
)
QUESTION_LIMIT = 120
ANSWER_LIMIT = 75
MAX_ANSWERS = 4
TIME_LIMITS = (5, 10, 20, 30, 60, 90, 120, 240)
# A spreadsheet reads a cell starting with one of these as a formula ("formula injection"): such text is
# written as a text cell with Excel's quote prefix, so it stays text even after a teacher edits the file.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class KahootRow:
    """One question as Kahoot imports it."""

    quiz: str
    question_id: str
    question: str
    answers: tuple[str, ...]
    time_limit: int
    correct: tuple[int, ...]  # 1-based answer numbers


@dataclass(frozen=True)
class Skipped:
    """A question left out of the spreadsheet, and why."""

    quiz: m.Quiz
    question: m.QuestionBase
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return say("quizbank.kahoot_skipped_line", quiz=self.quiz.title, quiz_id=self.quiz.id,
                   question=self.question.id, reasons="; ".join(self.reasons))


def kahoot_length(text: str) -> int:
    """Length as Kahoot's editor counts it (JavaScript string length: UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def time_limit(question: str, answers: tuple[str, ...], *, multiple: bool) -> int:
    """Seconds to read and answer: 10 characters a second plus 5 s, (plus 10 s to pick several), at least 20,
    rounded up to the next time Kahoot offers."""
    characters = len(question) + sum(len(answer) for answer in answers)
    needed = 5 + math.ceil(characters / 10) + (10 if multiple else 0)
    return next((limit for limit in TIME_LIMITS if limit >= max(20, needed)), TIME_LIMITS[-1])


def kahoot_row(quiz: m.Quiz, question: m.Question) -> KahootRow | Skipped:
    """The question as a Kahoot row, or the reasons it cannot be one."""
    reasons: list[str] = []
    answers: tuple[str, ...] = ()
    correct: tuple[int, ...] = ()
    form = for_kahoot(question)
    match form:
        case LeftOut():
            reasons.append(reason_text(form))
        case m.TrueFalseQuestion():
            answers = (say("common.true"), say("common.false"))
            correct = (1,) if form.answer else (2,)
        case m.SingleQuestion() | m.MultipleQuestion():
            # In the course's one seeded order (coursekit/arrange.py), as every other output shows them.
            answers = tuple(one_line(option.text) for option in form.options)
            correct = tuple(n for n, option in enumerate(form.options, 1) if option.correct)
            if len(answers) > MAX_ANSWERS:
                reasons.append(say("quizbank.kahoot_too_many", n=len(answers), limit=MAX_ANSWERS))
        case _:
            assert_never(form)
    text = one_line(question.prompt)
    if kahoot_length(text) > QUESTION_LIMIT:
        reasons.append(say("quizbank.kahoot_question_long", n=kahoot_length(text), limit=QUESTION_LIMIT))
    for n, answer in enumerate(answers, 1):
        if kahoot_length(answer) > ANSWER_LIMIT:
            reasons.append(say("quizbank.kahoot_answer_long", number=n, n=kahoot_length(answer),
                               limit=ANSWER_LIMIT))
    if reasons:
        return Skipped(quiz, question, tuple(reasons))
    return KahootRow(quiz.id, question.id, text, answers,
                     time_limit(text, answers, multiple=isinstance(question, m.MultipleQuestion)), correct)


@in_course_language
def kahoot_rows(view: AudienceView) -> tuple[list[KahootRow], list[Skipped]]:
    """Every question of the audience's quizzes, as rows that fit Kahoot and questions left out."""
    rows: list[KahootRow] = []
    skipped: list[Skipped] = []
    for quiz in bank_quizzes(view):
        for question in quiz.questions:
            result = kahoot_row(quiz, question)
            (rows if isinstance(result, KahootRow) else skipped).append(result)  # type: ignore[arg-type]
    return rows, skipped


def _contact_line(contact: m.Contact) -> str:
    reach = contact.phone or contact.url or contact.email
    return f"{contact.name} ({reach})" if reach and reach not in contact.name else contact.name


def _put(sheet: Any, row: int, column: int, value: object) -> Any:
    """Write one cell; text is always a text cell, never a formula, whatever it starts with."""
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl makes any "=..." a formula
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    return cell


@in_course_language
def _workbook_bytes(view: AudienceView, rows: list[KahootRow], skipped_name: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.writer.excel import ExcelWriter

    course = view.course
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    notes = [
        say("quizbank.kahoot_heading", title=course.title, audience=view.audience.label),
        edition_line(course),
        say("quizbank.kahoot_import", file=skipped_name),
        " ".join(view.audience.core_messages),
        say("quizbank.kahoot_help") + " " + "; ".join(_contact_line(contact) for _hid, contact in view.help),
    ]
    for offset, note in enumerate(notes):
        _put(sheet, 2 + offset, 2, note)
    sheet.cell(row=2, column=2).font = Font(bold=True, size=14)
    for column, header in enumerate(HEADERS, 1):
        cell = _put(sheet, HEADER_ROW, column, header or None)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for n, row in enumerate(rows, 1):
        answers = list(row.answers) + [None] * (MAX_ANSWERS - len(row.answers))
        correct: int | str = row.correct[0] if len(row.correct) == 1 else ",".join(map(str, row.correct))
        for column, value in enumerate([n, row.question, *answers, row.time_limit, correct], 1):
            _put(sheet, HEADER_ROW + n, column, value)
    for letter, width in zip("ABCDEFGH", (4, 60, 28, 28, 28, 28, 14, 14)):
        sheet.column_dimensions[letter].width = width
    # openpyxl stamps "now" into docProps/core.xml; the course's facts-checked date keeps the bytes stable.
    stamp = dt.datetime.combine(course.facts_checked, dt.time())
    book.properties.created = book.properties.modified = stamp
    book.properties.creator = course.publisher or course.title
    book.properties.title = f"{course.title} ({view.audience.label})"
    book.properties.lastModifiedBy = engine_name()  # the engine and its version (no "generator" field)
    buffer = io.BytesIO()
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)
    ExcelWriter(book, archive).save()  # not openpyxl.save_workbook, which resets `modified` to now
    return buffer.getvalue()


@in_course_language
def skipped_text(view: AudienceView, rows: list[KahootRow], skipped: list[Skipped], xlsx_name: str) -> str:
    """The teacher-facing list of questions left out of the spreadsheet."""
    course = view.course
    total = len(rows) + len(skipped)
    lines = [say("quizbank.kahoot_sheet_heading", title=course.title, audience=view.audience.label),
             edition_line(course), ""]
    if not skipped:
        lines.append(say("quizbank.kahoot_all_fit", total=total, file=xlsx_name))
    else:
        lines.append(say("quizbank.kahoot_some_left", n=len(rows), total=total, file=xlsx_name,
                         left=len(skipped)))
        lines.append("")
        lines += [f"- {entry}" for entry in skipped]
        lines += ["", say("quizbank.kahoot_use_moodle")]
    return "\n".join(lines) + "\n"


@in_course_language
def write_kahoot(view: AudienceView, xlsx: Path, skipped_file: Path) -> list[Skipped]:
    """Write the spreadsheet and the skipped-questions list; return the questions left out."""
    rows, skipped = kahoot_rows(view)
    data = _workbook_bytes(view, rows, skipped_file.name)
    # Re-zip with sorted entries and fixed timestamps (openpyxl stamps the wall clock on each entry).
    with tempfile.TemporaryDirectory(prefix="coursekit-xlsx-") as tmp:
        with zipfile.ZipFile(io.BytesIO(data)) as source:
            for name in source.namelist():
                target = Path(tmp, name)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(source.read(name))
        zip_folder(Path(tmp), xlsx)
    skipped_file.write_text(skipped_text(view, rows, skipped, xlsx.name), "utf-8", newline="\n")
    return skipped
