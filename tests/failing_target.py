"""Test-only targets: one that fails after writing part of its output, one that hangs."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Sequence

from coursekit.model import Course
from coursekit.targets import Target


class FailingTarget(Target):
    """Writes a file, then hits an internal error."""

    name = "failing"
    description = "fails midway (tests only)"

    def build(self, course: Course, out: Path, audiences: Sequence[str]) -> list[Path]:
        """Write half an output, then fail."""
        (out / "half.txt").write_text("half")
        raise RuntimeError("simulated crash midway")


class SlowTarget(Target):
    """Writes a file, then takes a long time (to be killed)."""

    name = "slow"
    description = "hangs (tests only)"

    def build(self, course: Course, out: Path, audiences: Sequence[str]) -> list[Path]:
        """Write part of an output, then wait."""
        (out / "partial.txt").write_text("partial")
        time.sleep(60)
        return []
