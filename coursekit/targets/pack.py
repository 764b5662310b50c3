"""Target `pack`: `outputs/index.html`, the front page of the pack a school or group receives.

It runs after every other target, reads what they wrote (the new staging folders, or the outputs
already in place for targets not rebuilt), and lists each file per audience: what it is, who it is
for, a thumbnail (the previews print and slides already make), its size and a link. Every file must
be described here: a file no rule knows is listed under "Other files" and a test fails on it, so a
target that adds a file also says what it is for.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath

from jinja2 import Environment, PackageLoader, StrictUndefined

from coursekit import __version__
from coursekit.messages import format_date as format_date_in
from coursekit.messages import format_number, jinja_i18n, messages
from coursekit.model import Course
from coursekit.targets import BuildContext, Target
from coursekit.text import url_label
from coursekit.theme import css_variables
from coursekit.view import Branding, branding

# The page links to files beside it: no script, no network; images only from the pack itself.
CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
                           "form-action 'none'")
PAGE = "index.html"
STYLESHEET = "pack.css"
LOGO = "pack-logo"  # + .png or .svg: the brand's logo, beside the page


@dataclass(frozen=True)
class Rule:
    """How to describe the files one pattern matches (`{course}` and `{audience}` are filled in).

    The texts are in the message catalogues: pack.<key>.title, pack.<key>.what, pack.<key>.who; the group
    heading is pack.group_<group>."""

    pattern: str
    key: str
    group: str
    preview: str = ""


GROUPS = ("learner", "teacher", "printables", "quizbanks", "authors")

RULES: tuple[Rule, ...] = (
    Rule("web/{course}-{audience}/index.html", "web", "learner"),
    Rule("scorm12/{course}-{audience}.zip", "scorm12", "learner"),
    Rule("scorm2004/{course}-{audience}.zip", "scorm2004", "learner"),
    Rule("slides/{course}-lesson.pptx", "lesson_slides", "teacher", "slides/previews/{course}-lesson-01-title.png"),
    Rule("slides/{course}-talk.pptx", "talk_slides", "teacher", "slides/previews/{course}-talk-01-title.png"),
    Rule("print/{audience}/lesson-plan.pdf", "lesson_plan", "teacher", "print/previews/{audience}-lesson-plan.png"),
    Rule("print/{audience}/talk-plan.pdf", "talk_plan", "teacher", "print/previews/{audience}-talk-plan.png"),
    Rule("print/{audience}/answer-key.pdf", "answer_key", "teacher", "print/previews/{audience}-answer-key.png"),
    Rule("print/{audience}/leaflet.pdf", "leaflet", "printables", "print/previews/{audience}-leaflet.png"),
    Rule("print/{audience}/poster.pdf", "poster", "printables", "print/previews/{audience}-poster.png"),
    Rule("print/{audience}/worksheet.pdf", "worksheet", "printables", "print/previews/{audience}-worksheet.png"),
    Rule("print/{audience}/gamebook.pdf", "gamebook", "printables", "print/previews/{audience}-gamebook.png"),
    Rule("quizbank/{audience}/{course}.moodle.xml", "moodle", "quizbanks"),
    Rule("quizbank/{audience}/{course}.gift.txt", "gift", "quizbanks"),
    Rule("quizbank/{audience}/{course}.qti.zip", "qti", "quizbanks"),
    Rule("quizbank/{audience}/{course}.kahoot.xlsx", "kahoot", "quizbanks"),
    Rule("quizbank/{audience}/{course}.kahoot-skipped.txt", "kahoot_skipped", "quizbanks"),
    Rule("quizbank/{audience}/{course}.left-out.txt", "left_out", "quizbanks"),
    Rule("coverage/coverage.md", "coverage_md", "authors"),
    Rule("coverage/coverage.json", "coverage_json", "authors"),
)

# Files that are part of another entry (the module's assets) or shown as thumbnails, not listed.
NOT_LISTED = (re.compile(r"^web/[^/]+/(?!index\.html$).+"), re.compile(r"^(print|slides)/previews/.+\.png$"))


@dataclass(frozen=True)
class Entry:
    """One listed file."""

    path: str
    title: str
    what: str
    who: str
    size: str
    preview: str = ""


@dataclass
class Section:
    """The files of one audience (or of the whole course), grouped."""

    heading: str
    groups: dict[str, list[Entry]] = field(default_factory=dict)


def format_size(size: int, language: str = "en-GB") -> str:
    """A file size as a person reads it: "812 bytes", "48 KB", "2.1 MB" (1 KB = 1,000 bytes), in the language."""
    say = messages(language)
    if size < 1000:
        return say("pack.size_bytes", n=format_number(size, language))
    if size < 1_000_000:
        return say("pack.size_kb", n=format_number(round(size / 1000), language))
    return say("pack.size_mb", n=format_number(round(size / 1_000_000, 1), language, decimals=1))


def format_date(day: _dt.date, language: str = "en-GB") -> str:
    """A date as "25 November 2026" in the language (independent of the machine's locale)."""
    return format_date_in(day, language)


def _match(path: str, course: Course, audiences: Sequence[str]) -> tuple[Rule, str] | None:
    """The rule describing `path` and the audience it belongs to ("" for the whole course)."""
    for rule in RULES:
        for audience in (audiences if "{audience}" in rule.pattern else [""]):
            if rule.pattern.format(course=course.id, audience=audience) == path:
                return rule, audience
    return None


def _deck_audience(course: Course, path: str) -> str:
    """The audience a deck is for: the audience of the plan it presents."""
    plan = course.lesson if path.endswith("-lesson.pptx") else course.talk
    return plan.audience if plan is not None else ""


def pack_sections(course: Course, audiences: Sequence[str], files: Mapping[str, int]) -> list[Section]:
    """Every listed file (path relative to outputs/ → size in bytes), per audience and group."""
    say, language = messages(course.language), course.language
    sections = {name: Section(course.audiences[name].label) for name in audiences}
    whole = Section(say("pack.whole_course"))
    other: list[Entry] = []
    for path in sorted(files):
        if any(pattern.match(path) for pattern in NOT_LISTED):
            continue
        found = _match(path, course, audiences)
        if found is None:
            other.append(Entry(path, PurePosixPath(path).name, "", "", format_size(files[path], language)))
            continue
        rule, audience = found
        if path.startswith("slides/"):
            audience = _deck_audience(course, path)
        preview = rule.preview.format(course=course.id, audience=audience)
        entry = Entry(path, say(f"pack.{rule.key}.title"), say(f"pack.{rule.key}.what"), say(f"pack.{rule.key}.who"),
                      format_size(files[path], language), preview if preview in files else "")
        section = sections.get(audience, whole)
        section.groups.setdefault(rule.group, []).append(entry)
    result = [section for section in [*sections.values(), whole] if section.groups]
    order = {say(f"pack.{rule.key}.title"): index for index, rule in enumerate(RULES)}
    for section in result:
        section.groups = {say(f"pack.group_{group}"): sorted(section.groups[group], key=lambda entry: order[entry.title])
                          for group in GROUPS if group in section.groups}
    if other:
        result.append(Section(say("pack.other_files"), {say("pack.other_files"): other}))
    return result


@lru_cache(maxsize=4)
def _environment(language: str) -> Environment:
    env = Environment(loader=PackageLoader("coursekit", "templates/pack"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["link_label"] = url_label
    return jinja_i18n(env, language)


def logo_name(brand: Branding) -> str:
    """The file name of the brand's logo beside the page ("" without a logo)."""
    if brand.logo is None:
        return ""
    return f"{LOGO}.svg" if brand.logo_is_svg else f"{LOGO}.png"


def render_pack_page(course: Course, audiences: Sequence[str], files: Mapping[str, int]) -> str:
    """The pack's front page, linking to `files` (paths relative to outputs/)."""
    brand = branding(course, course.root)
    local = [(entry, [course.audiences[name].label for name in entry.audiences if name in course.audiences])
             for entry in course.local_help]
    return _environment(course.language).get_template("index.html.j2").render(
        brand=brand, logo_src=logo_name(brand), local_help=local,
        course=course, sections=pack_sections(course, audiences, files), csp=CONTENT_SECURITY_POLICY,
        facts_checked=format_date(course.facts_checked, course.language), tool_version=__version__,
        audiences=[course.audiences[name] for name in audiences], stylesheet=STYLESHEET,
        has_scorm=any(path.startswith("scorm") for path in files),
        has_quizbank=any(path.startswith("quizbank/") for path in files))


def render_pack_css(brand: Branding | None = None) -> str:
    """The pack page's stylesheet (the theme's palette; the header in the brand's colour, which carries white
    text at 4.5:1 or more)."""
    css = css_variables() + "\n" + (Path(__file__).resolve().parent.parent / "templates" / "pack" / "pack.css"
                                    ).read_text("utf-8")
    if brand is not None and brand.colour:
        css += f"\n/* The brand's colour (course.yaml brand.colour). */\n.top {{ background: {brand.colour}; }}\n"
    return css


def list_files(folders: Mapping[str, Path]) -> dict[str, int]:
    """Every file of the given target folders (target name → folder), as outputs/-relative path → size."""
    files: dict[str, int] = {}
    for name, folder in folders.items():
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts):
                files[f"{name}/{path.relative_to(folder).as_posix()}"] = path.stat().st_size
    return files


class PackTarget(Target):
    """Writes outputs/index.html (and pack.css): what each file is, for whom, with previews and sizes."""

    name = "pack"
    description = "the pack's front page, outputs/index.html"

    def build(self, ctx: BuildContext) -> None:
        """List every other target's files, as outputs/ will hold them after this build."""
        files = list_files(ctx.others)
        ctx.write_text(PAGE, render_pack_page(ctx.course, ctx.audiences, files))
        brand = branding(ctx.course, ctx.course.root)
        ctx.write_text(STYLESHEET, render_pack_css(brand))
        if brand.logo is not None:
            ctx.write_bytes(logo_name(brand), brand.logo.read_bytes())
