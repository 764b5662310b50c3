"""Builds that survive faults (issue 12, items 1-5): the all-or-nothing swap, kill -9, a second build, the
machine's problems (full or read-only disk, files in the way, missing font or tools), temp files."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import require_tool

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "phishing"
TESTS = REPO / "tests"

# Runs the CLI with the test-only targets registered (argv: tests folder, then the CLI arguments).
CLI = ("import sys; sys.path.insert(0, sys.argv[1]); from coursekit.targets import TARGETS; "
       "TARGETS.update(slow='failing_target:SlowTarget', **{'content-failing': 'failing_target:ContentFailingTarget'}); "
       "from coursekit.cli import main; main(sys.argv[2:])")


def coursekit(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", CLI, str(TESTS), *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})}, check=False)


def build(course: Path, out: Path, *targets: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return coursekit("build", "--course", str(course), "--out", str(out), *targets, env=env)


def visible(out: Path) -> dict[str, str]:
    """What a reader of `out` sees: every file under its non-hidden entries (links followed), with its SHA-256."""
    digest: dict[str, str] = {}
    for entry in sorted(out.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_file():
            digest[entry.name] = hashlib.sha256(entry.read_bytes()).hexdigest()
        for base, _dirs, files in os.walk(entry, followlinks=True):
            for name in files:
                path = Path(base, name)
                digest[path.relative_to(out).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return dict(sorted(digest.items()))


def hidden(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith("."))


def stderr_lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.strip() and not line.startswith("coverage:")]


@pytest.fixture
def two_courses(tmp_path: Path) -> tuple[Path, Path]:
    """Course A (the fixture) and course B (the same with another title and question): two output sets."""
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(FIXTURE, a)
    shutil.copytree(FIXTURE, b)
    course = b / "course" / "course.yaml"
    course.write_text(course.read_text("utf-8").replace("title: Spotting phishing\n", "title: Phishing, B\n"), "utf-8")
    quiz = b / "quizzes" / "final.yaml"
    quiz.write_text(quiz.read_text("utf-8").replace("What should you check first?", "What do you check first?"),
                    "utf-8")
    return a, b


# --- item 1: the swap is all-or-nothing ---------------------------------------------------------------


def test_a_build_killed_at_every_step_of_the_swap_leaves_the_old_or_the_new_set(two_courses: tuple[Path, Path],
                                                                                tmp_path: Path) -> None:
    """The old set is A's coverage+quizbank; the new build rebuilds coverage and adds web from B, carrying
    quizbank over. Killed (SIGKILL) at step n of the swap, for every n: outputs/ is the old set or the new one,
    byte for byte, and the next build succeeds and leaves no leftovers."""
    a, b = two_courses
    reference = tmp_path / "reference"
    assert build(a, reference, "coverage", "quizbank").returncode == 0
    old = visible(reference)
    assert build(b, reference, "coverage", "web").returncode == 0
    new = visible(reference)
    assert old != new and {k.split("/")[0] for k in new} >= {"coverage", "quizbank", "web", "index.html"}
    killed_at = []
    first = tmp_path / "first"
    assert build(a, first, "coverage", "quizbank").returncode == 0
    for step in range(1, 30):
        out = tmp_path / f"out-{step}"
        shutil.copytree(first, out, symlinks=True)  # A's set, as its build left it
        assert visible(out) == old
        proc = build(b, out, "coverage", "web", env={"COURSEKIT_TEST_KILL_AT_STEP": str(step)})
        seen = visible(out)
        if proc.returncode == 0:  # the build ran past its last step: every step has been tried
            assert seen == new
            break
        assert proc.returncode == -signal.SIGKILL, proc.stderr
        assert f"killed at swap step {step} " in proc.stderr
        killed_at.append(proc.stderr.split("(")[-1].split(")")[0])
        assert seen in (old, new), f"killed at step {step} ({killed_at[-1]}): a mix of the old and new sets"
        again = build(b, out, "coverage", "web")
        assert again.returncode == 0, again.stderr
        assert visible(out) == new
        assert len([name for name in hidden(out) if name.startswith(".build-")]) == 1, hidden(out)
        shutil.rmtree(out)
    else:
        pytest.fail("the build never ran to the end")
    assert killed_at[:2] == ["carried over quizbank", "staged"] and "switched" in killed_at, killed_at


def test_outputs_of_an_older_coursekit_are_adopted(tmp_path: Path) -> None:
    """A real outputs/web folder (the layout before the swap) becomes part of the current set, untouched."""
    out = tmp_path / "out"
    (out / "web").mkdir(parents=True)
    (out / "web" / "old.html").write_text("an older build")
    (out / ".print.tmp").mkdir()  # an older version's staging leftovers
    assert build(FIXTURE, out, "coverage").returncode == 0
    assert (out / "web" / "old.html").read_text() == "an older build"
    assert (out / "web").is_symlink() and hidden(out) == [".build-2", ".cache", ".current", ".lock"]


@pytest.mark.parametrize("kind", ["file", "symlink"])
def test_a_file_or_foreign_link_at_a_target_path_is_refused_before_anything_changes(tmp_path: Path,
                                                                                      kind: str) -> None:
    out = tmp_path / "out"
    assert build(FIXTURE, out, "coverage").returncode == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    if kind == "file":
        (out / "web").write_text("my notes")
    else:
        (out / "web").symlink_to(elsewhere)
    before = visible(out)
    proc = build(FIXTURE, out, "coverage", "web")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    what = "is a file" if kind == "file" else f"is a link to {elsewhere}"
    assert stderr_lines(proc) == [f"error: {out / 'web'} {what}, not coursekit's output folder: "
                                  + ("move it away" if kind == "file" else "remove the link")
                                  + ", or build into another folder with --out"]
    assert visible(out) == before and list(elsewhere.iterdir()) == []


def test_a_content_error_in_one_target_leaves_every_previous_output_untouched(two_courses: tuple[Path, Path],
                                                                              tmp_path: Path) -> None:
    a, b = two_courses
    out = tmp_path / "out"
    assert build(a, out, "coverage", "quizbank").returncode == 0
    before, before_hidden = visible(out), hidden(out)
    proc = build(b, out, "coverage", "content-failing", "quizbank")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "content-failing: quizzes/final.yaml:8: this question cannot be laid out (simulated)" in proc.stderr
    assert visible(out) == before and hidden(out) == before_hidden


# --- item 2: kill -9 leaves no workers ------------------------------------------------------------------------


def _children(pid: int) -> set[int]:
    found = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        with contextlib.suppress(OSError):
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
            if int(fields.get("PPid", "0").strip()) == pid:
                found.add(int(status.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux-only")
def test_kill_9_of_a_build_leaves_no_workers_and_the_next_build_cleans_up(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(FIXTURE, out, "coverage").returncode == 0
    before = visible(out)
    proc = subprocess.Popen([sys.executable, "-c", CLI, str(TESTS), "build", "--course", str(FIXTURE), "--out",
                             str(out), "--jobs", "2", "--no-cache", "coverage", "slow"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 60
    while not list(out.glob(".build-*/slow/partial.txt")):
        assert time.time() < deadline and proc.poll() is None, "the slow target never started"
        time.sleep(0.05)
    workers = _children(proc.pid)
    assert workers, "the build runs its targets in worker processes"
    os.kill(proc.pid, signal.SIGKILL)  # the parent only, as an OOM killer or a closed terminal would
    proc.wait()
    deadline = time.time() + 5
    while any(_alive(pid) for pid in workers) and time.time() < deadline:
        time.sleep(0.05)
    survivors = [pid for pid in workers if _alive(pid)]
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert survivors == [], "workers outlived the killed build"
    assert visible(out) == before
    assert build(FIXTURE, out, "coverage").returncode == 0
    assert visible(out) == before and hidden(out) == [".build-2", ".cache", ".current", ".lock"]


# --- item 3: two builds into one outputs/ -----------------------------------------------------------------


def test_a_second_build_waits_for_the_first_with_a_message(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(FIXTURE, out, "coverage").returncode == 0
    with open(out / ".lock", "a+", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as a running build holds it
        lock.seek(0)
        lock.truncate()
        lock.write("4242\n")
        lock.flush()
        second = subprocess.Popen([sys.executable, "-c", CLI, str(TESTS), "build", "--course", str(FIXTURE),
                                   "--out", str(out), "coverage", "quizbank"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        assert second.stderr is not None
        line = ""
        deadline = time.time() + 60
        while "waiting" not in line:
            assert time.time() < deadline, "no message from the waiting build"
            line = second.stderr.readline()
        assert line.strip() == f"another build (process 4242) is writing to {out}: waiting for it to finish"
        time.sleep(0.5)
        assert second.poll() is None and not (out / "quizbank").exists(), "the second build did not wait"
        fcntl.flock(lock, fcntl.LOCK_UN)
    assert second.wait(timeout=120) == 0
    assert (out / "quizbank").is_dir() and hidden(out) == [".build-2", ".cache", ".current", ".lock"]


# --- item 4: the machine's problems are not bugs -------------------------------------------------------------


@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A small RAM disk at `path` (root only; real ENOSPC and EROFS, nothing simulated)."""
    path.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        message = f"cannot mount a tmpfs ({mounted.stderr.strip()}): full and read-only disks need root"
        if os.environ.get("CI"):
            pytest.fail(f"CI: {message}")
        pytest.skip(f"SKIPPED, NOT PASSED: {message}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_a_full_disk_is_one_line_and_exit_2(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "256k") as disk:
        out = disk / "out"
        assert build(FIXTURE, out, "coverage").returncode == 0
        before = visible(out)
        proc = build(FIXTURE, out, "coverage", "web", "quizbank")
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
        problems = [line for line in stderr_lines(proc) if "No space left on device" in line]
        assert problems and problems[0].endswith(": free some disk space, or build into another folder with --out")
        assert visible(out) == before and hidden(out) == [".build-1", ".cache", ".current", ".lock"]


def test_a_read_only_outputs_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "4m") as disk:
        out = disk / "out"
        assert build(FIXTURE, out, "coverage").returncode == 0
        before = visible(out)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        proc = build(FIXTURE, out, "coverage")
        assert proc.returncode == 2 and "Traceback" not in proc.stderr
        assert stderr_lines(proc) == [f"error: cannot write the outputs: Read-only file system ({out / '.lock'}): "
                                      "the disk is read-only: build into another folder with --out"]
        assert visible(out) == before


def test_files_where_staging_folders_go_are_cleared_and_a_file_for_outputs_is_one_line(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(FIXTURE, out, "coverage").returncode == 0
    for name in (".build-2", ".web.tmp", ".current.link-tmp"):  # the next staging set, older layouts' staging
        (out / name).write_text("in the way")
    proc = build(FIXTURE, out, "coverage", "web")
    assert proc.returncode == 0, proc.stderr
    assert hidden(out) == [".build-2", ".cache", ".current", ".lock"] and (out / "web").is_dir()
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("not a folder")
    proc = build(FIXTURE, not_a_folder, "coverage")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"Directory '{not_a_folder}' is a file." in proc.stderr


def test_a_missing_font_is_named_as_a_missing_font(tmp_path: Path) -> None:
    code = ("import sys; from coursekit import theme; "
            "theme.FONT_FILES = {**theme.FONT_FILES, 'bold': '/nonexistent/Inter-Bold.otf'}; "
            "from coursekit.cli import main; main(sys.argv[1:])")
    proc = subprocess.run([sys.executable, "-c", code, "build", "--course", str(FIXTURE), "--out",
                           str(tmp_path / "out"), "print"], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert ("print: the font Inter is missing (/nonexistent/Inter-Bold.otf not found): install it with "
            "`apt-get install fonts-inter` (`make build` does it)") in stderr_lines(proc)


def test_missing_pdftoppm_and_libreoffice_are_one_line_each_and_exit_2(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    proc = build(FIXTURE, tmp_path / "out", "print", "slides", env={"PATH": str(empty)})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = stderr_lines(proc)
    assert ("print: pdftoppm is missing, so the PDF previews cannot be made: install poppler-utils (`make build` "
            "does it; or apt-get install poppler-utils)") in lines
    assert any(line.startswith("slides: soffice and pdftoppm are missing, so the slide previews cannot be made")
               for line in lines), lines
    assert not (tmp_path / "out" / "print").exists()


# --- item 5: no temporary files left behind ----------------------------------------------------------------


def test_a_print_build_leaves_nothing_in_the_temp_folder(tmp_path: Path) -> None:
    temp = tmp_path / "temp"
    temp.mkdir()
    proc = build(FIXTURE, tmp_path / "out", "print", "slides", env={"TMPDIR": str(temp)})
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in temp.iterdir()) == []
    assert hidden(tmp_path / "out") == [".build-1", ".cache", ".current", ".lock"]


def test_a_relative_outputs_folder_works_with_libreoffice(tmp_path: Path) -> None:
    """Staging paths reach LibreOffice as a file:// URL: a relative outputs/ (the default) must still work."""
    require_tool("soffice", "slide previews are rendered by LibreOffice")
    course = tmp_path / "course"
    shutil.copytree(FIXTURE, course)
    proc = subprocess.run([sys.executable, "-m", "coursekit.cli", "build", "--strict", "slides"], cwd=course,
                          capture_output=True, text=True, timeout=600, check=False,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 0, proc.stderr
    assert len(list((course / "outputs" / "slides" / "previews").glob("*.png"))) >= 4
