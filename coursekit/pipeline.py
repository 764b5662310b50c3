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
from coursekit.targets import TARGETS, BuildContext, load_target
from coursekit.validate import Validated, validate_course
from coursekit.write import discard_staging, recover, stage_dir, swap_in


@dataclass(frozen=True)
class TargetResult:
    """What one target wrote (paths relative to the output folder) and warned, or why it failed."""

    name: str
    files: tuple[str, ...] = ()
    error: str = ""
    internal: bool = False
    warnings: tuple[str, ...] = ()


def resolve_targets(names: Sequence[str]) -> list[str]:
    """The targets to build, in registry order; all of them when `names` is empty."""
    unknown = [name for name in names if name not in TARGETS]
    if unknown:
        raise UserError(f"unknown target {', '.join(map(repr, unknown))}: choose from {', '.join(TARGETS)}")
    return [name for name in TARGETS if not names or name in names]


def resolve_audiences(course: Course, names: Sequence[str]) -> list[str]:
    """The audiences to build for; all of the course's when `names` is empty."""
    unknown = [name for name in names if name not in course.audiences]
    if unknown:
        raise UserError(f"unknown audience {', '.join(map(repr, unknown))}: "
                        f"this course has {', '.join(course.audiences)}")
    return [name for name in course.audiences if not names or name in names]


def _run_target(name: str, course: Course, out: str, audiences: list[str], sources: SourceMap,
                strict: bool = False) -> TargetResult:
    """Build one target into its staging folder (runs in a worker process)."""
    ctx = BuildContext(course, tuple(audiences), Path(out) / f".{name}.tmp", sources, target=name)
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
    jobs = jobs or min(len(target_names), os.cpu_count() or 1)
    results: list[TargetResult] = []
    if jobs <= 1 or len(target_names) <= 1:
        for name in target_names:
            results.append(_run_target(name, course, str(out), list(audiences), sources, strict))
            if on_done:
                on_done(results[-1])
    else:
        # Targets are independent; heavy ones (PDF, PPTX) run side by side in worker processes.
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(_run_target, name, course, str(out), list(audiences), sources, strict)
                       for name in target_names]
            for future in as_completed(futures):
                results.append(future.result())
                if on_done:
                    on_done(results[-1])
    results.sort(key=lambda r: target_names.index(r.name))
    if any(result.error for result in results):
        for name in target_names:
            discard_staging(out, name)
        return results
    for name in target_names:
        swap_in(out, name)
    return results


def validate(root: Path, *, strict: bool = False) -> Validated:
    """Validate the course under `root`."""
    if not root.is_dir():
        raise UserError(f"no course folder at {root}: pass --course with the folder that holds course/course.yaml")
    return validate_course(root, strict=strict)
