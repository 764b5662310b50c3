"""Installable without the repository: a wheel built from this checkout runs from any folder.

The wheel goes into a fresh virtual environment that shares only the *dependencies* of the
development venv (its site-packages on a plain path entry, so the editable install of this
checkout is not seen). The course is a copy in a temporary folder, and the command runs there
with no PYTHONPATH, so a template, player file or schema missing from the wheel fails the build.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel of this checkout, built as a user's `pip wheel .` / `pipx install .` would."""
    folder = tmp_path_factory.mktemp("wheel")
    source = folder / "src"
    # Build from a clean copy: no outputs/, venv or node_modules are packed by accident.
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".venv", "node_modules", "outputs", ".git", "__pycache__", "*.egg-info", "build", ".pytest_cache"))
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(folder), str(source)],
                          check=False, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0 and not os.environ.get("CI") and "Could not find a version" in proc.stderr:
        pytest.skip(f"SKIPPED, NOT PASSED: pip cannot fetch the build backend here: {proc.stderr[-300:]}")
    assert proc.returncode == 0, proc.stderr
    (built,) = folder.glob("*.whl")
    return built


def test_wheel_is_named_for_a_free_distribution_and_carries_its_files(wheel: Path) -> None:
    """The distribution name is not the index's unrelated `coursekit`; templates, player and schemas ship."""
    assert wheel.name.startswith("coursekit_awareness-"), wheel.name
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("coursekit/player/player.js", "coursekit/player/tracking.js", "coursekit/wording.yaml",
                   "coursekit/templates/web/index.html.j2", "coursekit/templates/print/print.css",
                   "coursekit/templates/scorm/xsd2004/imscp_v1p1.xsd",
                   "coursekit/templates/scorm/xsd12/imscp_rootv1p1p2.xsd",
                   "coursekit/messages/en-GB.yaml", "coursekit/messages/cy.yaml"):
        assert needed in names, f"{needed} is not in the wheel"
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "coursekit = coursekit.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
    assert not any(name.startswith(("tests/", "course/", "scenarios/")) for name in names)


def test_wheel_installs_and_builds_a_course_from_any_folder(wheel: Path, tmp_path: Path) -> None:
    """pip install the wheel into a fresh venv; `coursekit new/validate/build` work outside the repository."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # The dependencies come from the development venv's site-packages as a plain path: not a site
    # directory, so its .pth files (the editable install of this checkout) are not processed.
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    proc = subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
                           "--no-deps", "--no-index", "-q", str(wheel)], check=False, capture_output=True, text=True)
    if proc.returncode != 0 and "no such option: --python" in proc.stderr:
        proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q",
                               "--target", str(site), str(wheel)], check=False, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}:{env.get('PATH', '')}"
    work = tmp_path / "somewhere"
    work.mkdir()

    def coursekit(*args: str) -> subprocess.CompletedProcess[str]:
        python = str(venv / "bin" / "python")
        return subprocess.run([python, "-c", "import sys; from coursekit.cli import main; main()", *args],
                              cwd=work, env=env, check=False, capture_output=True, text=True, timeout=600)

    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import coursekit; print(coursekit.__file__)"],
                           cwd=work, env=env, capture_output=True, text=True, check=True).stdout
    assert str(venv) in where, f"coursekit was imported from {where}, not from the installed wheel"
    version = coursekit("--version")
    assert version.returncode == 0 and "coursekit, version" in version.stdout, version.stderr

    shutil.copytree(FIXTURES / "phishing", work / "phishing")
    checked = coursekit("validate", "--course", "phishing")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    built = coursekit("build", "web", "scorm12", "scorm2004", "quizbank", "coverage",
                      "--course", "phishing", "--out", "out")
    assert built.returncode == 0, built.stdout + built.stderr
    assert (work / "out" / "web" / "phishing-basics-students" / "index.html").is_file()
    assert (work / "out" / "scorm12" / "phishing-basics-students.zip").is_file()
    coverage = json.loads((work / "out" / "coverage" / "coverage.json").read_text("utf-8"))
    assert coverage

    started = coursekit("new", "my-course", "--topic", "Staying safe online")
    assert started.returncode == 0, started.stdout + started.stderr
    strict = coursekit("validate", "--course", "my-course", "--strict")
    assert strict.returncode == 0, strict.stdout + strict.stderr
