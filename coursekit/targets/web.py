"""Target `web`: the accessible learner module as an offline folder per audience (open index.html from disk).

`render_module` is shared with the SCORM targets: it writes index.html, player.css, player.js and
tracking.js (+ assets) for one audience. The player's saved-state encoding is mirrored here by
`worst_case_state_length` (see docs/player-contract.md and docs/web.md).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from coursekit import model as m
from coursekit.errors import BuildError
from coursekit.fonts import font_face_css, missing_faces, module_fonts
from coursekit.ids import interaction_id
from coursekit.messages import format_date, jinja_i18n, messages
from coursekit.order import scrambled
from coursekit.questions import correct_response, facts, longest_answer_code
from coursekit.targets import BuildContext, Target
from coursekit.text import to_html, to_inline_html, to_plain, url_label
from coursekit.theme import FONT_FAMILY, css_variables, icon_svg
from coursekit.view import AudienceView, Branding, ModuleView, audience_view

TRACKING_MODES: tuple[str, ...] = ("none", "scorm12", "scorm2004")

PLAYER_DIR = Path(__file__).resolve().parent.parent / "player"

CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "font-src 'self'; connect-src 'none'; base-uri 'none'; form-action 'none'")

# --- the state encoding (mirrored by player.js: keep the two in step) -------------------------
# "2|<seed>|<visited>|<answers>|<scenarios>|<next>|<keys>"
#   seed:      SEED_LENGTH base-36 digits (the learner's shuffle seed: options and question order)
#   visited:   one base-32 digit per 5 pages (bit j of digit i = page 5i+j visited)
#   answers:   one code per question of every quiz (view.quizzes() order), joined by "."; "" = not answered
#              single: letter; multiple: letters; true_false: t/f; order: letters in the learner's order;
#              match: one base-36 digit per left item (1-based number of the chosen right); scale: the point
#              (1-5); in the authored order even when `shuffle_questions` shows them in the learner's order
#   scenarios: one entry per scenario joined by "."; "" = not started; else the node index (base 36, fixed
#              width) where the recorded path starts, then one digit per choice taken; at most `cap` choices
#              are kept (older ones are dropped and the start node moves on)
#   next:      the next cmi.interactions index (base 36, at most MAX_INTERACTIONS), for LMSs without _count
#   keys:      KEY_LENGTH base-36 characters per page, then "-", per question, "-", per scenario: what each
#              position meant when the state was saved, so a republished course keeps what still matches
# (version "1" states, without next and keys, are still read when the course has not changed shape)
STATE_VERSION = "2"
KEY_LENGTH = 2
MAX_INTERACTIONS = 10000
SEED_LENGTH = 3
PAGES_PER_DIGIT = 5
MIN_SCENARIO_CAP = 6


def state_key(*parts: object) -> str:
    """A short, stable key for one page, question or scenario in the saved state (KEY_LENGTH base-36 chars)."""
    digest = int(hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:8], 16)
    return _base36(digest % 36**KEY_LENGTH).rjust(KEY_LENGTH, "0")


def question_key(quiz: m.Quiz, question: m.Question) -> str:
    """The state key of a question: its ids, type and answer size (a changed question is answered afresh)."""
    return state_key("q", quiz.id, question.id, question.type, longest_answer_code(question))


def scenario_key(scenario: m.Scenario) -> str:
    """The state key of a scenario: its id and shape (a reshaped story starts again)."""
    shape = [(node_id, [c.next for c in node.choices] if isinstance(node, m.DecisionNode) else [])
             for node_id, node in scenario.nodes.items()]
    return state_key("s", scenario.id, scenario.start, shape)


def scenario_cap(scenario: m.Scenario) -> int:
    """How many choices of a scenario the player records (loops can repeat; this bounds the state)."""
    decisions = sum(isinstance(node, m.DecisionNode) for node in scenario.nodes.values())
    return max(MIN_SCENARIO_CAP, 2 * decisions)


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if number == 0:
            return text


def node_index_width(scenario: m.Scenario) -> int:
    """Characters used for a node index of this scenario in the state."""
    return len(_base36(len(scenario.nodes) - 1))


def longest_recorded_path(scenario: m.Scenario) -> int:
    """The most choices the player can record for this scenario: its longest path, or the cap if it loops."""
    cap = scenario_cap(scenario)
    memo: dict[str, int] = {}
    on_stack: set[str] = set()

    def longest(node_id: str) -> int:
        if node_id in on_stack:
            return cap  # a loop can be walked until the cap
        if node_id in memo:
            return memo[node_id]
        node = scenario.nodes[node_id]
        on_stack.add(node_id)
        best = 0
        if isinstance(node, m.DecisionNode):
            best = max(1 + longest(choice.next) for choice in node.choices)
        on_stack.discard(node_id)
        memo[node_id] = min(best, cap)
        return memo[node_id]

    return longest(scenario.start)


def worst_case_state_length(view: AudienceView) -> int:
    """The longest state string the player can save for this audience (mirrors player.js encodeState)."""
    pages = len(view.pages())
    questions = [question for quiz in _unique_quizzes(view) for question in quiz.questions]
    scenarios = _unique_scenarios(view)
    answers = sum(longest_answer_code(q) for q in questions) + max(0, len(questions) - 1)
    paths = (sum(node_index_width(s) + longest_recorded_path(s) for s in scenarios)
             + max(0, len(scenarios) - 1))
    keys = KEY_LENGTH * (pages + len(questions) + len(scenarios)) + 2
    return (len(STATE_VERSION) + 1 + SEED_LENGTH + 1 + math.ceil(pages / PAGES_PER_DIGIT) + 1 + answers
            + 1 + paths + 1 + len(_base36(MAX_INTERACTIONS)) + 1 + keys)


# --- the screens of the module ------------------------------------------------------------------


@dataclass
class Screen:
    """One screen of the player: the content note, a page, a scenario, a quiz, results or completion."""

    id: str
    kind: str  # start | page | scenario | quiz | final | results | end
    title: str
    module: ModuleView | None = None
    page: m.Page | None = None
    page_number: int = 0
    previous: Screen | None = None
    next: Screen | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _unique_quizzes(view: AudienceView) -> list[m.Quiz]:
    return view.quizzes()


def _unique_scenarios(view: AudienceView) -> list[m.Scenario]:
    seen: dict[str, m.Scenario] = {}
    for scenario in view.scenarios():
        seen.setdefault(scenario.id, scenario)
    return list(seen.values())


def _letters(count: int) -> list[str]:
    return [chr(ord("a") + i) for i in range(count)]


def _permutation(key: str, count: int) -> list[int]:
    """The shared order (coursekit.order.scrambled) of range(count), for the templates."""
    return scrambled(key, range(count))


def _pages_teaching(view: AudienceView, page_ids: dict[int, str], advice: list[str]) -> list[str]:
    """Screen ids of the pages that teach any of `advice`, in page order."""
    wanted = set(advice)
    return [page_ids[id(page)] for _, page in view.pages() if wanted.intersection(page.teaches)]


def _objectives_of_pages(view: AudienceView, screens: list[str], page_ids: dict[int, str]) -> list[str]:
    """The module objectives of the modules these page screens belong to."""
    result: list[str] = []
    for module, page in view.pages():
        if page_ids[id(page)] in screens:
            for objective in module.objectives:
                if objective.id not in result:
                    result.append(objective.id)
    return result


@dataclass
class ModuleContext:
    """What the templates need to render one audience's module."""

    view: AudienceView
    screens: list[Screen]
    data: dict[str, Any]
    assets: list[tuple[Path, str]]  # (source file, path in the package)


def build_context(view: AudienceView, tracking: str) -> ModuleContext:
    """Lay out the screens and the player's data for one audience."""
    if tracking not in TRACKING_MODES:
        raise ValueError(f"tracking must be one of {TRACKING_MODES}, not {tracking!r}")
    course = view.course
    screens: list[Screen] = [Screen("start", "start", course.title)]
    page_ids: dict[int, str] = {}
    number = 0
    quiz_screens: dict[str, str] = {}
    scenario_screens: dict[str, str] = {}
    assets: list[tuple[Path, str]] = []
    for module in view.modules:
        for page in module.pages:
            number += 1
            page_ids[id(page)] = f"p{number}"
            screen = Screen(f"p{number}", "page", page.title, module=module, page=page, page_number=number)
            if page.image is not None:
                source = Path(course.root) / page.image.file
                if not source.is_file():
                    raise BuildError(f"page {page.id}: image {page.image.file} not found in {course.root}")
                target = f"assets/{number}-{re.sub(r'[^A-Za-z0-9._-]', '-', source.name)}"
                assets.append((source, target))
                screen.extra["image_src"] = target
            screens.append(screen)
        position = module.index + 1
        if module.scenario is not None and module.scenario.id not in scenario_screens:
            scenario_screens[module.scenario.id] = f"m{position}-story"
            screens.append(Screen(f"m{position}-story", "scenario", module.scenario.title, module=module))
        if (module.quiz is not None and module.quiz.id not in quiz_screens
                and module.quiz.id != view.assessment.id):
            quiz_screens[module.quiz.id] = f"m{position}-check"
            screens.append(Screen(f"m{position}-check", "quiz", module.quiz.title, module=module))
    if view.brand.logo is not None:
        assets.append((view.brand.logo, LOGO_SVG if view.brand.logo_is_svg else LOGO_PNG))
    quiz_screens[view.assessment.id] = "final"
    screens.append(Screen("final", "final", view.assessment.title))
    say = messages(course.language)
    screens.append(Screen("results", "results", say("web.results_title")))
    screens.append(Screen("end", "end", say("web.end_title")))
    for before, after in pairwise(screens):
        before.next, after.previous = after, before

    quizzes_data = []
    for quiz in _unique_quizzes(view):
        questions = []
        for question in quiz.questions:
            revisit = _pages_teaching(view, page_ids, question.assesses)
            questions.append({
                "id": question.id,
                "el": f"{quiz_screens[quiz.id]}-{question.id}",
                "type": question.type,
                "kind": facts(question).interaction,
                "scored": facts(question).scored,
                "iid": interaction_id("q", quiz.id, question.id),
                "correct": correct_response(question),
                "revisit": revisit,
                "objectives": _objectives_of_pages(view, revisit, page_ids),
                "k": question_key(quiz, question),
            })
        quizzes_data.append({"id": quiz.id, "screen": quiz_screens[quiz.id], "final": quiz.id == view.assessment.id,
                             "shuffle": quiz.shuffle, "shuffleQuestions": quiz.shuffle_questions, "passMark": quiz.pass_mark, "questions": questions})
    scenarios_data = []
    for scenario in _unique_scenarios(view):
        screen_id = scenario_screens[scenario.id]
        index = {node_id: i for i, node_id in enumerate(scenario.nodes)}
        nodes: list[dict[str, Any]] = []
        for i, (node_id, node) in enumerate(scenario.nodes.items()):
            entry: dict[str, Any] = {"el": f"{screen_id}-n{i}"}
            if isinstance(node, m.DecisionNode):
                entry["iid"] = interaction_id("s", scenario.id, node_id)
                entry["choices"] = [{"next": index[c.next], "quality": c.quality} for c in node.choices]
            else:
                entry["ending"] = node.ending
            nodes.append(entry)
        scenarios_data.append({"id": scenario.id, "screen": screen_id, "start": index[scenario.start],
                               "cap": scenario_cap(scenario), "width": node_index_width(scenario), "nodes": nodes,
                               "k": scenario_key(scenario)})
    modules_data = [{"pages": [page_ids[id(p)] for p in module.pages], "objectives": [o.id for o in module.objectives]}
                    for module in view.modules]
    data = {
        "state": STATE_VERSION,
        "seedLength": SEED_LENGTH,
        "ungradedLabel": say("common.ungraded_label"),
        "tracking": tracking,
        "storyChoices": course.tracking.story_choices,
        "completion": sorted(set(course.tracking.completion)),
        "courseId": course.id,
        "audience": view.name,
        "version": course.version,
        "title": course.title,
        "passMark": view.pass_mark,
        "objectiveIds": [o.id for o in view.objectives],
        "screens": [s.id for s in screens],
        "pages": [page_ids[id(p)] for _, p in view.pages()],
        "pageKeys": [state_key("p", mv.id, p.id) for mv, p in view.pages()],
        "maxInteractions": MAX_INTERACTIONS,
        "modules": modules_data,
        "quizzes": quizzes_data,
        "scenarios": scenarios_data,
        "maxState": 0,
    }
    context = ModuleContext(view, screens, data, assets)
    data["maxState"] = worst_case_state_length(view)
    return context


# --- rendering -----------------------------------------------------------------------------------


def _markdown(text: str) -> Markup:
    return Markup(to_html(text))


def _inline(text: str) -> Markup:
    return Markup(to_inline_html(text))


def _lines(text: str) -> Markup:
    """One-paragraph text that keeps the author's line breaks (chat messages, prompts)."""
    return Markup(to_inline_html(text, breaks=True))


def _markdown_lines(text: str) -> Markup:
    """Markdown that keeps the author's line breaks (a multi-paragraph prompt)."""
    return Markup(to_html(text, breaks=True))


def _icon(name: str, size: int = 24) -> Markup:
    return Markup(icon_svg(name, size=size))


def _is_one_paragraph(text: str) -> bool:
    html = to_html(text)
    return html.startswith("<p>") and html.count("<p>") == 1 and html.endswith("</p>")


def _tel(phone: str) -> str:
    return "tel:" + re.sub(r"[^0-9+]", "", phone)


def _time_element(day: Any, language: str) -> Markup:
    return Markup('<time datetime="{}">{}</time>').format(day.isoformat(), format_date(day, language))


def _link(href: str, label: str) -> Markup:
    return Markup('<a href="{}">{}</a>').format(href, label)


def _strong(text: str) -> Markup:
    return Markup("<strong>{}</strong>").format(text)


@lru_cache(maxsize=4)
def _environment(language: str) -> Environment:
    env = Environment(loader=PackageLoader("coursekit", "templates/web"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(md=_markdown, inline=_inline, lines=_lines, md_lines=_markdown_lines, plain=to_plain,
                       link_label=url_label, tel=_tel,
                       letters=_letters)
    env.globals.update(icon=_icon, one_paragraph=_is_one_paragraph, permutation=_permutation,
                       interaction_id=interaction_id, question_partial=lambda q: facts(q).partial,
                       time_element=lambda day: _time_element(day, language), link=_link, strong=_strong)
    say = messages(language)
    env.globals.update(ungraded_label=say("common.ungraded_label"), retry_invite=say("common.retry_invite"))
    return jinja_i18n(env, language)


def _json_block(data: dict[str, Any]) -> Markup:
    """JSON for a <script type="application/json"> block: '<' escaped so no text can end the element."""
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"), sort_keys=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def render_index(context: ModuleContext) -> str:
    """The module's index.html."""
    view = context.view
    template = _environment(view.course.language).get_template("index.html.j2")
    return template.render(view=view, course=view.course, audience=view.audience, screens=context.screens,
                           tracking=context.data["tracking"],
                           data_json=_json_block(context.data), csp=CONTENT_SECURITY_POLICY,
                           strings_json=_json_block(messages(view.course.language).with_prefix("player.")),
                           help=view.help, leaflet=view.leaflet, brand=view.brand,
                           brand_css=BRAND_CSS if view.course.brand is not None else "",
                           logo_src=next((target for source, target in context.assets
                                          if target in (LOGO_PNG, LOGO_SVG)), ""), first_pages={
                               s.module.index: s.id for s in reversed(context.screens) if s.kind == "page" and s.module},
                           quiz_screens={
                               q["id"]: q["screen"] for q in context.data["quizzes"]},
                           scenario_screens={s["id"]: s["screen"] for s in context.data["scenarios"]})


def minify_script(source: str) -> str:
    """A script as shipped: parsed as ES5 and printed back minified, local names shortened (calmjs.parse).

    Deterministic (the same source gives the same bytes); globals and property names are kept, so
    tracking.js and player.js still meet through window.CourseTracker."""
    from calmjs.parse import es5
    from calmjs.parse.unparsers.es5 import minify_print

    return str(minify_print(es5(source), obfuscate=True, obfuscate_globals=False)) + "\n"


def minify_css(source: str) -> str:
    """A stylesheet as shipped: comments and needless whitespace dropped (rcssmin)."""
    import rcssmin

    return str(rcssmin.cssmin(source)) + "\n"


LOGO_PNG, LOGO_SVG = "assets/logo.png", "assets/logo.svg"
BRAND_CSS = "brand.css"


def brand_css(brand: Branding) -> str:
    """brand.css, written only for a course with `brand:`: the brand colour as a custom property, and the top bar
    in it (white text: validation keeps the colour at 4.5:1 or more against white). A separate file, so
    player.css stays the same for every course."""
    rules = []
    if brand.colour:
        rules.append(f":root{{--brand:{brand.colour}}}"
                     ".top-bar{background:var(--brand);border-bottom-color:var(--brand)}.top-title{color:#fff}"
                     ".top-bar .button{border-color:#fff}")
    rules.append(".top-title{display:flex;align-items:center;gap:.5rem;overflow-wrap:normal}"
                 ".top-brand{display:block;font-weight:400;font-size:.9rem}"
                 ".top-logo{flex:none;padding:2px;background:#fff;border-radius:4px}")
    return "".join(rules) + "\n"


@lru_cache(maxsize=1)
def player_css() -> str:
    """player.css as shipped, with the theme's variables and the embedded font's @font-face rules written in."""
    return minify_css(font_face_css() + css_variables() + (PLAYER_DIR / "player.css").read_text("utf-8"))


@lru_cache(maxsize=4)
def _minified(path: Path, mtime_ns: int) -> str:
    return minify_script(path.read_text("utf-8"))


def player_script(name: str) -> str:
    """player.js or tracking.js as shipped (see minify_script); minified once per process and file version."""
    path = PLAYER_DIR / name
    return _minified(path, path.stat().st_mtime_ns)


def write_module(view: AudienceView, ctx: BuildContext, folder: str, tracking: str) -> list[Path]:
    """Write one audience's module (index.html, player.css, player.js, tracking.js, fonts, assets) into `folder`
    (relative to `ctx.out`) through `ctx`."""
    tracking_js = PLAYER_DIR / "tracking.js"
    if not tracking_js.is_file():
        raise RuntimeError(f"internal error: {tracking_js} is missing; the player cannot track without it "
                           "(it is part of coursekit: reinstall or restore it)")
    missing = missing_faces()
    if missing:
        raise BuildError(f"the font {FONT_FAMILY} is missing ({', '.join(missing)} not found): install it with "
                         "`apt-get install fonts-inter` (`make build` does it); the learner module embeds it")
    context = build_context(view, tracking)
    base = Path(folder)
    index = render_index(context)
    written = [ctx.write_text(base / "index.html", index), ctx.write_text(base / "player.css", player_css())]
    if view.course.brand is not None:
        written.append(ctx.write_text(base / BRAND_CSS, brand_css(view.brand)))
    for name in ("player.js", "tracking.js"):
        written.append(ctx.write_text(base / name, player_script(name)))
    # The font subset covers what this module shows: its page (with the player's strings) and the player's own.
    for name, data in module_fonts(index, (PLAYER_DIR / "player.js").read_text("utf-8"), cache=ctx.cache).items():
        written.append(ctx.write_bytes(base / "fonts" / name, data))
    for source, relative in context.assets:
        written.append(ctx.write_bytes(base / relative, source.read_bytes()))
    return written


def render_module(view: AudienceView, folder: Path, tracking: str, cache: Path | None = None) -> list[Path]:
    """Write one audience's module into any `folder` (index.html first); used for SCORM's scratch folder."""
    scratch = BuildContext(view.course, (view.name,), folder, cache=cache)
    return write_module(view, scratch, "", tracking)


class WebTarget(Target):
    """An offline copy of the learner module per audience: outputs/web/<course>-<audience>/index.html."""

    name = "web"
    description = "the learner module as an offline folder (open index.html, no server, no network)"

    def build(self, ctx: BuildContext) -> None:
        """Render the module for each audience into its own folder."""
        from coursekit.cache import course_files, lines_of, view_inputs

        for audience in ctx.audiences:
            view = audience_view(ctx.course, audience)
            inputs = view_inputs(view), course_files(ctx.course), lines_of(ctx.sources)
            with ctx.document(f"{ctx.course.id}-{audience}", *inputs) as doc:
                if not doc.hit:
                    write_module(view, ctx, f"{ctx.course.id}-{audience}", "none")
