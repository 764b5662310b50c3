"""Test-only targets: one that fails after writing part of its output, one that hangs."""

from __future__ import annotations

import time

from coursekit.errors import BuildError
from coursekit.targets import BuildContext, Target


class FailingTarget(Target):
    """Writes a file, then hits an internal error."""

    name = "failing"
    description = "fails midway (tests only)"

    def build(self, ctx: BuildContext) -> None:
        """Write half an output, then fail."""
        ctx.write_text("half.txt", "half")
        raise RuntimeError("simulated crash midway")


class ContentFailingTarget(Target):
    """Writes a file, then finds the content cannot be built (an author's mistake, not a bug)."""

    name = "content-failing"
    description = "fails on content midway (tests only)"

    def build(self, ctx: BuildContext) -> None:
        """Write half an output, then raise a BuildError located at the final quiz's first question."""
        ctx.write_text("half.txt", "half")
        question = ctx.course.quizzes[ctx.course.assessment.quiz].questions[0]
        raise BuildError(f"{ctx.where(question)}: this question cannot be laid out (simulated)")


class WarningTarget(Target):
    """Writes a file and warns about the final quiz's first question."""

    name = "warning"
    description = "warns (tests only)"

    def build(self, ctx: BuildContext) -> None:
        """Write one file and report one warning."""
        ctx.write_text("note.txt", "written")
        question = ctx.course.quizzes[ctx.course.assessment.quiz].questions[0]
        ctx.warn("simulated warning about this question", question)


class SlowTarget(Target):
    """Writes a file, then takes a long time (to be killed)."""

    name = "slow"
    description = "hangs (tests only)"

    def build(self, ctx: BuildContext) -> None:
        """Write part of an output, then wait."""
        ctx.write_text("partial.txt", "partial")
        time.sleep(60)

