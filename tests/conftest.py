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
