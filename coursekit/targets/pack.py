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
from coursekit.model import Course
from coursekit.targets import BuildContext, Target
from coursekit.theme import css_variables

# The page links to files beside it: no script, no network; images only from the pack itself.
CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
                           "form-action 'none'")
PAGE = "index.html"
STYLESHEET = "pack.css"


@dataclass(frozen=True)
class Rule:
    """How to describe the files one pattern matches (`{course}` and `{audience}` are filled in)."""

    pattern: str
    title: str
    what: str
    who: str
    group: str
    preview: str = ""


GROUPS = ("Learner module", "For the teacher or presenter", "Printables", "Quiz banks", "For authors and reviewers")

RULES: tuple[Rule, ...] = (
    Rule("web/{course}-{audience}/index.html", "Learner module (offline copy)",
         "Open index.html from a folder or USB stick in any browser. No internet needed; progress stays "
         "in that browser on that device.", "Learners, on a phone or computer", "Learner module"),
    Rule("scorm12/{course}-{audience}.zip", "SCORM 1.2 package",
         "Upload to your learning platform (Moodle, Canvas, Blackboard, Totara…) as a SCORM activity. "
         "It records completion, the final score and pass or fail.", "Your school's platform administrator",
         "Learner module"),
    Rule("scorm2004/{course}-{audience}.zip", "SCORM 2004 package",
         "The same module for platforms that prefer SCORM 2004 (4th edition). Upload one package, not both.",
         "Your school's platform administrator", "Learner module"),
    Rule("slides/{course}-lesson.pptx", "Lesson slides with speaker notes",
         "A 16:9 deck for the lesson, with notes on every slide. Opens in PowerPoint, Keynote, Google Slides "
         "and LibreOffice.", "The teacher running the lesson", "For the teacher or presenter",
         "slides/previews/{course}-lesson-01-title.png"),
    Rule("slides/{course}-talk.pptx", "Talk slides with speaker notes",
         "A 16:9 deck for the community talk, with timed notes on every slide.",
         "The officer or presenter giving the talk", "For the teacher or presenter",
         "slides/previews/{course}-talk-01-title.png"),
    Rule("print/{audience}/lesson-plan.pdf", "Lesson plan", "Timings, activities, the safeguarding note and "
         "signposting for the lesson.", "The teacher running the lesson", "For the teacher or presenter",
         "print/previews/{audience}-lesson-plan.png"),
    Rule("print/{audience}/talk-plan.pdf", "Talk plan", "Timed speaker notes, anticipated questions and "
         "signposting for the talk.", "The officer or presenter giving the talk", "For the teacher or presenter",
         "print/previews/{audience}-talk-plan.png"),
    Rule("print/{audience}/answer-key.pdf", "Answer key", "The worksheet's answers, with feedback.",
         "The teacher or presenter (not for handing out)", "For the teacher or presenter",
         "print/previews/{audience}-answer-key.png"),
    Rule("print/{audience}/leaflet.pdf", "Leaflet (A4, folds in three)", "Print double-sided and fold. "
         "What it is, what to do and where to get help.", "Everyone: hand out at the end",
         "Printables", "print/previews/{audience}-leaflet.png"),
    Rule("print/{audience}/poster.pdf", "Poster", "The four steps and where to get help, for a wall or "
         "noticeboard.", "A classroom, corridor or community hall", "Printables",
         "print/previews/{audience}-poster.png"),
    Rule("print/{audience}/worksheet.pdf", "Worksheet", "Activities and questions to use in the session.",
         "Learners, during the session", "Printables", "print/previews/{audience}-worksheet.png"),
    Rule("print/{audience}/gamebook.pdf", "Gamebook (the stories on paper)", "The branching stories as a "
         "turn-to-section book, for groups without screens.", "Learners, in pairs or groups", "Printables",
         "print/previews/{audience}-gamebook.png"),
    Rule("quizbank/{audience}/{course}.moodle.xml", "Quiz bank for Moodle (XML)", "Moodle: Question bank → "
         "Import → Moodle XML format. Use this or the GIFT file, not both.", "Teachers reusing the questions",
         "Quiz banks"),
    Rule("quizbank/{audience}/{course}.gift.txt", "Quiz bank for Moodle (GIFT)", "Moodle: Question bank → "
         "Import → GIFT format.", "Teachers reusing the questions", "Quiz banks"),
    Rule("quizbank/{audience}/{course}.qti.zip", "Quiz bank for Canvas (QTI)", "Canvas: Settings → Import "
         "Course Content → QTI .zip file.", "Teachers reusing the questions", "Quiz banks"),
    Rule("quizbank/{audience}/{course}.kahoot.xlsx", "Quiz for Kahoot (spreadsheet)", "Kahoot: Create → Add "
         "question → Import spreadsheet.", "Teachers running a quiz game", "Quiz banks"),
    Rule("quizbank/{audience}/{course}.kahoot-skipped.txt", "Questions Kahoot cannot carry",
         "The questions left out of the Kahoot file, each with its reason.", "Teachers running a quiz game",
         "Quiz banks"),
    Rule("quizbank/{audience}/{course}.left-out.txt", "Questions Moodle and Canvas cannot carry",
         "The questions left out of the Moodle and Canvas files (e.g. 1-5 scale questions, which have no "
         "right answer), each with its reason.", "Teachers reusing the questions", "Quiz banks"),
    Rule("coverage/coverage.md", "Coverage report", "Where each advice point is taught and assessed, per "
         "audience.", "Course authors and reviewers", "For authors and reviewers"),
    Rule("coverage/coverage.json", "Coverage data (JSON)", "The coverage report as data.",
         "Course authors and reviewers", "For authors and reviewers"),
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


def format_size(size: int) -> str:
    """A file size as a person reads it: "812 bytes", "48 KB", "2.1 MB" (1 KB = 1,000 bytes)."""
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{round(size / 1000):,} KB"
    return f"{size / 1_000_000:.1f} MB"


def format_date(day: _dt.date) -> str:
    """A date as "25 November 2026" (independent of the machine's locale)."""
    months = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December")
    return f"{day.day} {months[day.month - 1]} {day.year}"


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
    sections = {name: Section(course.audiences[name].label) for name in audiences}
    whole = Section("For the whole course")
    other: list[Entry] = []
    for path in sorted(files):
        if any(pattern.match(path) for pattern in NOT_LISTED):
            continue
        found = _match(path, course, audiences)
        if found is None:
            other.append(Entry(path, PurePosixPath(path).name, "", "", format_size(files[path])))
            continue
        rule, audience = found
        if path.startswith("slides/"):
            audience = _deck_audience(course, path)
        preview = rule.preview.format(course=course.id, audience=audience)
        entry = Entry(path, rule.title, rule.what, rule.who, format_size(files[path]),
                      preview if preview in files else "")
        section = sections.get(audience, whole)
        section.groups.setdefault(rule.group, []).append(entry)
    result = [section for section in [*sections.values(), whole] if section.groups]
    order = {rule.title: index for index, rule in enumerate(RULES)}
    for section in result:
        section.groups = {group: sorted(section.groups[group], key=lambda entry: order[entry.title])
                          for group in GROUPS if group in section.groups}
    if other:
        result.append(Section("Other files", {"Other files": other}))
    return result


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(loader=PackageLoader("coursekit", "templates/pack"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def render_pack_page(course: Course, audiences: Sequence[str], files: Mapping[str, int]) -> str:
    """The pack's front page, linking to `files` (paths relative to outputs/)."""
    return _environment().get_template("index.html.j2").render(
        course=course, sections=pack_sections(course, audiences, files), csp=CONTENT_SECURITY_POLICY,
        facts_checked=format_date(course.facts_checked), tool_version=__version__,
        audiences=[course.audiences[name] for name in audiences], stylesheet=STYLESHEET,
        has_scorm=any(path.startswith("scorm") for path in files),
        has_quizbank=any(path.startswith("quizbank/") for path in files))


def render_pack_css() -> str:
    """The pack page's stylesheet (the theme's palette)."""
    return css_variables() + "\n" + (Path(__file__).resolve().parent.parent / "templates" / "pack" / "pack.css"
                                     ).read_text("utf-8")


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
        ctx.write_text(STYLESHEET, render_pack_css())
