"""Quiz banks: build time (median of 5), file sizes, questions per format, questions Kahoot left out."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

RUNS = 5


def _courses(repo: Path) -> list[tuple[str, Any]]:
    from benchmarks.common import courses

    return courses(repo, "awkward")


def _qti_items(archive: Path) -> int:
    """Scored items across the package's assessments (the help text item is not a question)."""
    from lxml import etree

    qti = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
    count = 0
    with zipfile.ZipFile(archive) as bundle:
        for name in bundle.namelist():
            if name == "imsmanifest.xml" or name.endswith("assessment_meta.xml"):
                continue
            for item in etree.fromstring(bundle.read(name)).iter(f"{qti}item"):
                fields = {f.findtext(f"{qti}fieldlabel"): f.findtext(f"{qti}fieldentry")
                          for f in item.iter(f"{qti}qtimetadatafield")}
                count += fields.get("question_type") != "text_only_question"
    return count


def measure(repo: Path) -> dict[str, str]:
    """Build time, sizes and question counts of the quizbank target for each course available."""
    sys.path.insert(0, str(repo))
    from lxml import etree
    from openpyxl import load_workbook

    from coursekit.targets import run_target
    from coursekit.targets.quizbank import QuizbankTarget
    from coursekit.targets.quizbank_kahoot import kahoot_rows
    from coursekit.view import audience_view

    figures: dict[str, str] = {}
    for label, course in _courses(repo):
        if course is None:
            figures[f"{label}: quizbank"] = "course does not validate"
            continue
        audiences = list(course.audiences)
        times = []
        with tempfile.TemporaryDirectory() as tmp:
            for run in range(RUNS):
                out = Path(tmp, str(run))
                out.mkdir()
                started = time.perf_counter()
                run_target(QuizbankTarget(), course, out, audiences)  # Kahoot warnings: counted below
                times.append(time.perf_counter() - started)
            figures[f"{label}: quizbank build ({len(audiences)} audiences, median of {RUNS})"] = \
                f"{statistics.median(times) * 1000:.0f} ms"
            for audience in audiences:
                folder = Path(tmp, "0", audience)
                files = {p.name.removeprefix(f"{course.id}."): p for p in folder.iterdir()}
                figures[f"{label} / {audience}: sizes"] = ", ".join(
                    f"{suffix} {path.stat().st_size / 1024:.1f} KB" for suffix, path in sorted(files.items()))
                gift_text = files["gift.txt"].read_text("utf-8")
                gift = sum(line.startswith("// [id:") and ".help]" not in line
                           for line in gift_text.splitlines())
                xml = etree.parse(str(files["moodle.xml"])).getroot()
                moodle = sum(q.get("type") not in ("category", "description")
                             for q in xml.findall("question"))
                qti = _qti_items(files["qti.zip"])
                sheet = load_workbook(files["kahoot.xlsx"]).worksheets[0]
                kahoot = sum(sheet.cell(row=r, column=2).value is not None
                             for r in range(9, sheet.max_row + 1))
                rows, skipped = kahoot_rows(audience_view(course, audience))
                assert kahoot == len(rows)
                figures[f"{label} / {audience}: questions"] = (
                    f"GIFT {gift}, Moodle XML {moodle}, QTI {qti}, Kahoot {kahoot} "
                    f"({len(skipped)} left out: "
                    + (", ".join(f"{s.quiz.id}/{s.question.id}" for s in skipped) or "none") + ")")
    return figures


if __name__ == "__main__":
    for key, value in measure(Path(__file__).resolve().parent.parent).items():
        print(f"{key}: {value}")
