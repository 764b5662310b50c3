"""Pipeline guarantees: atomic outputs, deterministic bytes, exit codes, every target for every course."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coursekit.pipeline import build_course
from coursekit.targets import TARGETS
from coursekit.validate import load_course, validate_course

REPO = Path(__file__).resolve().parent.parent


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file a reader of `folder` sees (through the per-target links), with its SHA-256."""
    digest: dict[str, str] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_file():  # a root target's file (the pack's index.html), through its link
            digest[entry.name] = hashlib.sha256(entry.read_bytes()).hexdigest()
        for base, _dirs, files in os.walk(entry, followlinks=True):
            for name in files:
                path = Path(base, name)
                digest[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return dict(sorted(digest.items()))


def hidden(folder: Path) -> list[str]:
    """The hidden entries of an output folder: after any build, exactly the lock, the switch and one set
    (and the incremental-build cache, which is not part of the swap)."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and p.name != ".cache")


@pytest.fixture
def with_test_targets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(TARGETS, "failing", "failing_target:FailingTarget")
    monkeypatch.setitem(TARGETS, "slow", "failing_target:SlowTarget")
    monkeypatch.setitem(TARGETS, "content-failing", "failing_target:ContentFailingTarget")
    monkeypatch.setitem(TARGETS, "warning", "failing_target:WarningTarget")


def test_failed_build_leaves_previous_outputs_byte_identical(phishing_root: Path, tmp_path: Path,
                                                             with_test_targets: None) -> None:
    course = load_course(phishing_root)
    out = tmp_path / "outputs"
    first = build_course(course, out, ["coverage"], list(course.audiences), jobs=1)
    assert not any(r.error for r in first)
    before = tree_digest(out)
    assert "coverage/coverage.md" in before
    results = build_course(course, out, ["coverage", "failing"], list(course.audiences), jobs=1)
    failed = {r.name: r for r in results if r.error}
    assert set(failed) == {"failing"} and failed["failing"].internal
    assert "simulated crash midway" in failed["failing"].error
    assert tree_digest(out) == before  # coverage was rebuilt fine, but nothing was swapped in
    assert hidden(out) == [".build-1", ".current", ".lock"]


def test_content_failure_in_one_target_leaves_previous_outputs_untouched(phishing_root: Path, tmp_path: Path,
                                                                        with_test_targets: None) -> None:
    """A BuildError (the author's content cannot be built) in one target while another succeeds: nothing is
    swapped in, the error names the YAML line, and no staging folder is left behind."""
    result = validate_course(phishing_root)
    assert result.course is not None
    course = result.course
    out = tmp_path / "outputs"
    assert not any(r.error for r in build_course(course, out, ["coverage"], list(course.audiences), jobs=1))
    (out / "coverage" / "coverage.md").write_text("the previous build", "utf-8")
    before = tree_digest(out)
    results = build_course(course, out, ["coverage", "content-failing"], list(course.audiences), jobs=2,
                           sources=result.sources)
    by_name = {r.name: r for r in results}
    assert by_name["coverage"].error == "" and by_name["coverage"].files == ("coverage.json", "coverage.md")
    failed = by_name["content-failing"]
    assert not failed.internal
    # quizzes/final.yaml: `questions:` is line 6, its first item `- id: sender` line 7.
    assert failed.error == "quizzes/final.yaml:8: this question cannot be laid out (simulated)"
    assert tree_digest(out) == before
    assert sorted(p.name for p in out.iterdir() if p.name != ".cache") == [".build-1", ".current", ".lock",
                                                                           "coverage"]  # .cache: incremental builds


def _cli_with_test_targets(phishing_root: Path, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    code = ("import sys; sys.path.insert(0, sys.argv[2]); from coursekit.targets import TARGETS; "
            "TARGETS['warning'] = 'failing_target:WarningTarget'; "
            "TARGETS['content-failing'] = 'failing_target:ContentFailingTarget'; from coursekit.cli import main; "
            "main(['build', '--course', sys.argv[1], '--out', sys.argv[3], *sys.argv[4:]])")
    return subprocess.run([sys.executable, "-c", code, str(phishing_root), str(REPO / "tests"), str(out), *args],
                          capture_output=True, text=True, timeout=120)


def test_target_warnings_are_printed_and_strict_makes_them_errors(phishing_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "outputs"
    proc = _cli_with_test_targets(phishing_root, out, "coverage", "warning")
    assert proc.returncode == 0, proc.stderr
    line = "quizzes/final.yaml:8: warning: simulated warning about this question"
    assert line in proc.stderr.splitlines()
    assert (out / "warning" / "note.txt").is_file()
    (out / "coverage" / "coverage.md").write_text("the previous build", "utf-8")
    before = tree_digest(out)
    strict = _cli_with_test_targets(phishing_root, out, "--strict", "coverage", "warning")
    assert strict.returncode == 2, strict.stderr
    assert line in strict.stderr.splitlines() and "Traceback" not in strict.stderr
    assert "left as it was" in strict.stderr
    assert tree_digest(out) == before  # nothing swapped in, not even the target that did not warn


def test_content_failure_exits_2_naming_the_line(phishing_root: Path, tmp_path: Path) -> None:
    proc = _cli_with_test_targets(phishing_root, tmp_path, "coverage", "content-failing")
    assert proc.returncode == 2
    assert "content-failing: quizzes/final.yaml:8: this question cannot be laid out (simulated)" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "coverage").exists()


def test_killed_build_leaves_previous_outputs_byte_identical(phishing_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "outputs"
    code = ("import sys; sys.path.insert(0, sys.argv[2]); from coursekit.targets import TARGETS; "
            "TARGETS['slow'] = 'failing_target:SlowTarget'; from coursekit.cli import main; "
            "main(['build', '--course', sys.argv[1], '--out', sys.argv[3], '--jobs', '1', *sys.argv[4:]])")
    args = [sys.executable, "-c", code, str(phishing_root), str(REPO / "tests"), str(out)]
    assert subprocess.run(args + ["coverage"], capture_output=True, timeout=120).returncode == 0
    before = tree_digest(out)
    proc = subprocess.Popen(args + ["coverage", "slow"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.time() + 60
    while not list(out.glob(".build-*/slow/partial.txt")):
        assert time.time() < deadline and proc.poll() is None, "the slow target never started"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert tree_digest(out) == before
    # The next build cleans up the leftovers of the killed one.
    assert subprocess.run(args + ["coverage"], capture_output=True, timeout=120).returncode == 0
    assert tree_digest(out) == before
    assert hidden(out) == [".build-2", ".current", ".lock"]


def test_internal_error_exits_1_with_report(phishing_root: Path, tmp_path: Path) -> None:
    code = ("import sys; sys.path.insert(0, sys.argv[2]); from coursekit.targets import TARGETS; "
            "TARGETS['failing'] = 'failing_target:FailingTarget'; from coursekit.cli import main; "
            "main(['build', '--course', sys.argv[1], '--out', sys.argv[3], 'failing'])")
    proc = subprocess.run([sys.executable, "-c", code, str(phishing_root), str(REPO / "tests"), str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "internal error (a coursekit bug" in proc.stderr and "simulated crash midway" in proc.stderr
    assert "left as it was" in proc.stderr


@pytest.fixture(scope="session")
def two_full_builds(tmp_path_factory: pytest.TempPathFactory, phishing_root: Path,
                    phishing_outputs: Path) -> tuple[Path, Path]:
    """The fixture course built twice with every registered target (in parallel, as `make build` does): the
    session's shared build, and one more into a fresh folder (its own cache, so everything is rendered)."""
    out = tmp_path_factory.mktemp("full-b")
    proc = subprocess.run([sys.executable, "-m", "coursekit.cli", "build", "--course", str(phishing_root),
                           "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return phishing_outputs, out


def test_builds_are_byte_identical(two_full_builds: tuple[Path, Path]) -> None:
    first, second = two_full_builds
    digest = tree_digest(first)
    assert digest == tree_digest(second)
    assert {name.split("/")[0] for name in digest} >= set(TARGETS) - {"failing", "slow", "pack"}
    assert {"index.html", "pack.css"} <= set(digest)  # the pack target writes at the root


def test_every_target_writes_files(two_full_builds: tuple[Path, Path]) -> None:
    first, _ = two_full_builds
    for name in TARGETS:
        files = ([first / "index.html", first / "pack.css"] if name == "pack"
                 else [p for p in (first / name).rglob("*") if p.is_file()])
        assert files, f"target {name} wrote nothing for the fixture course"
        assert all(p.stat().st_size > 0 for p in files), name


def test_coverage_report_golden(two_full_builds: tuple[Path, Path], golden) -> None:  # type: ignore[no-untyped-def]
    first, _ = two_full_builds
    golden("coverage_phishing.md", (first / "coverage" / "coverage.md").read_text("utf-8"))


def _in_order(blob: str, texts: list[str]) -> list[str]:
    """`texts` sorted by where each first appears in `blob` (whitespace folded, curly quotes straightened)."""
    def fold(text: str) -> str:
        return " ".join(text.replace("\u2019", "'").replace("&#39;", "'").replace("&#x27;", "'").split())
    folded = fold(blob)
    missing = [t for t in texts if fold(t) not in folded]
    assert not missing, f"not found: {missing}"
    return sorted(texts, key=lambda t: folded.index(fold(t)))


def _between(text: str, start: str, end: str) -> str:
    begin = text.index(start)
    return text[begin:text.index(end, begin + len(start))]


def test_a_question_shows_the_same_order_in_every_output(two_full_builds: tuple[Path, Path]) -> None:
    """The final quiz of the fixture (shuffle: true) through the whole build: each output that does not shuffle
    per learner shows the question's options, ordering items and matching answers in ONE order."""
    import html
    import zipfile

    from lxml import etree
    from openpyxl import load_workbook
    from pptx import Presentation

    out, _ = two_full_builds
    # Written out here (never computed with the engine's helpers); authored orders are in final.yaml.
    sender = ["The colours of the logo", "The real sender address", "How polite it is"]
    steps = ["Check the sender", "Stop: don't click", "Report it"]
    who = ["An adult you trust", "Nobody", "Helpdesk"]

    module = html.unescape((out / "web" / "phishing-basics-students" / "index.html").read_text("utf-8"))
    assert _in_order(_between(module, 'id="final-steps', 'id="final-steps-verdict"'), steps) == steps
    assert _in_order(_between(module, 'id="final-who', 'id="final-who-verdict"'), who) == who

    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "poppler-utils is needed (make test installs it)"
    sheet = subprocess.run([pdftotext, str(out / "print" / "students" / "worksheet.pdf"), "-"],
                           capture_output=True, text=True, check=True).stdout
    sheet = sheet[sheet.index("Final check"):]
    # The final has shuffle_questions: on paper its fixed order is tell, who, click, fault, signs, sender, steps.
    assert _in_order(_between(sheet, "What should you check first?", "Put the steps in order"), sender) == sender
    assert _in_order(sheet[sheet.index("Put the steps in order"):], steps) == steps
    assert _in_order(_between(sheet, "Match each problem", "It is safer to go to a website"), who) == who

    deck = Presentation(str(out / "slides" / "phishing-basics-lesson.pptx"))
    slides = ["\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
              for slide in deck.slides]
    asked = {prompt: next(s for s in slides if prompt in s and "question" in s.split("\n")[0])
             for prompt in ("What should you check first?", "Put the steps in order", "Match each problem")}
    assert _in_order(asked["What should you check first?"], sender) == sender
    assert _in_order(asked["Put the steps in order"], steps) == steps
    assert _in_order(asked["Match each problem"].split("Answers:")[1], who) == who

    with zipfile.ZipFile(out / "quizbank" / "students" / "phishing-basics.qti.zip") as bundle:
        name = next(n for n in bundle.namelist() if n.endswith("-final.xml"))
        qti = etree.fromstring(bundle.read(name))
    ns = {"q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"}

    def qti_texts(question: str, path: str) -> str:
        item = qti.xpath(f"//q:item[@title='{question}']", namespaces=ns)[0]
        return " | ".join(html.unescape(t) for t in item.xpath(path, namespaces=ns))

    assert _in_order(qti_texts("sender", ".//q:response_label//q:mattext/text()"), sender) == sender
    assert _in_order(qti_texts("steps", ".//q:response_lid/q:material/q:mattext/text()"), steps) == steps
    first_menu = ".//q:response_lid[1]//q:response_label//q:mattext/text()"
    assert _in_order(qti_texts("who", first_menu), who) == who

    moodle = etree.parse(str(out / "quizbank" / "students" / "phishing-basics.moodle.xml"))

    def moodle_texts(question: str, path: str) -> str:
        element = moodle.xpath(f"//question[name/text='{question}']")[0]
        return " | ".join(html.unescape(t) for t in element.xpath(path))

    assert _in_order(moodle_texts("sender", "answer/text/text()"), sender) == sender
    assert _in_order(moodle_texts("steps", "subquestion/text/text()"), steps) == steps

    gift = (out / "quizbank" / "students" / "phishing-basics.gift.txt").read_text("utf-8")
    assert _in_order(_between(gift, "::sender::", "\n}"), sender) == sender
    assert _in_order(_between(gift, "::steps::", "\n}").replace("\\:", ":"), steps) == steps

    sheet_book = load_workbook(out / "quizbank" / "students" / "phishing-basics.kahoot.xlsx", read_only=True)
    rows = [row for row in sheet_book.active.iter_rows(values_only=True)
            if row[1] == "What should you check first?"]
    assert len(rows) == 1 and list(rows[0][2:5]) == sender
    assert str(rows[0][7]) == "2"  # the real sender address is answer 2 in this order


def test_source_date_epoch_is_honoured(phishing_root: Path, tmp_path: Path) -> None:
    """Zip entries carry SOURCE_DATE_EPOCH (else 1980-01-01), through the build, also when rebuilding in place."""
    import zipfile

    out = tmp_path / "outputs"

    def build(epoch: str | None) -> set[tuple[int, ...]]:
        env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
        if epoch is not None:
            env["SOURCE_DATE_EPOCH"] = epoch
        proc = subprocess.run([sys.executable, "-m", "coursekit.cli", "build", "--course", str(phishing_root),
                               "--out", str(out), "--target", "quizbank", "--audience", "staff"],
                              capture_output=True, text=True, timeout=300, env=env)
        assert proc.returncode == 0, proc.stderr
        stamps: set[tuple[int, ...]] = set()
        for name in ("phishing-basics.qti.zip", "phishing-basics.kahoot.xlsx"):
            with zipfile.ZipFile(out / "quizbank" / "staff" / name) as bundle:
                stamps |= {info.date_time for info in bundle.infolist()}
        return stamps

    assert build("1700000000") == {(2023, 11, 14, 22, 13, 20)}  # 1700000000 s after 1970, in UTC
    assert build(None) == {(1980, 1, 1, 0, 0, 0)}
    assert build("1700000000") == {(2023, 11, 14, 22, 13, 20)}
