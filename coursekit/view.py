"""The course as one audience sees it: filtered modules, pages, questions and help, resolved."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from coursekit import model as m


def _shown(audiences: list[str], audience: str) -> bool:
    return not audiences or audience in audiences


@dataclass(frozen=True)
class Branding:
    """Who the outputs say the course is from: the brand's name, else the publisher, else the course title
    (never the tool's name), with the brand's logo and colour when it has them."""

    name: str
    logo: Path | None = None
    colour: str | None = None
    credited: bool = False  # the name is an organisation's (brand or publisher), not the course title

    @property
    def logo_is_svg(self) -> bool:
        """Whether the logo file is an SVG drawing (else PNG)."""
        return self.logo is not None and not self.logo.read_bytes().startswith(b"\x89PNG")


def branding(course: m.CourseFile, root: str | Path = ".") -> Branding:
    """The course's resolved branding; `root` is the course folder the logo path is relative to."""
    brand = course.brand
    if brand is not None:
        return Branding(brand.name, Path(root) / brand.logo if brand.logo else None,
                        brand.colour.lower() if brand.colour else None, credited=True)
    if course.publisher:
        return Branding(course.publisher, credited=True)
    return Branding(course.title)


def local_id(index: int) -> str:
    """The help-list id of the course's `index`-th local help entry (a dot never occurs in model ids)."""
    return f"local.{index + 1}"


def local_help(course: m.CourseFile, audience: str) -> list[tuple[str, m.LocalHelp]]:
    """The course's local help entries meant for `audience`, in their authored order."""
    return [(local_id(index), entry) for index, entry in enumerate(course.local_help)
            if _shown(entry.audiences, audience)]


def help_list(course: m.CourseFile, audience: str,
              help_ids: Sequence[str] | None = None) -> list[tuple[str, m.Contact]]:
    """The audience's help (or the built-in contacts `help_ids`, e.g. a leaflet's list) in the order every
    output lists it: local help first; for under-18s, after the audience's first contact when it heads the
    list, since "tell a trusted adult" comes first for them (CONTENT-GUIDE principle 7)."""
    group = course.audiences[audience]
    ids = group.help if help_ids is None else help_ids
    built_in: list[tuple[str, m.Contact]] = [(hid, course.help[hid]) for hid in ids]
    local: list[tuple[str, m.Contact]] = list(local_help(course, audience))
    lead = 1 if group.under_18 and ids and ids[0] == group.help[0] else 0
    return [*built_in[:lead], *local, *built_in[lead:]]


@dataclass(frozen=True)
class ModuleView:
    """A module with only this audience's pages, and its scenario and quiz resolved."""

    module: m.Module
    index: int
    pages: list[m.Page]
    objectives: list[m.Objective]
    scenario: m.Scenario | None
    quiz: m.Quiz | None

    @property
    def id(self) -> str:
        """The module id."""
        return self.module.id

    @property
    def title(self) -> str:
        """The module title."""
        return self.module.title


@dataclass(frozen=True)
class AudienceView:
    """Everything a target needs for one audience."""

    course: m.Course
    name: str
    audience: m.Audience
    modules: list[ModuleView]
    objectives: list[m.Objective]
    help: list[tuple[str, m.Contact]]  # see help_list: local help first (for under-18s, after the trusted adult)
    assessment: m.Quiz
    leaflet: m.Leaflet | None
    plans: list[m.Plan] = field(default_factory=list)
    brand: Branding = field(default_factory=lambda: Branding(""))

    def help_with(self, help_ids: list[str]) -> list[tuple[str, m.Contact]]:
        """The built-in contacts `help_ids` (a leaflet's or a plan's list) with the audience's local help, in
        the order of `help_list`."""
        return help_list(self.course, self.name, help_ids)

    @property
    def pass_mark(self) -> int:
        """The final assessment's pass mark (percent)."""
        return self.assessment.pass_mark

    def pages(self) -> list[tuple[ModuleView, m.Page]]:
        """Every page in order, with its module."""
        return [(module, page) for module in self.modules for page in module.pages]

    def quizzes(self) -> list[m.Quiz]:
        """Module quizzes in order, then the final assessment (each once)."""
        seen: dict[str, m.Quiz] = {}
        for module in self.modules:
            if module.quiz is not None:
                seen.setdefault(module.quiz.id, module.quiz)
        seen.setdefault(self.assessment.id, self.assessment)
        return list(seen.values())

    def scenarios(self) -> list[m.Scenario]:
        """Module scenarios in order."""
        return [module.scenario for module in self.modules if module.scenario is not None]

    def advice(self, advice_id: str) -> m.AdvicePoint:
        """An advice point by id."""
        return self.course.advice_by_id()[advice_id]


def filter_quiz(quiz: m.Quiz, audience: str) -> m.Quiz:
    """The quiz with only the questions meant for `audience`."""
    questions = [q for q in quiz.questions if _shown(q.audiences, audience)]
    if len(questions) == len(quiz.questions):
        return quiz
    return quiz.model_copy(update={"questions": questions})


def audience_view(course: m.Course, name: str) -> AudienceView:
    """Resolve the course for audience `name`."""
    audience = course.audiences[name]
    objectives_by_id = {o.id: o for o in course.objectives}
    modules: list[ModuleView] = []
    for module in course.modules:
        if not _shown(module.audiences, name):
            continue
        pages = [page for page in module.pages if _shown(page.audiences, name)]
        if not pages:
            continue
        scenario = course.scenarios.get(module.scenario) if module.scenario else None
        if scenario is not None and not _shown(scenario.audiences, name):
            scenario = None
        quiz = filter_quiz(course.quizzes[module.quiz], name) if module.quiz else None
        if quiz is not None and not quiz.questions:
            quiz = None
        objectives = [objectives_by_id[o] for o in module.objectives if _shown(objectives_by_id[o].audiences, name)]
        modules.append(ModuleView(module, len(modules), pages, objectives, scenario, quiz))
    plans = [plan for plan in (course.lesson, course.talk) if plan is not None and plan.audience == name]
    return AudienceView(
        course=course,
        name=name,
        audience=audience,
        modules=modules,
        objectives=[o for o in course.objectives if _shown(o.audiences, name)],
        help=help_list(course, name),
        assessment=filter_quiz(course.quizzes[course.assessment.quiz], name),
        leaflet=course.leaflets.get(name),
        plans=plans,
        brand=branding(course, course.root),
    )
