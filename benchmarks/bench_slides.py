"""Slide decks: target time (median of 3) without and with LibreOffice previews, slides per deck, sizes."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RUNS = 3


def _courses(repo: Path) -> list[tuple[str, Any]]:
    from benchmarks.common import courses

    return courses(repo)


def _timed_builds(course: object, audiences: list[str], previews: bool, tmp: Path) -> tuple[float, Path]:
    """Median seconds of RUNS builds of the slides target; the folder of the last one."""
    from coursekit.targets import run_target
    from coursekit.targets.slides import PREVIEWS_ENV, SlidesTarget

    saved = os.environ.get(PREVIEWS_ENV)
    os.environ[PREVIEWS_ENV] = "1" if previews else "0"
    times, out = [], tmp
    try:
        for run in range(RUNS):
            out = tmp / f"{'with' if previews else 'without'}-{run}"
            out.mkdir()
            started = time.perf_counter()
            run_target(SlidesTarget(), course, out, audiences)
            times.append(time.perf_counter() - started)
    finally:
        if saved is None:
            os.environ.pop(PREVIEWS_ENV, None)
        else:
            os.environ[PREVIEWS_ENV] = saved
    return statistics.median(times), out


def measure(repo: Path) -> dict[str, str]:
    """Build times, slide counts, continuation slides, smallest text size and file sizes per deck."""
    sys.path.insert(0, str(repo))
    from pptx import Presentation


    figures: dict[str, str] = {}
    for label, course in _courses(repo):
        if course is None:
            figures[f"{label}: slides"] = "course does not validate"
            continue
        audiences = list(course.audiences)
        with tempfile.TemporaryDirectory() as scratch:
            tmp = Path(scratch)
            without, out = _timed_builds(course, audiences, False, tmp)
            figures[f"{label}: slides target, no previews (median of {RUNS})"] = f"{without:.2f} s"
            if shutil.which("soffice") and shutil.which("pdftoppm"):
                with_previews, _ = _timed_builds(course, audiences, True, tmp)
                figures[f"{label}: slides target with LibreOffice previews (median of {RUNS})"] = \
                    f"{with_previews:.2f} s"
            else:
                figures[f"{label}: slides target with previews"] = "not measured: soffice/pdftoppm missing"
            for deck in sorted(out.glob("*.pptx")):
                prs = Presentation(str(deck))
                titles = [slide.shapes.title.text_frame.text for slide in prs.slides]
                continued = sum(bool(re.search(r"\(\d+/\d+\)$", t)) for t in titles)
                sizes = [run.font.size.pt for slide in prs.slides for shape in slide.shapes
                         if shape.has_text_frame for p in shape.text_frame.paragraphs for run in p.runs
                         if run.font.size is not None]
                notes = sum(len(slide.notes_slide.notes_text_frame.text.split()) for slide in prs.slides)
                figures[f"{label}: {deck.name}"] = (
                    f"{len(titles)} slides ({continued} continuation slides), "
                    f"text {min(sizes):g}-{max(sizes):g} pt, "
                    f"{notes:,} words of notes, {deck.stat().st_size / 1024:.0f} KB")
    return figures


if __name__ == "__main__":
    for key, value in measure(Path(__file__).resolve().parent.parent).items():
        print(f"{key}: {value}")
