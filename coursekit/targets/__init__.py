"""Output targets. A target gets a BuildContext (a validated Course, never YAML) and writes through it."""

from __future__ import annotations

import importlib
import os
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coursekit.model import Course
from coursekit.positions import DEFAULT_FILE, SourceMap

if TYPE_CHECKING:
    from coursekit.cache import Document


@dataclass
class BuildContext:
    """What a target builds from and writes through: the course, the audiences, its staging folder,
    a record of the files it wrote, a warning channel, and the YAML file:line of any model object.

    Plain data, so it pickles to worker processes (a target that fans out merges the copies back with
    `merge`)."""

    course: Course
    audiences: tuple[str, ...]
    out: Path
    sources: SourceMap = field(default_factory=SourceMap)
    target: str = ""
    written: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Notices: what a format cannot carry by design (e.g. a question type Kahoot lacks). Printed, listed in
    # the output itself, never an error: --strict is for the author's mistakes, not for a format's limits.
    notes: list[str] = field(default_factory=list)
    # For targets that describe the others (the pack page): each other target's folder as it will be
    # after this build (its staging folder when rebuilt now, else what is already in outputs/).
    others: dict[str, Path] = field(default_factory=dict)
    cache: Path | None = None  # the incremental-build cache folder (None: render everything)
    reused: list[Path] = field(default_factory=list)  # written files that were copied from the cache
    progress: Path | None = None  # where each document's state is logged for the live display (None: not shown)
    keys: list[str] = field(default_factory=list)  # cache keys of the documents this build made or copied

    def report(self, document: str, state: str) -> None:
        """Log a document's state ("rendering", "done", "copied", "failed") for the live build display."""
        if self.progress is None:
            return
        line = f"{self.target}\t{document}\t{state}\n".encode()
        try:  # one short O_APPEND write per line: lines from parallel workers never mix
            handle = os.open(self.progress, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(handle, line)
            finally:
                os.close(handle)
        except OSError:
            pass  # the display is a nicety; the build goes on without it

    def path(self, rel: str | Path) -> Path:
        """The path of `rel` inside the staging folder (parents created), recorded as written: for files
        a library writes itself (WeasyPrint, python-pptx, a zip)."""
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if path not in self.written:
            self.written.append(path)
        return path

    def write_text(self, rel: str | Path, text: str) -> Path:
        """Write UTF-8 text (LF line ends on every machine) to `rel`; return its path."""
        path = self.path(rel)
        path.write_text(text, "utf-8", newline="\n")
        return path

    def write_bytes(self, rel: str | Path, data: bytes) -> Path:
        """Write bytes to `rel`; return its path."""
        path = self.path(rel)
        path.write_bytes(data)
        return path

    def where(self, obj: Any, *fields: str | int) -> str:
        """The YAML file:line of a model object (then of `fields` inside it), e.g. "quizzes/final.yaml:41";
        "course/course.yaml" when it is not known."""
        if obj is None:
            return DEFAULT_FILE
        return self.sources.where(self.course, obj, *fields)

    def warn(self, message: str, obj: Any = None, *fields: str | int) -> None:
        """Report a warning (the pipeline prints it; --strict makes it an error), located at `obj` if given."""
        prefix = f"{self.where(obj, *fields)}: " if obj is not None else (f"{self.target}: " if self.target else "")
        self.warnings.append(f"{prefix}warning: {message}")

    def note(self, message: str, obj: Any = None, *fields: str | int) -> None:
        """Report a notice (printed; never an error, even with --strict), located at `obj` if given."""
        prefix = f"{self.where(obj, *fields)}: " if obj is not None else (f"{self.target}: " if self.target else "")
        self.notes.append(f"{prefix}note: {message}")

    def document(self, name: str, *inputs: Any, only: str = "") -> Document:
        """One output document, rendered only when `inputs` changed (else its files come from the cache):

            with ctx.document("leaflet", html) as doc:
                if not doc.hit:
                    ...write it through ctx...

        Its files are those written inside the `with`; `only` (a glob relative to `out`) narrows them when
        several documents are rendered together."""
        from coursekit.cache import Document

        return Document(self, name, inputs, only)

    def merge(self, other: BuildContext) -> None:
        """Take over what a copy of this context (e.g. in a worker process) wrote and warned."""
        self.written += [path for path in other.written if path not in self.written]
        self.reused += [path for path in other.reused if path not in self.reused]
        self.keys += [key for key in other.keys if key not in self.keys]
        self.warnings += [warning for warning in other.warnings if warning not in self.warnings]
        self.notes += [note for note in other.notes if note not in self.notes]

    def relative_files(self) -> tuple[str, ...]:
        """The written files, relative to `out`, sorted."""
        return tuple(sorted({p.relative_to(self.out).as_posix() for p in self.written if p.is_file()}))


class Target(ABC):
    """One output format. Subclasses set `name`, `description` and implement `build`."""

    name: str = ""
    description: str = ""

    @abstractmethod
    def build(self, ctx: BuildContext) -> None:
        """Write this target's files for `ctx.audiences` through `ctx`."""


# name -> "module:Class". Imported lazily so `coursekit validate` never loads WeasyPrint or python-pptx.
TARGETS: dict[str, str] = {
    "coverage": "coursekit.targets.coverage:CoverageTarget",
    "web": "coursekit.targets.web:WebTarget",
    "scorm12": "coursekit.targets.scorm:Scorm12Target",
    "scorm2004": "coursekit.targets.scorm:Scorm2004Target",
    "print": "coursekit.targets.print:PrintTarget",
    "slides": "coursekit.targets.slides:SlidesTarget",
    "quizbank": "coursekit.targets.quizbank:QuizbankTarget",
    # Always last: the pack's front page lists what the others wrote (see ROOT_TARGETS).
    "pack": "coursekit.targets.pack:PackTarget",
}

# Targets whose files go to the root of outputs/ (outputs/index.html), built after all the others.
ROOT_TARGETS: frozenset[str] = frozenset({"pack"})


def load_target(name: str) -> Target:
    """Import and instantiate the target registered as `name`."""
    module_name, class_name = TARGETS[name].split(":")
    target: Target = getattr(importlib.import_module(module_name), class_name)()
    assert target.name == name, f"target {TARGETS[name]} calls itself {target.name!r}, registered as {name!r}"
    return target


def run_target(target: Target, course: Course, out: Path, audiences: Sequence[str], *,
               sources: SourceMap | None = None) -> BuildContext:
    """Build `target` into `out` (created if missing) and return its context (files written, warnings)."""
    out.mkdir(parents=True, exist_ok=True)
    ctx = BuildContext(course, tuple(audiences), out, sources or SourceMap(), target=target.name)
    target.build(ctx)
    return ctx
