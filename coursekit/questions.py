"""Question types as one registered concept: each type's facts in one place.

`TYPES` declares, per type, its model class, how a learner answers it, whether it is scored, how the
learner module reports it to an LMS, how each output shows it and which quiz-bank exports carry it (or
why one leaves it out). Code that must treat each type differently dispatches with `match` and
`typing.assert_never`, so `mypy` lists every site a new type must handle (docs/questions.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, assert_never

from coursekit import model as m
from coursekit.order import seeded_order

# The quiz-bank formats (targets/quizbank_*.py).
Export = Literal["gift", "moodle_xml", "qti", "kahoot"]
EXPORTS: tuple[Export, ...] = ("gift", "moodle_xml", "qti", "kahoot")
# The outputs that show questions to a learner or a class.
Output = Literal["module", "print", "slides"]
OUTPUTS: tuple[Output, ...] = ("module", "print", "slides")


SCALE_POINTS = (1, 2, 3, 4, 5)  # the points of a `scale` question


@dataclass(frozen=True)
class LeftOut:
    """An export that cannot carry a question, and why (written to the teacher and warned at build)."""

    reason: str
    key: str = ""  # its text in the message catalogues (coursekit/messages), for the teacher's lists


@dataclass(frozen=True)
class QuestionType:
    """The facts of one question type."""

    name: str  # the YAML `type:` value
    model: type[m.QuestionBase]
    answered: str  # how the learner answers
    scored: bool  # counts towards the quiz's score (and so pass or fail)
    interaction: str  # the SCORM interaction type the module reports
    shown: Mapping[Output, str]  # how each output shows it
    exports: Mapping[Export, str | LeftOut]  # how each quiz-bank format carries it, or why it leaves it out

    @property
    def partial(self) -> str:
        """The template partial (web and print each have one per type) that renders this type."""
        return f"question/{self.name}.html.j2"


_NO_MOODLE_SCALE = ("Moodle's question bank has no unscored rating-scale question: every question it imports "
                    "needs a right answer (ask it in a Moodle Feedback or Questionnaire activity instead)")
_KAHOOT_FIT = " (when it fits Kahoot's limits: 2-4 answers, 120-character question, 75-character answers)"

TYPES: dict[str, QuestionType] = {
    "single": QuestionType(
        name="single", model=m.SingleQuestion,
        answered="pick exactly one option", scored=True, interaction="choice",
        shown={"module": "radio buttons; options shuffled per learner when the quiz shuffles",
               "print": "lettered options with round tick boxes; the key gives the letter and every feedback",
               "slides": "lettered options; the reveal marks each option and shows its feedback"},
        exports={"gift": "single-answer multiple choice", "moodle_xml": "multichoice (single)",
                 "qti": "multiple_choice_question", "kahoot": "quiz question" + _KAHOOT_FIT}),
    "multiple": QuestionType(
        name="multiple", model=m.MultipleQuestion,
        answered="pick every correct option and no other", scored=True, interaction="choice",
        shown={"module": "check boxes; options shuffled per learner when the quiz shuffles",
               "print": "lettered options with square tick boxes; the key gives the letters and every feedback",
               "slides": "lettered options; the reveal marks each option and shows its feedback"},
        exports={"gift": "multiple answers with weights", "moodle_xml": "multichoice (multiple, weighted)",
                 "qti": "multiple_answers_question", "kahoot": "quiz question, several correct" + _KAHOOT_FIT}),
    "true_false": QuestionType(
        name="true_false", model=m.TrueFalseQuestion,
        answered="true or false", scored=True, interaction="true-false",
        shown={"module": "two radio buttons, True and False",
               "print": "True / False tick boxes; the key gives the answer and both feedbacks",
               "slides": "True or false?; the reveal gives the answer and its feedback"},
        exports={"gift": "true/false", "moodle_xml": "truefalse", "qti": "true_false_question",
                 "kahoot": "True/False quiz question" + _KAHOOT_FIT}),
    "order": QuestionType(
        name="order", model=m.OrderQuestion,
        answered="put the items in order (move up / move down)", scored=True, interaction="sequencing",
        shown={"module": "a list in a fixed scrambled order with Move up / Move down buttons",
               "print": "lettered boxes to number; the key gives the order and every item's feedback",
               "slides": "lettered items, scrambled; the reveal lists the right order with feedback"},
        exports={"gift": "matching: items to positions (1st, 2nd...)",
                 "moodle_xml": "matching: items to positions, overall feedback as combined feedback",
                 "qti": "matching_question: items to positions",
                 "kahoot": LeftOut("Kahoot's spreadsheet import has no ordering questions",
                                   "quizbank.reason_order_kahoot")}),
    "match": QuestionType(
        name="match", model=m.MatchQuestion,
        answered="choose the matching answer for each item", scored=True, interaction="matching",
        shown={"module": "a menu of answers beside each item",
               "print": "numbered items and lettered answers; the key gives the pairs and their feedback",
               "slides": "numbered items and lettered answers; the reveal lists the pairs with feedback"},
        exports={"gift": "matching", "moodle_xml": "matching, overall feedback as combined feedback",
                 "qti": "matching_question",
                 "kahoot": LeftOut("Kahoot's spreadsheet import has no matching questions",
                                   "quizbank.reason_match_kahoot")}),
    "scale": QuestionType(
        name="scale", model=m.ScaleQuestion,
        answered="pick a point from 1 to 5 (labels for 1 and 5); there is no right answer",
        scored=False, interaction="likert",
        shown={"module": "five radio buttons, 1 to 5, with the two end labels; not marked, not scored",
               "print": "five numbers to circle with the end labels; the key says there is no right answer",
               "slides": "the scale 1 to 5 with its end labels; the reveal says there is no right answer"},
        exports={"gift": LeftOut(_NO_MOODLE_SCALE, "quizbank.reason_scale_moodle"),
                 "moodle_xml": LeftOut(_NO_MOODLE_SCALE, "quizbank.reason_scale_moodle"),
                 "qti": LeftOut("a Canvas quiz question needs a right answer and a 1-5 agreement question has "
                                "none (ask it in an ungraded Canvas survey instead)", "quizbank.reason_scale_qti"),
                 "kahoot": LeftOut("Kahoot's spreadsheet import takes quiz questions with a right answer, and a "
                                   "1-5 agreement question has none (ask it as a Kahoot poll instead)",
                                   "quizbank.reason_scale_kahoot")}),
}


def facts(question: m.Question) -> QuestionType:
    """The registered facts of a question's type."""
    return TYPES[str(question.type)]


def scored(question: m.Question) -> bool:
    """Whether the question counts towards its quiz's score."""
    return facts(question).scored


def fixed_order(quiz: m.Quiz) -> list[m.Question]:
    """The quiz's questions as print and slides number them: as authored, or with `shuffle_questions` one
    fixed seeded order (the module gives each learner their own)."""
    return seeded_order(f"{quiz.id}/questions", quiz.questions) if quiz.shuffle_questions else list(quiz.questions)


# --- how a question is answered in the learner module (mirrored by player.js's TYPES table) ---------------


def _letters(count: int) -> list[str]:
    return [chr(ord("a") + i) for i in range(count)]


def correct_response(question: m.Question) -> list[str]:
    """The right answer as the module reports it to the LMS (player contract, "responses")."""
    match question:
        case m.SingleQuestion() | m.MultipleQuestion():
            return [letter for letter, option in zip(_letters(len(question.options)), question.options)
                    if option.correct]
        case m.TrueFalseQuestion():
            return ["true" if question.answer else "false"]
        case m.OrderQuestion():
            return _letters(len(question.items))
        case m.MatchQuestion():
            return [f"{letter}.{number}" for number, letter in enumerate(_letters(len(question.pairs)), start=1)]
        case m.ScaleQuestion():
            return []  # no right answer
        case _:
            assert_never(question)


def longest_answer_code(question: m.Question) -> int:
    """Characters of the longest answer code the player saves for this question (its state encoding)."""
    match question:
        case m.SingleQuestion() | m.TrueFalseQuestion() | m.ScaleQuestion():
            return 1
        case m.MultipleQuestion():
            return len(question.options)
        case m.OrderQuestion():
            return len(question.items)
        case m.MatchQuestion():
            return len(question.pairs)
        case _:
            assert_never(question)


# --- which quiz-bank exports carry a question -------------------------------------------------------------

# What Moodle (GIFT, XML) and Canvas (QTI) can carry, and what Kahoot's spreadsheet can.
BankQuestion = m.SingleQuestion | m.MultipleQuestion | m.TrueFalseQuestion | m.OrderQuestion | m.MatchQuestion
KahootQuestion = m.SingleQuestion | m.MultipleQuestion | m.TrueFalseQuestion


def _left_out(question: m.Question, export: Export) -> LeftOut:
    entry = facts(question).exports[export]
    assert isinstance(entry, LeftOut), f"{facts(question).name} is carried by {export}: return it"
    return entry


def for_bank(question: m.Question, export: Literal["gift", "moodle_xml", "qti"]) -> BankQuestion | LeftOut:
    """The question as Moodle/Canvas formats carry it, or why they leave it out."""
    match question:
        case m.SingleQuestion() | m.MultipleQuestion() | m.TrueFalseQuestion() | m.OrderQuestion() \
                | m.MatchQuestion():
            return question
        case m.ScaleQuestion():
            return _left_out(question, export)
        case _:
            assert_never(question)


def for_kahoot(question: m.Question) -> KahootQuestion | LeftOut:
    """The question as Kahoot's spreadsheet carries it, or why it is left out."""
    match question:
        case m.SingleQuestion() | m.MultipleQuestion() | m.TrueFalseQuestion():
            return question
        case m.OrderQuestion() | m.MatchQuestion() | m.ScaleQuestion():
            return _left_out(question, "kahoot")
        case _:
            assert_never(question)
