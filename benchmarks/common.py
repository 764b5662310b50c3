"""Helpers shared by the benchmark modules."""

from __future__ import annotations

from pathlib import Path


def courses(repo: Path, *fixtures: str) -> list[tuple[str, Path]]:
    """The courses to measure: the real course, the phishing fixture, then any other named fixtures."""
    found = [(f"{name} fixture", repo / "tests" / "fixtures" / name) for name in ("phishing", *fixtures)]
    if (repo / "course" / "course.yaml").is_file():
        found.insert(0, ("real course", repo))
    return found
