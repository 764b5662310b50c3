"""The author's loop: cold full build against its floor, no-change rebuild, one scenario edited (and which
outputs were rendered again), `serve` from save to the module reloaded, `validate` cold.

The floor is the same print HTML laid out and written by WeasyPrint alone and the built decks loaded and
saved by python-pptx alone, spread over the same cores in one process pool; the ratio is measured in one run.
Run alone: `.venv/bin/python benchmarks/bench_loop.py [--course DIR] [--runs N]` (default: the real course).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
BUILD_AND_LIST = """
import json, sys
from pathlib import Path
from coursekit.pipeline import build_course, resolve_targets, validate
result = validate(Path(sys.argv[1]))
results = build_course(result.course, Path(sys.argv[2]), resolve_targets([]), list(result.course.audiences),
                       sources=result.sources)
assert not [r.error for r in results if r.error], [r.error for r in results]
print(json.dumps(sorted(f"{r.name}/{f}" for r in results for f in r.files if f not in r.reused)))
"""


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "coursekit.cli", *args]


def _timed(args: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True, env=ENV, check=False)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return seconds, proc.stdout


_state: dict[str, Any] = {}


def _floor_task(task: tuple[str, str, str, str, str]) -> float:
    """One document of the floor, in a worker: WeasyPrint on its HTML, or python-pptx load + save."""
    kind, course_dir, audience, name, dest = task
    started = time.perf_counter()
    if kind == "pptx":
        from pptx import Presentation

        Presentation(name).save(dest)
        return time.perf_counter() - started
    from coursekit.targets.print import Renderer, audience_documents, document_source
    from coursekit.validate import load_course
    from coursekit.view import audience_view

    if "course" not in _state:
        _state["course"], _state["renderer"] = load_course(Path(course_dir)), Renderer()
    view = audience_view(_state["course"], audience)
    document = next(d for d in audience_documents(view) if d.name == name)
    renderer = _state["renderer"]
    renderer.write(renderer.layout(document_source(renderer, view, document)), Path(dest))
    return time.perf_counter() - started


def floor_seconds(course_dir: Path, built: Path, scratch: Path) -> float:
    """Wall time of WeasyPrint alone on every print document and python-pptx alone on every deck, over the
    same number of processes as the build."""
    sys.path.insert(0, str(REPO))
    from coursekit.targets.print import audience_documents
    from coursekit.validate import load_course
    from coursekit.view import audience_view

    course = load_course(course_dir)
    tasks = [("pdf", str(course_dir), audience, document.name, str(scratch / f"{audience}-{document.name}.pdf"))
             for audience in course.audiences for document in audience_documents(audience_view(course, audience))]
    tasks += [("pptx", "", "", str(deck), str(scratch / deck.name)) for deck in sorted((built / "slides").glob("*.pptx"))]
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(_floor_task, sorted(tasks, key=lambda t: t[0] != "pdf")))
    return time.perf_counter() - started


def _edit_scenario(course_dir: Path) -> str:
    """Change the first plain (unquoted, one-line) prompt of the first scenario: a small, valid edit; return
    the file edited."""
    path = min((course_dir / "scenarios").glob("*.yaml"))
    text = path.read_text("utf-8")
    new, count = re.subn(r"^(\s*prompt: [^>|\"'\n].*?)(\s*)$", r"\1 (edited)\2", text, count=1, flags=re.MULTILINE)
    if not count:
        raise RuntimeError(f"{path} has no plain prompt line to edit")
    path.write_text(new, "utf-8")
    return path.relative_to(course_dir).as_posix()


def serve_reload_seconds(course_dir: Path, runs: int) -> list[float]:
    """From writing course.yaml to the learner module showing the new title, under `coursekit serve`."""
    import queue
    import threading

    from playwright.sync_api import sync_playwright

    proc = subprocess.Popen(_cli("serve", "--course", str(course_dir), "--port", "0"), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env=ENV)
    assert proc.stderr is not None
    lines: queue.Queue[str] = queue.Queue()

    def drain() -> None:  # read serve's output all the time: a full pipe would stop it mid-build
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.put(line)
        lines.put("")

    threading.Thread(target=drain, daemon=True).start()

    def until_built() -> str:
        """Wait for a whole build (the second pass ends with the pack page); the URL if serve printed it."""
        origin = ""
        while True:
            line = lines.get(timeout=600)
            if not line:
                raise RuntimeError("serve stopped")
            if "serving" in line and not origin:
                found = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
                origin = found.group(1) if found else ""
            if line.startswith("built ") and "pack" in line:
                return origin

    try:
        origin = until_built()
        course_yaml = course_dir / "course" / "course.yaml"
        audience = next(p.name for p in sorted((course_dir / "outputs" / "web").iterdir()))
        times = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(f"{origin}/web/{audience}/index.html")
            page.wait_for_function("() => document.querySelector('script[src=\"/__coursekit/live.js\"]')")
            time.sleep(1)
            for run in range(runs):
                text = course_yaml.read_text("utf-8")
                title = re.search(r"^title: (.*)$", text, re.MULTILINE).group(1)  # type: ignore[union-attr]
                new_title = f"{title.strip(chr(34))} v{run + 2}"
                saved = time.perf_counter()
                course_yaml.write_text(text.replace(f"title: {title}", f"title: \"{new_title}\"", 1), "utf-8")
                page.wait_for_function("t => document.querySelector('#start h1') && "
                                       "document.querySelector('#start h1').innerText === t",
                                       arg=new_title, timeout=120_000)
                times.append(time.perf_counter() - saved)
                until_built()  # let the background pass (PDFs, decks) finish before the next save
            browser.close()
        return times
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def measure(repo: Path, course_dir: Path | None = None, runs: int = 3) -> dict[str, str]:
    """Every figure of the loop for one course (the real one by default)."""
    course_dir = course_dir or repo
    figures: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="bench-loop-") as tmp:
        work = Path(tmp) / "course"
        shutil.copytree(course_dir, work, ignore=shutil.ignore_patterns("outputs", ".git", "node_modules", ".venv",
                                                                          "tests", "benchmarks", "docs", "coursekit"))
        tries = max(runs, 5)
        validate = [_timed(_cli("validate", "--course", str(work)))[0] for _ in range(tries)]
        figures["validate, cold process, no outputs/ yet"] = f"{statistics.median(validate):.2f} s (median of {tries})"
        cold = []
        for run in range(runs):
            out = Path(tmp) / f"cold-{run}"
            cold.append(_timed(_cli("build", "--course", str(work), "--out", str(out), "--no-cache"))[0])
        floor = [floor_seconds(work, Path(tmp) / "cold-0", Path(tmp)) for _ in range(runs)]
        figures["cold full build, every target, every audience"] = f"{statistics.median(cold):.2f} s (median of {runs})"
        figures["floor: WeasyPrint alone + python-pptx alone, same cores"] = f"{statistics.median(floor):.2f} s"
        figures["cold build / floor"] = f"{statistics.median(cold) / statistics.median(floor):.2f}×"
        out = work / "outputs"
        _timed(_cli("build", "--course", str(work)))
        validate = [_timed(_cli("validate", "--course", str(work)))[0] for _ in range(tries)]
        figures["validate, cold process, after a build (reading ages from outputs/.cache)"] = (
            f"{statistics.median(validate):.2f} s (median of {tries})")
        again = [_timed(_cli("build", "--course", str(work)))[0] for _ in range(runs)]
        figures["no-change rebuild (cold process)"] = f"{statistics.median(again):.2f} s (median of {runs})"
        edited = _edit_scenario(work)
        seconds, listed = _timed([sys.executable, "-c", BUILD_AND_LIST, str(work), str(out)])
        rendered = json.loads(listed.strip().splitlines()[-1])
        figures[f"one scenario edited ({edited}): rebuild"] = f"{seconds:.2f} s (cold process)"
        documents = sorted({re.sub(r"^(web/[^/]+)/.*$", r"\1/", f) for f in rendered if "/previews/" not in f})
        figures["outputs rendered again"] = ", ".join(documents) + f" (+ {sum('/previews/' in f for f in rendered)} previews)"
        try:
            reloads = serve_reload_seconds(work, runs)
            figures["serve: save → module reloaded (Playwright)"] = (
                f"{statistics.median(reloads):.2f} s (median of {runs}: {', '.join(f'{t:.2f}' for t in reloads)})")
        except Exception as exc:  # noqa: BLE001 - the other figures still stand
            figures["serve: save → module reloaded"] = f"not measured: {type(exc).__name__}: {exc}"
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--course", type=Path, default=REPO)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}; course {options.course}")
    for key, value in measure(REPO, options.course, options.runs).items():
        print(f"| {key} | {value} |")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (1 min), {os.getloadavg()[1]:.1f} (5 min)")
