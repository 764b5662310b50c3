"""`coursekit new`: the starter course validates with --strict and builds every target, through the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


def coursekit(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "coursekit.cli", *args], check=False, capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=300)


def test_new_then_strict_validate_then_build_every_target(tmp_path: Path) -> None:
    made = coursekit("new", "first", "--topic", "Staying safe online", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    root = tmp_path / "first"
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert files == [".gitignore", "course/course.yaml", "course/leaflet-adults.yaml", "course/leaflet-students.yaml",
                     "course/lesson.yaml", "course/sources/advice.md", "course/sources/help.md", "course/talk.yaml",
                     "quizzes/final.yaml", "scenarios/first-story.yaml"]
    course = (root / "course" / "course.yaml").read_text("utf-8")
    assert course.startswith("# ") and "coursekit serve" in course  # commented, and points at the loop
    data = yaml.safe_load(course)
    assert (data["id"], data["title"]) == ("staying-safe-online", "Staying safe online")
    assert list(data["audiences"]) == ["students", "adults"]

    checked = coursekit("validate", "--strict", cwd=root)
    assert checked.returncode == 0, checked.stderr
    assert "warning" not in checked.stdout + checked.stderr
    assert checked.stdout.startswith("ok: Staying safe online 0.1.0: 1 modules, 3 pages, 1 scenarios, 1 quizzes")

    built = coursekit("build", "--strict", cwd=root)
    assert built.returncode == 0, built.stderr
    assert "warning" not in built.stderr
    out = root / "outputs"
    for expected in ["web/staying-safe-online-students/index.html", "web/staying-safe-online-adults/index.html",
                     "scorm12/staying-safe-online-students.zip", "scorm2004/staying-safe-online-adults.zip",
                     "print/students/leaflet.pdf", "print/adults/leaflet.pdf", "print/students/lesson-plan.pdf",
                     "print/adults/talk-plan.pdf", "slides/staying-safe-online-lesson.pptx",
                     "slides/staying-safe-online-talk.pptx", "quizbank/students/staying-safe-online.moodle.xml",
                     "coverage/coverage.md"]:
        assert (out / expected).is_file(), expected


def test_topic_with_yaml_punctuation_stays_the_title(tmp_path: Path) -> None:
    topic = 'Scams: "too good" to be true # really'
    assert coursekit("new", "c", "--topic", topic, cwd=tmp_path).returncode == 0
    root = tmp_path / "c"
    data = yaml.safe_load((root / "course" / "course.yaml").read_text("utf-8"))
    assert (data["id"], data["title"]) == ("scams-too-good-to-be-true-really", topic)
    checked = coursekit("validate", "--strict", cwd=root)
    assert checked.returncode == 0, checked.stderr


def test_new_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine", "utf-8")
    result = coursekit("new", "taken", cwd=tmp_path)
    assert result.returncode == 2
    assert "taken already exists and is not empty" in result.stderr and "Traceback" not in result.stderr
    assert (tmp_path / "taken" / "notes.txt").read_text("utf-8") == "mine"
    assert sorted(p.name for p in (tmp_path / "taken").iterdir()) == ["notes.txt"]
