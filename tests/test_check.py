"""`coursekit check PACKAGE.zip`: passes on the real packages, fails on a broken manifest or broken tracking."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, course_named, require_tool

from coursekit.targets import run_target
from coursekit.targets.scorm import Scorm12Target, Scorm2004Target

pytestmark = pytest.mark.browser
TARGETS = {"12": Scorm12Target, "2004": Scorm2004Target}


def coursekit(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real command line in a fresh process."""
    return subprocess.run([sys.executable, "-m", "coursekit.cli", *args], check=False, capture_output=True,
                          text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})})


def package(course_name: str, version: str, out: Path) -> Path:
    """One SCORM zip of the course for its first audience, built by the real target."""
    course = course_named(course_name)
    (archive,) = run_target(TARGETS[version](), course, out, [next(iter(course.audiences))]).written
    return archive


def rewrite(archive: Path, name: str, change: dict[str, str], out: Path) -> Path:
    """A copy of the zip with text replacements in one entry (each replacement must happen)."""
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == name:
                text = data.decode()
                for old, new in change.items():
                    assert old in text, f"{old!r} is not in {name}: update this fixture"
                    text = text.replace(old, new)
                data = text.encode()
            target.writestr(info, data)
    return out


def lines(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    """The report as {step: 'ok …' or 'FAIL …'}."""
    found = {}
    for line in result.stdout.splitlines():
        match = re.match(r"^(ok|FAIL)\s+(manifest|launch|first session|resume|accessibility|network)\s+(.*)$", line)
        if match:
            found[match.group(2)] = f"{match.group(1)} {match.group(3)}"
    return found


@pytest.fixture(scope="module", autouse=True)
def tools() -> None:
    require_tool("chromium", "coursekit check runs the package in Chromium")
    if not (REPO / "node_modules" / "scorm-again").is_dir():
        pytest.fail("node_modules/scorm-again is missing: run `make test` (npm ci)")


@pytest.mark.parametrize("version", ["12", "2004"])
def test_check_passes_on_the_real_packages(tmp_path: Path, version: str) -> None:
    """Both versions pass; axe runs on the 1.2 package only (the 2004 module's pages are the same pages, and
    tests/test_web.py runs axe on every screen and state)."""
    archive = package("real", version, tmp_path)
    result = coursekit("check", str(archive), *(["--no-axe"] if version == "2004" else []))
    assert result.returncode == 0, result.stdout + result.stderr
    report = lines(result)
    steps = ["manifest", "launch", "first session", "resume", "accessibility", "network"]
    assert list(report) == (steps if version == "12" else [s for s in steps if s != "accessibility"])
    assert all(value.startswith("ok ") for value in report.values()), report
    assert f"SCORM {'1.2' if version == '12' else '2004 4th Edition'}; valid against the ADL schemas" in report["manifest"]
    assert "passed, score 100" in report["resume"]
    assert result.stdout.rstrip().endswith("ready to upload")


def test_check_fails_on_a_broken_manifest(tmp_path: Path) -> None:
    archive = package("phishing", "2004", tmp_path / "built")
    broken = rewrite(archive, "imsmanifest.xml", {'identifierref="': 'identifierref="missing-', "<schema>ADL SCORM":
                                                  "<schemas>ADL SCORM", "</schema>": "</schemas>"},
                     tmp_path / "broken.zip")
    result = coursekit("check", str(broken))
    assert result.returncode == 1, result.stdout + result.stderr
    report = lines(result)
    assert report["manifest"].startswith("FAIL ")
    assert "schemas" in report["manifest"]  # the XSD error
    assert "identifierref=" in report["manifest"] and "matches no <resource>" in report["manifest"]
    assert "NOT ready to upload" in result.stdout


def test_check_fails_on_broken_tracking(tmp_path: Path) -> None:
    archive = package("phishing", "12", tmp_path / "built")
    # The module reports its score to an element SCORM 1.2 does not have: the LMS refuses it, no score is kept.
    broken = rewrite(archive, "tracking.js", {'"cmi.core.score.raw"': '"cmi.core.score.rawx"'},
                     tmp_path / "broken.zip")
    result = coursekit("check", str(broken), "--no-axe")
    assert result.returncode == 1, result.stdout + result.stderr
    report = lines(result)
    assert report["manifest"].startswith("ok ") and report["launch"].startswith("ok ")
    assert report["resume"].startswith("FAIL ")
    assert "LMSSetValue(cmi.core.score.rawx, 100) returned false" in report["resume"]
    assert "expected 100" in report["resume"]


def test_check_applies_the_scorm_rules_the_tests_apply(tmp_path: Path) -> None:
    """`check` runs the tests' own harness and call-log rules (coursekit/check/rules.py): a module that commits
    at every answer (no gap, so a host that sends the whole CMI per Commit overflows) is refused, although
    scorm-again itself accepts every one of those Commits."""
    archive = package("phishing", "12", tmp_path / "built")
    with zipfile.ZipFile(archive) as bundle:
        tracking = bundle.read("tracking.js").decode()
    gap = re.search(r"var \w+=1000;var \w+=\[2000,4000,", tracking)
    assert gap, "the commit gap (1000 ms, before the retry delays) is not in tracking.js: update this fixture"
    broken = rewrite(archive, "tracking.js", {gap.group(0): gap.group(0).replace("=1000;", "=0;", 1)},
                     tmp_path / "eager.zip")
    result = coursekit("check", str(broken), "--no-axe")
    assert result.returncode == 1, result.stdout + result.stderr
    report = lines(result)
    assert report["launch"].startswith("ok ")
    assert report["first session"].startswith("FAIL ") and "two Commits" in report["first session"], report
    assert "at most one per 900 ms" in report["first session"]


def test_check_without_chromium_says_so(tmp_path: Path) -> None:
    archive = package("phishing", "12", tmp_path)
    result = coursekit("check", str(archive), env={"PATH": str(tmp_path / "empty"), "COURSEKIT_CHROMIUM": ""})
    assert result.returncode == 2
    assert "Chromium is not installed" in result.stderr and "Traceback" not in result.stderr
