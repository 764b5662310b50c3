"""Incremental builds: a content hash of exactly what an output depends on, and a cache of outputs by that hash.

Two levels. A target's key hashes the engine (every file of the coursekit package), the target, the audiences,
the validated course and the files it points at (images), and the environment that changes bytes
(SOURCE_DATE_EPOCH): when it matches, the target's files are copied from the cache and no worker runs. Inside
a target, a document's key hashes what its slow step renders (the HTML WeasyPrint lays out, the deck
LibreOffice draws): only the documents whose input changed are rendered again.

The cache lives in <out>/.cache/. Every entry lists the SHA-256 of its files and is checked before use, so a
deleted, partial or corrupted cache only costs time: the output is rebuilt, never taken from a bad entry.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import fields, is_dataclass
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from pydantic import BaseModel

CACHE_DIR = ".cache"
PACKAGE = Path(__file__).resolve().parent
ENV_KEYS = ("SOURCE_DATE_EPOCH",)


def cache_root(out: Path) -> Path:
    """The cache folder of an output folder."""
    return out / CACHE_DIR


# Libraries whose version can change an output's bytes.
LIBRARIES = ("weasyprint", "pydyf", "tinycss2", "cssselect2", "fonttools", "python-pptx", "pillow", "lxml",
             "jinja2", "markdown-it-py", "nh3", "cairosvg", "heroicons", "openpyxl", "segno", "pydantic", "brotli",
             "calmjs.parse", "rcssmin")


@cache
def engine_hash() -> str:
    """A hash of every file of the installed coursekit package (code, templates, player, rules), the versions
    of the libraries that shape output bytes, and the theme's font files."""
    from importlib.metadata import PackageNotFoundError, version

    from coursekit.theme import FONT_FILES

    digest = hashlib.sha256()
    for library in LIBRARIES:
        try:
            digest.update(f"{library}=={version(library)}\n".encode())
        except PackageNotFoundError:
            digest.update(f"{library} missing\n".encode())
    for font in sorted(FONT_FILES.values()):
        path = Path(font)
        stat = path.stat() if path.exists() else None
        digest.update(f"{font}:{stat.st_size if stat else -1}:{stat.st_mtime_ns if stat else -1}\n".encode())
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _feed(digest: Any, value: Any) -> None:
    """Add a value to a hash, the same way on every run (models as JSON, files by their bytes)."""
    if isinstance(value, BaseModel):
        digest.update(b"M" + value.model_dump_json(round_trip=True).encode())
    elif is_dataclass(value) and not isinstance(value, type):
        digest.update(b"D" + type(value).__name__.encode())
        for item in fields(value):
            _feed(digest, getattr(value, item.name))
    elif isinstance(value, Path):
        digest.update(b"P" + value.as_posix().encode() + b"\0")
        if value.is_file():
            digest.update(hashlib.sha256(value.read_bytes()).digest())
        elif value.is_dir():
            for child in sorted(value.rglob("*")):
                if child.is_file():
                    _feed(digest, child)
    elif isinstance(value, bytes):
        digest.update(b"B" + str(len(value)).encode() + b"\0" + value)
    elif isinstance(value, str):
        digest.update(b"S" + str(len(value)).encode() + b"\0" + value.encode())
    elif isinstance(value, dict):
        digest.update(b"{")
        for key in sorted(value, key=repr):
            _feed(digest, key)
            _feed(digest, value[key])
        digest.update(b"}")
    elif isinstance(value, set | frozenset):
        _feed(digest, sorted(value, key=repr))
    elif isinstance(value, list | tuple):
        digest.update(b"[")
        for item in value:
            _feed(digest, item)
        digest.update(b"]")
    elif value is None or isinstance(value, bool | int | float):
        digest.update(b"V" + repr(value).encode())
    else:
        raise TypeError(f"cannot hash a {type(value).__name__} as a build input")


def fingerprint(*inputs: Any) -> str:
    """The content hash of `inputs`, with the engine's own hash and the environment that changes output bytes."""
    digest = hashlib.sha256()
    _feed(digest, [engine_hash(), {key: os.environ.get(key) for key in ENV_KEYS}, list(inputs)])
    return digest.hexdigest()


def course_files(course: Any) -> list[Path]:
    """Files the course points at besides its YAML (page images, the brand's logo), which a target copies or
    embeds."""
    root = Path(course.root)
    files = {root / page.image.file for module in course.modules for page in module.pages if page.image is not None}
    if course.brand is not None and course.brand.logo:
        files.add(root / course.brand.logo)
    return sorted(files)


def target_key(name: str, course: Any, audiences: Iterable[str], sources: Any = None) -> str:
    """The key of a whole target's output (the YAML lines too: its warnings name them)."""
    lines = getattr(sources, "files", None)
    return fingerprint("target", name, list(audiences), course.model_copy(update={"root": "."}),
                       course_files(course), lines)


def course_shell(course: Any) -> Any:
    """The course without its scenarios, quizzes, plans and leaflets: what every document shows of it
    (title, version, help, advice, modules); a document's key adds the parts it shows itself."""
    return course.model_copy(update={"root": ".", "scenarios": {}, "quizzes": {}, "lesson": None, "talk": None,
                                     "leaflets": {}})


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def view_inputs(view: Any) -> list[Any]:
    """What an audience view shows: the course shell and the view's own parts (its modules' scenarios and
    quizzes, help, assessment, leaflet, plans), without the whole course behind it."""
    return [course_shell(view.course)] + [getattr(view, item.name) for item in fields(view) if item.name != "course"]


def lines_of(sources: Any, *kinds: str) -> dict[Any, Any]:
    """The YAML lines of the files of these kinds ("quizzes", "scenarios"; all files when none): a document
    whose warnings name lines must be redone when they move."""
    files = getattr(sources, "files", {}) or {}
    return {loc: lines for loc, lines in files.items() if not kinds or (loc[:1] and loc[0] in kinds)}


def deck_inputs(course: Any, plan: Any) -> list[Any]:
    """What a plan's slide deck shows: the plan, its audience's view, the scenarios and quizzes it plays."""
    from coursekit.view import audience_view

    played = [course.scenarios.get(a.scenario) for a in plan.activities if a.scenario]
    played += [course.quizzes.get(a.quiz) for a in plan.activities if a.quiz]
    return [plan, view_inputs(audience_view(course, plan.audience)), played, course_files(course)]


class Store:
    """Folders of files kept by key under one cache folder, checked before they are used."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _entry(self, kind: str, key: str) -> Path:
        return self.root / kind / key[:2] / key

    def restore(self, kind: str, key: str, dest: Path) -> tuple[list[Path], dict[str, Any]] | None:
        """Copy the entry's files into `dest`; (their paths, the entry's notes), or None if it is missing or
        damaged (a file changed, missing or unreadable)."""
        entry = self._entry(kind, key)
        try:
            record = json.loads((entry / "files.json").read_text("utf-8"))
            listed: dict[str, str] = record["files"]
            meta: dict[str, Any] = record["meta"]
            if not all(_sha(entry / "files" / rel) == sha for rel, sha in listed.items()):
                return None
        except (OSError, ValueError, TypeError, AttributeError, KeyError):
            return None
        written = []
        for rel in sorted(listed):
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(entry / "files" / rel, target)
            written.append(target)
        return written, meta

    def store(self, kind: str, key: str, base: Path, files: Iterable[Path], meta: dict[str, Any] | None = None) -> None:
        """Keep copies of `files` (under `base`) as the entry for `key`; an entry appears whole or not at all."""
        entry = self._entry(kind, key)
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            scratch = Path(tempfile.mkdtemp(prefix=f".{key[:8]}-", dir=entry.parent))
            listed = {}
            for path in files:
                rel = path.relative_to(base).as_posix()
                copy = scratch / "files" / rel
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, copy)
                listed[rel] = _sha(copy)
            record = {"files": listed, "meta": meta or {}}
            (scratch / "files.json").write_text(json.dumps(record, indent=1, sort_keys=True), "utf-8")
            if entry.exists():
                shutil.rmtree(entry, ignore_errors=True)
            scratch.rename(entry)
        except OSError:  # a cache that cannot be written only costs time next build
            if "scratch" in locals():
                shutil.rmtree(scratch, ignore_errors=True)

    def prune(self, kind: str, keep: set[str]) -> None:
        """Drop this kind's entries except `keep` (the cache holds the last build, not every build)."""
        folder = self.root / kind
        if not folder.is_dir():
            return
        for entry in folder.glob("*/*"):
            if entry.name not in keep:
                shutil.rmtree(entry, ignore_errors=True)


class Document:
    """One output document inside a target: restored from the cache when its inputs are unchanged
    (files and the warnings it gave), else rendered by the `with` body and then stored."""

    def __init__(self, ctx: Any, name: str, inputs: tuple[Any, ...], only: str = "", *, report: bool = True) -> None:
        self.ctx = ctx
        self.name = name
        self.only = only
        self.report = report  # False: a probe (is it in the cache?) that renders nothing itself
        self.key = fingerprint("document", ctx.target, name, list(inputs)) if ctx.cache is not None else ""
        self.hit = False
        self.meta: dict[str, Any] = {}
        self._written = 0
        self._warnings = 0
        self._notes = 0

    @property
    def kind(self) -> str:
        return f"documents/{self.ctx.target}"

    def __enter__(self) -> Self:
        self._written, self._warnings = len(self.ctx.written), len(self.ctx.warnings)
        self._notes = len(self.ctx.notes)
        if self.key:
            self.ctx.keys.append(self.key)
            restored = Store(self.ctx.cache).restore(self.kind, self.key, self.ctx.out)
            if restored is not None:
                files, self.meta = restored
                self.ctx.written += [path for path in files if path not in self.ctx.written]
                self.ctx.reused += [path for path in files if path not in self.ctx.reused]
                self.ctx.warnings += [w for w in self.meta.get("warnings", []) if w not in self.ctx.warnings]
                self.ctx.notes += [n for n in self.meta.get("notes", []) if n not in self.ctx.notes]
                self.hit = True
        if self.report:
            self.ctx.report(self.name, "copied" if self.hit else "rendering")
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        if self.report and not self.hit:
            self.ctx.report(self.name, "failed" if kind is not None else "done")
        if kind is not None or self.hit or not self.key:
            return
        files = [path for path in self.ctx.written[self._written:] if path.is_file()
                 and (not self.only or fnmatch.fnmatchcase(path.relative_to(self.ctx.out).as_posix(), self.only))]
        meta = {**self.meta, "warnings": self.ctx.warnings[self._warnings:], "notes": self.ctx.notes[self._notes:]}
        Store(self.ctx.cache).store(self.kind, self.key, self.ctx.out, files, meta)
