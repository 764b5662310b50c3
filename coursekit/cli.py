"""The command line: new, validate, build, serve, check, coverage, schema. Exit 0 ok, 2 content/usage errors, 1 internal bug."""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from coursekit import __version__
from coursekit.errors import ContentError, UserError

if TYPE_CHECKING:  # imported lazily at run time, so `coursekit validate` starts fast
    from rich.console import Console

    from coursekit.validate import Validated

COURSE_OPTION = click.option(
    "--course", "course_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
    show_default=True, help="The course folder (it holds course/, scenarios/, quizzes/).")
STRICT_OPTION = click.option("--strict", is_flag=True, help="Treat warnings (e.g. advice not assessed) as errors.")


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _report(errors: Sequence[ContentError], warnings: Sequence[ContentError]) -> None:
    """Print every problem as path:line: message (plain text, so editors can jump to it)."""
    for warning in warnings:
        click.echo(str(warning), err=True)
    for error in errors:
        click.echo(str(error), err=True)
    if errors:
        click.echo(f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
                   f"{f', {len(warnings)} warning' + ('s' if len(warnings) != 1 else '') if warnings else ''}: "
                   "nothing was built; fix the lines above and run again", err=True)


def _validated(course_dir: Path, strict: bool) -> Validated:
    from coursekit.validate import validate_folder  # not the pipeline: validate never imports the build

    result = validate_folder(course_dir, strict=strict)
    _report(result.errors, result.warnings)
    if result.errors:
        raise SystemExit(2)
    return result


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="coursekit")
def cli() -> None:
    """coursekit: build a complete awareness course (SCORM module, printables, slides) from YAML."""


@cli.command()
@COURSE_OPTION
@STRICT_OPTION
def validate(course_dir: Path, strict: bool) -> None:
    """Check the course files and report every error as file:line."""
    result = _validated(course_dir, strict)
    assert result.course is not None
    course = result.course
    click.echo(f"ok: {course.title} {course.version}: {len(course.modules)} modules, "
               f"{sum(len(m.pages) for m in course.modules)} pages, {len(course.scenarios)} scenarios, "
               f"{len(course.quizzes)} quizzes, {sum(len(q.questions) for q in course.quizzes.values())} questions"
               f"{f', {len(result.warnings)} warnings' if result.warnings else ''}")


def _coverage_line(result: Validated) -> str:
    assert result.course is not None
    parts = []
    for audience in result.course.audiences:
        rows = [row for row in result.coverage if audience in row.taught]
        taught = sum(bool(row.taught[audience]) for row in rows)
        assessed = sum(bool(row.assessed[audience]) for row in rows)
        parts.append(f"{audience} {taught}/{len(rows)} taught, {assessed}/{len(rows)} assessed")
    return "coverage: " + "; ".join(parts)


@cli.command()
@COURSE_OPTION
@STRICT_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "markdown", "json"]), default="table", show_default=True)
def coverage(course_dir: Path, strict: bool, fmt: str) -> None:
    """Show where each advice point is taught and assessed, per audience."""
    from coursekit.targets.coverage import coverage_json, coverage_markdown

    result = _validated(course_dir, strict)
    course = result.course
    assert course is not None
    if fmt == "json":
        click.echo(coverage_json(result.coverage), nl=False)
    elif fmt == "markdown":
        click.echo(coverage_markdown(course, result.coverage, list(course.audiences)))
    else:
        from rich.table import Table

        console = _console()
        for audience in course.audiences:
            table = Table(title=f"{course.audiences[audience].label} ({audience})", title_justify="left")
            for column in ("advice", "taught in", "assessed in"):
                table.add_column(column)
            for row in result.coverage:
                if audience in row.taught:
                    table.add_row(row.advice.id, "\n".join(row.taught[audience]) or "[bold red]not taught[/]",
                                  "\n".join(row.assessed[audience]) or "[bold red]not assessed[/]")
            console.print(table)
    click.echo(_coverage_line(result), err=fmt != "table")


@cli.command()
@COURSE_OPTION
@STRICT_OPTION
@click.option("--target", "-t", "targets", multiple=True, metavar="NAME",
              help="Build only this target (repeatable). Default: every target.")
@click.option("--audience", "-a", "audiences", multiple=True, metavar="NAME",
              help="Build only for this audience (repeatable). Default: every audience.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder. Default: outputs/ in the course folder.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None, help="Targets built in parallel.")
@click.option("--no-cache", is_flag=True, help="Render every document (ignore and leave <out>/.cache alone).")
@click.argument("target_args", nargs=-1, metavar="[TARGET]...")
def build(course_dir: Path, strict: bool, targets: tuple[str, ...], audiences: tuple[str, ...], out: Path | None,
          jobs: int | None, no_cache: bool, target_args: tuple[str, ...]) -> None:
    """Validate, then build the targets into the output folder (atomically: all or nothing)."""
    from rich.table import Table

    from coursekit.pipeline import build_course, output_path, resolve_audiences, resolve_targets
    from coursekit.progress import BuildProgress

    started = time.perf_counter()
    names = resolve_targets(list(targets) + list(target_args))
    result = _validated(course_dir, strict)
    course = result.course
    assert course is not None
    chosen = resolve_audiences(course, audiences)
    out = out if out is not None else course_dir / "outputs"
    console = _console(stderr=True)
    click.echo(_coverage_line(result), err=True)
    with BuildProgress(names, jobs or min(len(names), os.cpu_count() or 1), console) as progress:
        # on_wait prints on stderr whether or not it is a terminal: a waiting build must say why it waits.
        results = build_course(course, out, names, chosen, jobs=jobs, sources=result.sources, strict=strict,
                               cache=not no_cache, on_done=progress.done,
                               on_wait=lambda message: progress.console.print(message),
                               on_document=progress.document if progress.live is not None else None)
    for target_result in results:
        for message in (*target_result.notes, *target_result.warnings):
            click.echo(message, err=True)
    failed = [r for r in results if r.error]
    for failure in failed:
        click.echo(f"{failure.name}: {'internal error (a coursekit bug, please report it):' if failure.internal else ''}"
                   f"\n{failure.error}" if failure.internal else f"{failure.name}: {failure.error}", err=True)
    if failed:
        click.echo(f"build failed in {', '.join(r.name for r in failed)}: {out} was left as it was", err=True)
        raise SystemExit(1 if any(r.internal for r in failed) else 2)
    table = Table(title=f"{course.title} {course.version} → {out}", title_justify="left")
    table.add_column("file")
    table.add_column("size", justify="right")
    total = 0
    for target_result in results:
        for relative in target_result.files:
            shown = output_path(target_result.name, relative)
            size = (out / shown).stat().st_size
            total += size
            table.add_row(shown, f"{size:,}")
    table.add_row(f"[bold]{sum(len(r.files) for r in results)} files[/]", f"[bold]{total:,}[/]")
    _console().print(table)
    reused = sum(len(r.reused) for r in results)
    click.echo(f"built {len(results)} target{'s' if len(results) != 1 else ''} for {', '.join(chosen)} "
               f"in {time.perf_counter() - started:.2f} s"
               + (f"; {reused} of {sum(len(r.files) for r in results)} files unchanged (inputs unchanged, "
                  f"copied from {out / '.cache'})" if reused else ""), err=True)


@cli.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("schemas"), show_default=True)
def schema(out: Path) -> None:
    """Write JSON Schemas for the YAML files, for editors with the YAML language server."""
    from coursekit import model as m

    out.mkdir(parents=True, exist_ok=True)
    kinds: dict[str, type[m.Strict]] = {"course": m.CourseFile, "scenario": m.Scenario, "quiz": m.Quiz,
                                         "plan": m.Plan, "leaflet": m.Leaflet}
    for name, model_cls in kinds.items():
        data = model_cls.model_json_schema(by_alias=True)
        data["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        data["title"] = f"coursekit {name} file"
        path = out / f"{name}.schema.json"
        path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", "utf-8")
        click.echo(f"wrote {path}   (first line of a {name} file: # yaml-language-server: $schema={path})")


@cli.command("new")
@click.argument("dest", type=click.Path(path_type=Path))
@click.option("--topic", default=None, help="The course title (default: \"My first course\").")
def new(dest: Path, topic: str | None) -> None:
    """Start a course: write a small, complete, commented course into DEST."""
    from coursekit.scaffold import DEFAULT_TOPIC, new_course

    written = new_course(dest, topic if topic is not None else DEFAULT_TOPIC)
    for path in written:
        click.echo(f"  {path.relative_to(dest).as_posix()}")
    click.echo(f"wrote a starter course with {len(written)} files in {dest}. Next:\n"
               f"  cd {dest}\n  coursekit validate --strict\n  coursekit serve      (live preview)\n"
               f"  coursekit build      (every output into outputs/)")


@cli.command()
@COURSE_OPTION
@STRICT_OPTION
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("--target", "-t", "targets", multiple=True, metavar="NAME",
              help="Build only this target (repeatable). Default: every target.")
@click.option("--audience", "-a", "audiences", multiple=True, metavar="NAME",
              help="Build only for this audience (repeatable). Default: every audience.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder. Default: outputs/ in the course folder.")
def serve(course_dir: Path, strict: bool, port: int, targets: tuple[str, ...], audiences: tuple[str, ...],
          out: Path | None) -> None:
    """Build, serve the outputs on 127.0.0.1, rebuild on save and reload the browser."""
    from coursekit.pipeline import resolve_targets
    from coursekit.serve import serve as run_server

    names = resolve_targets(list(targets))
    if not course_dir.is_dir():
        raise UserError(f"no course folder at {course_dir}: pass --course with the folder that holds "
                        "course/course.yaml")
    course_dir = course_dir.resolve()
    run_server(course_dir, (out or course_dir / "outputs").resolve(), names, audiences, strict=strict,
               port=port, echo=lambda line: click.echo(line, err=True))


@cli.command("check")
@click.argument("package", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--no-axe", is_flag=True, help="Skip the accessibility checks (axe-core).")
def check(package: Path, no_axe: bool) -> None:
    """Run a SCORM zip as an LMS would (headless Chromium + scorm-again) before you upload it. Exit 0 ready, 1 not."""
    from coursekit.check import check_package

    report = check_package(package, accessibility=not no_axe)
    click.echo(report.text())
    if not report.ok:
        raise SystemExit(1)


@cli.command("targets")
def list_targets() -> None:
    """List the output targets."""
    from coursekit.targets import TARGETS, load_target

    for name in TARGETS:
        click.echo(f"{name:12} {load_target(name).description}")


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the CLI and map failures to exit codes (2 author/usage, 1 internal bug)."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="coursekit", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except UserError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except SystemExit:
        raise
    except Exception:
        click.echo("internal error (a bug in coursekit, not in your course; please report it):", err=True)
        click.echo(traceback.format_exc(), err=True)
        sys.exit(1)
    sys.exit(0)


if __name__ == "__main__":
    main()
