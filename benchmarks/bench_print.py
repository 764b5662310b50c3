"""Printables: time of the print target per audience (median of 3, previews included), pages and sizes."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RUNS = 3


def _courses(repo: Path) -> list[tuple[str, Any]]:
    from benchmarks.common import courses

    return courses(repo)


def _pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def measure(repo: Path) -> dict[str, str]:
    """Per course and audience: median build seconds, slowest document; per PDF: pages and KB."""
    sys.path.insert(0, str(repo))
    from coursekit.targets import run_target
    from coursekit.targets.print import PrintTarget

    figures: dict[str, str] = {}
    for label, course in _courses(repo):
        if course is None:
            figures[f"{label}"] = "course does not validate"
            continue
        with tempfile.TemporaryDirectory() as scratch:
            both: list[float] = []
            for run in range(RUNS):
                out = Path(scratch) / f"both-{run}"
                out.mkdir()
                started = time.perf_counter()
                run_target(PrintTarget(), course, out, list(course.audiences))
                both.append(time.perf_counter() - started)
            figures[f"{label}: print target, all {len(course.audiences)} audiences"] = \
                f"{statistics.median(both):.2f} s (median of {RUNS})"
            for audience in course.audiences:
                times: list[float] = []
                per_document: dict[str, list[float]] = {}
                for run in range(RUNS):
                    out = Path(scratch) / f"{audience}-{run}"
                    out.mkdir()
                    started = time.perf_counter()
                    def note(_audience: str, name: str, seconds: float) -> None:
                        per_document.setdefault(name, []).append(seconds)

                    run_target(PrintTarget(on_document=note), course, out, [audience])
                    times.append(time.perf_counter() - started)
                slowest = max(per_document, key=lambda name: statistics.median(per_document[name]))
                figures[f"{label}: `{audience}`"] = (
                    f"{statistics.median(times):.2f} s (median of {RUNS}); slowest document {slowest} "
                    f"{statistics.median(per_document[slowest]):.2f} s")
                for pdf in sorted((out / audience).glob("*.pdf")):
                    pages = _pages(pdf)
                    figures[f"{label}: `{audience}/{pdf.name}`"] = \
                        f"{pages} page{'s' if pages != 1 else ''}, {pdf.stat().st_size / 1024:.0f} KB"
    return figures


if __name__ == "__main__":
    for key, value in measure(Path(__file__).resolve().parent.parent).items():
        print(f"{key}: {value}")
