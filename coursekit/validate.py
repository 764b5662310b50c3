"""Stage 3: raw YAML → typed model, cross-file checks and coverage; every error as file:line."""

from __future__ import annotations

import datetime as _dt
import difflib
import math
import re
import types
import typing
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from coursekit import arrange, freshness
from coursekit import model as m
from coursekit.brand import colour_problem, logo_problem
from coursekit.errors import ContentError, ContentErrors, UserError, display_path
from coursekit.ids import interaction_id
from coursekit.inputs import image_problem, markdown_problems, url_problem
from coursekit.load import CourseFiles, Document, Loc, decode_text, find_and_load, inside, load_yaml
from coursekit.positions import FileLines, SourceMap
from coursekit.questions import scored
from coursekit.wording import WordingChecker

# --- Pydantic errors, rewritten for authors ------------------------------------------


def _suggest(word: object, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' when a close match exists, else ''."""
    match = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated/Optional layers down to the type that has fields or items."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) == 1:
                annotation = args[0]
            else:
                return annotation
        else:
            return annotation


def _union_member(annotation: Any, tag: str) -> Any:
    """The member of a tagged union chosen by `tag` (question type or node kind)."""
    for arg in typing.get_args(annotation):
        inner = _unwrap(arg)
        for meta in getattr(arg, "__metadata__", ()):
            if getattr(meta, "tag", None) == tag:
                return inner
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            field_info = inner.model_fields.get("type")
            if field_info is not None and tag in typing.get_args(field_info.annotation):
                return inner
    return None


def _model_at(root: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The model class whose fields apply at `loc` (for did-you-mean on unknown fields)."""
    current: Any = root
    for part in loc:
        current = _unwrap(current)
        origin = typing.get_origin(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(str(part))
            if info is None:
                by_alias = [f for f in current.model_fields.values() if f.alias == part]
                if not by_alias:
                    return None
                info = by_alias[0]
            current = info.annotation
        elif origin in (list, tuple) and isinstance(part, int):
            current = typing.get_args(current)[0]
        elif origin is dict:
            current = typing.get_args(current)[1]
        elif origin in (typing.Union, types.UnionType):
            current = _union_member(current, str(part))
            if current is None:
                return None
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _raw_path(data: Any, loc: Loc) -> tuple[Loc, Loc]:
    """Split a Pydantic loc into the path present in the raw data and the model path (tags dropped)."""
    raw: list[str | int] = []
    model_path: list[str | int] = []
    node = data
    for part in loc:
        present = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node))
        model_path.append(part)  # else a missing field (last part) or a union tag: not in the data
        if present:
            raw.append(part)
            node = node[part]
    return tuple(raw), tuple(model_path)


def _at(data: Any, raw: Loc) -> Any:
    """The raw value at a path `_raw_path` returned (every part is present)."""
    for part in raw:
        data = data[part]
    return data


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the yes/no value {str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


_PATTERN_HELP = {
    m.ID_PATTERN: "use lower-case letters, digits and hyphens, starting with a letter or digit (e.g. 'dont-pay')",
}


def _pattern_help(field_name: str, pattern: str) -> str:
    if field_name in {"cite"} or "#" in pattern:
        return "write a citation as source-id#section-anchor (e.g. 'seed#dont-pay')"
    if field_name == "version":
        return "use a version number like 1.0.0"
    if field_name == "language":
        return "use a language tag like en-GB"
    if field_name == "email":
        return "write an email address like help@example.org (no 'mailto:', no angle brackets)"
    return _PATTERN_HELP.get(pattern, f"it must match {pattern}")


def _rewrite(error: ErrorDetails, model_cls: type[BaseModel], data: Any) -> tuple[Loc, str]:
    """An author-friendly message and the raw location for one Pydantic error."""
    loc = tuple(error["loc"])
    raw, model_path = _raw_path(data, loc)
    names = [p for p in model_path if isinstance(p, str) and p not in ("ending-node", "decision-node")]
    name = names[-1] if names else "value"
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "missing":
        parent = ".".join(str(p) for p in raw) or "the top level"
        return raw, f"missing required field '{name}': add '{name}:' under {parent}"
    if kind == "extra_forbidden":
        owner = _model_at(model_cls, model_path[:-1])
        allowed = sorted({(f.alias or n) for n, f in owner.model_fields.items()}) if owner else []
        hint = _suggest(name, allowed)
        listing = f"; allowed fields here: {', '.join(allowed)}" if allowed and not hint else ""
        return raw, f"unknown field '{name}'{hint}{listing}"
    if kind in ("string_type",):
        return raw, f"'{name}' should be text, not {_describe(value)}; put it in quotes"
    if kind == "string_too_short":
        return raw, f"'{name}' is empty: write the text here"
    if kind == "string_pattern_mismatch":
        return raw, f"'{value}' is not a valid {name}: {_pattern_help(name, ctx.get('pattern', ''))}"
    if kind == "string_too_long":
        return raw, f"'{name}' is longer than {ctx.get('max_length')} characters: shorten it"
    if kind == "too_short":
        need = ctx.get("min_length")
        return raw, f"'{name}' needs at least {need} item{'s' if need != 1 else ''}, it has {ctx.get('actual_length')}"
    if kind == "too_long":
        return raw, f"'{name}' has {ctx.get('actual_length')} items; at most {ctx.get('max_length')} are allowed"
    if kind == "literal_error":
        expected = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return raw, f"'{value}' is not a valid {name}{_suggest(value, expected)}: use one of {', '.join(expected)}"
    if kind == "union_tag_invalid":
        expected = re.findall(r"'([^']*)'", str(ctx.get("expected_tags", "")))
        key = str(ctx.get("discriminator", "type")).strip("'")
        node = _at(data, raw)
        if isinstance(node, dict) and key in node:
            raw = raw + (key,)  # the line of the mistyped value, not of the question
            if node[key] is None or isinstance(node[key], (list, dict, bool)):
                return raw, f"'{key}' should be one of {', '.join(expected)}, not {_describe(node[key])}"
        return raw, (f"unknown question type '{ctx.get('tag')}'{_suggest(ctx.get('tag', ''), expected)}: "
                     f"use one of {', '.join(expected)}")
    if kind == "union_tag_not_found":
        key = str(ctx.get("discriminator", "type")).strip("'")
        node = _at(data, raw)
        near = [k for k in node if isinstance(k, str) and _suggest(k, [key])] if isinstance(node, dict) else []
        if near:
            return raw + (near[0],), f"unknown field '{near[0]}' (did you mean '{key}'?)"
        return raw, f"missing field '{key}': say which kind this is"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return raw, f"'{name}' should be a whole number, not {_describe(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return raw, f"'{name}' should be true or false, not {_describe(value)}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        limits = _bounds(model_cls, model_path)
        if limits:
            return raw, f"'{name}' is {value}; it must be between {limits[0]} and {limits[1]}"
        return raw, f"'{name}' is {value}; {error['msg'].lower()}"
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"):
        return raw, f"'{name}' should be a date like 2025-11-01, not {_describe(value)}"
    if kind == "dict_type":
        return raw, f"'{name}' should be a mapping (indented 'key: value' lines), not {_describe(value)}"
    if kind in ("list_type", "tuple_type"):
        return raw, f"'{name}' should be a list (lines starting with '- '), not {_describe(value)}"
    if kind in ("model_type", "model_attributes_type", "dataclass_type"):
        return raw, f"'{name}' should be a mapping of fields, not {_describe(value)}"
    return raw, f"'{name}': {error['msg']}"


def _bounds(model_cls: type[BaseModel], model_path: Loc) -> tuple[Any, Any] | None:
    owner = _model_at(model_cls, model_path[:-1])
    if owner is None or not isinstance(model_path[-1], str):
        return None
    info = owner.model_fields.get(model_path[-1])
    if info is None:
        return None
    low = high = None
    for meta in info.metadata:
        low = getattr(meta, "ge", low)
        high = getattr(meta, "le", high)
    for arg in getattr(info.annotation, "__metadata__", ()):
        for meta in getattr(arg, "metadata", [arg]):
            low = getattr(meta, "ge", low)
            high = getattr(meta, "le", high)
    return (low, high) if low is not None and high is not None else None


def parse_model(doc: Document, model_cls: type[BaseModel]) -> tuple[Any, list[ContentError]]:
    """Validate a document against a model; return the model (or None) and located errors."""
    try:
        return model_cls.model_validate(doc.data), []
    except ValidationError as exc:
        found: list[tuple[Loc, str, ErrorDetails]] = []
        for error in exc.errors(include_url=False):
            raw, message = _rewrite(error, model_cls, doc.data)
            if any(raw[:len(bad)] == bad for bad in doc.refused):
                continue  # already reported by the loader (e.g. a refused tag)
            found.append((raw, message, error))
        # "unknown field 'promt' (did you mean 'prompt'?)" already says what "missing 'prompt'" would.
        suggested = {(raw[:-1], hint.group(1)) for raw, message, _ in found
                     if (hint := re.search(r"did you mean '([^']+)'", message))
                     and message.startswith("unknown field")}
        errors = [doc.error(raw, message) for raw, message, error in found
                  if not (error["type"] == "missing" and (raw, str(error["loc"][-1])) in suggested)]
        return None, errors


# --- sources ---------------------------------------------------------------------------

_ANCHOR_RE = re.compile(r"^#{1,6}\s+(.*?)\s*\{#([a-z0-9][a-z0-9-]*)\}\s*$")


def parse_source_sections(text: str) -> dict[str, m.SourceSection]:
    """Sections of a source file: each heading written `## Title {#anchor}` starts one."""
    sections: dict[str, m.SourceSection] = {}
    current: tuple[str, str, int] | None = None
    body: list[str] = []

    def close() -> None:
        if current is not None:
            anchor, title, line = current
            sections[anchor] = m.SourceSection(anchor=anchor, title=title, text="\n".join(body).strip(), line=line)

    for number, line in enumerate(text.splitlines(), start=1):
        match = _ANCHOR_RE.match(line)
        if match:
            close()
            current, body = (match.group(2), match.group(1), number), []
        else:
            body.append(line)
    close()
    return sections


# --- the course as a whole -------------------------------------------------------------


@dataclass
class CoverageRow:
    """Where one advice point is taught and assessed, per audience."""

    advice: m.AdvicePoint
    taught: dict[str, list[str]] = field(default_factory=dict)
    assessed: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Validated:
    """The result of validation: the course (None if errors), errors, warnings and coverage."""

    course: m.Course | None
    errors: list[ContentError]
    warnings: list[ContentError]
    coverage: list[CoverageRow]
    root: Path
    sources: SourceMap = field(default_factory=SourceMap)  # model object → YAML file:line, for targets


def _in_audience(audiences: list[str], audience: str) -> bool:
    return not audiences or audience in audiences


ADVICE_FIX = "use the id of an advice point in course/course.yaml"


@dataclass
class _Scope:
    """What the course-level checks share: the course file, the parsed scenarios and quizzes, known ids."""

    course: m.CourseFile
    doc: Document
    scenarios: dict[str, Any]
    quizzes: dict[str, Any]
    sections: dict[str, dict[str, m.SourceSection]] = field(default_factory=dict)

    @property
    def audiences(self) -> list[str]:
        """The course's audience names."""
        return list(self.course.audiences)

    @property
    def aud_fix(self) -> str:
        """How to fix an unknown audience."""
        return f"use one of the audiences: {', '.join(self.audiences)}"

    @property
    def advice_ids(self) -> list[str]:
        """The advice point ids."""
        return [a.id for a in self.course.advice]

    @property
    def objective_ids(self) -> list[str]:
        """The learning objective ids."""
        return [o.id for o in self.course.objectives]


class _Checker:
    """Cross-file checks; collects every problem instead of stopping at the first."""

    scope: _Scope  # what the course-level checks share (set by check_course)

    def __init__(self, files: CourseFiles, today: _dt.date | None = None) -> None:
        self.files = files
        self.root = files.root
        self.errors: list[ContentError] = list(files.errors)
        self.warnings: list[ContentError] = []
        self.notices: list[ContentError] = []  # warnings that --strict does not turn into errors
        self.moves: dict[Loc, arrange.Moves] = {}  # lists put in their seeded order, per file (by model prefix)
        self.today = today
        self.course_doc = files.course
        self.wording_docs: list[Document] = []
        self.broken: set[str] = set(files.broken)
        self.placed: dict[Loc, Document] = {}  # where each file sits in the Course model

    # helpers
    def ref(self, doc: Document, loc: Loc, value: str, known: Iterable[str], what: str, fix: str) -> bool:
        known = list(known)
        if value in known:
            return True
        if what in ("scenario", "quiz") and value in self.broken:
            return False
        self.errors.append(doc.error(loc, f"unknown {what} '{value}'{_suggest(value, known)}: {fix}"))
        return False

    def refs(self, doc: Document, loc: Loc, values: list[str], known: Iterable[str], what: str, fix: str) -> None:
        known = list(known)
        for index, value in enumerate(values):
            self.ref(doc, loc + (index,), value, known, what, fix)

    def duplicates(self, doc: Document, items: list[tuple[Loc, str]], what: str) -> None:
        seen: dict[str, int] = {}
        for loc, value in items:
            if value in seen:
                self.errors.append(doc.error(
                    loc, f"duplicate {what} id '{value}' (first used on line {seen[value]}): give each a unique id"))
            else:
                seen[value] = doc.line(loc)

    def check_file(self, doc: Document, loc: Loc, relative: str, what: str) -> Path | None:
        """A referenced file must exist inside the course folder."""
        target = self.root / relative
        if not inside(target, self.root):
            self.errors.append(doc.error(
                loc, f"the {what} path '{relative}' points outside the course folder: "
                "keep every file inside it and use a relative path"))
            return None
        if relative.startswith("/") or "\\" in relative:
            self.errors.append(doc.error(loc, f"the {what} path '{relative}' must be relative, with forward slashes"))
            return None
        if target.is_dir():
            self.errors.append(doc.error(loc, f"the {what} path '{relative}' is a folder, not a file: fix the path"))
            return None
        if not target.is_file():
            self.errors.append(doc.error(loc, f"the {what} file '{relative}' does not exist: create it or fix the path"))
            return None
        return target

    # the run
    def run(self, strict: bool) -> Validated:
        course_file: m.CourseFile | None = None
        if self.course_doc is not None:
            course_file, errors = parse_model(self.course_doc, m.CourseFile)
            self.errors += errors
            if course_file is not None:
                self.check_facts_age(course_file, self.course_doc)
        scenarios = self.parse_folder(self.files.scenarios, m.Scenario, "scenario")
        quizzes = self.parse_folder(self.files.quizzes, m.Quiz, "quiz")
        for scenario, doc in scenarios.values():
            self.check_scenario(scenario, doc)
        for quiz, doc in quizzes.values():
            self.check_quiz(quiz, doc)
        self.check_interaction_ids(scenarios, quizzes)
        coverage: list[CoverageRow] = []
        course: m.Course | None = None
        if course_file is not None and self.course_doc is not None:
            extras = self.check_course(course_file, self.course_doc, scenarios, quizzes)
            self.check_assessment_scored(course_file, quizzes)
            self.check_language(course_file)
            self.check_wording(course_file)
            self.check_markdown()
            self.comment_warnings()
            if not self.errors:
                self.reading_age_warnings(course_file, scenarios, quizzes)
            if not self.errors:
                arranged_scenarios = {key: arrange.arrange_scenario(value[0]) for key, value in scenarios.items()}
                arranged_quizzes = {key: arrange.arrange_quiz(value[0]) for key, value in quizzes.items()}
                self.moves.update({("scenarios", key): moves for key, (_, moves) in arranged_scenarios.items()})
                self.moves.update({("quizzes", key): moves for key, (_, moves) in arranged_quizzes.items()})
                course = m.Course(
                    **{name: getattr(course_file, name) for name in m.CourseFile.model_fields},
                    scenarios={key: value[0] for key, value in arranged_scenarios.items()},
                    quizzes={key: value[0] for key, value in arranged_quizzes.items()},
                    root=str(self.root),
                    **extras,
                )
                coverage = compute_coverage(course)
                self.coverage_warnings(coverage, course)
                self.placed[()] = self.course_doc
                for key, (_, sdoc) in scenarios.items():
                    self.placed[("scenarios", key)] = sdoc
                for key, (_, qdoc) in quizzes.items():
                    self.placed[("quizzes", key)] = qdoc
        if strict:
            self.errors += [ContentError(w.path, w.line, w.message) for w in self.warnings]
            self.warnings = []
            if self.errors:
                course = None
        self.warnings += self.notices
        sources = SourceMap({prefix: FileLines(d.display, *arrange.move_lines(dict(d.lines), frozenset(d.blocks),
                                                                            self.moves.get(prefix, [])))
                             for prefix, d in self.placed.items()})
        return Validated(course if not self.errors else None, sorted(set(self.errors)),
                         sorted(set(self.warnings)), coverage, self.root, sources)

    def check_activity_time(self, doc: Document, loc: Loc, activity: m.Activity, audience: str,
                            scenarios: dict[str, Any], quizzes: dict[str, Any]) -> None:
        """An activity that plays a quiz or scenario allows 1 minute per 2 questions and per 3 decisions."""
        questions = decisions = 0
        if activity.quiz in quizzes:
            questions = sum(_in_audience(q.audiences, audience) for q in quizzes[activity.quiz][0].questions)
        if activity.scenario in scenarios:
            decisions = sum(isinstance(n, m.DecisionNode) for n in scenarios[activity.scenario][0].nodes.values())
        needed = questions / 2 + decisions / 3
        if activity.minutes < needed:
            played = " and ".join(part for part in (
                f"{questions} quiz question{'s' if questions != 1 else ''}" if questions else "",
                f"{decisions} scenario decision{'s' if decisions != 1 else ''}" if decisions else "") if part)
            self.warnings.append(doc.error(
                loc + ("minutes",), f"'{activity.title}' plays {played} in {activity.minutes} "
                f"minute{'s' if activity.minutes != 1 else ''}: give it at least {math.ceil(needed)} (1 minute per 2 "
                "questions and per 3 decisions), or play a shorter quiz or scenario", warning=True))

    def check_facts_age(self, course: m.CourseFile, doc: Document) -> None:
        """Facts older than 6 months: a warning; 12 months or more: a warning that --strict turns into an error."""
        problem = freshness.facts_age_problem(course.facts_checked, freshness.today(self.today))
        if problem is not None:
            message, fails_strict = problem
            (self.warnings if fails_strict else self.notices).append(
                doc.error(("facts_checked",), message, warning=True))

    def parse_folder(self, docs: list[Document], model_cls: type[BaseModel], what: str) -> dict[str, Any]:
        parsed: dict[str, Any] = {}
        for doc in docs:
            item, errors = parse_model(doc, model_cls)
            self.errors += errors
            if item is None:
                self.broken.add(doc.path.stem)  # reported already; references to it are not errors too
                continue
            if item.id != doc.path.stem:
                self.errors.append(doc.error(
                    ("id",), f"the {what} id '{item.id}' does not match its file name '{doc.path.name}': "
                    f"rename the file to {item.id}.yaml or change the id"))
            if item.id in parsed:
                self.errors.append(doc.error(("id",), f"duplicate {what} id '{item.id}' "
                                             f"(also in {parsed[item.id][1].display})"))
                continue
            parsed[item.id] = (item, doc)
        return parsed

    def check_scenario(self, scenario: m.Scenario, doc: Document) -> None:
        self.ref(doc, ("protagonist",), scenario.protagonist, scenario.characters, "character",
                 "name one of the scenario's characters")
        self.check_choosers(scenario, doc)
        if not self.ref(doc, ("start",), scenario.start, scenario.nodes, "start node", "name one of the nodes"):
            return
        edges: dict[str, list[str]] = {}
        for node_id, node in scenario.nodes.items():
            for index, message in enumerate(node.messages):
                if message.sender is not None:
                    self.ref(doc, ("nodes", node_id, "messages", index, "from"), message.sender,
                             scenario.characters, "character", "add them under 'characters' or fix the name")
            if isinstance(node, m.DecisionNode):
                edges[node_id] = []
                for index, choice in enumerate(node.choices):
                    if self.ref(doc, ("nodes", node_id, "choices", index, "next"), choice.next, scenario.nodes,
                                "node", "point 'next' at a node of this scenario"):
                        edges[node_id].append(choice.next)
            else:
                edges[node_id] = []
        reachable = _reach(scenario.start, edges)
        for node_id in scenario.nodes:
            if node_id not in reachable:
                self.errors.append(doc.error(
                    ("nodes", node_id), f"node '{node_id}' cannot be reached from the start node "
                    f"'{scenario.start}': point a choice at it or remove it"))
        endings = {nid for nid, node in scenario.nodes.items() if isinstance(node, m.EndingNode)}
        if not endings:
            self.errors.append(doc.error(("nodes",), "the scenario has no ending: add a node with 'ending:' and a debrief"))
            return
        reverse: dict[str, list[str]] = {nid: [] for nid in scenario.nodes}
        for source, targets in edges.items():
            for target in targets:
                reverse.setdefault(target, []).append(source)
        can_finish = set()
        for ending in endings:
            can_finish |= _reach(ending, reverse)
        for node_id in scenario.nodes:
            if node_id in reachable and node_id not in can_finish:
                self.errors.append(doc.error(
                    ("nodes", node_id), f"from node '{node_id}' no path leads to an ending (a loop with no way out): "
                    "give it a choice that moves the story towards an ending"))

    def check_choosers(self, scenario: m.Scenario, doc: Document) -> None:
        """Whose choice: the targeted character's choices are ungraded; a decision is all graded or none."""
        if scenario.targeted is not None:
            self.ref(doc, ("targeted",), scenario.targeted, scenario.characters, "character",
                     "name the character who is under pressure")
        for node_id, node in scenario.nodes.items():
            if not isinstance(node, m.DecisionNode):
                continue
            loc: Loc = ("nodes", node_id)
            if node.chooser is not None:
                self.ref(doc, loc + ("chooser",), node.chooser, scenario.characters, "character",
                         "name the character who makes this decision")
            chooser = scenario.chooser(node)
            graded = [index for index, choice in enumerate(node.choices) if choice.graded]
            if chooser == scenario.targeted:
                for index in graded:
                    quality = node.choices[index].quality
                    self.errors.append(doc.error(
                        loc + ("choices", index, "quality"),
                        f"choice {index + 1} of node '{node_id}' is made by '{chooser}', the targeted character, "
                        f"so it is not graded: remove 'quality: {quality}' (every output shows "
                        f"'{m.UNGRADED_LABEL}' instead of a mark), or set 'chooser:' on the node if a helper "
                        "decides here"))
            elif graded and len(graded) < len(node.choices):
                missing = next(i for i in range(len(node.choices)) if i not in graded)
                self.errors.append(doc.error(
                    loc + ("choices", missing),
                    f"choice {missing + 1} of node '{node_id}' has no 'quality' but other choices of this "
                    "decision have one: grade every choice (best, ok or poor) or none"))

    def check_quiz(self, quiz: m.Quiz, doc: Document) -> None:
        self.duplicates(doc, [(("questions", i, "id"), q.id) for i, q in enumerate(quiz.questions)], "question")
        for index, question in enumerate(quiz.questions):
            loc: Loc = ("questions", index)
            if isinstance(question, (m.SingleQuestion, m.MultipleQuestion)):
                correct = sum(option.correct for option in question.options)
                if correct == 0:
                    self.errors.append(doc.error(loc + ("options",), f"question '{question.id}' has no correct "
                                                 "option: mark the right one with 'correct: true'"))
                elif isinstance(question, m.SingleQuestion) and correct > 1:
                    self.errors.append(doc.error(loc + ("options",), f"single-choice question '{question.id}' has "
                                                 f"{correct} correct options: keep one, or use 'type: multiple'"))
                self._unique_texts(doc, loc + ("options",), [o.text for o in question.options], "option")
            elif isinstance(question, m.OrderQuestion):
                self._unique_texts(doc, loc + ("items",), [i.text for i in question.items], "item")
            elif isinstance(question, m.MatchQuestion):
                self._unique_texts(doc, loc + ("pairs",), [p.left for p in question.pairs], "left-hand prompt")
                self._unique_texts(doc, loc + ("pairs",), [p.right for p in question.pairs] + question.distractors,
                                   "answer")

    def check_assessment_scored(self, course: m.CourseFile, quizzes: dict[str, Any]) -> None:
        """The final assessment needs a scored question, or its score (and pass or fail) means nothing."""
        if course.assessment.quiz not in quizzes:
            return
        quiz, doc = quizzes[course.assessment.quiz]
        if not any(scored(question) for question in quiz.questions):
            self.errors.append(doc.error(("questions",), f"the final assessment '{quiz.id}' has no scored question "
                                         "(a 'scale' question is not scored): add a question with a right answer"))

    def _unique_texts(self, doc: Document, loc: Loc, texts: list[str], what: str) -> None:
        seen: set[str] = set()
        for index, text in enumerate(texts):
            if text.casefold() in seen:
                self.errors.append(doc.error(loc + (index,), f"the {what} '{text}' appears twice: make each one different"))
            seen.add(text.casefold())

    def check_course(self, course: m.CourseFile, doc: Document, scenarios: dict[str, Any],
                     quizzes: dict[str, Any]) -> dict[str, Any]:
        """Every cross-file check of the course, one named check at a time; returns the Course's extras."""
        self.scope = _Scope(course, doc, scenarios, quizzes)
        sections = self.check_sources()
        self.check_advice()
        self.check_help_contacts()
        self.check_brand()
        self.check_local_help()
        self.check_objectives()
        page_ids = self.check_modules()
        self.check_scenario_and_quiz_refs()
        extras: dict[str, Any] = {"source_sections": sections}
        extras.update(self.check_plans(page_ids))
        extras["leaflets"] = self.check_leaflets()
        self.check_unused([extras.get("lesson"), extras.get("talk")])
        return extras

    def check_sources(self) -> dict[str, dict[str, m.SourceSection]]:
        """Sources: unique ids, allowed urls, files that exist and are split into anchored sections."""
        course, doc = self.scope.course, self.scope.doc
        sections = self.scope.sections
        self.duplicates(doc, [(("sources", i, "id"), s.id) for i, s in enumerate(course.sources)], "source")
        for index, source in enumerate(course.sources):
            if source.url:
                self.check_url(doc, ("sources", index, "url"), source.url, f"source '{source.id}' url")
            path = self.check_file(doc, ("sources", index, "file"), source.file, "source")
            text, problems = decode_text(path, self.root) if path else (None, [])
            self.errors += problems
            sections[source.id] = parse_source_sections(text) if text is not None else {}
            if text is not None and not sections[source.id]:
                self.errors.append(doc.error(("sources", index, "file"), f"source '{source.file}' has no sections: "
                                             "start each section with a heading like '## Title {#anchor}'"))
        return sections

    def check_cites(self, d: Document, loc: Loc, cites: list[str]) -> None:
        """Each citation names a source and one of its section anchors."""
        sections = self.scope.sections
        for i, cite in enumerate(cites):
            source_id, anchor = cite.split("#", 1)
            if not self.ref(d, loc + (i,), source_id, sections, "source", "cite a source listed under 'sources'"):
                continue
            if sections[source_id] and anchor not in sections[source_id]:
                self.errors.append(d.error(loc + (i,), f"'{cite}': source '{source_id}' has no section "
                                           f"'{anchor}'{_suggest(anchor, sections[source_id])}: "
                                           "use an anchor from its headings"))

    def check_advice(self) -> None:
        """Advice points: unique ids, citations that resolve, known audiences."""
        scope = self.scope
        doc = scope.doc
        self.duplicates(doc, [(("advice", i, "id"), a.id) for i, a in enumerate(scope.course.advice)], "advice")
        for index, point in enumerate(scope.course.advice):
            self.check_cites(doc, ("advice", index, "cite"), point.cite)
            self.refs(doc, ("advice", index, "audiences"), point.audiences, scope.audiences, "audience",
                      scope.aud_fix)

    def check_help_contacts(self) -> None:
        """Help contacts cite their details, have a way in and say whom they suit; audiences' help suits them."""
        scope = self.scope
        doc = scope.doc
        for key, contact in scope.course.help.items():
            self.check_cites(doc, ("help", key, "cite"), contact.cite)
            if contact.url:
                self.check_url(doc, ("help", key, "url"), contact.url, f"help contact '{key}' url")
            self.refs(doc, ("help", key, "suitable_for"), contact.suitable_for, scope.audiences, "audience",
                      scope.aud_fix)
            if not contact.phone and not contact.url and not contact.email and not contact.how:
                self.errors.append(doc.error(("help", key), f"help contact '{key}' has no phone, url, email or "
                                             "'how': say how to reach them"))
        for name, audience in scope.course.audiences.items():
            self.check_help_suits(doc, ("audiences", name, "help"), audience.help, name)

    def check_brand(self) -> None:
        """The brand: a colour that carries white text at 4.5:1, a logo that is a sound PNG or SVG."""
        brand, doc = self.scope.course.brand, self.scope.doc
        if brand is None:
            return
        if brand.colour:
            problem = colour_problem(brand.colour)
            if problem:
                self.errors.append(doc.error(("brand", "colour"), problem))
        if brand.logo:
            path = self.check_file(doc, ("brand", "logo"), brand.logo, "logo")
            problem = logo_problem(path) if path is not None else None
            if problem:
                self.errors.append(doc.error(("brand", "logo"), f"{brand.logo}: {problem}"))

    def check_local_help(self) -> None:
        """Local help entries: allowed urls, known audiences."""
        scope = self.scope
        for index, entry in enumerate(scope.course.local_help):
            if entry.url:
                self.check_url(scope.doc, ("local_help", index, "url"), entry.url, f"local help '{entry.name}' url")
            self.refs(scope.doc, ("local_help", index, "audiences"), entry.audiences, scope.audiences, "audience",
                      scope.aud_fix)

    def check_help_suits(self, d: Document, loc: Loc, ids: list[str], audience: str) -> None:
        """Help listed for an audience (in course.yaml, a plan or a leaflet) must be meant for that audience."""
        course = self.scope.course
        for i, hid in enumerate(ids):
            if (self.ref(d, loc + (i,), hid, course.help, "help contact", "use a key under 'help'")
                    and audience in course.audiences and audience not in course.help[hid].suitable_for):
                self.errors.append(d.error(
                    loc + (i,), f"help contact '{hid}' is not meant for audience '{audience}' (its "
                    f"suitable_for: {', '.join(course.help[hid].suitable_for)}): "
                    "choose a contact for them"))

    def check_objectives(self) -> None:
        """Learning objectives: unique ids, known audiences."""
        scope = self.scope
        doc = scope.doc
        objectives = scope.course.objectives
        self.duplicates(doc, [(("objectives", i, "id"), o.id) for i, o in enumerate(objectives)], "objective")
        for index, objective in enumerate(objectives):
            self.refs(doc, ("objectives", index, "audiences"), objective.audiences, scope.audiences, "audience",
                      scope.aud_fix)

    def check_modules(self) -> list[str]:
        """Modules and pages: unique ids, known objectives, audiences, scenarios, quizzes, advice and images;
        the assessment quiz exists. Returns the page ids."""
        scope = self.scope
        course, doc = scope.course, scope.doc
        self.duplicates(doc, [(("modules", i, "id"), mod.id) for i, mod in enumerate(course.modules)], "module")
        page_ids: list[tuple[Loc, str]] = []
        for mi, module in enumerate(course.modules):
            base: Loc = ("modules", mi)
            self.refs(doc, base + ("objectives",), module.objectives, scope.objective_ids, "objective",
                      "use the id of a learning objective")
            self.refs(doc, base + ("audiences",), module.audiences, scope.audiences, "audience", scope.aud_fix)
            if module.scenario is not None:
                self.ref(doc, base + ("scenario",), module.scenario, scope.scenarios, "scenario",
                         f"create scenarios/{module.scenario}.yaml or fix the id")
            if module.quiz is not None:
                self.ref(doc, base + ("quiz",), module.quiz, scope.quizzes, "quiz",
                         f"create quizzes/{module.quiz}.yaml or fix the id")
            for pi, page in enumerate(module.pages):
                loc = base + ("pages", pi)
                page_ids.append((loc + ("id",), page.id))
                self.refs(doc, loc + ("teaches",), page.teaches, scope.advice_ids, "advice point", ADVICE_FIX)
                self.refs(doc, loc + ("audiences",), page.audiences, scope.audiences, "audience", scope.aud_fix)
                if page.image is not None:
                    image = self.check_file(doc, loc + ("image", "file"), page.image.file, "image")
                    problem = image_problem(image) if image is not None else None
                    if problem:
                        self.errors.append(doc.error(loc + ("image", "file"), f"{page.image.file}: {problem}"))
        self.duplicates(doc, page_ids, "page")
        self.ref(doc, ("assessment", "quiz"), course.assessment.quiz, scope.quizzes, "quiz",
                 f"create quizzes/{course.assessment.quiz}.yaml or fix the id")
        return [pid for _, pid in page_ids]

    def check_scenario_and_quiz_refs(self) -> None:
        """Scenarios and quizzes name known audiences and advice points."""
        scope = self.scope
        for scenario, sdoc in scope.scenarios.values():
            self.refs(sdoc, ("audiences",), scenario.audiences, scope.audiences, "audience", scope.aud_fix)
            for node_id, node in scenario.nodes.items():
                if isinstance(node, m.DecisionNode):
                    for ci, choice in enumerate(node.choices):
                        self.refs(sdoc, ("nodes", node_id, "choices", ci, "teaches"), choice.teaches,
                                  scope.advice_ids, "advice point", ADVICE_FIX)
                else:
                    self.refs(sdoc, ("nodes", node_id, "teaches"), node.teaches, scope.advice_ids, "advice point",
                              ADVICE_FIX)
        for quiz, qdoc in scope.quizzes.values():
            for qi, question in enumerate(quiz.questions):
                self.refs(qdoc, ("questions", qi, "assesses"), question.assesses, scope.advice_ids,
                          "advice point", ADVICE_FIX)
                self.refs(qdoc, ("questions", qi, "audiences"), question.audiences, scope.audiences, "audience",
                          scope.aud_fix)

    def check_plans(self, page_ids: list[str]) -> dict[str, m.Plan]:
        """The lesson and talk plans: their kind, audience, objectives, help (suitable for the audience),
        citations, the pages, scenarios and quizzes they use, and timings that add up."""
        scope = self.scope
        plans: dict[str, m.Plan] = {}
        for kind in ("lesson", "talk"):
            relative = getattr(scope.course.facilitation, kind)
            if not relative:
                continue
            pdoc = self._load_referenced(scope.doc, ("facilitation", kind), relative, kind)
            if pdoc is None:
                continue
            plan, errors = parse_model(pdoc, m.Plan)
            self.errors += errors
            if plan is None:
                continue
            if plan.kind != kind:
                self.errors.append(pdoc.error(("kind",), f"this file is used as the {kind} plan: set 'kind: {kind}'"))
            self.ref(pdoc, ("audience",), plan.audience, scope.audiences, "audience", scope.aud_fix)
            self.refs(pdoc, ("objectives",), plan.objectives, scope.objective_ids, "objective",
                      "use a learning objective id")
            self.check_help_suits(pdoc, ("help",), plan.help, plan.audience)
            for i, question in enumerate(plan.questions):
                self.check_cites(pdoc, ("questions", i, "cite"), question.cite)
            for ai, activity in enumerate(plan.activities):
                loc = ("activities", ai)
                self.refs(pdoc, loc + ("teaches",), activity.teaches, scope.advice_ids, "advice point", ADVICE_FIX)
                self.refs(pdoc, loc + ("pages",), activity.pages, page_ids, "page", "use a page id from a module")
                if activity.scenario:
                    self.ref(pdoc, loc + ("scenario",), activity.scenario, scope.scenarios, "scenario",
                             "use a scenario id")
                if activity.quiz:
                    self.ref(pdoc, loc + ("quiz",), activity.quiz, scope.quizzes, "quiz", "use a quiz id")
                self.check_activity_time(pdoc, loc, activity, plan.audience, scope.scenarios, scope.quizzes)
            total = sum(a.minutes for a in plan.activities)
            if total != plan.duration_minutes:
                self.errors.append(pdoc.error(("activities",), f"the activities add up to {total} minutes but "
                                              f"duration_minutes is {plan.duration_minutes}: make them agree"))
            plans[kind] = plan
            self.placed[(kind,)] = pdoc
            self.wording_docs.append(pdoc)
        return plans

    def check_leaflets(self) -> dict[str, m.Leaflet]:
        """Leaflets: listed for a known audience and saying so, help suitable for it, known advice points."""
        scope = self.scope
        leaflets: dict[str, m.Leaflet] = {}
        for audience_name, relative in scope.course.facilitation.leaflets.items():
            loc: Loc = ("facilitation", "leaflets", audience_name)
            self.ref(scope.doc, loc, audience_name, scope.audiences, "audience", scope.aud_fix)
            ldoc = self._load_referenced(scope.doc, loc, relative, "leaflet")
            if ldoc is None:
                continue
            leaflet, errors = parse_model(ldoc, m.Leaflet)
            self.errors += errors
            if leaflet is None:
                continue
            if leaflet.audience != audience_name:
                self.errors.append(ldoc.error(("audience",), f"this leaflet is listed for '{audience_name}' but says "
                                              f"audience '{leaflet.audience}': make them agree"))
            self.check_help_suits(ldoc, ("help",), leaflet.help, audience_name)
            self.refs(ldoc, ("teaches",), leaflet.teaches, scope.advice_ids, "advice point", ADVICE_FIX)
            for si, step in enumerate(leaflet.steps):
                self.refs(ldoc, ("steps", si, "teaches"), step.teaches, scope.advice_ids, "advice point", ADVICE_FIX)
            leaflets[audience_name] = leaflet
            self.placed[("leaflets", audience_name)] = ldoc
            self.wording_docs.append(ldoc)
        return leaflets

    def check_unused(self, plans: list[m.Plan | None]) -> None:
        """A scenario or quiz that no module, assessment or plan uses: a warning (an error with --strict)."""
        course = self.scope.course
        used = {mod.scenario for mod in course.modules} | {mod.quiz for mod in course.modules}
        used.add(course.assessment.quiz)
        for plan in plans:
            if plan is not None:
                used |= {a.scenario for a in plan.activities} | {a.quiz for a in plan.activities}
        for kind, items in (("scenario", self.scope.scenarios), ("quiz", self.scope.quizzes)):
            for item_id, (_, idoc) in items.items():
                if item_id not in used:
                    self.warnings.append(idoc.error(("id",), f"{kind} '{item_id}' is not used by any module: "
                                                    f"add 'scenario:'/'quiz:' to a module or delete the file",
                                                    warning=True))

    def _load_referenced(self, doc: Document, loc: Loc, relative: str, what: str) -> Document | None:
        path = self.check_file(doc, loc, relative, what)
        if path is None:
            return None
        loaded, errors = load_yaml(path, self.root)
        self.errors += errors
        return loaded

    def check_url(self, doc: Document, loc: Loc, url: str, what: str) -> None:
        """A url field must use an allowed scheme (see coursekit.inputs)."""
        problem = url_problem(url, what)
        if problem is not None:
            (self.warnings if problem.warning else self.errors).append(
                doc.error(loc, problem.message, warning=problem.warning))

    def check_markdown(self) -> None:
        """Every text of every file: links with a scheme that is not allowed, and markdown images."""
        docs = [d for d in [self.course_doc, *self.files.scenarios, *self.files.quizzes, *self.wording_docs] if d]
        for doc in docs:
            for loc, text in _strings(doc.data, ()):
                if loc and loc[0] == "wording":  # regular expressions, not markdown
                    continue
                for finding in markdown_problems(text):
                    line = doc.line(loc) + finding.line_offset + (1 if loc in doc.blocks else 0)
                    (self.warnings if finding.warning else self.errors).append(
                        ContentError(doc.display, line, finding.message, finding.warning))

    def check_interaction_ids(self, scenarios: dict[str, Any], quizzes: dict[str, Any]) -> None:
        """Two questions or decisions must not share a SCORM interaction id (the LMS would merge them)."""
        seen: dict[str, tuple[str, str]] = {}
        places: list[tuple[str, Document, Loc, str]] = []
        for quiz_id, (quiz, qdoc) in sorted(quizzes.items()):
            for index, question in enumerate(quiz.questions):
                places.append((interaction_id("q", quiz_id, question.id), qdoc, ("questions", index, "id"),
                               f"question '{question.id}' of quiz '{quiz_id}'"))
        for scenario_id, (scenario, sdoc) in sorted(scenarios.items()):
            for node_id, node in scenario.nodes.items():
                if isinstance(node, m.DecisionNode):
                    places.append((interaction_id("s", scenario_id, node_id), sdoc, ("nodes", node_id),
                                   f"node '{node_id}' of scenario '{scenario_id}'"))
        for value, doc, loc, what in places:
            where = f"{doc.display}:{doc.line(loc)}"
            if value in seen:
                first_where, first_what = seen[value]
                self.errors.append(doc.error(
                    loc, f"{what} and {first_what} ({first_where}) both become the SCORM interaction id "
                    f"'{value}' (ids joined by '_', '-' read as '_'): rename one of them"))
            else:
                seen[value] = (where, what)

    def check_language(self, course: m.CourseFile) -> None:
        """The engine writes its own strings (buttons, headings, labels) in a shipped language only."""
        from coursekit.messages import LANGUAGES

        if course.language not in LANGUAGES:
            assert self.course_doc is not None
            self.errors.append(self.course_doc.error(
                ("language",), f"language '{course.language}' has no message catalogue: use one of "
                f"{', '.join(sorted(LANGUAGES))} (see docs/languages.md to add a language)"))

    def check_wording(self, course: m.CourseFile) -> None:
        checker = WordingChecker.from_course(course.wording)
        docs = [d for d in [self.course_doc, *self.files.scenarios, *self.files.quizzes, *self.wording_docs] if d]
        for doc in docs:
            for loc, text in _strings(doc.data, ()):
                if loc and loc[0] in ("wording", "sources", "cite"):
                    continue
                if _is_myth(doc.data, loc):
                    continue
                for offset, message in checker.check(text):
                    line = doc.line(loc) + text.count("\n", 0, offset) + (1 if loc in doc.blocks else 0)
                    self.errors.append(ContentError(doc.display, line, message))

    def comment_warnings(self) -> None:
        """A ` #` after unquoted learner text starts a YAML comment and silently cuts the text: warn, with the
        fix (quotes). Ids, references and keywords are not learner text; a comment after them is fine."""
        docs = [d for d in [self.course_doc, *self.files.scenarios, *self.files.quizzes, *self.wording_docs] if d]
        for doc in docs:
            for loc, comment in sorted(doc.cut_by_comment.items(), key=lambda item: doc.line(item[0])):
                keys = [part for part in loc if isinstance(part, str)]
                if not keys or any(key in NOT_LEARNER_TEXT for key in keys) or keys[0] in ("wording", "sources"):
                    continue
                value = _value_at(doc.data, loc)
                if not isinstance(value, str):
                    continue
                self.warnings.append(doc.error(loc, (
                    f"'{keys[-1]}' reads \"{value}\": the \"{comment}\" after it is a YAML comment, so it is "
                    f"not part of the text; if it belongs to the text, put the whole text in quotes: "
                    f"\"{value} {comment}\""), warning=True))

    def ages_cache(self) -> Path | None:
        """Where measured reading ages are kept: the build cache, once the course has an outputs/ folder."""
        outputs = self.root / "outputs"
        return outputs / ".cache" if outputs.is_dir() else None

    def reading_age_warnings(self, course: m.CourseFile, scenarios: dict[str, Any], quizzes: dict[str, Any]) -> None:
        """Each page, scenario and quiz an audience sees whose reading age is above the audience's
        `reading_age`, hardest first (English only: the formulas count English syllables)."""
        from coursekit import readability

        assert self.course_doc is not None
        targets = {name: a.reading_age for name, a in course.audiences.items() if a.reading_age is not None}
        if not targets:
            return
        if not readability.is_english(course.language):
            first = next(iter(targets))
            self.warnings.append(self.course_doc.error(
                ("audiences", first, "reading_age"),
                f"reading_age is not checked: the reading-age formulas are for English text only, and this "
                f"course's language is '{course.language}'", warning=True))
            return
        docs = {key: value[1] for key, value in {**scenarios, **quizzes}.items()}
        for name, limit in targets.items():
            texts = readability.learner_texts(course, {k: v[0] for k, v in scenarios.items()},
                                              {k: v[0] for k, v in quizzes.items()}, name)
            ages = readability.reading_ages([t.text for t in texts], self.ages_cache())
            measured = sorted(zip(ages, texts, strict=True), key=lambda pair: -pair[0])
            over = [(age, text) for age, text in measured if age > limit]
            for age, text in over[:HARDEST_TEXTS]:
                doc = self.course_doc if text.file == "course" else docs[text.file]
                self.warnings.append(doc.error(text.loc, (
                    f"reading age {age:.1f} of the {text.kind} '{text.id}' is above the {name} audience's "
                    f"reading_age of {limit} ({readability.FORMULA}; English only): use shorter sentences and "
                    "shorter, everyday words"), warning=True))
            if len(over) > HARDEST_TEXTS:
                self.warnings.append(self.course_doc.error(("audiences", name, "reading_age"), (
                    f"{len(over)} texts are above the {name} audience's reading_age of {limit}; the "
                    f"{HARDEST_TEXTS} hardest are listed"), warning=True))

    def coverage_warnings(self, coverage: list[CoverageRow], course: m.Course) -> None:
        assert self.course_doc is not None
        index = {point.id: i for i, point in enumerate(course.advice)}
        for row in coverage:
            loc = ("advice", index[row.advice.id], "id")
            for audience, places in row.taught.items():
                if not places:
                    self.warnings.append(self.course_doc.error(
                        loc, f"advice point '{row.advice.id}' is not taught to '{audience}': add it to a page's "
                        "or a scenario choice's 'teaches'", warning=True))
            for audience, places in row.assessed.items():
                if not places:
                    self.warnings.append(self.course_doc.error(
                        loc, f"advice point '{row.advice.id}' is not assessed for '{audience}': add it to a "
                        "question's 'assesses'", warning=True))


HARDEST_TEXTS = 5  # reading-age warnings listed per audience, hardest first

# Fields whose values are ids, references, keywords or numbers, never text a learner reads.
NOT_LEARNER_TEXT = frozenset({
    "id", "file", "url", "cite", "next", "teaches", "assesses", "audiences", "pattern", "type", "quality",
    "ending", "icon", "phase", "kind", "audience", "from", "protagonist", "start", "language", "version",
    "scenario", "quiz", "lesson", "talk", "help", "suitable_for", "objectives", "pages", "chooser", "targeted",
    "email", "leaflets", "facts_checked", "retrieved", "assessment", "facilitation", "allow",
})


def _value_at(data: Any, loc: Loc) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _strings(data: Any, loc: Loc) -> Iterator[tuple[Loc, str]]:
    if isinstance(data, str):
        yield loc, data
    elif isinstance(data, dict):
        for key, value in data.items():
            if key in ("id", "file", "url", "cite", "next", "teaches", "assesses", "audiences", "pattern"):
                continue
            yield from _strings(value, loc + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, loc + (index,))


def _is_myth(data: Any, loc: Loc) -> bool:
    """A true/false prompt whose answer is false states a myth on purpose, to be corrected."""
    if len(loc) != 3 or loc[0] != "questions" or loc[2] != "prompt" or not isinstance(data, dict):
        return False
    questions = data.get("questions")
    if not isinstance(questions, list) or not isinstance(loc[1], int) or loc[1] >= len(questions):
        return False
    question = questions[loc[1]]
    return isinstance(question, dict) and question.get("type") == "true_false" and question.get("answer") is False


def _reach(start: str, edges: dict[str, list[str]]) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for target in edges.get(queue.popleft(), []):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def compute_coverage(course: m.Course) -> list[CoverageRow]:
    """For each advice point and audience: where it is taught and where it is assessed."""
    rows = {point.id: CoverageRow(point) for point in course.advice}
    for point in course.advice:
        for audience in course.audiences:
            if _in_audience(point.audiences, audience):
                rows[point.id].taught[audience] = []
                rows[point.id].assessed[audience] = []

    def add(kind: str, advice_ids: list[str], audience: str, place: str) -> None:
        for advice_id in advice_ids:
            bucket = getattr(rows[advice_id], kind)
            if audience in bucket and place not in bucket[audience]:
                bucket[audience].append(place)

    for audience in course.audiences:
        quizzes = {course.assessment.quiz}
        for module in course.modules:
            if not _in_audience(module.audiences, audience):
                continue
            for page in module.pages:
                if _in_audience(page.audiences, audience):
                    add("taught", page.teaches, audience, f"page {module.id}/{page.id}")
            if module.scenario and _in_audience(course.scenarios[module.scenario].audiences, audience):
                scenario = course.scenarios[module.scenario]
                for node in scenario.nodes.values():
                    teaches = ([a for c in node.choices for a in c.teaches] if isinstance(node, m.DecisionNode)
                               else node.teaches)
                    add("taught", teaches, audience, f"scenario {scenario.id}")
            if module.quiz:
                quizzes.add(module.quiz)
        for quiz_id in sorted(quizzes):
            for question in course.quizzes[quiz_id].questions:
                if _in_audience(question.audiences, audience) and scored(question):
                    add("assessed", question.assesses, audience, f"quiz {quiz_id}/{question.id}")
    return list(rows.values())


def validate_course(root: Path, *, strict: bool = False, today: _dt.date | None = None) -> Validated:
    """Load and validate the course under `root`, collecting every error (`today`: for the facts' age)."""
    return _Checker(find_and_load(root), today).run(strict)


def validate_folder(root: Path, *, strict: bool = False) -> Validated:
    """Validate the course under `root`, or say how to point at one (UserError) when it is not a folder."""
    if not root.is_dir():
        raise UserError(f"no course folder at {root}: pass --course with the folder that holds course/course.yaml")
    return validate_course(root, strict=strict)


def load_course(root: Path, *, strict: bool = False) -> m.Course:
    """Validate and return the course, or raise ContentErrors with every problem."""
    result = validate_course(root, strict=strict)
    if result.course is None:
        raise ContentErrors(result.errors or [ContentError(display_path(root, root), 1, "the course is not valid")])
    return result.course
