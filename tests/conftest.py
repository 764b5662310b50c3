"""Shared test helpers: fixture courses, and real-client tools that must exist in CI."""

from __future__ import annotations

import difflib
import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
# Fixture courses carry fixed facts_checked dates; pin "today" so their age (and its warnings) never changes
# with the calendar (tests/test_facts_age.py checks the real course against the real date itself).
os.environ.setdefault("COURSEKIT_TODAY", "2026-06-01")
FIXTURES = REPO / "tests" / "fixtures"
# One folder of font subsets for the whole session (every worker, every CLI run): a module's Inter subset is
# made once per character set instead of in each of the suite's builds (about 2 s of CPU each).
os.environ.setdefault("COURSEKIT_FONT_CACHE", str(REPO / ".pytest_cache" / "coursekit-fonts"))
SHARED = REPO.parent / "shared"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files from current outputs")


def require_tool(executable: str, why: str) -> str:
    """The path of `executable`; in CI a missing tool fails the test, locally it skips loudly."""
    path = shutil.which(executable)
    if path:
        return path
    message = f"{executable} is not installed ({why}); `make test` installs it"
    if os.environ.get("CI"):
        pytest.fail(f"CI: {message}")
    pytest.skip(f"SKIPPED, NOT PASSED: {message}")
    raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def phishing_root() -> Path:
    """A small complete course on another topic (generality fixture)."""
    return FIXTURES / "phishing"


@pytest.fixture(scope="session")
def real_root() -> Path:
    """The real course at the repository root."""
    return REPO


GOLDEN_DIFFS = pytest.StashKey[list[tuple[str, str]]]()


def golden_diff(name: str, old: str, new: str) -> str:
    """A unified diff from the golden file to the new text."""
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        f"tests/golden/{name}", f"tests/golden/{name} (new)"))


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """After `--update-golden`: the diff of every golden file that changed."""
    for name, diff in config.stash.get(GOLDEN_DIFFS, []):
        terminalreporter.write_sep("-", f"golden file updated: tests/golden/{name}")
        terminalreporter.write(diff if diff.endswith("\n") else diff + "\n")


@pytest.fixture
def golden(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Compare text with tests/golden/<name>; `pytest --update-golden` rewrites it."""

    def check(name: str, text: str) -> None:
        path = REPO / "tests" / "golden" / name
        if request.config.getoption("--update-golden") or not path.exists():
            if os.environ.get("CI") and not path.exists():
                pytest.fail(f"golden file {name} is missing: run `pytest --update-golden` and commit it")
            old = path.read_text("utf-8") if path.exists() else ""
            if old != text:
                # Shown at the end of the run, so an update is reviewed, not waved through.
                request.config.stash.setdefault(GOLDEN_DIFFS, []).append((name, golden_diff(name, old, text)))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, "utf-8")
        expected = path.read_text("utf-8")
        assert text == expected, (f"{name} differs from its golden file (pytest --update-golden rewrites it "
                                  f"and prints this diff):\n{golden_diff(name, expected, text)}")

    return check


def course_named(name: str):  # type: ignore[no-untyped-def]
    """A validated course: "phishing" (fixture), "awkward" (fixture) or "real" (the repository's course).

    An invalid course fails the test: the real course is part of the repository, so a skip would hide it.
    """
    from coursekit.validate import validate_course

    root = REPO if name == "real" else FIXTURES / name
    result = validate_course(root)
    if result.course is None:
        pytest.fail(f"the {name} course does not validate:\n" + "\n".join(map(str, result.errors)))
    return result.course


def patched_course(tmp_path: Path, edits: dict[str, list[tuple[str, str]]], name: str = "phishing") -> Path:
    """A copy of a fixture course with text replaced in some of its files ({file: [(old, new), ...]})."""
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    for relative, pairs in edits.items():
        path = root / relative
        text = path.read_text("utf-8")
        for old, new in pairs:
            assert old in text, f"{old!r} is not in {relative}"
            text = text.replace(old, new, 1)
        path.write_text(text, "utf-8")
    return root


def build_validated(root: Path, target: str, out: Path, audiences: list[str] | None = None):  # type: ignore[no-untyped-def]
    """Validate the course under `root` and build one target as the pipeline does (with YAML positions)."""
    from coursekit.targets import load_target, run_target
    from coursekit.validate import validate_course

    result = validate_course(root)
    if result.course is None:
        pytest.fail("the course does not validate:\n" + "\n".join(map(str, result.errors)))
    chosen = audiences if audiences is not None else list(result.course.audiences)
    return run_target(load_target(target), result.course, out, chosen, sources=result.sources)


def require_shared(relative: str) -> Path:
    """A file from ../shared (the planners' folder CI lays beside the clone); missing fails in CI, skips locally."""
    path = SHARED / relative
    if path.exists():
        return path
    message = f"{path} is not available (CI lays shared/ beside the clone)"
    if os.environ.get("CI"):
        pytest.fail(f"CI: {message}")
    pytest.skip(f"SKIPPED, NOT PASSED: {message}")
    raise AssertionError("unreachable")


BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--no-first-run"]


@pytest.fixture(scope="session")
def shared_browser() -> Iterator[Any]:
    """One Playwright driver and one headless Debian Chromium per test process, borrowed by every test file.

    Playwright's sync API allows one driver per thread: two files each starting their own (module- or
    session-scoped) would fail with "Sync API inside the asyncio loop" when pytest-xdist interleaves them
    on one worker."""
    require_tool("chromium", "browser tests run in a real browser")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=BROWSER_ARGS)
        yield chromium
        chromium.close()


def shared_build(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """A folder built once per test session and shared by every xdist worker: the first to ask builds it under
    a file lock, the others wait and read it. Readers must not write into it."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    out, done = root / f"shared-{name}", root / f"shared-{name}.done"
    with (root / f"shared-{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            if out.exists():
                shutil.rmtree(out)  # a worker that failed half way
            build(out)
            done.write_text("built\n")
    return out


@pytest.fixture(scope="session")
def phishing_outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The phishing fixture built with every target by `coursekit build`, once per session (shared, read-only)."""

    def build(out: Path) -> None:
        proc = subprocess.run([sys.executable, "-m", "coursekit.cli", "build", "--course", str(FIXTURES / "phishing"),
                               "--out", str(out)], capture_output=True, text=True, timeout=900, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr

    return shared_build(tmp_path_factory, "phishing-outputs", build)


@pytest.fixture(scope="session")
def real_outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real course's web, print, slides (no previews) and quizbank outputs for every audience, built through
    the pipeline once per session (shared, read-only)."""

    def build(out: Path) -> None:
        from coursekit.pipeline import build_course

        course = course_named("real")
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("COURSEKIT_SLIDE_PREVIEWS", "0")
            # Both cores: the other worker may be waiting for this folder.
            results = build_course(course, out, ["web", "print", "slides", "quizbank"], list(course.audiences), jobs=2)
        assert [r.error for r in results] == ["", "", "", ""]

    return shared_build(tmp_path_factory, "real-outputs", build)


# The longest tests (a real-course walk in the browser, LibreOffice, builds killed at every step) start first,
# so that at the end of a run the two workers are not waiting on one long test (`make test` uses worksteal).
LONG_FIRST = ("test_web.py::test_axe_and_320px", "test_check.py::test_check_passes_on_the_real_packages",
              "test_build_safety.py::test_a_build_killed", "test_incremental.py::", "real]", "-real]")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Long tests first (a stable sort: the rest keep their order)."""
    items.sort(key=lambda item: 0 if any(marker in item.nodeid for marker in LONG_FIRST) else 1)
