"""Target `quizbank`: every quiz as Moodle GIFT, Moodle XML, a QTI 1.2 zip (Canvas) and a Kahoot spreadsheet.

Shared decisions live here so the four formats say the same thing:
- which questions: the audience's own (`audience_view(...).quizzes()`), one category/assessment per quiz;
- ordering questions become matching questions whose answers are positions ("1st", "2nd", ...);
- formats without per-pair feedback for matching get it in the general feedback ("answer key");
- multiple-answer weights: each correct option +100/c %, each wrong option -100 %, the closest that
  Moodle's partial credit gets to the model's rule "all the correct options and no others";
- each category ends with a description item carrying the audience's core messages and help contacts.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import Literal, ParamSpec, TypeVar

from coursekit import model as m
from coursekit.messages import format_date, messages
from coursekit.questions import BankQuestion, Export, LeftOut, for_bank
from coursekit.targets import BuildContext, Target
from coursekit.view import AudienceView, audience_view

# The labels' language. The per-question helpers have no view to ask, so each writer (whose first argument is
# the audience's view) sets it for the length of its call: see in_course_language.
_LANGUAGE: ContextVar[str] = ContextVar("bank_language", default="en-GB")
_P = ParamSpec("_P")
_R = TypeVar("_R")
# Welsh ordinals as numerals (1af, 2il, 3ydd...); past 20 the bare number.
_WELSH_ORDINALS = ("af", "il", "ydd", "ydd", "ed", "ed", "fed", "fed", "fed", "fed", "eg", "fed", "eg", "eg",
                   "fed", "eg", "eg", "fed", "eg", "fed")


def in_course_language(writer: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run a bank writer (first argument: the audience's view) with its course's language for every label."""
    @wraps(writer)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        view = args[0]
        assert isinstance(view, AudienceView)
        token = _LANGUAGE.set(view.course.language)
        try:
            return writer(*args, **kwargs)
        finally:
            _LANGUAGE.reset(token)
    return run


def say(key: str, **values: object) -> str:
    """An engine string in the language of the bank being written."""
    return messages(_LANGUAGE.get())(key, **values)


def reason_text(left_out: LeftOut) -> str:
    """Why a format leaves a question type out, in the bank's language."""
    return say(left_out.key) if left_out.key else left_out.reason


def help_title() -> str:
    """The title of each quiz's closing help item."""
    return say("quizbank.help_title")


@dataclass(frozen=True)
class MatchRow:
    """One prompt of a matching question (or an ordering item) with its answer and feedback."""

    left: str
    right: str
    feedback: str


def ordinal(n: int) -> str:
    """1 → "1st", 2 → "2nd", 11 → "11th" (positions for ordering questions; Welsh: "1af", "2il", "3ydd")."""
    if messages(_LANGUAGE.get()).language == "cy":
        return f"{n}{_WELSH_ORDINALS[n - 1]}" if 1 <= n <= len(_WELSH_ORDINALS) else str(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def match_rows(question: m.OrderQuestion | m.MatchQuestion) -> list[MatchRow]:
    """The prompts and answers of a matching question; an ordering question's items matched to positions."""
    if isinstance(question, m.OrderQuestion):
        return [MatchRow(item.text, ordinal(index), item.feedback)
                for index, item in enumerate(question.items, 1)]
    return [MatchRow(pair.left, pair.right, pair.feedback) for pair in question.pairs]


def match_answers(question: m.OrderQuestion | m.MatchQuestion) -> list[str]:
    """Every distinct answer a learner can pick, in order: the right-hand sides, then distractors."""
    answers: list[str] = []
    extra = question.distractors if isinstance(question, m.MatchQuestion) else []
    for answer in [row.right for row in match_rows(question)] + list(extra):
        if answer not in answers:
            answers.append(answer)
    return answers


def answer_key_markdown(question: m.OrderQuestion | m.MatchQuestion) -> str:
    """The per-pair feedback as a markdown list, for formats that cannot attach it to each pair."""
    return "\n".join(f"- {row.left} → {row.right}: {row.feedback}" for row in match_rows(question))


def overall_feedback_markdown(question: m.OrderQuestion | m.MatchQuestion) -> str:
    """An ordering/matching question's overall feedback, each labelled with when it applies."""
    return "\n\n".join(f"**{label}** {text}" for label, text in zip(
        (say("print.all_right"), say("print.not_quite")), (question.feedback_correct, question.feedback_incorrect),
        strict=True) if text)


def general_feedback_markdown(question: m.QuestionBase, *, with_answer_key: bool, with_overall: bool = False) -> str:
    """The general feedback: the explanation, plus for matching/ordering when asked the overall feedback
    (for formats that cannot show it only to right or wrong answers) and the answer key."""
    parts = [question.explanation] if question.explanation else []
    if isinstance(question, (m.OrderQuestion, m.MatchQuestion)):
        if with_overall and (overall := overall_feedback_markdown(question)):
            parts.append(overall)
        if with_answer_key:
            parts.append(answer_key_markdown(question))
    return "\n\n".join(parts)


def multiple_weights(question: m.MultipleQuestion) -> list[float]:
    """Percent weight of each option: correct ones share +100, each wrong one costs -100."""
    correct = sum(option.correct for option in question.options)
    return [100 / correct if option.correct else -100.0 for option in question.options]


def format_percent(value: float) -> str:
    """A weight as Moodle writes it: "50", "-100", "33.33333" (7 significant decimals of the fraction)."""
    if abs(value - round(value)) < 1e-9:
        return str(round(value))
    return f"{value:.5f}"


EXPORT_NAMES: dict[Export, str] = {"gift": "GIFT", "moodle_xml": "Moodle XML", "qti": "QTI (Canvas)",
                                   "kahoot": "Kahoot"}


@dataclass(frozen=True)
class LeftOutQuestion:
    """A question a format leaves out, and why (listed for the teacher and warned at build)."""

    quiz: m.Quiz
    question: m.QuestionBase
    export: Export
    reason: str

    def __str__(self) -> str:
        return say("quizbank.left_out_line", quiz=self.quiz.title, quiz_id=self.quiz.id, question=self.question.id,
                   formats=EXPORT_NAMES[self.export], reason=self.reason)


def bank_questions(quiz: m.Quiz, export: Literal["gift", "moodle_xml", "qti"],
                   left_out: list[LeftOutQuestion] | None = None) -> list[BankQuestion]:
    """The quiz's questions a Moodle/Canvas format carries; the others are added to `left_out`."""
    carried: list[BankQuestion] = []
    for question in quiz.questions:
        form = for_bank(question, export)
        if isinstance(form, LeftOut):
            if left_out is not None:
                left_out.append(LeftOutQuestion(quiz, question, export, reason_text(form)))
        else:
            carried.append(form)
    return carried


def group_left_out(left_out: list[LeftOutQuestion]) -> list[tuple[LeftOutQuestion, str]]:
    """One line per question and reason, naming every format that leaves it out for that reason."""
    groups: dict[tuple[str, str, str], list[LeftOutQuestion]] = {}
    for entry in left_out:
        groups.setdefault((entry.quiz.id, entry.question.id, entry.reason), []).append(entry)
    lines: list[tuple[LeftOutQuestion, str]] = []
    for entries in groups.values():
        first = entries[0]
        formats = ", ".join(EXPORT_NAMES[entry.export] for entry in entries)
        line = say("quizbank.left_out_line", quiz=first.quiz.title, quiz_id=first.quiz.id,
                   question=first.question.id, formats=formats, reason=first.reason)
        lines.append((first, line))
    return lines


@in_course_language
def left_out_text(view: AudienceView, left_out: list[LeftOutQuestion], kahoot_name: str) -> str:
    """The teacher-facing list of questions the GIFT, Moodle XML and QTI files leave out, and why."""
    course = view.course
    total = sum(len(quiz.questions) for quiz in bank_quizzes(view))
    lines = [say("quizbank.left_out_heading", title=course.title, audience=view.audience.label),
             edition_line(course), ""]
    if not left_out:
        lines.append(say("quizbank.none_left_out", total=total))
    else:
        lines.append(say("quizbank.these_left_out"))
        lines.append("")
        lines += [f"- {line}" for _first, line in group_left_out(left_out)]
    lines += ["", say("quizbank.kahoot_more", file=kahoot_name)]
    return "\n".join(lines) + "\n"


def bank_quizzes(view: AudienceView) -> list[m.Quiz]:
    """The audience's quizzes that still have questions after filtering."""
    return [quiz for quiz in view.quizzes() if quiz.questions]


def _category_name(text: str) -> str:
    # Moodle splits category paths on "/"; a literal slash is written "//".
    return " ".join(text.split()).replace("/", "//")


def category_path(view: AudienceView, quiz: m.Quiz) -> str:
    """The Moodle category for a quiz: course and audience, then the quiz title."""
    course = view.course
    course_name = _category_name(f"{course.title} ({view.audience.label})")
    return f"$course$/top/{course_name}/{_category_name(quiz.title)}"


def edition_line(course: m.Course) -> str:
    """Course title, version and the date the facts were last checked."""
    checked = format_date(course.facts_checked, _LANGUAGE.get())
    return say("print.imprint", title=course.title, version=course.version, date=checked)


def help_markdown(view: AudienceView) -> str:
    """The audience's core messages and help contacts as markdown (for the closing description item)."""
    lines = list(view.audience.core_messages)
    contacts = []
    for _hid, contact in view.help:
        email = f"[{contact.email}](mailto:{contact.email})" if contact.email else ""
        reach = " · ".join(part for part in (contact.phone, contact.url, email, contact.how) if part)
        about = f": {contact.description}" if contact.description else ""
        contacts.append(f"- **{contact.name}**{about}" + (f" ({reach})" if reach else ""))
    return "\n\n".join(part for part in lines + ["\n".join(contacts), edition_line(view.course)] if part)


def question_id(quiz: m.Quiz, question: m.QuestionBase) -> str:
    """A question's id number in a bank: unique across the course's quizzes."""
    return f"{quiz.id}-{question.id}"


def help_id(quiz: m.Quiz) -> str:
    """The id number of a quiz's help item; the dot cannot occur in model ids, so it never collides."""
    return f"{quiz.id}.help"


class QuizbankTarget(Target):
    """Writes, per audience, a GIFT file, a Moodle XML file, a QTI 1.2 zip and a Kahoot spreadsheet."""

    name = "quizbank"
    description = "question banks for Moodle (GIFT, XML), Canvas (QTI 1.2 zip) and Kahoot (xlsx)"

    def build(self, ctx: BuildContext) -> None:
        """Write the four quiz-bank files (and the Kahoot skipped-questions list) for each audience."""
        from coursekit.cache import course_shell, lines_of
        from coursekit.targets.quizbank_gift import gift_text
        from coursekit.targets.quizbank_kahoot import write_kahoot
        from coursekit.targets.quizbank_moodle import moodle_xml
        from coursekit.targets.quizbank_qti import write_qti_zip

        course = ctx.course
        for audience in ctx.audiences:
            view = audience_view(course, audience)
            stem = f"{audience}/{course.id}"
            # A bank shows the audience's quizzes, its help and the course's title lines: not the scenarios.
            inputs = course_shell(course), audience, view.audience, view.help, view.quizzes(), lines_of(ctx.sources, "quizzes")
            with ctx.document(stem, *inputs) as doc:
                if doc.hit:
                    continue
                left_out: list[LeftOutQuestion] = []
                ctx.write_text(f"{stem}.gift.txt", gift_text(view, left_out))
                ctx.write_bytes(f"{stem}.moodle.xml", moodle_xml(view, left_out))
                write_qti_zip(view, ctx.path(f"{stem}.qti.zip"), left_out)
                skipped_file = ctx.path(f"{stem}.kahoot-skipped.txt")
                skipped = write_kahoot(view, ctx.path(f"{stem}.kahoot.xlsx"), skipped_file)
                ctx.write_text(f"{stem}.left-out.txt", left_out_text(view, left_out, skipped_file.name))
                for first, line in group_left_out(left_out):
                    ctx.note(f"{audience}: {line}", first.question)
                for entry in skipped:
                    ctx.note(f"{audience}: Kahoot: {entry}", entry.question)
