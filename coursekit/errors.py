"""Errors an author can fix (reported as file:line) versus internal bugs (left as exceptions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class ContentError:
    """One author mistake: where it is and what to do about it."""

    path: str
    line: int
    message: str
    warning: bool = field(default=False, compare=False)

    def __str__(self) -> str:
        kind = "warning: " if self.warning else ""
        return f"{self.path}:{self.line}: {kind}{self.message}"


class ContentErrors(Exception):
    """Raised when the content has one or more errors; carries all of them."""

    def __init__(self, errors: list[ContentError]) -> None:
        self.errors = sorted(set(errors))
        super().__init__("\n".join(str(error) for error in self.errors))


class UserError(Exception):
    """A mistake in how coursekit was called (bad option, missing folder): exit 2, no traceback."""


class BuildError(Exception):
    """A target cannot build this content (e.g. state too large for SCORM 1.2): exit 2."""


def display_path(path: Path, root: Path) -> str:
    """The path as the author should see it: relative to the course folder where possible."""
    for candidate, base in ((path.absolute(), root.absolute()), (path.resolve(), root.resolve())):
        try:  # unresolved first: a symlink is named where the author put it, not where it points
            return candidate.relative_to(base).as_posix()
        except ValueError:
            continue
    return path.as_posix()
