"""Shared test helpers: fixture courses, and real-client tools that must exist in CI."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Fixture courses carry fixed facts_checked dates; pin "today" so their age (and its warnings) never changes
# with the calendar (tests/test_facts_age.py checks the real course against the real date itself).
os.environ.setdefault("COURSEKIT_TODAY", "2026-06-01")
FIXTURES = REPO / "tests" / "fixtures"
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


@pytest.fixture
def golden(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Compare text with tests/golden/<name>; `pytest --update-golden` rewrites it."""

    def check(name: str, text: str) -> None:
        path = REPO / "tests" / "golden" / name
        if request.config.getoption("--update-golden") or not path.exists():
            if os.environ.get("CI") and not path.exists():
                pytest.fail(f"golden file {name} is missing: run `pytest --update-golden` and commit it")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, "utf-8")
        assert text == path.read_text("utf-8"), f"{name} differs from its golden file (pytest --update-golden)"

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
