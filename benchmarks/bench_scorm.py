"""SCORM packages: zip size per version and audience, worst-case suspend_data, build time (median of 5)."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

RUNS = 5
SIZE_BUDGET_KB = 150


def _courses(repo: Path) -> list[tuple[str, Any]]:
    from benchmarks.common import courses

    return courses(repo)


def _schema_bytes(archive: Path) -> int:
    with zipfile.ZipFile(archive) as bundle:
        return sum(info.compress_size + 30 + len(info.filename) for info in bundle.infolist()
                   if info.filename.endswith((".xsd", ".dtd")))


def measure(repo: Path) -> dict[str, str]:
    """Sizes, worst-case state lengths and build times of the scorm12 and scorm2004 targets."""
    sys.path.insert(0, str(repo))
    from coursekit.targets import run_target
    from coursekit.targets.scorm import SCORM12, SCORM2004, Scorm12Target, Scorm2004Target
    from coursekit.targets.web import worst_case_state_length
    from coursekit.view import audience_view

    figures: dict[str, str] = {}
    for label, course in _courses(repo):
        if course is None:
            figures[f"{label}"] = "does not validate; skipped"
            continue
        audiences = list(course.audiences)
        for audience in audiences:
            length = worst_case_state_length(audience_view(course, audience))
            figures[f"{label} {audience}: worst-case suspend_data"] = (
                f"{length} chars ({100 * length / SCORM12.state_limit:.0f}% of 1.2's {SCORM12.state_limit}; "
                f"2004 limit {SCORM2004.state_limit})")
        for target_class in (Scorm12Target, Scorm2004Target):
            target = target_class()
            times = []
            for _ in range(RUNS):
                with tempfile.TemporaryDirectory() as scratch:
                    started = time.perf_counter()
                    written = run_target(target, course, Path(scratch), audiences).written
                    times.append(time.perf_counter() - started)
                    sizes = {path.name: (path.stat().st_size, _schema_bytes(path)) for path in written}
            for name, (size, schemas) in sorted(sizes.items()):
                verdict = "within" if size < SIZE_BUDGET_KB * 1024 else "OVER"
                figures[f"{label} {target.name} {name}"] = (
                    f"{size / 1024:.1f} KB, of which ADL XSDs {schemas / 1024:.1f} KB "
                    f"({verdict} the {SIZE_BUDGET_KB} KB target)")
            figures[f"{label} {target.name} build ({len(audiences)} audiences)"] = (
                f"{statistics.median(times):.2f} s median of {RUNS} (min {min(times):.2f}, max {max(times):.2f})")
    return figures


if __name__ == "__main__":
    for key, value in measure(Path(__file__).resolve().parent.parent).items():
        print(f"{key}: {value}")
