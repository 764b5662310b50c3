"""Benchmark harness: cold build and validate times (medians), per-target times, output sizes,
plus every `benchmarks/bench_<area>.py` module's `measure(repo)` figures.

Run: `make bench` or `.venv/bin/python benchmarks/run.py [--runs N] [--course DIR]`.
Writes the report to stdout and to benchmarks/results/latest.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def timed(args: list[str], runs: int) -> tuple[float, float, float]:
    """Run a command `runs` times in fresh processes; return (median, min, max) wall seconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.run(args, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        if proc.returncode != 0:
            raise SystemExit(f"benchmark command failed: {' '.join(args)}\n{proc.stderr}")
    return statistics.median(times), min(times), max(times)


def coursekit(*args: str) -> list[str]:
    """The command line for a coursekit subcommand in this interpreter."""
    return [sys.executable, "-m", "coursekit.cli", *args]


def folder_sizes(out: Path) -> dict[str, int]:
    """Total bytes per target folder."""
    return {d.name: sum(p.stat().st_size for p in d.rglob("*") if p.is_file())
            for d in sorted(out.iterdir()) if d.is_dir() and not d.name.startswith(".")}


def main() -> None:
    """Measure and print the report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--course", type=Path, default=REPO)
    parser.add_argument("--skip-areas", action="store_true", help="only the harness's own figures")
    options = parser.parse_args()
    from coursekit.targets import TARGETS

    course = str(options.course)
    lines = [f"# coursekit benchmarks ({time.strftime('%Y-%m-%d')})", "",
             f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}. "
             f"Course: `{options.course.resolve().relative_to(REPO) if options.course.resolve().is_relative_to(REPO) else course}`"
             f" (`.` is the real course). Median of {options.runs} runs, each a fresh process (cold start).", "",
             "| what | median s | min s | max s |", "|---|---:|---:|---:|"]
    median, low, high = timed(coursekit("validate", "--course", course), options.runs)
    lines.append(f"| `coursekit validate` | {median:.3f} | {low:.3f} | {high:.3f} |")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        median, low, high = timed(coursekit("build", "--course", course, "--out", str(out)), options.runs)
        lines.append(f"| full build, every target, every audience (parallel) | {median:.3f} | {low:.3f} | {high:.3f} |")
        for name in TARGETS:
            target_out = Path(tmp) / f"out-{name}"
            median, low, high = timed(coursekit("build", "--course", course, "--out", str(target_out), name),
                                      max(1, options.runs // 2 + 1))
            lines.append(f"| target `{name}` alone | {median:.3f} | {low:.3f} | {high:.3f} |")
        lines += ["", "| output folder | bytes |", "|---|---:|"]
        for name, size in folder_sizes(out).items():
            lines.append(f"| `{name}/` | {size:,} |")
    if not options.skip_areas:
        for path in sorted(Path(__file__).parent.glob("bench_*.py")):
            spec = importlib.util.spec_from_file_location(path.stem, path)
            assert spec and spec.loader
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            lines += ["", f"## {path.stem.removeprefix('bench_')}", "", "| figure | value |", "|---|---|"]
            try:
                figures = module.measure(REPO)
            except Exception as exc:  # one area's failure must not hide the others' figures
                figures = {"error": f"{type(exc).__name__}: {exc}"}
            lines += [f"| {key} | {value} |" for key, value in figures.items()]
    report = "\n".join(lines) + "\n"
    print(report)
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    (results / "latest.md").write_text(report, "utf-8")


if __name__ == "__main__":
    main()
