"""Careless and hostile author input (issue 12, items 6-11 and 14): validate reports it as file:line, never crashes."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from coursekit.validate import validate_course

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "phishing"


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A fresh copy of the phishing fixture course."""
    root = tmp_path / "course-copy"
    shutil.copytree(FIXTURE, root)
    return root


def errors_of(root: Path, *, strict: bool = False) -> list[str]:
    return [str(e) for e in validate_course(root, strict=strict).errors]


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), "utf-8")


def cli_validate(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "coursekit.cli", "validate", "--course", str(root)],
                          capture_output=True, text=True, timeout=120)


def png_bytes(fmt: str = "PNG") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def add_page_image(root: Path, file: str) -> None:
    replace(root / "course" / "course.yaml", "        body: Look at the real address, not just the name.\n",
            "        body: Look at the real address, not just the name.\n"
            f"        image: {{file: {file}, alt: An email with a strange sender address}}\n")


IMAGE_LINE = 88  # the `image:` line add_page_image writes into course/course.yaml


# --- item 6: validate never crashes -------------------------------------------------------------


def test_source_markdown_that_is_not_utf8_is_reported_at_its_line(course: Path) -> None:
    source = course / "course" / "sources" / "advice.md"
    data = source.read_bytes().replace(b"Look at who really sent it.", b"Look at who really sent it, caf\xe9.")
    source.write_bytes(data)
    assert errors_of(course) == [
        "course/sources/advice.md:7: the file is not UTF-8 text: byte 0xE9 (perhaps 'é' saved as "
        "Latin-1/Windows-1252); save the file as UTF-8 in your editor"]
    proc = cli_validate(course)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_a_folder_named_like_a_yaml_file_is_an_error_not_a_crash(course: Path) -> None:
    (course / "quizzes" / "extra.yaml").mkdir()
    (course / "course" / "sources" / "folder.md").mkdir()
    replace(course / "course" / "course.yaml", "    file: course/sources/facts.md",
            "    file: course/sources/folder.md")
    assert errors_of(course) == [
        "course/course.yaml:14: the source path 'course/sources/folder.md' is a folder, not a file: fix the path",
        "quizzes/extra.yaml:1: this is a folder, not a file: rename the folder or move it out of the course",
    ]
    proc = cli_validate(course)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


@pytest.mark.parametrize("name, content, found", [
    ("drawing.png", b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
     "an SVG drawing"),
    ("notes.png", b"just some text, renamed\n", "not a PNG or JPEG picture"),
    ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', "an SVG drawing"),
])
def test_an_image_is_checked_by_its_content_not_its_name(course: Path, name: str, content: bytes, found: str) -> None:
    (course / "course" / name).write_bytes(content)
    add_page_image(course, f"course/{name}")
    assert errors_of(course) == [
        f"course/course.yaml:{IMAGE_LINE}: course/{name}: the image file holds {found} (whatever its name says): "
        "every output can show PNG and JPEG only; export it as .png or .jpg"]


def test_a_truncated_png_is_reported_as_damaged(course: Path) -> None:
    (course / "course" / "cut.png").write_bytes(png_bytes()[:60])
    add_page_image(course, "course/cut.png")
    [error] = errors_of(course)
    assert error.startswith(f"course/course.yaml:{IMAGE_LINE}: course/cut.png: the PNG image is damaged (")
    assert error.endswith("): export it again")


@pytest.mark.parametrize("fmt, name", [("PNG", "shot.png"), ("JPEG", "shot.jpg"), ("JPEG", "misnamed.png")])
def test_png_and_jpeg_images_are_accepted(course: Path, fmt: str, name: str) -> None:
    (course / "course" / name).write_bytes(png_bytes(fmt))
    add_page_image(course, f"course/{name}")
    assert errors_of(course) == []


# --- item 7: right line numbers -------------------------------------------------------------------


def test_latin1_byte_in_yaml_is_reported_at_its_line(course: Path) -> None:
    quiz = course / "quizzes" / "check-spot.yaml"
    quiz.write_bytes(quiz.read_bytes().replace(b"Which is a sign of phishing?", b"Which is a sign of phishing\x96?"))
    assert errors_of(course) == [
        "quizzes/check-spot.yaml:7: the file is not UTF-8 text: byte 0x96 (perhaps '–' saved as "
        "Latin-1/Windows-1252); save the file as UTF-8 in your editor"]


@pytest.mark.parametrize("value, message", [
    ("[single]", "'type' should be one of single, multiple, true_false, order, match, scale, not a list"),
    ("", "'type' should be one of single, multiple, true_false, order, match, scale, not nothing"),
    ("Single", "unknown question type 'Single' (did you mean 'single'?): use one of single, multiple, true_false, "
               "order, match, scale"),
])
def test_mistyped_question_type_is_reported_on_the_type_line(course: Path, value: str, message: str) -> None:
    replace(course / "quizzes" / "check-spot.yaml", "    type: single\n", f"    type: {value}\n")
    assert errors_of(course) == [f"quizzes/check-spot.yaml:6: {message}"]


def test_misspelt_type_key_is_reported_on_its_line(course: Path) -> None:
    replace(course / "quizzes" / "check-spot.yaml", "    type: single\n", "    tipe: single\n")
    assert errors_of(course) == ["quizzes/check-spot.yaml:6: unknown field 'tipe' (did you mean 'type'?)"]


# --- item 8: editor and OS leftovers ----------------------------------------------------------------


def test_editor_and_os_leftovers_are_ignored(course: Path) -> None:
    quizzes = course / "quizzes"
    os.symlink("root@host.1234:1700000000", quizzes / ".#final.yaml")  # emacs lock: a dangling symlink
    (quizzes / "._final.yaml").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        ")  # AppleDouble
    (quizzes / ".final.yaml.swp").write_bytes(b"b0VIM 9.0\x00\x00\xff")
    (quizzes / "final.yaml~").write_text("id: final\ntitle: an old backup\n")
    (quizzes / "#final.yaml#").write_text("id: [unfinished\n")
    (quizzes / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (course / "scenarios" / "~odd-email.yaml").write_text("broken: [")
    result = validate_course(course, strict=True)
    assert [str(e) for e in result.errors] == []
    assert result.course is not None and sorted(result.course.quizzes) == ["check-spot", "final"]


# --- item 9: one symlink rule -----------------------------------------------------------------------


def _outside(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, "utf-8")
    return path


def test_a_symlinked_quiz_pointing_outside_the_course_is_not_read(course: Path, tmp_path: Path) -> None:
    quiz = course / "quizzes" / "check-spot.yaml"
    outside = _outside(tmp_path, "check-spot.yaml", quiz.read_text("utf-8"))
    quiz.unlink()
    quiz.symlink_to(outside)
    assert errors_of(course) == [
        "quizzes/check-spot.yaml:1: this file is a link to something outside the course folder: coursekit reads "
        "nothing outside it; copy the file into the course folder instead of linking to it"]


def test_every_kind_of_file_follows_the_same_symlink_rule(course: Path, tmp_path: Path) -> None:
    for relative in ("course/sources/facts.md", "course/lesson.yaml"):
        path = course / relative
        outside = _outside(tmp_path, path.name, path.read_text("utf-8"))
        path.unlink()
        path.symlink_to(outside)
    (course / "course" / "pic.png").symlink_to(_outside(tmp_path, "pic.png", "x"))
    add_page_image(course, "course/pic.png")
    fix = "keep every file inside it and use a relative path"
    assert errors_of(course) == [
        f"course/course.yaml:14: the source path 'course/sources/facts.md' points outside the course folder: {fix}",
        f"course/course.yaml:{IMAGE_LINE}: the image path 'course/pic.png' points outside the course folder: {fix}",
        f"course/course.yaml:113: the lesson path 'course/lesson.yaml' points outside the course folder: {fix}",
    ]


def test_symlinks_that_stay_inside_the_course_are_followed(course: Path) -> None:
    quiz = course / "quizzes" / "final.yaml"
    (course / "shared").mkdir()
    quiz.rename(course / "shared" / "final.yaml")
    quiz.symlink_to(Path("..") / "shared" / "final.yaml")
    assert errors_of(course) == []


def test_the_course_file_itself_may_not_link_outside(course: Path, tmp_path: Path) -> None:
    path = course / "course" / "course.yaml"
    outside = _outside(tmp_path, "course.yaml", path.read_text("utf-8"))
    path.unlink()
    path.symlink_to(outside)
    errors = errors_of(course)
    assert errors[0] == ("course/course.yaml:1: this file is a link to something outside the course folder: "
                         "coursekit reads nothing outside it; copy the file into the course folder instead of "
                         "linking to it")
    assert cli_validate(course).returncode == 2


# --- item 10: SCORM interaction ids ----------------------------------------------------------------


def test_clashing_scorm_interaction_ids_are_a_validate_error(course: Path) -> None:
    # quiz "check" + question "spot-sign" and quiz "check-spot" + question "sign" both become q_check_spot_sign.
    text = (course / "quizzes" / "check-spot.yaml").read_text("utf-8")
    clash = text.replace("id: check-spot\n", "id: check\n").replace("  - id: sign\n", "  - id: spot-sign\n")
    (course / "quizzes" / "check.yaml").write_text(clash, "utf-8")
    replace(course / "course" / "course.yaml", "    quiz: check-spot\n",
            "    quiz: check-spot\n  - id: extra\n    title: Extra\n    pages:\n      - id: extra-page\n"
            "        title: Extra\n        body: More.\n    quiz: check\n")
    assert errors_of(course) == [
        "quizzes/check-spot.yaml:5: question 'sign' of quiz 'check-spot' and question 'spot-sign' of quiz 'check' "
        "(quizzes/check.yaml:5) both become the SCORM interaction id 'q_check_spot_sign' (ids joined by "
        "'_', '-' read as '_'): rename one of them"]


# --- item 11: link schemes (help URLs; markdown links are invalid cases) ---------------------------------


def test_http_help_url_is_a_warning_and_strict_makes_it_an_error(course: Path) -> None:
    replace(course / "course" / "course.yaml", "url: https://helpdesk.example.org", "url: http://helpdesk.example.org")
    result = validate_course(course)
    message = ("course/course.yaml:58: warning: the help contact 'helpdesk' url 'http://helpdesk.example.org' is "
               "not secure (http:): use https:// if the site offers it")
    assert result.errors == [] and message in [str(w) for w in result.warnings]
    assert message.replace("warning: ", "") in errors_of(course, strict=True)


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JAVA\tSCRIPT:alert(1)", "vbscript:x", "file:///etc/passwd",
                                 "data:text/html,hi", "//evil.example/x", "www.example.org"])
def test_help_urls_outside_the_allow_list_are_errors(course: Path, url: str) -> None:
    replace(course / "course" / "course.yaml", "url: https://helpdesk.example.org", f"url: {url!r}")
    errors = errors_of(course)
    assert len(errors) == 1 and errors[0].startswith("course/course.yaml:58: the help contact 'helpdesk' url")


@pytest.mark.parametrize("url", ["https://a.example", "mailto:a@b.example", "tel:+441234567890", "#section"])
def test_allowed_markdown_links_pass(course: Path, url: str) -> None:
    replace(course / "course" / "course.yaml", "body: Look at the real address, not just the name.",
            f"body: Look at [the real address]({url}), not just the name.")
    assert errors_of(course) == []
