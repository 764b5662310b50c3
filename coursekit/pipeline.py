"""Load → validate → build each target: the only place the stages meet."""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from coursekit.errors import BuildError, ContentErrors, UserError
from coursekit.model import Course
from coursekit.positions import SourceMap
from coursekit.targets import ROOT_TARGETS, TARGETS, BuildContext, load_target
from coursekit.validate import Validated, validate_course
from coursekit.write import discard_staging, recover, stage_dir, swap_in, swap_in_root


@dataclass(frozen=True)
class TargetResult:
    """What one target wrote (paths relative to the output folder) and warned, or why it failed."""

    name: str
    files: tuple[str, ...] = ()
    error: str = ""
    internal: bool = False
    warnings: tuple[str, ...] = ()


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


def _run_target(name: str, course: Course, out: str, audiences: list[str], sources: SourceMap,
                strict: bool = False, others: dict[str, Path] | None = None) -> TargetResult:
    """Build one target into its staging folder (runs in a worker process)."""
    ctx = BuildContext(course, tuple(audiences), Path(out) / f".{name}.tmp", sources, target=name,
                       others=others or {})
    try:
        load_target(name).build(ctx)
    except (BuildError, ContentErrors, UserError) as exc:
        return TargetResult(name, error=str(exc), warnings=tuple(ctx.warnings))
    except Exception:  # an internal bug: keep the traceback for the report
        return TargetResult(name, error=traceback.format_exc(), internal=True, warnings=tuple(ctx.warnings))
    if strict and ctx.warnings:
        return TargetResult(name, error=f"{len(ctx.warnings)} warning{'s' if len(ctx.warnings) != 1 else ''} "
                            "(errors with --strict): fix the lines above", warnings=tuple(ctx.warnings))
    return TargetResult(name, ctx.relative_files(), warnings=tuple(ctx.warnings))


def build_course(course: Course, out: Path, target_names: Sequence[str], audiences: Sequence[str], *,
                 jobs: int | None = None, sources: SourceMap | None = None, strict: bool = False,
                 on_done: Callable[[TargetResult], None] | None = None) -> list[TargetResult]:
    """Build targets into staging folders; swap them all in only if every one succeeded (with `strict`,
    a target that warned has failed)."""
    sources = sources or SourceMap()
    out.mkdir(parents=True, exist_ok=True)
    recover(out)
    for name in target_names:
        stage_dir(out, name)
    last = [name for name in target_names if name in ROOT_TARGETS]
    first = [name for name in target_names if name not in ROOT_TARGETS]
    jobs = jobs or min(len(first), os.cpu_count() or 1)
    results: list[TargetResult] = []
    if jobs <= 1 or len(first) <= 1:
        for name in first:
            results.append(_run_target(name, course, str(out), list(audiences), sources, strict))
            if on_done:
                on_done(results[-1])
    else:
        # Targets are independent; heavy ones (PDF, PPTX) run side by side in worker processes.
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(_run_target, name, course, str(out), list(audiences), sources, strict)
                       for name in first]
            for future in as_completed(futures):
                results.append(future.result())
                if on_done:
                    on_done(results[-1])
    if last and not any(result.error for result in results):
        others = {name: out / (f".{name}.tmp" if name in first else name) for name in TARGETS
                  if name not in ROOT_TARGETS}
        for name in last:
            results.append(_run_target(name, course, str(out), list(audiences), sources, strict, others))
            if on_done:
                on_done(results[-1])
    results.sort(key=lambda r: target_names.index(r.name))
    if any(result.error for result in results):
        for name in target_names:
            discard_staging(out, name)
        return results
    for name in first:
        swap_in(out, name)
    for name in last:
        swap_in_root(out, name)
    return results


def validate(root: Path, *, strict: bool = False) -> Validated:
    """Validate the course under `root`."""
    if not root.is_dir():
        raise UserError(f"no course folder at {root}: pass --course with the folder that holds course/course.yaml")
    return validate_course(root, strict=strict)
