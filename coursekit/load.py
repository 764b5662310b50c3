"""Stage 1: find the course files and load YAML safely, remembering the line of every node."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from coursekit.errors import ContentError, display_path

MAX_FILE_BYTES = 1_000_000  # a course file is prose; anything bigger is a mistake or an attack
MAX_NODES = 200_000  # caps alias/anchor expansion ("billion laughs")
MAX_DEPTH = 64

Loc = tuple[str | int, ...]

# Only plain data: a tag that would construct an object is refused.
_ALLOWED_TAGS = {
    "tag:yaml.org,2002:" + name for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}
_SCALARS = yaml.SafeLoader("")  # used only for its scalar resolution/construction
# libyaml's parser is about 10x faster; both report the same marks and errors.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Document:
    """A loaded YAML file: plain data plus the line of every node."""

    path: Path
    display: str
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    blocks: set[Loc] = field(default_factory=set)  # block scalars: their text starts a line below
    refused: set[Loc] = field(default_factory=set)  # values the loader refused (already reported)

    def line(self, loc: Loc) -> int:
        """The line of the node at `loc`, or of its nearest parent that has one."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), 1)

    def error(self, loc: Loc, message: str, *, warning: bool = False) -> ContentError:
        """A ContentError located at `loc` in this file."""
        return ContentError(self.display, self.line(loc), message, warning)


class _TooBig(Exception):
    pass


class _Converter:
    """Turns composed YAML nodes into plain Python data, recording lines and refusing tricks."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.count = 0
        self.errors: list[ContentError] = []

    def convert(self, node: yaml.Node, loc: Loc, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig(f"more than {MAX_NODES} values (are anchors/aliases expanding?)")
        if depth > MAX_DEPTH:
            raise _TooBig(f"nested more than {MAX_DEPTH} levels deep")
        line = node.start_mark.line + 1
        self.doc.lines.setdefault(loc, line)
        if node.tag not in _ALLOWED_TAGS:
            self.errors.append(ContentError(
                self.doc.display, line,
                f"the YAML tag '{node.tag}' is not allowed: course files hold plain text, "
                "numbers, lists and mappings; remove the tag"))
            self.doc.refused.add(loc)
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, loc + (index,), depth + 1) for index, item in enumerate(node.value)]
        if node.style in ("|", ">"):
            self.doc.blocks.add(loc)
        value = _SCALARS.construct_object(node, deep=True)
        if isinstance(value, _dt.datetime):
            return value.date() if node.tag.endswith("timestamp") and "T" not in node.value else value
        return value

    def _mapping(self, node: yaml.MappingNode, loc: Loc, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_line: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.errors.append(ContentError(
                    self.doc.display, key_line,
                    "merge keys ('<<') are not supported: write the fields out in full"))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.errors.append(ContentError(
                    self.doc.display, key_line, "a mapping key must be a plain word, not a list or mapping"))
                continue
            key = _SCALARS.construct_object(key_node)
            if not isinstance(key, str):
                # `yes:`/`no:`/`1:` become bool/int in YAML; ids are text.
                key = key_node.value
            if key in first_line:
                self.errors.append(ContentError(
                    self.doc.display, key_line,
                    f"duplicate key '{key}' (first given on line {first_line[key]}): keep one of them"))
                continue
            first_line[key] = key_line
            self.doc.lines[loc + (key,)] = key_line
            result[key] = self.convert(value_node, loc + (key,), depth + 1)
        return result


def load_yaml(path: Path, root: Path) -> tuple[Document | None, list[ContentError]]:
    """Load one YAML file safely; return the document (None if unusable) and any errors."""
    display = display_path(path, root)
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, [ContentError(display, 1, f"cannot read the file ({exc.strerror})")]
    if size > MAX_FILE_BYTES:
        return None, [ContentError(
            display, 1, f"the file is {size:,} bytes; course files must be under {MAX_FILE_BYTES:,} bytes: "
            "split it into several files")]
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [ContentError(display, 1, f"the file is not UTF-8 text (byte {exc.start}): save it as UTF-8")]
    doc = Document(path=path, display=display, data=None)
    try:
        nodes = list(yaml.compose_all(text, Loader=_LOADER))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or "invalid YAML"
        context = f" {exc.context}" if exc.context else ""
        return None, [ContentError(display, line, f"YAML syntax error: {problem}{context}; check indentation, "
                                   "colons and quotes on this line and the one before")]
    except yaml.YAMLError as exc:
        return None, [ContentError(display, 1, f"YAML error: {exc}")]
    except RecursionError:
        return None, [ContentError(display, 1, "the YAML is nested too deeply to read")]
    if len(nodes) > 1:
        return None, [ContentError(display, nodes[1].start_mark.line + 1,
                                   "the file holds more than one YAML document ('---'): use one per file")]
    if not nodes or nodes[0] is None:
        return None, [ContentError(display, 1, "the file is empty: it should hold a mapping of fields")]
    converter = _Converter(doc)
    try:
        doc.data = converter.convert(nodes[0], (), 0)
    except _TooBig as exc:
        return None, [ContentError(display, 1, f"refused: {exc}; write the content out plainly")]
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
        return None, [ContentError(display, 1, f"cannot read a value: {exc}")]
    if not isinstance(doc.data, dict):
        return None, converter.errors + [ContentError(
            display, doc.line(()), "the file should hold a mapping of fields (key: value), "
            f"not {type(doc.data).__name__}")]
    return doc, converter.errors


@dataclass
class CourseFiles:
    """Every file of a course, loaded."""

    root: Path
    course: Document | None
    scenarios: list[Document]
    quizzes: list[Document]
    errors: list[ContentError]
    broken: set[str] = field(default_factory=set)  # stems of files that could not be read


def find_and_load(root: Path) -> CourseFiles:
    """Load course/course.yaml, scenarios/*.yaml and quizzes/*.yaml under `root`."""
    errors: list[ContentError] = []
    course_path = root / "course" / "course.yaml"
    course: Document | None = None
    if not course_path.is_file():
        errors.append(ContentError(
            display_path(course_path, root), 1,
            "no course file: create course/course.yaml (see the README for a complete example)"))
    else:
        course, found = load_yaml(course_path, root)
        errors += found
    lists: dict[str, list[Document]] = {"scenarios": [], "quizzes": []}
    broken: set[str] = set()
    for folder, docs in lists.items():
        for path in sorted((root / folder).glob("*.y*ml")) if (root / folder).is_dir() else []:
            doc, found = load_yaml(path, root)
            errors += found
            if doc is not None:
                docs.append(doc)
            else:
                broken.add(path.stem)
    return CourseFiles(root, course, lists["scenarios"], lists["quizzes"], errors, broken)
