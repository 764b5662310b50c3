"""Load → validate → build each target: the only place the stages meet."""

from __future__ import annotations

import errno
import os
import tempfile
import threading
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import as_completed
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Self

from coursekit.cache import Store, cache_root, target_key
from coursekit.errors import BuildError, ContentErrors, UserError
from coursekit.model import Course
from coursekit.positions import SourceMap
from coursekit.targets import ROOT_TARGETS, TARGETS, BuildContext, load_target
from coursekit.validate import Validated, validate_folder
from coursekit.workers import worker_pool
from coursekit.write import (
    TEMP_FOLDER,
    OutputsInTheWay,
    begin_set,
    build_lock,
    carry_over,
    discard,
    publish,
    stage_dir,
)


@dataclass(frozen=True)
class TargetResult:
    """What one target wrote (paths relative to the output folder) and warned, or why it failed."""

    name: str
    files: tuple[str, ...] = ()
    error: str = ""
    internal: bool = False
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # printed, never an error (what a format cannot carry by design)
    reused: tuple[str, ...] = ()  # files copied from the incremental-build cache instead of rendered
    cached: bool = False  # the whole target came from the cache (its inputs had not changed)
    documents: tuple[str, ...] = ()  # the cache keys of the documents it rendered or copied (the rest is pruned)


# Targets that take seconds (WeasyPrint layout, python-pptx and LibreOffice): workers take them first, so the
# quick ones fill in beside them instead of holding them back.
SLOW_TARGETS = ("print", "slides")


def start_order(names: Sequence[str]) -> list[str]:
    """The order in which worker processes take the targets: the slow ones first, then registry order."""
    return sorted(names, key=lambda name: (name not in SLOW_TARGETS, list(names).index(name)))


def output_path(name: str, relative: str) -> str:
    """Where target `name`'s file `relative` lands, relative to outputs/ (root targets write at the root)."""
    return relative if name in ROOT_TARGETS else f"{name}/{relative}"


def resolve_targets(names: Sequence[str]) -> list[str]:
    """The targets to build, in registry order; all of them when `names` is empty. The pack's front page
    is always rebuilt, so it lists what outputs/ holds after this build."""
    unknown = [name for name in names if name not in TARGETS]
    if unknown:
        raise UserError(f"unknown target {', '.join(map(repr, unknown))}: choose from {', '.join(TARGETS)}")
    return [name for name in TARGETS if not names or name in names or name in ROOT_TARGETS]


def resolve_audiences(course: Course, names: Sequence[str]) -> list[str]:
    """The audiences to build for; all of the course's when `names` is empty."""
    unknown = [name for name in names if name not in course.audiences]
    if unknown:
        raise UserError(f"unknown audience {', '.join(map(repr, unknown))}: "
                        f"this course has {', '.join(course.audiences)}")
    return [name for name in course.audiences if not names or name in names]


# The machine's problems, not coursekit's and not the author's: what to do about each.
_MACHINE_FIXES = {
    errno.ENOSPC: "free some disk space, or build into another folder with --out",
    errno.EDQUOT: "free some space (your disk quota is full), or build into another folder with --out",
    errno.EROFS: "the disk is read-only: build into another folder with --out",
    errno.EACCES: "you may not write there: fix its permissions, or build into another folder with --out",
    errno.EPERM: "you may not write there: fix its permissions, or build into another folder with --out",
    errno.ENOTDIR: "a file stands where a folder goes: move it away, or build into another folder with --out",
    errno.EEXIST: "a file stands where a folder goes: move it away, or build into another folder with --out",
    errno.EMLINK: "the disk allows no more links: build into another folder with --out",
}


class MachineError(UserError):
    """The machine stops the build (full or read-only disk, a file in the way): exit 2, one line."""


def machine_problem(exc: OSError) -> str | None:
    """One line saying what the machine's problem is and how to fix it; None if it is not one."""
    fix = _MACHINE_FIXES.get(exc.errno or 0)
    if fix is None:
        return None
    where = f" ({exc.filename})" if exc.filename else ""
    return f"cannot write the outputs: {exc.strerror or exc}{where}: {fix}"


def _strict(result: TargetResult, strict: bool) -> TargetResult:
    """With --strict, a target that warned has failed."""
    if not strict or not result.warnings or result.error:
        return result
    count = len(result.warnings)
    return replace(result, files=(), reused=(), error=f"{count} warning{'s' if count != 1 else ''} "
                   "(errors with --strict): fix the lines above")


def _run_target(name: str, course: Course, staging: str, audiences: list[str], sources: SourceMap,
                strict: bool = False, others: dict[str, Path] | None = None,
                cache: Path | None = None, progress: Path | None = None) -> TargetResult:
    """Build one target into its staging folder (runs in a worker process)."""
    ctx = BuildContext(course, tuple(audiences), Path(staging), sources, target=name, others=others or {},
                       cache=cache, progress=progress)
    try:
        load_target(name).build(ctx)
    except (BuildError, ContentErrors, UserError) as exc:
        return TargetResult(name, error=str(exc), warnings=tuple(ctx.warnings))
    except OSError as exc:
        problem = machine_problem(exc)
        if problem is None:
            return TargetResult(name, error=traceback.format_exc(), internal=True, warnings=tuple(ctx.warnings))
        return TargetResult(name, error=problem, warnings=tuple(ctx.warnings))
    except Exception:  # an internal bug: keep the traceback for the report
        return TargetResult(name, error=traceback.format_exc(), internal=True, warnings=tuple(ctx.warnings))
    reused = tuple(sorted(p.relative_to(ctx.out).as_posix() for p in ctx.reused))
    documents = tuple(sorted(set(ctx.keys)))
    return _strict(TargetResult(name, ctx.relative_files(), warnings=tuple(ctx.warnings), notes=tuple(ctx.notes),
                                reused=reused, documents=documents), strict)


def _from_cache(store: Store, name: str, key: str, staging: Path, strict: bool) -> TargetResult | None:
    """The whole target copied from the cache into its staging folder, if its inputs are unchanged."""
    restored = store.restore(f"targets/{name}", key, staging)
    if restored is None:
        return None
    files = tuple(sorted(p.relative_to(staging).as_posix() for p in restored[0]))
    return _strict(TargetResult(name, files, warnings=tuple(restored[1].get("warnings", [])),
                                notes=tuple(restored[1].get("notes", [])), reused=files,
                                cached=True), strict)


def build_course(course: Course, out: Path, target_names: Sequence[str], audiences: Sequence[str], *,
                 jobs: int | None = None, sources: SourceMap | None = None, strict: bool = False,
                 cache: bool = True, on_done: Callable[[TargetResult], None] | None = None,
                 on_wait: Callable[[str], None] | None = None,
                 on_document: Callable[[str, str, str], None] | None = None) -> list[TargetResult]:
    """Build targets into a staging set; swap the whole set in only if every one succeeded (with `strict`,
    a target that warned has failed). See write.py for the swap. With `cache`, a target or document whose
    inputs are unchanged is copied from <out>/.cache instead of rendered (see cache.py). `on_document`
    (target, document, state) follows each document as it is rendered or copied, from worker processes too."""
    # Absolute: staging paths reach tools as URLs (LibreOffice's -env:UserInstallation=file://...).
    out = out.absolute()
    try:
        with build_lock(out, on_wait):
            return _build_locked(course, out, target_names, audiences, jobs, sources or SourceMap(), strict,
                                 on_done, Store(cache_root(out)) if cache else None, on_document)
    except OutputsInTheWay as exc:
        raise MachineError(str(exc)) from exc
    except OSError as exc:
        problem = machine_problem(exc)
        if problem is None:
            raise
        raise MachineError(problem) from exc


def _build_locked(course: Course, out: Path, target_names: Sequence[str], audiences: Sequence[str],
                  jobs: int | None, sources: SourceMap, strict: bool,
                  on_done: Callable[[TargetResult], None] | None, store: Store | None,
                  on_document: Callable[[str, str, str], None] | None = None) -> list[TargetResult]:
    first = [name for name in target_names if name not in ROOT_TARGETS]
    last = [name for name in target_names if name in ROOT_TARGETS]
    staging_set = begin_set(out, first, list(TARGETS), ROOT_TARGETS)
    log = staging_set / TEMP_FOLDER / "documents.log" if on_document else None
    try:
        with DocumentLog(log, on_document):  # stops before the swap, which removes the log with .tmp
            results, keys = _build_staged(course, out, target_names, audiences, jobs, sources, strict, on_done,
                                          store, staging_set, first, last, log)
        if any(result.error for result in results):
            discard(staging_set)
            return results
        if store:
            for result in results:
                if not result.cached and result.name in keys:
                    staging = staging_set / result.name
                    store.store(f"targets/{result.name}", keys[result.name], staging,
                                [staging / rel for rel in result.files], {"warnings": list(result.warnings), "notes": list(result.notes)})
                    store.prune(f"targets/{result.name}", {keys[result.name]})
                    # The cache holds what the last build made: documents no longer made (an old version of
                    # an edited one, a removed quiz) go. A build of some audiences keeps the others' documents.
                    if set(audiences) == set(course.audiences):
                        store.prune(f"documents/{result.name}", set(result.documents))
        publish(out, staging_set, ROOT_TARGETS)
        return results
    except BaseException:
        discard(staging_set)  # nothing half-made stays; after a kill -9 the next build's recover() does this
        raise


class DocumentLog:
    """Follows the log of document states the targets append to (worker processes too: one short O_APPEND
    write per line) and hands each new line to `on_document`, several times a second and once at the end."""

    def __init__(self, path: Path | None, on_document: Callable[[str, str, str], None] | None) -> None:
        self.path = path
        self.on_document = on_document
        self.offset = 0
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def read(self) -> None:
        """Hand on the lines written since the last read."""
        if self.path is None or self.on_document is None:
            return
        try:
            with self.path.open("rb") as handle:
                handle.seek(self.offset)
                data = handle.read()
        except OSError:
            return
        end = data.rfind(b"\n") + 1  # a line still being written waits for the next read
        self.offset += end
        for line in data[:end].decode("utf-8", "replace").splitlines():
            parts = line.split("\t")
            if len(parts) == 3:
                self.on_document(*parts)

    def _follow(self) -> None:
        while not self.stop.wait(0.1):
            self.read()

    def __enter__(self) -> Self:
        if self.path is not None and self.on_document is not None:
            self.thread = threading.Thread(target=self._follow, name="coursekit-documents", daemon=True)
            self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.thread is not None:
            self.stop.set()
            self.thread.join()
            self.read()


def _build_staged(course: Course, out: Path, target_names: Sequence[str], audiences: Sequence[str],
                  jobs: int | None, sources: SourceMap, strict: bool,
                  on_done: Callable[[TargetResult], None] | None, store: Store | None, staging_set: Path,
                  first: list[str], last: list[str], log: Path | None) -> tuple[list[TargetResult], dict[str, str]]:
    """Every target into the staging set (from the cache where its inputs are unchanged); (results, keys)."""
    # A target whose whole input is unchanged is copied from the cache: no worker, no import.
    keys = {name: target_key(name, course, audiences, sources) for name in first} if store else {}
    results, pending = [], []
    for name in first:
        hit = _from_cache(store, name, keys[name], stage_dir(staging_set, name), strict) if store else None
        if hit is None:
            pending.append(name)
            continue
        results.append(hit)
        if on_done:
            on_done(hit)
    results += _run_targets(course, staging_set, pending, audiences, jobs, sources, strict, on_done,
                            cache_root(out) if store else None, log)
    if not any(result.error for result in results):
        carry_over(out, staging_set, target_names)
        # Root targets (the pack's front page) describe the set as it will be: run them on the staged set.
        others = {name: staging_set / name for name in TARGETS if name not in ROOT_TARGETS}
        for name in last:
            folder = str(stage_dir(staging_set, name))
            results.append(_run_target(name, course, folder, list(audiences), sources, strict, others,
                                       progress=log))
            if on_done:
                on_done(results[-1])
    results.sort(key=lambda r: list(target_names).index(r.name))
    return results, keys


def _run_targets(course: Course, staging_set: Path, target_names: Sequence[str], audiences: Sequence[str],
                 jobs: int | None, sources: SourceMap, strict: bool,
                 on_done: Callable[[TargetResult], None] | None, cache: Path | None = None,
                 progress: Path | None = None) -> list[TargetResult]:
    folders = {name: str(stage_dir(staging_set, name)) for name in target_names}
    temp = str(staging_set / ".tmp")
    jobs = jobs or min(len(target_names), os.cpu_count() or 1)
    results: list[TargetResult] = []
    if jobs <= 1 or len(target_names) <= 1:
        saved = tempfile.tempdir
        tempfile.tempdir = temp  # libraries' temp files go into the staging set, removed with it
        try:
            for name in start_order(target_names):
                results.append(_run_target(name, course, folders[name], list(audiences), sources, strict,
                                           cache=cache, progress=progress))
                if on_done:
                    on_done(results[-1])
        finally:
            tempfile.tempdir = saved
    else:
        # Targets are independent; heavy ones (PDF, PPTX) run side by side in worker processes, which die
        # with this process (even on kill -9) and keep their temp files in the staging set.
        with worker_pool(jobs, temp) as pool:
            futures = [pool.submit(_run_target, name, course, folders[name], list(audiences), sources, strict,
                                   cache=cache, progress=progress) for name in start_order(target_names)]
            for future in as_completed(futures):
                results.append(future.result())
                if on_done:
                    on_done(results[-1])
    results.sort(key=lambda r: list(target_names).index(r.name))
    return results


def validate(root: Path, *, strict: bool = False) -> Validated:
    """Validate the course under `root`."""
    return validate_folder(root, strict=strict)
