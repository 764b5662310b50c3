"""Target `coverage`: where each advice point is taught and assessed, as Markdown and JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from coursekit.model import Course
from coursekit.targets import Target
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

    def build(self, course: Course, out: Path, audiences: Sequence[str]) -> list[Path]:
        """Write the coverage report for `audiences`."""
        rows = compute_coverage(course)
        markdown, data = out / "coverage.md", out / "coverage.json"
        markdown.write_text(coverage_markdown(course, rows, audiences), "utf-8")
        data.write_text(coverage_json(rows), "utf-8")
        return [markdown, data]
