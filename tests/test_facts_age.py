"""facts_checked age (issue 10 #12): older than 6 months warns; 12 months or more also fails --strict."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES, REPO

from coursekit.validate import validate_course

# The phishing fixture says facts_checked: 2026-01-15 on line 7 of course/course.yaml.
WARN = ("course/course.yaml:7: warning: facts_checked is 2026-01-15, {months} months before today ({today}): "
        "facts are re-checked at least every 6 months; compare every fact, phone number and link with its source "
        "again, then set facts_checked to the day you did (--strict fails from 2027-01-15)")
STALE = ("course/course.yaml:7: {kind}facts_checked is 2026-01-15, 12 months before today (2027-01-15): facts "
         "older than 12 months are not trusted; compare every fact, phone number and link with its source again, "
         "then set facts_checked to the day you did (--strict fails)")


def facts(day: str, strict: bool = False, root: Path = FIXTURES / "phishing") -> tuple[list[str], list[str]]:
    """(errors, warnings) that mention facts_checked, validating `root` as if today were `day`."""
    result = validate_course(root, strict=strict, today=dt.date.fromisoformat(day))
    return ([str(e) for e in result.errors if "facts_checked" in e.message],
            [str(w) for w in result.warnings if "facts_checked" in w.message])


def test_exactly_six_months_is_fine_one_day_more_warns_without_failing_strict() -> None:
    assert facts("2026-01-15") == ([], [])
    assert facts("2026-07-15", strict=True) == ([], [])
    assert facts("2026-07-16") == ([], [WARN.format(months=6, today="2026-07-16")])
    assert facts("2026-07-16", strict=True) == ([], [WARN.format(months=6, today="2026-07-16")])
    result = validate_course(FIXTURES / "phishing", strict=True, today=dt.date(2027, 1, 14))
    assert result.course is not None and result.errors == []
    assert [str(w) for w in result.warnings] == [WARN.format(months=11, today="2027-01-14")]


def test_exactly_twelve_months_fails_strict_and_warns_otherwise() -> None:
    assert facts("2027-01-15") == ([], [STALE.format(kind="warning: ")])
    result = validate_course(FIXTURES / "phishing", strict=True, today=dt.date(2027, 1, 15))
    assert result.course is None
    assert [str(e) for e in result.errors] == [STALE.format(kind="")]


def test_month_ends_clamp(tmp_path: Path) -> None:
    root = tmp_path / "course"
    shutil.copytree(FIXTURES / "phishing", root)
    path = root / "course" / "course.yaml"
    path.write_text(path.read_text("utf-8").replace("facts_checked: 2026-01-15", "facts_checked: 2026-08-31"), "utf-8")
    assert facts("2027-02-28", root=root) == ([], [])  # 31 August + 6 months = 28 February
    assert len(facts("2027-03-01", root=root)[1]) == 1
    assert facts("2027-08-30", strict=True, root=root)[0] == []
    assert len(facts("2027-08-31", strict=True, root=root)[0]) == 1


def cli(*args: str, today: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COURSEKIT_TODAY=today, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "coursekit.cli", *args], capture_output=True, text=True, check=False,
                          timeout=300, env=env, cwd=REPO)


def test_cli_today_from_the_environment_validate_and_build(tmp_path: Path) -> None:
    course = str(FIXTURES / "phishing")
    stale = cli("validate", "--strict", "--course", course, today="2027-01-15")
    assert stale.returncode == 2 and "Traceback" not in stale.stderr
    assert stale.stderr.splitlines()[0] == STALE.format(kind="")
    fine = cli("validate", "--strict", "--course", course, today="2027-01-14")
    assert fine.returncode == 0, fine.stderr
    assert fine.stderr.splitlines() == [WARN.format(months=11, today="2027-01-14")]
    built = cli("build", "coverage", "--course", course, "--out", str(tmp_path / "out"), today="2026-09-01")
    assert built.returncode == 0, built.stderr
    assert WARN.format(months=7, today="2026-09-01") in built.stderr.splitlines()
    refused = cli("build", "coverage", "--strict", "--course", course, "--out", str(tmp_path / "out2"),
                  today="2027-02-01")
    assert refused.returncode == 2 and not (tmp_path / "out2" / "coverage").exists()
    bad = cli("validate", "--course", course, today="next tuesday")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "COURSEKIT_TODAY is 'next tuesday': set it to a date like 2026-05-01, or unset it" in bad.stderr


def test_the_real_course_facts_are_less_than_twelve_months_old_today() -> None:
    """Against the real calendar: this is meant to fail when the real course's facts go stale."""
    result = validate_course(REPO, strict=True, today=dt.date.today())
    assert [str(e) for e in result.errors if "facts_checked" in e.message] == []
    course = result.course
    assert course is not None and course.facts_checked <= dt.date.today()

