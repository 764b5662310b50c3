"""Target `coverage`: where each advice point is taught and assessed, as Markdown and JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence

from coursekit.model import Course
from coursekit.targets import BuildContext, Target
from coursekit.validate import CoverageRow, compute_coverage


def coverage_markdown(course: Course, rows: list[CoverageRow], audiences: Sequence[str]) -> str:
    """The coverage report as a Markdown table per audience."""
    lines = [f"# Coverage: {course.title} {course.version}", ""]
    for audience in audiences:
        applicable = [row for row in rows if audience in row.taught]
        taught = sum(bool(row.taught[audience]) for row in applicable)
        assessed = sum(bool(row.assessed[audience]) for row in applicable)
        lines += [f"## {course.audiences[audience].label} (`{audience}`)", "",
                  f"{taught}/{len(applicable)} advice points taught, {assessed}/{len(applicable)} assessed.", "",
                  "| advice | taught in | assessed in |", "|---|---|---|"]
        for row in applicable:
            lines.append(f"| `{row.advice.id}` | {'<br>'.join(row.taught[audience]) or '**not taught**'} | "
                         f"{'<br>'.join(row.assessed[audience]) or '**not assessed**'} |")
        lines.append("")
    return "\n".join(lines)


def coverage_json(rows: list[CoverageRow]) -> str:
    """The coverage data as stable JSON."""
    data = {row.advice.id: {"cite": row.advice.cite, "taught": row.taught, "assessed": row.assessed} for row in rows}
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


class CoverageTarget(Target):
    """Writes coverage.md and coverage.json."""

    name = "coverage"
    description = "where each advice point is taught and assessed"

    def build(self, ctx: BuildContext) -> None:
        """Write the coverage report for the audiences being built."""
        rows = compute_coverage(ctx.course)
        ctx.write_text("coverage.md", coverage_markdown(ctx.course, rows, ctx.audiences))
        ctx.write_text("coverage.json", coverage_json(rows))
