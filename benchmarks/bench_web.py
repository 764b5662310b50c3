"""The web target: player JS + CSS size (raw, gzip), font subsets, index.html per audience, build time, worst-case state."""

from __future__ import annotations

import gzip
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RUNS = 5


def _courses(repo: Path) -> list[tuple[str, Any]]:
    from benchmarks.common import courses

    return courses(repo)


def _sizes(data: bytes) -> str:
    return f"{len(data) / 1024:.1f} KB raw, {len(gzip.compress(data, 9, mtime=0)) / 1024:.1f} KB gzip"


def measure(repo: Path) -> dict[str, str]:
    """Player size, per-audience index.html size and worst-case state length, web build time (median of 5)."""
    sys.path.insert(0, str(repo))
    from coursekit.targets import run_target
    from coursekit.targets.web import WebTarget, player_css, player_script, worst_case_state_length
    from coursekit.view import audience_view

    player_js = player_script("player.js").encode("utf-8")  # as shipped
    css = player_css().encode("utf-8")
    tracking_js = player_script("tracking.js").encode("utf-8")
    figures = {
        "player.js": _sizes(player_js),
        "player.css (with theme variables)": _sizes(css),
        "player.js + player.css": _sizes(player_js + css),
        "tracking.js (SCORM adapter, as shipped)": _sizes(tracking_js),
    }
    for label, course in _courses(repo):
        if course is None:
            figures[label] = "does not validate; skipped"
            continue
        audiences = list(course.audiences)
        times = []
        with tempfile.TemporaryDirectory() as scratch:
            for run in range(RUNS):
                out = Path(scratch) / f"run{run}"
                out.mkdir()
                started = time.perf_counter()
                run_target(WebTarget(), course, out, audiences)
                times.append(time.perf_counter() - started)
            for audience in audiences:
                index = (out / f"{course.id}-{audience}" / "index.html").read_bytes()
                figures[f"{label} {audience}: index.html"] = _sizes(index)
                folder = out / f"{course.id}-{audience}"
                total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
                figures[f"{label} {audience}: whole folder"] = f"{total / 1024:.1f} KB"
                fonts = sorted((folder / "fonts").glob("*.woff2"))
                figures[f"{label} {audience}: embedded font subsets (counted apart from JS + CSS)"] = ", ".join(
                    f"{p.name} {p.stat().st_size / 1024:.1f} KB" for p in fonts)
        for audience in audiences:
            length = worst_case_state_length(audience_view(course, audience))
            figures[f"{label} {audience}: worst-case state"] = f"{length} chars (SCORM 1.2 limit 4096)"
        figures[f"{label}: web build, {len(audiences)} audiences"] = (
            f"{statistics.median(times) * 1000:.0f} ms median of {RUNS} in one process (the first, cold: "
            f"{times[0] * 1000:.0f} ms; validation not included)")
    return figures


if __name__ == "__main__":
    for key, value in measure(Path(__file__).resolve().parent.parent).items():
        print(f"{key}: {value}")
