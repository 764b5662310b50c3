"""Where each model object came from: its YAML file and line, for messages that targets raise.

Validation knows the line of every YAML node; targets only see the model. `SourceMap` keeps, per file,
the lines of its nodes keyed by their path from the file's root, and where that file sits in the
`Course` (e.g. `("quizzes", "final")`). It is plain data, so it pickles to worker processes; each
process walks its own copy of the course once to find an object's path (`id()` is per process).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

Loc = tuple[str | int, ...]

DEFAULT_FILE = "course/course.yaml"


@dataclass(frozen=True)
class FileLines:
    """The lines of one YAML file's nodes (paths use the YAML keys, i.e. field aliases)."""

    display: str
    lines: dict[Loc, int]
    blocks: frozenset[Loc] = frozenset()  # block scalars: their text starts one line below the key

    def line(self, loc: Loc) -> int:
        """The line of the node at `loc`, or of its nearest parent that has one."""
        while loc:
            if loc in self.lines:
                return self.lines[loc] + (1 if loc in self.blocks else 0)
            loc = loc[:-1]
        return self.lines.get((), 1)


@dataclass
class SourceMap:
    """Model path prefix (e.g. `("quizzes", "final")`, `()` for course.yaml) → that file's lines."""

    files: dict[Loc, FileLines] = field(default_factory=dict)
    _paths: dict[int, Loc] | None = field(default=None, repr=False, compare=False)
    _root: int = field(default=0, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        # Object ids mean nothing in another process: only the file lines travel.
        return {"files": self.files}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.files = state["files"]
        self._paths, self._root = None, 0

    def _index(self, course: Any) -> dict[int, Loc]:
        if self._paths is None or self._root != id(course):
            paths: dict[int, Loc] = {}
            _walk(course, (), paths)
            self._paths, self._root = paths, id(course)
        return self._paths

    def path_of(self, course: Any, obj: Any) -> Loc | None:
        """The model path of `obj` inside `course` (None if it is not part of it)."""
        paths = self._index(course)
        found = paths.get(id(obj))
        if found is not None:
            return found
        # A copy made for one audience (e.g. a quiz filtered to its questions): find it by kind and id.
        ident = getattr(obj, "id", None)
        if isinstance(obj, BaseModel) and isinstance(ident, str):
            for collection in ("quizzes", "scenarios"):
                original = getattr(course, collection, {}).get(ident)
                if original is not None and type(original) is type(obj):
                    return (collection, ident)
        return None

    def where(self, course: Any, obj: Any, *fields: str | int) -> str:
        """"quizzes/final.yaml:41" for `obj` (then `fields` inside it); the course file if unknown."""
        path = self.path_of(course, obj) if obj is not course else ()
        if path is None:
            return DEFAULT_FILE
        path = path + tuple(fields)
        prefix = max((p for p in self.files if path[:len(p)] == p), key=len, default=None)
        if prefix is None:
            return DEFAULT_FILE
        lines = self.files[prefix]
        return f"{lines.display}:{lines.line(path[len(prefix):])}"


def _walk(value: Any, path: Loc, paths: dict[int, Loc]) -> None:
    if isinstance(value, BaseModel):
        paths.setdefault(id(value), path)
        for name, info in type(value).model_fields.items():
            _walk(getattr(value, name), path + (info.alias or name,), paths)
    elif isinstance(value, list):
        paths.setdefault(id(value), path)
        for index, item in enumerate(value):
            _walk(item, path + (index,), paths)
    elif isinstance(value, dict):
        paths.setdefault(id(value), path)
        for key, item in value.items():
            _walk(item, path + (key,), paths)
