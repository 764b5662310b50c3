"""Stage 2: the typed content model. Frozen Pydantic models; unknown fields are errors."""

from __future__ import annotations

import datetime as _dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, StringConstraints, Tag

# Ids are used in URLs, file names, SCORM interaction ids and CSS: keep them plain.
ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=48)]
# A citation points at a section of a source: "<source-id>#<anchor>".
Citation = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*#[a-z0-9][a-z0-9-]*$")]
Text = Annotated[str, StringConstraints(min_length=1)]
Markdown = Annotated[str, StringConstraints(min_length=1)]
Percent = Annotated[int, Field(ge=0, le=100)]

CITATION_RE = re.compile(r"^([a-z0-9][a-z0-9-]*)#([a-z0-9][a-z0-9-]*)$")

# Icon names every target can draw; the theme maps each to one SVG.
IconName = Literal[
    "help", "warning", "phone", "chat", "shield", "camera", "lock", "stop", "camera-off",
    "evidence", "no-pay", "report", "user", "users", "heart", "info", "check", "link", "eye",
    "clock", "book", "school", "light",
]


class Strict(BaseModel):
    """Base for every content model: frozen, and unknown fields are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# --- course metadata ---------------------------------------------------------------------


class Source(Strict):
    """A source of advice, split into sections with stable anchors."""

    id: Id
    title: Text
    file: Text
    publisher: str = ""
    url: str = ""
    retrieved: _dt.date | None = None


class AdvicePoint(Strict):
    """One actionable piece of advice, citing the source section it comes from."""

    id: Id
    text: Text
    cite: list[Citation] = Field(min_length=1)
    audiences: list[Id] = Field(default_factory=list)  # empty: applies to every audience


class HelpContact(Strict):
    """A signposting contact: who helps, how to reach them, and for whom."""

    name: Text
    description: Text
    phone: str = ""
    url: str = ""
    # An address to write to, shown as a mailto: link wherever contacts are shown.
    email: Annotated[str, StringConstraints(pattern=r"^$|^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[A-Za-z]{2,}$")] = ""
    how: str = ""  # other ways in, e.g. "online chat"
    emergency: bool = False
    suitable_for: list[Id] = Field(min_length=1)
    cite: list[Citation] = Field(min_length=1)

    @property
    def local(self) -> bool:
        """Built-in contacts are not local ones."""
        return False

    @property
    def write_in(self) -> bool:
        """Built-in contacts always have their details."""
        return False


class LocalHelp(Strict):
    """A local contact (the school's safeguarding lead, a local service) listed before the built-in help.

    With no phone, url or email it is a write-in entry: printed with a line to write the details on."""

    name: Text
    detail: str = ""
    phone: str = ""
    url: str = ""
    email: Annotated[str, StringConstraints(pattern=r"^$|^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[A-Za-z]{2,}$")] = ""
    audiences: list[Id] = Field(default_factory=list)  # empty: every audience

    # The same reading interface as HelpContact, so every output lists both with one template.
    @property
    def description(self) -> str:
        """The detail line (may be empty)."""
        return self.detail

    @property
    def how(self) -> str:
        """Local entries have no separate 'how'."""
        return ""

    @property
    def emergency(self) -> bool:
        """Local entries are never the emergency line."""
        return False

    @property
    def local(self) -> bool:
        """Whether this entry is a local one (from `local_help:`)."""
        return True

    @property
    def write_in(self) -> bool:
        """Whether the details are left blank, to be written in on paper."""
        return not (self.phone or self.url or self.email)


# A contact as the outputs list it: a built-in help contact or a local one.
Contact = HelpContact | LocalHelp


class Brand(Strict):
    """Who gives this course: the organisation's name, an optional logo and a primary colour."""

    name: Text
    logo: str = ""  # a PNG or SVG file inside the course folder
    colour: str = ""  # "#rrggbb", with at least 4.5:1 contrast against white text


class Audience(Strict):
    """A group the course is built for, with its reading age and its own help contacts."""

    label: Text
    description: str = ""
    under_18: bool = False
    reading_age: int | None = Field(default=None, ge=5, le=25)
    help: list[Id] = Field(min_length=1)
    core_messages: list[Text] = Field(min_length=1)
    content_note: Markdown


class Objective(Strict):
    """A learning objective, stated to the learner."""

    id: Id
    text: Text
    audiences: list[Id] = Field(default_factory=list)


class Image(Strict):
    """A picture inside the course folder, with its text alternative."""

    file: Text
    alt: str  # empty alt means decorative


class Page(Strict):
    """A short page of teaching in markdown."""

    id: Id
    title: Text
    body: Markdown
    teaches: list[Id] = Field(default_factory=list)
    audiences: list[Id] = Field(default_factory=list)
    image: Image | None = None


class Module(Strict):
    """A module: pages, then optionally a scenario and a knowledge check."""

    id: Id
    title: Text
    summary: str = ""
    objectives: list[Id] = Field(default_factory=list)
    audiences: list[Id] = Field(default_factory=list)
    pages: list[Page] = Field(min_length=1)
    scenario: Id | None = None
    quiz: Id | None = None


class Assessment(Strict):
    """The final assessment: which quiz decides pass or fail."""

    quiz: Id


class WordingRule(Strict):
    """A phrase that must not appear in learner text, and why."""

    pattern: Text  # a regular expression, matched case-insensitively on word boundaries
    reason: Text
    unless_negated: bool = False  # allow "it is not your fault", refuse "your fault"


class Wording(Strict):
    """Course-level additions to and exceptions from the built-in wording rules."""

    extra: list[WordingRule] = Field(default_factory=list)
    allow: list[Text] = Field(default_factory=list)  # built-in patterns to switch off


class Facilitation(Strict):
    """Where the facilitator content lives (paths relative to the course folder)."""

    lesson: str = ""
    talk: str = ""
    leaflets: dict[Id, str] = Field(default_factory=dict)  # audience -> leaflet file


CompletionPart = Literal["pages", "stories", "checks"]
COMPLETION_PARTS: tuple[CompletionPart, ...] = ("pages", "stories", "checks")


class Tracking(Strict):
    """What the learner module sends to an LMS besides progress, score and quiz answers (privacy: opt in)."""

    story_choices: bool = False  # every story choice, under the learner's name
    # What "completed" means: every page seen, every story played to an ending, every knowledge check answered.
    completion: list[CompletionPart] = Field(default_factory=lambda: list(COMPLETION_PARTS), min_length=1)


class CourseFile(Strict):
    """The contents of course/course.yaml."""

    id: Id
    title: Text
    subtitle: str = ""
    description: str = ""
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] = "en"
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+(\.\d+)?$")]
    publisher: str = ""
    brand: Brand | None = None
    facts_checked: _dt.date
    sources: list[Source] = Field(min_length=1)
    advice: list[AdvicePoint] = Field(min_length=1)
    audiences: dict[Id, Audience] = Field(min_length=1)
    help: dict[Id, HelpContact] = Field(min_length=1)
    local_help: list[LocalHelp] = Field(default_factory=list)  # listed first, where their audiences allow
    objectives: list[Objective] = Field(min_length=1)
    modules: list[Module] = Field(min_length=1)
    assessment: Assessment
    facilitation: Facilitation = Field(default_factory=Facilitation)
    wording: Wording = Field(default_factory=Wording)
    tracking: Tracking = Field(default_factory=Tracking)


# --- scenarios -------------------------------------------------------------------------


class Character(Strict):
    """A fictional character in a scenario."""

    name: Text
    role: str = ""


class Message(Strict):
    """One chat message, or narration when `from` is omitted."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    sender: Id | None = Field(default=None, alias="from")
    text: Text


# Every output shows this for an ungraded choice instead of a right/wrong mark (issue 10 #5).
UNGRADED_LABEL = "A common reaction — here is what helps next"
# Every output shows this at an `ending: retry`, which looks different from the other endings.
RETRY_INVITE = "This is one way the story can go, and not the best one. Go back and try another way."
Quality = Literal["best", "ok", "poor"]
# positive/recovered/neutral end the story; retry is a poor ending that invites another try.
EndingKind = Literal["positive", "recovered", "neutral", "retry"]


class Choice(Strict):
    """A decision the learner can take, with kind, specific feedback; no quality = ungraded."""

    text: Text
    next: Id
    feedback: Text
    quality: Quality | None = None
    teaches: list[Id] = Field(default_factory=list)

    @property
    def graded(self) -> bool:
        """Whether this choice is marked right or wrong (ungraded choices show UNGRADED_LABEL)."""
        return self.quality is not None


class DecisionNode(Strict):
    """A point in the story where a character decides (the chooser; default: the protagonist)."""

    messages: list[Message] = Field(default_factory=list)
    chooser: Id | None = None
    prompt: Text
    choices: list[Choice] = Field(min_length=2, max_length=6)

    @property
    def graded(self) -> bool:
        """Whether this decision's choices are graded (validation keeps a node all or nothing)."""
        return any(choice.graded for choice in self.choices)


class EndingNode(Strict):
    """An ending of the story, with a debrief."""

    messages: list[Message] = Field(default_factory=list)
    ending: EndingKind
    title: Text
    debrief: Markdown
    teaches: list[Id] = Field(default_factory=list)


def _node_kind(value: object) -> str:
    # An ending is recognised by its `ending` key, so errors name the right fields.
    if isinstance(value, dict):
        return "ending-node" if "ending" in value else "decision-node"
    return "ending-node" if isinstance(value, EndingNode) else "decision-node"


Node = Annotated[
    Annotated[EndingNode, Tag("ending-node")] | Annotated[DecisionNode, Tag("decision-node")],
    Discriminator(_node_kind),
]


class Scenario(Strict):
    """A branching chat story the learner steers."""

    id: Id
    title: Text
    summary: Text
    audiences: list[Id] = Field(default_factory=list)
    characters: dict[Id, Character] = Field(min_length=1)
    protagonist: Id
    targeted: Id | None = None  # the person under pressure (e.g. threatened): their choices are not graded
    start: Id
    nodes: dict[Id, Node] = Field(min_length=2)

    def chooser(self, node: DecisionNode) -> str:
        """The character who makes this decision."""
        return node.chooser or self.protagonist


# --- quizzes ---------------------------------------------------------------------------


class Option(Strict):
    """A choice in a single or multiple choice question, with its own feedback."""

    text: Text
    correct: bool = False
    feedback: Text


class QuestionBase(Strict):
    """Fields every question has."""

    id: Id
    prompt: Markdown
    assesses: list[Id] = Field(min_length=1)
    explanation: str = ""  # general feedback shown after answering
    audiences: list[Id] = Field(default_factory=list)


class SingleQuestion(QuestionBase):
    """Exactly one option is correct."""

    type: Literal["single"]
    options: list[Option] = Field(min_length=2, max_length=10)


class MultipleQuestion(QuestionBase):
    """One or more options are correct; the learner must pick all of them and no others."""

    type: Literal["multiple"]
    options: list[Option] = Field(min_length=2, max_length=10)


class TrueFalseQuestion(QuestionBase):
    """A statement that is true or false, with feedback for each answer."""

    type: Literal["true_false"]
    answer: bool
    feedback_true: Text
    feedback_false: Text


class OrderItem(Strict):
    """An item of an ordering question (listed in the correct order) and why it goes there."""

    text: Text
    feedback: Text


class OrderQuestion(QuestionBase):
    """Put the items in the right order; authors list them in the correct order."""

    type: Literal["order"]
    items: list[OrderItem] = Field(min_length=2, max_length=10)
    feedback_correct: str = ""  # shown when every item is in its place ("all right")
    feedback_incorrect: str = ""  # shown otherwise ("not quite")


class MatchPair(Strict):
    """A prompt and the answer it matches, with feedback."""

    left: Text
    right: Text
    feedback: Text


class MatchQuestion(QuestionBase):
    """Match each prompt on the left with its answer on the right."""

    type: Literal["match"]
    pairs: list[MatchPair] = Field(min_length=2, max_length=10)
    distractors: list[Text] = Field(default_factory=list, max_length=5)
    feedback_correct: str = ""  # shown when every pair is matched ("all right")
    feedback_incorrect: str = ""  # shown otherwise ("not quite")


class ScaleQuestion(QuestionBase):
    """A statement rated from 1 to 5 (e.g. how much the learner agrees); not scored, no right answer."""

    type: Literal["scale"]
    assesses: list[Id] = Field(default_factory=list)  # a self-rating assesses nothing; it may name advice
    label_low: Text  # what 1 means, e.g. "Not at all"
    label_high: Text  # what 5 means, e.g. "Completely"


Question = Annotated[
    SingleQuestion | MultipleQuestion | TrueFalseQuestion | OrderQuestion | MatchQuestion | ScaleQuestion,
    Field(discriminator="type"),
]


class Quiz(Strict):
    """A knowledge check or the final assessment."""

    id: Id
    title: Text
    intro: str = ""
    pass_mark: Percent = 80
    shuffle: bool = False  # shuffle each question's options
    shuffle_questions: bool = False  # a seeded question order per learner (module), one fixed order on paper/slides
    questions: list[Question] = Field(min_length=1)


# --- facilitator content ---------------------------------------------------------------


class Term(Strict):
    """A key vocabulary entry."""

    term: Text
    definition: Text


class Activity(Strict):
    """A timed section of a lesson or talk."""

    title: Text
    minutes: int = Field(ge=1, le=120)
    phase: Literal["starter", "main", "plenary", "intro", "close"]
    description: Markdown
    speaker_notes: str = ""
    teaches: list[Id] = Field(default_factory=list)
    pages: list[Id] = Field(default_factory=list)  # module pages to show as slides
    scenario: Id | None = None
    quiz: Id | None = None
    resources: list[Text] = Field(default_factory=list)
    # The activity's task as printed on the learner's worksheet. Without it, the description's sentences that
    # mention "worksheet" are used (English only), so a course in any language names its tasks here.
    worksheet: Markdown = ""


class Baseline(Strict):
    """An activity run at the start and revisited at the end to show learning."""

    title: Text
    instructions: Markdown
    revisit: Markdown
    worksheet: Markdown = ""  # the knowledge map's instructions on the worksheet (default: from `instructions`)


class Differentiation(Strict):
    """How to support and stretch learners."""

    support: list[Text] = Field(min_length=1)
    stretch: list[Text] = Field(min_length=1)


class AnticipatedQuestion(Strict):
    """A question the audience is likely to ask, with a good answer."""

    question: Text
    answer: Text
    cite: list[Citation] = Field(default_factory=list)


class Plan(Strict):
    """A lesson plan or a community talk plan."""

    kind: Literal["lesson", "talk"]
    title: Text
    audience: Id
    duration_minutes: int = Field(ge=5, le=240)
    overview: Markdown
    objectives: list[Id] = Field(min_length=1)
    outcomes: list[Text] = Field(min_length=1)
    ground_rules: list[Text] = Field(default_factory=list)
    baseline: Baseline | None = None
    activities: list[Activity] = Field(min_length=1)
    vocabulary: list[Term] = Field(default_factory=list)
    differentiation: Differentiation | None = None
    safeguarding: Markdown
    questions: list[AnticipatedQuestion] = Field(default_factory=list)
    help: list[Id] = Field(min_length=1)
    resources: list[Text] = Field(default_factory=list)
    parent_letter: str = ""


class LeafletStep(Strict):
    """One step of "what to do", with its icon."""

    title: Text
    text: Text
    icon: IconName
    teaches: list[Id] = Field(default_factory=list)


class Leaflet(Strict):
    """Copy for a take-home leaflet and poster for one audience."""

    audience: Id
    title: Text
    tagline: Text
    what_it_is: Markdown
    warning_signs: list[Text] = Field(min_length=2)
    steps_title: Text
    steps: list[LeafletStep] = Field(min_length=2, max_length=6)
    help_title: Text
    help: list[Id] = Field(min_length=1)
    core_message: Text
    extra: str = ""  # e.g. "if your child is targeted"
    teaches: list[Id] = Field(default_factory=list)


# --- the whole course, as targets see it ------------------------------------------------


class SourceSection(Strict):
    """A section of a source text, addressed by its anchor."""

    anchor: Id
    title: Text
    text: str
    line: int


class Course(CourseFile):
    """A validated course with its scenarios, quizzes and facilitator content loaded."""

    scenarios: dict[Id, Scenario] = Field(default_factory=dict)
    quizzes: dict[Id, Quiz] = Field(default_factory=dict)
    lesson: Plan | None = None
    talk: Plan | None = None
    leaflets: dict[Id, Leaflet] = Field(default_factory=dict)
    source_sections: dict[Id, dict[Id, SourceSection]] = Field(default_factory=dict)
    root: str = "."  # the course folder, for assets

    def advice_by_id(self) -> dict[str, AdvicePoint]:
        """Advice points keyed by id."""
        return {point.id: point for point in self.advice}

    @property
    def pass_mark(self) -> int:
        """The final assessment's pass mark (percent)."""
        return self.quizzes[self.assessment.quiz].pass_mark
