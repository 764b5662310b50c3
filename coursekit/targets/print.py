"""Target `print`: leaflet, poster, lesson/talk plan, worksheet, answer key and gamebook as tagged PDFs."""

from __future__ import annotations

import datetime as _dt
import os
import re
import shutil
import string
import subprocess
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal, assert_never

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from coursekit import model as m
from coursekit import theme
from coursekit.brand import logo_data_uri
from coursekit.cache import course_files
from coursekit.errors import BuildError
from coursekit.messages import format_date as format_date_in
from coursekit.messages import html_messages, jinja_i18n, messages
from coursekit.order import presented, seeded_order
from coursekit.questions import facts, fixed_order
from coursekit.targets import BuildContext, Target
from coursekit.text import to_html, to_inline_html, url_label
from coursekit.view import AudienceView, audience_view
from coursekit.workers import worker_pool

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "print"
PDF_VARIANT = "pdf/ua-1"
ALLOWED_SCHEMES = ("file", "data")
PREVIEW_DPI = 50
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Panel widths (mm) of the tri-fold: the panel that folds in is 3 mm narrower so it does not buckle.
FOLD_IN_WIDTH, PANEL_WIDTH = 97, 100
# Layouts to try, roomiest first, for the documents that must fit a fixed number of pages.
# Where the leaflet's help goes, in order: the back panel first, then what does not fit there.
HELP_SLOTS = ("back", "inside-right", "flap")
DENSITIES = {"leaflet": ("", "compact"), "poster": ("", "compact", "compact minimal")}


# --- small pure helpers (tested directly) -----------------------------------------------


def format_date(day: _dt.date, language: str = "en-GB") -> str:
    """A date as "15 January 2026" in the course's language (independent of the machine's locale)."""
    return format_date_in(day, language)


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def css_content(text: str, counters: dict[str, str]) -> str:
    """A catalogue text as a CSS `content` value: its {placeholders} become CSS counters."""
    parts: list[str] = []
    for literal, name, _, _ in string.Formatter().parse(text):
        if literal:
            parts.append(_css_string(literal))
        if name:
            parts.append(counters[name])
    return " ".join(parts)


def language_css(language: str) -> str:
    """The stylesheet's generated texts (page numbers) in the course's language."""
    say = messages(language)
    page_of = css_content(say.table["print.page_of"], {"n": "counter(page)", "count": "counter(pages)"})
    toc_page = css_content(say.table["print.toc_page"], {"n": "target-counter(attr(href), page)"})
    return (f"\n@page {{ @bottom-right {{ content: {page_of}; }} }}\n"
            f".toc a::after {{ content: {toc_page}; }}\n")


@lru_cache(maxsize=256)
def qr_svg(url: str, *, title: str = "") -> Markup:
    """A QR code for `url` as inline vector SVG (error correction M, 4-module quiet zone on white)."""
    import segno

    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=1, border=4, dark=theme.PALETTE.ink, light="#ffffff", omitsize=True,
                          svgclass="qr", lineclass="qr-line", title=title or None)
    return Markup(svg)


@dataclass(frozen=True)
class HelpEntry:
    """A help contact ready to print: its QR code only when it has an https URL."""

    id: str
    contact: m.Contact
    language: str = "en-GB"

    @property
    def qr(self) -> Markup | None:
        """The contact's QR code (https URLs only)."""
        if not self.contact.url.startswith("https:"):
            return None
        return qr_svg(self.contact.url, title=messages(self.language)("print.qr_title", url=self.contact.url))

    @property
    def url_text(self) -> str:
        """The URL as printed next to the QR code."""
        return url_label(self.contact.url) if self.contact.url else ""


@dataclass(frozen=True)
class HelpItem:
    """A help contact placed on a leaflet: a full card (the leaflet's own list), one line (the others), or a
    local contact left blank: its name and a line to write it in."""

    kind: Literal["card", "line", "write"]
    entry: HelpEntry


def help_entries(view: AudienceView, extra: Sequence[str] = ()) -> list[HelpEntry]:
    """The audience's help contacts in their authored order, then any other ids from `extra`."""
    entries = [HelpEntry(hid, contact, view.course.language) for hid, contact in view.help]
    known = {entry.id for entry in entries}
    return entries + [HelpEntry(hid, view.course.help[hid], view.course.language) for hid in extra
                      if hid not in known]


# --- worksheet activities ----------------------------------------------------------------


@dataclass(frozen=True)
class WorksheetTask:
    """A written activity on the worksheet, taken from the plan and the leaflet (never invented)."""

    kind: Literal["map", "steps", "write"]
    title: str
    instructions: str  # markdown
    headings: tuple[str, ...] = ()  # map: one box per heading
    steps: tuple[m.LeafletStep, ...] = ()  # steps: one numbered line per step (their words in the answer key)


_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+")


def _worksheet_sentences(markdown: str) -> str:
    """The sentences of a plan's text that mention the worksheet (the rest is for the presenter)."""
    sentences = [s for s in _SENTENCE_RE.split(" ".join(markdown.split())) if "worksheet" in s.lower()]
    return " ".join(sentences) or markdown


_EMPHASIS_RE = re.compile(r"(?<![*\w])\*([^*\n]+)\*(?!\*)")


def worksheet_tasks(view: AudienceView) -> list[WorksheetTask]:
    """The audience's plan as worksheet activities: the baseline as a knowledge map (a box per *heading* its
    instructions emphasise), then each activity with a `worksheet:` task, or (English) whose description
    mentions the worksheet and plays no quiz, in plan order (only their sentences that mention it); the activity that teaches most of the leaflet's steps
    asks for the steps in the learner's words."""
    tasks: list[WorksheetTask] = []
    steps = tuple(view.leaflet.steps) if view.leaflet is not None else ()

    def steps_taught(activity: m.Activity) -> int:
        return sum(bool(set(step.teaches) & set(activity.teaches)) for step in steps)

    for plan in view.plans:
        # The steps task goes to the one activity that teaches most of the leaflet's steps (more than half).
        most = max(plan.activities, key=steps_taught)
        steps_activity = most if steps and steps_taught(most) * 2 > len(steps) else None
        if plan.baseline is not None:
            baseline = plan.baseline
            headings = tuple(_EMPHASIS_RE.findall(baseline.worksheet or baseline.instructions)) or (baseline.title,)
            tasks.append(WorksheetTask("map", baseline.title,
                                       baseline.worksheet or _worksheet_sentences(baseline.instructions),
                                       headings=headings))
        for activity in plan.activities:
            if activity.worksheet:
                task = activity.worksheet
            elif not activity.quiz and "worksheet" in activity.description.lower():
                task = _worksheet_sentences(activity.description)
            else:
                continue
            if activity is steps_activity:
                tasks.append(WorksheetTask("steps", activity.title, task, steps=steps))
            else:
                tasks.append(WorksheetTask("write", activity.title, task))
    return tasks


# --- quizzes on paper --------------------------------------------------------------------


@dataclass(frozen=True)
class PrintedOption:
    """An option of a single/multiple choice question with its printed letter."""

    letter: str
    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class PrintedQuestion:
    """A question laid out for paper: options lettered, orderings and matches in a seeded order."""

    number: int
    question: Any  # one of the model's question types
    options: list[PrintedOption] = field(default_factory=list)
    order_items: list[tuple[str, m.OrderItem]] = field(default_factory=list)  # (letter, item), shuffled
    match_rights: list[tuple[str, str]] = field(default_factory=list)  # (letter, text), shuffled

    @property
    def type(self) -> str:
        """The question type."""
        return str(self.question.type)

    @property
    def partial(self) -> str:
        """The template partial (worksheet and answer-key macros) registered for this type."""
        return facts(self.question).partial

    def order_answer(self) -> list[tuple[int, str, m.OrderItem]]:
        """The correct order: (position, printed letter, item)."""
        letters = {id(item): letter for letter, item in self.order_items}
        return [(pos, letters[id(item)], item) for pos, item in enumerate(self.question.items, start=1)]

    def match_answer(self) -> list[tuple[int, m.MatchPair, str]]:
        """Each left item's number, its pair and the letter of its match."""
        letter_of = {text: letter for letter, text in self.match_rights}
        return [(n, pair, letter_of[pair.right]) for n, pair in enumerate(self.question.pairs, start=1)]

    def unused_rights(self) -> list[tuple[str, str]]:
        """The lettered distractors, which match nothing."""
        used = {pair.right for pair in self.question.pairs}
        return [(letter, text) for letter, text in self.match_rights if text not in used]


def printed_questions(quiz: m.Quiz) -> list[PrintedQuestion]:
    """The quiz's questions laid out for paper, deterministically (seeded by quiz and question ids)."""
    printed = []
    for number, question in enumerate(fixed_order(quiz), start=1):
        match question:
            case m.SingleQuestion() | m.MultipleQuestion():
                options = list(question.options)  # already in the seeded order every output shares
                printed.append(PrintedQuestion(number, question, options=[
                    PrintedOption(LETTERS[i], o.text, o.correct, o.feedback) for i, o in enumerate(options)]))
            case m.OrderQuestion():
                items = presented(quiz.id, question.id, question.items)
                printed.append(PrintedQuestion(number, question,
                                               order_items=[(LETTERS[i], item) for i, item in enumerate(items)]))
            case m.MatchQuestion():
                rights = presented(quiz.id, question.id,
                                   [pair.right for pair in question.pairs] + list(question.distractors))
                lettered = [(LETTERS[i], text) for i, text in enumerate(rights)]
                printed.append(PrintedQuestion(number, question, match_rights=lettered))
            case m.TrueFalseQuestion() | m.ScaleQuestion():
                printed.append(PrintedQuestion(number, question))
            case _:
                assert_never(question)
    return printed


# --- scenarios as gamebooks --------------------------------------------------------------


@dataclass(frozen=True)
class GamebookSection:
    """A numbered section of a gamebook: a story node, or the feedback for one choice."""

    number: int
    kind: Literal["node", "feedback"]
    node_id: str
    node: m.DecisionNode | m.EndingNode
    choice: m.Choice | None = None
    turns: tuple[tuple[m.Choice, int], ...] = ()  # node sections: each choice and the section it leads to
    next_number: int = 0  # feedback sections: where the story continues
    back: tuple[int, ...] = ()  # retry endings: the decisions to go back to and try another way


def node_order(scenario: m.Scenario) -> list[str]:
    """Node ids, start first, then breadth-first along the choices; unreachable nodes last, as authored."""
    seen, queue = [scenario.start], deque([scenario.start])
    while queue:
        node = scenario.nodes[queue.popleft()]
        if isinstance(node, m.DecisionNode):
            for choice in node.choices:
                if choice.next not in seen:
                    seen.append(choice.next)
                    queue.append(choice.next)
    return seen + [nid for nid in scenario.nodes if nid not in seen]


def gamebook_sections(scenario: m.Scenario) -> list[GamebookSection]:
    """The scenario as numbered sections: section 1 is the start; the rest are shuffled (seeded by the id)
    so that reading straight through does not give the story away. Each choice leads to a short feedback
    section, which then sends the reader on to the next story node."""
    keys: list[tuple[str, int]] = []  # (node id, choice index or -1 for the node itself)
    for nid in node_order(scenario):
        keys.append((nid, -1))
        node = scenario.nodes[nid]
        if isinstance(node, m.DecisionNode):
            keys.extend((nid, i) for i in range(len(node.choices)))
    rest = seeded_order(f"gamebook/{scenario.id}", keys[1:])
    number = {key: n for n, key in enumerate([keys[0]] + rest, start=1)}
    sections = []
    for (nid, index), n in number.items():
        node = scenario.nodes[nid]
        if index < 0:
            turns = tuple((c, number[(nid, i)]) for i, c in enumerate(node.choices)) \
                if isinstance(node, m.DecisionNode) else ()
            back = tuple(sorted(number[(pid, -1)] for pid, parent in scenario.nodes.items()
                                if isinstance(parent, m.DecisionNode) and (pid, -1) in number
                                and any(c.next == nid for c in parent.choices))) \
                if isinstance(node, m.EndingNode) and node.ending == "retry" else ()
            sections.append(GamebookSection(n, "node", nid, node, turns=turns, back=back))
        else:
            assert isinstance(node, m.DecisionNode)
            choice = node.choices[index]
            sections.append(GamebookSection(n, "feedback", nid, node, choice=choice,
                                            next_number=number[(choice.next, -1)]))
    return sorted(sections, key=lambda s: s.number)


# --- rendering ---------------------------------------------------------------------------


def offline_url_fetcher() -> Any:
    """A WeasyPrint URL fetcher that refuses anything but file: and data: URLs and stops the build."""
    from weasyprint import URLFetcher

    return URLFetcher(allowed_protocols=ALLOWED_SCHEMES, fail_on_errors=True)


@dataclass(frozen=True)
class PrintDocument:
    """One PDF to write: its file name, the template and what the template needs."""

    name: str
    template: str
    title: str
    context: dict[str, Any]
    pages: int | None = None  # fixed page count (leaflet, poster), checked after layout


class Renderer:
    """Jinja2 environment, stylesheet, font configuration and URL fetcher, built once and reused."""

    def __init__(self) -> None:
        self.env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True,
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                               keep_trailing_newline=True)
        self.env.filters.update(md=lambda s: Markup(to_html(s)), inline=lambda s: Markup(to_inline_html(s)),
                                # chat messages and prompts keep the author's line breaks
                                lines=lambda s: Markup(to_inline_html(s, breaks=True)),
                                md_lines=lambda s: Markup(to_html(s, breaks=True)))
        self.env.globals.update(icon=lambda name, size=24, color=theme.PALETTE.primary, stroke=1.6:
                                Markup(theme.icon_svg(name, size=size, color=color, stroke_width=stroke)),
                                palette=theme.PALETTE)
        self.language = "en-GB"
        self._stylesheets: dict[str, Any] = {}

    @cached_property
    def font_config(self) -> Any:
        """One font configuration for every document (loading fonts is the slow part)."""
        from weasyprint.text.fonts import FontConfiguration

        return FontConfiguration()

    @cached_property
    def url_fetcher(self) -> Any:
        """The offline fetcher used for the stylesheet and every document."""
        return offline_url_fetcher()

    @property
    def stylesheet(self) -> Any:
        """The print stylesheet for the language last rendered: theme variables, fonts, print.css, page labels."""
        if self.language not in self._stylesheets:
            self._stylesheets[self.language] = self._stylesheet(self.language)
        return self._stylesheets[self.language]

    def _stylesheet(self, language: str) -> Any:
        from weasyprint import CSS

        faces = []
        for weight, style, key in ((400, "normal", "regular"), (700, "normal", "bold"),
                                   (400, "italic", "italic"), (600, "normal", "semibold")):
            faces.append(f"@font-face {{ font-family: {theme.FONT_FAMILY!r}; font-weight: {weight}; "
                         f"font-style: {style}; src: url('{Path(theme.FONT_FILES[key]).as_uri()}'); }}")
        css = (theme.css_variables() + "\n".join(faces) + "\n" + (TEMPLATES / "print.css").read_text("utf-8")
               + language_css(language))
        return CSS(string=css, base_url=TEMPLATES.as_uri() + "/", font_config=self.font_config,
                   url_fetcher=self.url_fetcher)

    def html(self, template: str, **context: Any) -> str:
        """Render one template to an HTML string, in its course's language (which layout() then uses too)."""
        course = context.get("course")
        self.language = messages(course.language).language if course is not None else "en-GB"
        jinja_i18n(self.env, self.language)
        say = messages(self.language)
        self.env.globals.update(ungraded_label=say("common.ungraded_label"), retry_invite=say("common.retry_invite"),
                                or_list=lambda items: _or_list(items, self.language))
        return self.env.get_template(template).render(**context)

    def layout(self, html: str) -> Any:
        """Lay out `html` (a weasyprint Document), with network access refused."""
        from weasyprint import HTML
        from weasyprint.urls import FatalURLFetchingError

        try:
            return HTML(string=html, base_url=TEMPLATES.as_uri() + "/", url_fetcher=self.url_fetcher).render(
                font_config=self.font_config, stylesheets=[self.stylesheet], pdf_variant=PDF_VARIANT)
        except FatalURLFetchingError as exc:
            raise BuildError(f"print: a document refers to a resource that is not a local file "
                             f"({exc}); printables never fetch from the network") from exc

    def close(self) -> None:
        """Remove the font folder WeasyPrint made in the temp folder (it is left behind when a worker exits)."""
        config = self.__dict__.get("font_config")
        folder = getattr(config, "_folder", None)
        if config is not None and folder:
            shutil.rmtree(folder, ignore_errors=True)
            config._folder = None

    def write(self, document: Any, path: Path) -> None:
        """Write a laid-out document as a tagged PDF/UA-1 file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        document.write_pdf(path, pdf_variant=PDF_VARIANT)


PX_PER_MM = 96 / 25.4


def _descendants(box: Any) -> Iterator[Any]:
    """`box`'s descendants in flow; absolutely positioned ones (footers pinned in a margin) are skipped."""
    for child in getattr(box, "children", None) or []:
        if child.style["position"] in ("absolute", "fixed"):
            continue
        yield child
        yield from _descendants(child)


def boxes_with_class(document: Any, name: str) -> list[tuple[Any, list[tuple[int, Any]]]]:
    """(element, [(page index, box), ...]) for every element with class `name`, in document order; an element
    has one box per page it lands on (a fixed-size panel whose content overflows spills onto the next)."""
    found: dict[int, tuple[Any, list[tuple[int, Any]]]] = {}

    def visit(box: Any, page: int, seen: set[int]) -> None:
        element = getattr(box, "element", None)
        # Anonymous boxes share their parent's element: only the outermost box on a page stands for it.
        if element is not None and id(element) not in seen and name in (element.get("class") or "").split():
            seen.add(id(element))
            found.setdefault(id(element), (element, []))[1].append((page, box))
        for child in getattr(box, "children", None) or []:
            visit(child, page, seen)

    for index, page in enumerate(document.pages):
        visit(page._page_box, index, set())
    return list(found.values())


def content_bottom(box: Any) -> float:
    """Where the content of `box` ends (px), whatever its fixed height says."""
    return float(max((d.border_box_y() + d.border_height() for d in _descendants(box)), default=box.content_box_y()))


def content_limit(box: Any) -> float:
    """Where the content box of a fixed-height box ends (px), from its style: a box split across pages
    no longer has its own height or bottom padding."""
    style = box.style
    top, height = box.border_box_y(), style["height"].value
    if style["box_sizing"] == "border-box":
        return float(top + height - style["padding_bottom"].value - style["border_bottom_width"])
    return float(top + style["border_top_width"] + style["padding_top"].value + height)


def overflowing_panels(document: Any) -> list[tuple[str, float]]:
    """Fixed-size boxes (class `fixed`) whose content runs past their content box: (label, overflow in mm).
    Content pushed onto a later page counts in full."""
    problems = []
    for element, fragments in boxes_with_class(document, "fixed"):
        _, box = fragments[0]
        overflow = content_bottom(box) - content_limit(box)
        for _, more in fragments[1:]:
            overflow = max(overflow, 0) + content_bottom(more) - more.content_box_y()
        if overflow > 0.5:
            problems.append((element.get("data-label") or "panel", round(overflow / PX_PER_MM, 1)))
    return problems


def cards_that_fit(document: Any, panel_class: str, card_class: str) -> int:
    """How many leading cards (class `card_class`) end inside the fixed panel with class `panel_class`."""
    panels = boxes_with_class(document, panel_class)
    if not panels:
        return 0
    page, panel = panels[0][1][0]
    limit = content_limit(panel)
    count = 0
    for _, fragments in boxes_with_class(document, card_class):
        card_page, card = fragments[0]
        bottom = card.border_box_y() + card.border_height()
        if len(fragments) > 1 or card_page != page or bottom > limit + 0.5:
            break
        count += 1
    return count


def _or_list(items: Sequence[object], language: str) -> Markup:
    """Items joined as "1, 2 or 3" in the course's language."""
    names = [str(item) for item in items]
    if len(names) < 2:
        return Markup.escape("".join(names))
    return html_messages(language)("print.or", first=", ".join(names[:-1]), last=names[-1])


def _dedupe(problems: list[tuple[str, float]]) -> list[tuple[str, float]]:
    best: dict[str, float] = {}
    for label, mm in problems:
        best[label] = max(mm, best.get(label, 0))
    return list(best.items())


# --- the documents of one audience ---------------------------------------------------------


def _common(view: AudienceView, doc_title: str, kind: str) -> dict[str, Any]:
    course = view.course
    checked = format_date(course.facts_checked, course.language)
    return {
        "course": course, "view": view, "audience": view.audience, "doc_title": doc_title, "kind": kind,
        "checked": checked, "stamp": course.facts_checked.isoformat(),
        "footer": messages(course.language)("print.footer", title=course.title, version=course.version, date=checked),
        "help": help_entries(view), "core_messages": view.audience.core_messages,
        "brand": view.brand, "logo_src": logo_data_uri(view.brand.logo) if view.brand.logo else "",
    }


def _said_in(message: str, text: str) -> bool:
    """Whether `message` is already said by `text` (so a panel does not repeat itself)."""
    def words(value: str) -> str:
        return " ".join("".join(ch for ch in value.lower() if ch.isalnum() or ch.isspace()).split())
    return words(message) in words(text)


def _page_titles(view: AudienceView) -> dict[str, str]:
    titles: dict[str, str] = {}
    for module in view.course.modules:
        for page in module.pages:
            titles.setdefault(page.id, page.title)
    for _, page in view.pages():  # the audience's own page wins when ids repeat across modules
        titles[page.id] = page.title
    return titles


def plan_context(view: AudienceView, plan: m.Plan) -> dict[str, Any]:
    """What the plan template needs: objectives resolved, timings with start/end minutes."""
    objectives = {o.id: o for o in view.course.objectives}
    timings, start = [], 0
    for activity in plan.activities:
        timings.append((start, start + activity.minutes, activity))
        start += activity.minutes
    return {"plan": plan, "objectives": [objectives[o] for o in plan.objectives if o in objectives],
            "timings": timings, "total_minutes": start, "page_titles": _page_titles(view),
            "scenarios": view.course.scenarios, "quizzes": view.course.quizzes,
            "plan_help": help_entries(view, plan.help)}


def audience_documents(view: AudienceView) -> list[PrintDocument]:
    """Every printable for one audience, in a fixed order."""
    course, label = view.course, view.audience.label
    say = messages(course.language)
    documents: list[PrintDocument] = []
    if view.leaflet is not None:
        leaflet = view.leaflet
        # The leaflet's own contacts get full cards with QR codes; the audience's others a compact list.
        # Local help comes first: a card, or for one left blank a line to write it in.
        entries = [HelpEntry(hid, contact, course.language) for hid, contact in view.help_with(leaflet.help)]
        carded = {entry.id for entry in entries}
        more = [entry for entry in help_entries(view) if entry.id not in carded]
        extra_core = [msg for msg in view.audience.core_messages if not _said_in(msg, leaflet.core_message)]
        items = ([HelpItem("write" if entry.contact.write_in else "card", entry) for entry in entries]
                 + [HelpItem("line", entry) for entry in more])
        slots: dict[str, list[HelpItem]] = {slot: [] for slot in HELP_SLOTS}
        slots[HELP_SLOTS[0]] = items
        phones = [e for e in entries + more if e.contact.phone and not e.contact.emergency and not e.contact.local]
        context = {"leaflet": leaflet, "help_slots": slots, "extra_core": extra_core,
                   "fold_in": FOLD_IN_WIDTH, "panel": PANEL_WIDTH,
                   "phone_first": phones[0] if phones else None}
        documents.append(PrintDocument("leaflet", "leaflet.html.j2", say("print.title_leaflet", title=leaflet.title, audience=label),
                                       context, pages=2))
        documents.append(PrintDocument("poster", "poster.html.j2", say("print.title_poster", title=leaflet.steps_title, audience=label),
                                       {"leaflet": leaflet, "leaflet_help": entries, "other_help": more,
                                        "extra_core": extra_core}, pages=1))
    for plan in view.plans:
        kind = say("print.lesson_plan" if plan.kind == "lesson" else "print.talk_plan")
        title = say("print.title_lesson_plan" if plan.kind == "lesson" else "print.title_talk_plan",
                    title=plan.title, audience=label)
        documents.append(PrintDocument(f"{plan.kind}-plan", "plan.html.j2", title,
                                       {**plan_context(view, plan), "plan_kind": kind}))
    quizzes = [(quiz, printed_questions(quiz)) for quiz in view.quizzes() if quiz.questions]
    if quizzes:
        tasks = worksheet_tasks(view)
        documents.append(PrintDocument("worksheet", "worksheet.html.j2", say("print.title_worksheet", title=course.title, audience=label),
                                       {"quizzes": quizzes, "tasks": tasks}))
        documents.append(PrintDocument("answer-key", "answer-key.html.j2",
                                       say("print.title_answer_key", title=course.title, audience=label), {"quizzes": quizzes, "tasks": tasks}))
    scenarios = [(scenario, gamebook_sections(scenario)) for scenario in view.scenarios()]
    if scenarios:
        documents.append(PrintDocument("gamebook", "gamebook.html.j2", say("print.title_gamebook", title=course.title, audience=label),
                                       {"scenarios": scenarios}))
    return documents


KEEP_RE = re.compile(r'class="(?:[^"]*\s)?keep(?:\s[^"]*)?"')


def _check(html: str, laid_out: Any, document: PrintDocument) -> list[tuple[str, float]]:
    problems = _dedupe(overflowing_panels(laid_out))
    # WeasyPrint drops what overflows an absolutely positioned panel on the last page: count what arrived.
    missing = len(KEEP_RE.findall(html)) - len(boxes_with_class(laid_out, "keep"))
    if missing:
        problems.append(("blocks left out", float(missing)))
    if len(laid_out.pages) != document.pages:
        problems.append(("page count", float(len(laid_out.pages))))
    return problems


def _describe(problems: list[tuple[str, float]], document: PrintDocument) -> str:
    parts = []
    for label, amount in problems:
        if label == "page count":
            parts.append(f"{int(amount)} pages instead of {document.pages}")
        elif label == "blocks left out":
            parts.append(f"{int(amount)} blocks left out")
        else:
            parts.append(f"{label} by {amount} mm")
    return "; ".join(parts)


def only_panel(html: str, panel: str) -> str:
    """The leaflet's HTML with every fixed panel but `panel` hidden. Panels are placed absolutely, each on
    its own, so the one left lays out exactly as in the whole leaflet, for a fraction of the cost."""
    return html.replace("</head>", f"<style>.panel:not(.{panel}) {{ display: none }}</style></head>", 1)


def _flow_help(renderer: Renderer, context: dict[str, Any],
               laid_out: Any = None) -> tuple[dict[str, Any], str, Any]:
    """Pour the leaflet's help items into its help slots in turn: what does not fit on the back panel
    moves to the inside right panel, then to the inside flap. Each step lays out only the panel it fills
    (`laid_out`: the whole leaflet as it starts, if already laid out); returns the context with the help
    placed, the last slot that was filled and its layout with that context (None if not laid out yet)."""
    slots = dict(context["help_slots"])
    filled, probe = HELP_SLOTS[0], laid_out
    for index, slot in enumerate(HELP_SLOTS[:-1]):
        items = slots[slot]
        probe = laid_out if index == 0 and laid_out is not None else \
            renderer.layout(only_panel(renderer.html("leaflet.html.j2", **context), slot))
        fits = cards_that_fit(probe, slot, f"in-{slot}")
        if fits == len(items):
            return context, filled, probe
        slots[slot], slots[HELP_SLOTS[index + 1]] = items[:fits], items[fits:]
        context = {**context, "help_slots": dict(slots)}
        filled = HELP_SLOTS[index + 1]
    return context, filled, None


# Which leaflet field fills each fixed panel: a panel that overflows names that field's line.
PANEL_FIELDS = {"cover panel": "tagline", "inside flap": "what_it_is", "back panel (help contacts)": "help",
                "inside left panel": "warning_signs", "inside middle panel": "steps",
                "inside right panel": "core_message", "poster page": "steps"}


@dataclass(frozen=True)
class Fitted:
    """A laid-out printable and the layout chosen for it: its density and where the leaflet's help went."""

    laid_out: Any
    density: str
    help_slots: dict[str, int]  # leaflet: slot -> how many help items it holds


def render_document(renderer: Renderer, view: AudienceView, document: PrintDocument,
                    ctx: BuildContext | None = None) -> Any:
    """Lay out one printable (see fit_document)."""
    return fit_document(renderer, view, document, ctx).laid_out


def fit_document(renderer: Renderer, view: AudienceView, document: PrintDocument,
                 ctx: BuildContext | None = None) -> Fitted:
    """Lay out one printable. Fixed-size ones (leaflet, poster) try denser layouts until they fit; the
    leaflet's help cards that do not fit on the back panel move to the inside right panel, then the flap.
    Only the first try is laid out whole; the help's moves are measured on the panel they fill, and a
    density whose last-filled panel overflows is dropped without laying out the rest."""
    common = _common(view, document.title, document.name)
    if not document.pages:
        return Fitted(renderer.layout(renderer.html(document.template, **common, **document.context, density="")),
                      "", {})
    problems: list[tuple[str, float]] = []
    densities = DENSITIES[document.name]
    for density in densities:
        context = {**common, **document.context, "density": density}
        laid_out = None
        if density == densities[0]:  # most documents fit as they start: lay the whole one out at once
            html = renderer.html(document.template, **context)
            laid_out = renderer.layout(html)
        if document.name == "leaflet":
            start = context
            context, filled, probe = _flow_help(renderer, context, laid_out)
            if context is not start:
                laid_out = None
            # The help that moved last overflows its panel: this density cannot fit, and no page need be laid
            # out to know it (the densest one is laid out whole: its problems are the ones reported).
            if filled != HELP_SLOTS[0] and density != densities[-1]:
                if probe is None:
                    probe = renderer.layout(only_panel(renderer.html(document.template, **context), filled))
                if overflowing_panels(probe):
                    continue
        if laid_out is None:
            html = renderer.html(document.template, **context)
            laid_out = renderer.layout(html)
        problems = _check(html, laid_out, document)
        if not problems:
            return Fitted(laid_out, density, {slot: len(items) for slot, items in context.get("help_slots", {}).items()})
    details = _describe(problems, document)
    panels = sorted((mm, label) for label, mm in problems if label in PANEL_FIELDS)
    field_name = PANEL_FIELDS[panels[-1][1]] if panels else ""
    fields = (field_name,) if field_name else ()
    where = (ctx.where(view.leaflet, *fields) if ctx is not None
             else view.course.facilitation.leaflets.get(view.name, "the leaflet file"))
    shorten = f"shorten its '{field_name}'" if field_name else "shorten its copy (what_it_is, warning_signs, steps)"
    raise BuildError(f"{where}: the {view.name} {document.name} does not fit ({details}): "
                     f"{shorten} or list fewer help contacts")


def document_source(renderer: Renderer, view: AudienceView, document: PrintDocument) -> str:
    """The HTML a document's layout starts from: with the engine, fonts and images, it decides the PDF
    (the denser retries and the help-card flow are computed from it), so it is the document's cache key."""
    common = _common(view, document.title, document.name)
    density = DENSITIES[document.name][0] if document.pages else ""
    return renderer.html(document.template, **common, **document.context, density=density)


def write_preview(pdf: Path, png: Path) -> Path:
    """Render the first page of `pdf` to `png` with poppler's pdftoppm."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise BuildError(PREVIEW_MISSING)
    png.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([pdftoppm, "-r", str(PREVIEW_DPI), "-png", "-singlefile", "-f", "1", "-l", "1",
                    str(pdf), str(png.with_suffix(""))], check=True, capture_output=True)
    return png


EMOJI_RE = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200D]")


def needs_emoji_font(course: m.Course) -> bool:
    """Whether any text of the course has an emoji (or an emoji joiner or variation selector)."""
    return bool(EMOJI_RE.search(course.model_dump_json()))


PREVIEW_MISSING = ("pdftoppm is missing, so the PDF previews cannot be made: "
                   "install poppler-utils (`make build` does it; or apt-get install poppler-utils)")


def build_audience(ctx: BuildContext, audience: str,
                   on_document: Callable[[str, str, float], None] | None = None,
                   only: Sequence[str] | None = None) -> BuildContext:
    """Write every printable of one audience (or the documents named in `only`) and its previews through
    `ctx` (one renderer: fonts and CSS loaded once); returns `ctx` (a worker process sends its copy back)."""
    from coursekit.write import source_date_epoch

    # fontTools stamps a subset TrueType font (the emoji font) with "now" unless SOURCE_DATE_EPOCH is set.
    os.environ.setdefault("SOURCE_DATE_EPOCH", str(source_date_epoch()))
    renderer = Renderer()
    view = audience_view(ctx.course, audience)
    files = course_files(ctx.course)
    try:
        for document in audience_documents(view):
            if only is not None and document.name not in only:
                continue
            started = time.perf_counter()
            source = document_source(renderer, view, document)
            with ctx.document(f"{audience}/{document.name}", source, files) as doc:
                if not doc.hit:
                    pdf = ctx.path(f"{audience}/{document.name}.pdf")
                    renderer.write(render_document(renderer, view, document, ctx), pdf)
                    write_preview(pdf, ctx.path(f"previews/{audience}-{document.name}.png"))
            if on_document:
                on_document(audience, document.name, time.perf_counter() - started)
    finally:
        renderer.close()
    return ctx


def changed_documents(ctx: BuildContext) -> dict[str, list[str]]:
    """Per audience, the documents whose key changed (to render); the others are copied from the cache now,
    before any worker starts: an edit that shows in one PDF starts one renderer, not one per audience."""
    from coursekit.cache import Document

    renderer = Renderer()  # templates only: nothing here lays out a page
    files = course_files(ctx.course)
    changed: dict[str, list[str]] = {}
    for audience in ctx.audiences:
        view = audience_view(ctx.course, audience)
        for document in audience_documents(view):
            source = document_source(renderer, view, document)
            probe = Document(ctx, f"{audience}/{document.name}", (source, files), report=False)
            if not probe.__enter__().hit:  # a miss is left open: the renderer's own `with` stores it
                changed.setdefault(audience, []).append(document.name)
            else:
                ctx.report(probe.name, "copied")
    return changed


def missing_fonts() -> list[str]:
    """The theme's font files that are not installed."""
    return [path for path in theme.FONT_FILES.values() if not Path(path).is_file()]


class PrintTarget(Target):
    """Tagged, deterministic PDFs for people who print, with PNG previews."""

    name = "print"
    description = "leaflet, poster, lesson/talk plan, worksheet, answer key and gamebook (PDF)"

    def __init__(self, on_document: Callable[[str, str, float], None] | None = None, *,
                 jobs: int | None = None) -> None:
        self.on_document = on_document  # (audience, name, seconds): used by the benchmark, in-process only
        self.jobs = jobs

    def build(self, ctx: BuildContext) -> None:
        """Write every printable for each audience, with previews; audiences side by side when cores allow."""
        if shutil.which("pdftoppm") is None:
            raise BuildError(PREVIEW_MISSING)
        missing = missing_fonts()
        if missing:
            raise BuildError(f"the font {theme.FONT_FAMILY} is missing ({', '.join(missing)} not found): install "
                             "it with `apt-get install fonts-inter` (`make build` does it)")
        audiences = list(ctx.audiences)
        if needs_emoji_font(ctx.course) and not Path(theme.EMOJI_FONT_FILE).is_file():
            # Without it emoji print as boxes over the next letters: refuse rather than print that.
            raise BuildError(f"print: the course has emoji but the emoji font is missing ({theme.EMOJI_FONT_FILE}): "
                             "install fonts-noto-color-emoji (`make build` does it), or remove the emoji")
        if self.on_document is not None:
            for audience in audiences:
                build_audience(ctx, audience, self.on_document)
            return
        changed = changed_documents(ctx) if ctx.cache is not None else {audience: None for audience in audiences}
        jobs = self.jobs or min(len(changed), os.cpu_count() or 1)
        if jobs <= 1:
            for audience, names in changed.items():
                build_audience(ctx, audience, None, names)
            return
        # Layout is CPU-bound Python: separate processes, one per audience, each with its own renderer.
        with worker_pool(jobs) as pool:
            for part in pool.map(build_audience, [ctx] * len(changed), list(changed), [None] * len(changed),
                                 list(changed.values())):
                ctx.merge(part)
