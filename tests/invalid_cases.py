"""Apply one invalid-input case (tests/fixtures/invalid/<case>.yaml) to a copy of the phishing fixture."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CASES = sorted((FIXTURES / "invalid").glob("*.yaml"))


def _apply(root: Path, edit: dict[str, Any]) -> None:
    path = root / edit["edit"]
    if "content" in edit:  # the whole file (a new one, or an existing one replaced)
        path.write_text(edit["content"], "utf-8")
        return
    text = path.read_text("utf-8")
    if "replace" in edit:
        old, new = edit["replace"]
        assert text.count(old) == 1, f"case text {old!r} must occur exactly once in {edit['edit']}"
        text = text.replace(old, new)
    if "append" in edit:
        text += edit["append"]
    path.write_text(text, "utf-8")


def make_case(case: Path, tmp: Path) -> tuple[Path, list[str]]:
    """Copy the phishing fixture into `tmp`, apply the case; return the root and expected errors."""
    spec = yaml.safe_load(case.read_text("utf-8"))
    root = tmp / case.stem
    shutil.copytree(FIXTURES / "phishing", root)
    for edit in [spec, *spec.get("also", [])]:
        _apply(root, edit)
    return root, list(spec.get("expected", []))
