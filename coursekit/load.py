"""Stage 1: find the course files and load YAML safely, remembering the line of every node."""

from __future__ import annotations

import datetime as _dt
import re
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
# Characters YAML refuses (C0 controls but tab/LF/CR, DEL, C1 but NEL, surrogates, U+FFFE/FFFF): found
# before parsing, so each is reported on its own line rather than as a character offset.
_FORBIDDEN_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_CHAR_NAMES = {"\x00": "a NUL byte", "\x1b": "an escape character (ESC)", "\x7f": "a DEL character"}
# Files editors and operating systems leave beside a course file; never course content.
_LEFTOVER = re.compile(r"^(\.|#|~)|(~|\.sw[a-p]|\.bak|\.orig|\.tmp)$", re.IGNORECASE)


def is_leftover(name: str) -> bool:
    """True for editor/OS leftovers (.#x.yaml, ._x.yaml, .x.yaml.swp, x.yaml~, .DS_Store, #x.yaml#)."""
    return bool(_LEFTOVER.search(name))


def inside(path: Path, root: Path) -> bool:
    """True when `path`, with every symlink followed, is inside the course folder `root`."""
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def outside_error(path: Path, root: Path, what: str = "file") -> ContentError:
    """The error for a course file that is (or links to) something outside the course folder."""
    return ContentError(display_path(path, root), 1,
                        f"this {what} is a link to something outside the course folder: coursekit reads nothing "
                        "outside it; copy the file into the course folder instead of linking to it")


def _line_at(data: bytes | str, offset: int) -> int:
    if isinstance(data, bytes):
        return data[:offset].count(b"\n") + 1
    return data[:offset].count("\n") + 1


def _char_name(char: str) -> str:
    return _CHAR_NAMES.get(char, f"the control character U+{ord(char):04X}")


def decode_text(path: Path, root: Path) -> tuple[str | None, list[ContentError]]:
    """A course text file as UTF-8 without control characters, or the errors (file:line) that stop it."""
    display = display_path(path, root)
    if not inside(path, root):
        return None, [outside_error(path, root)]
    if path.is_dir():
        return None, [ContentError(display, 1, "this is a folder, not a file: rename the folder or move it "
                                   "out of the course")]
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [ContentError(
                display, 1, f"the file is {size:,} bytes; course files must be under {MAX_FILE_BYTES:,} bytes: "
                "split it into several files")]
        data = path.read_bytes()
    except OSError as exc:
        return None, [ContentError(display, 1, f"cannot read the file ({exc.strerror or exc})")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        byte = data[exc.start]
        guess = data[exc.start:exc.start + 1].decode("cp1252", errors="replace")
        return None, [ContentError(
            display, _line_at(data, exc.start),
            f"the file is not UTF-8 text: byte 0x{byte:02X} (perhaps '{guess}' saved as Latin-1/Windows-1252); "
            "save the file as UTF-8 in your editor")]
    errors = []
    for match in _FORBIDDEN_CHAR.finditer(text):
        errors.append(ContentError(display, _line_at(text, match.start()),
                                   f"the text holds {_char_name(match.group())}, which is not allowed: delete it "
                                   "(it is invisible in most editors; retype the line)"))
    if errors:
        return None, errors
    return text.lstrip("\ufeff"), []


@dataclass
class Document:
    """A loaded YAML file: plain data plus the line of every node."""

    path: Path
    display: str
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    blocks: set[Loc] = field(default_factory=set)  # block scalars: their text starts a line below
    refused: set[Loc] = field(default_factory=set)  # values the loader refused (already reported)
    # Plain (unquoted) scalars followed by " #" on their last line: YAML read the rest as a comment.
    cut_by_comment: dict[Loc, str] = field(default_factory=dict)

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


def _bad_scalar(node: yaml.ScalarNode, exc: Exception) -> str:
    if node.tag.endswith(":timestamp"):
        return (f"'{node.value}' is not a real date ({exc}): write an existing date as YYYY-MM-DD, "
                "e.g. 2025-11-01")
    return f"cannot read the value '{node.value[:40]}' ({exc}): put it in quotes if it is text"


class _Converter:
    """Turns composed YAML nodes into plain Python data, recording lines and refusing tricks."""

    def __init__(self, doc: Document, text: str = "") -> None:
        self.doc = doc
        self.count = 0
        self.errors: list[ContentError] = []
        self.source_lines = text.splitlines()

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
        elif not node.style and node.tag.endswith(":str"):  # plain: None (PyYAML) or "" (libyaml)
            self._comment_after(node, loc)
        try:
            value = _SCALARS.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            self.errors.append(ContentError(self.doc.display, line, _bad_scalar(node, exc)))
            self.doc.refused.add(loc)
            return None
        if isinstance(value, _dt.datetime):
            return value.date() if node.tag.endswith("timestamp") and "T" not in node.value else value
        return value

    def _comment_after(self, node: yaml.ScalarNode, loc: Loc) -> None:
        """Remember a plain scalar that a " #" comment follows on the same line ("Ticket #1234" → "Ticket")."""
        end = node.end_mark
        if end.line < len(self.source_lines):
            rest = self.source_lines[end.line][end.column:]
            if rest[:1] in (" ", "\t") and rest.lstrip().startswith("#"):
                self.doc.cut_by_comment[loc] = rest.strip()

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
            if key_node.tag not in _ALLOWED_TAGS:
                self.errors.append(ContentError(
                    self.doc.display, key_line,
                    f"the YAML tag '{key_node.tag}' on a key is not allowed: keys are plain words; remove the tag"))
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
    text, problems = decode_text(path, root)
    if text is None:
        return None, problems
    doc = Document(path=path, display=display, data=None)
    try:
        nodes = list(yaml.compose_all(text, Loader=_LOADER))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or "invalid YAML"
        if exc.context_mark is not None and "quoted scalar" in (exc.context or ""):
            # The scanner only notices at the end of the file; the mistake is where the quote opened.
            quote = "'" if text[exc.context_mark.index:exc.context_mark.index + 1] == "'" else '"'
            return None, [ContentError(display, exc.context_mark.line + 1,
                                       f"the quote {quote} opened on this line is never closed: add the closing "
                                       f"{quote} at the end of the text")]
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
    converter = _Converter(doc, text)
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
            if is_leftover(path.name) or path.suffix not in (".yaml", ".yml"):
                continue
            doc, found = load_yaml(path, root)
            errors += found
            if doc is not None:
                docs.append(doc)
            else:
                broken.add(path.stem)
    return CourseFiles(root, course, lists["scenarios"], lists["quizzes"], errors, broken)
