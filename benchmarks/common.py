"""Helpers shared by the benchmark modules."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def courses(repo: Path, *fixtures: str) -> list[tuple[str, Any]]:
    """(label, validated Course or None) for the real course, the phishing fixture and any named fixtures."""
    from coursekit.validate import validate_course

    found = [(f"{name} fixture", repo / "tests" / "fixtures" / name) for name in ("phishing", *fixtures)]
    if (repo / "course" / "course.yaml").is_file():
        found.insert(0, ("real course", repo))
    return [(label, validate_course(root).course) for label, root in found]
