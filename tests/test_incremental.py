"""Incremental builds: an edit re-renders exactly the documents that show it, the result is byte-identical
to a clean build, and a deleted or corrupted cache still gives a correct build."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES

from coursekit.pipeline import TargetResult, build_course, validate
from coursekit.targets import TARGETS

SCENARIO = "scenarios/odd-email.yaml"


def tree(out: Path) -> dict[str, str]:
    """Every output file a reader sees (through the per-target links; not the cache) with its SHA-256."""
    found = {}
    for entry in sorted(p for p in out.iterdir() if not p.name.startswith(".")):
        files = [entry] if entry.is_file() else [Path(base) / name for base, _, names in os.walk(entry, followlinks=True)
                                                 for name in names]
        for path in files:
            found[path.relative_to(out).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def build(root: Path, out: Path, targets: list[str], *, cache: bool = True) -> list[TargetResult]:
    result = validate(root)
    assert result.course is not None, result.errors
    results = build_course(result.course, out, targets, list(result.course.audiences), sources=result.sources,
                           cache=cache)
    assert not [r.error for r in results if r.error]
    return results


def rendered(results: list[TargetResult]) -> set[str]:
    """The files rendered (not copied from the cache), as target/relative path."""
    return {f"{r.name}/{f}" for r in results for f in r.files if f not in r.reused}


def test_one_scenario_edit_rerenders_only_what_shows_it(tmp_path: Path) -> None:
    root = tmp_path / "course"
    shutil.copytree(FIXTURES / "phishing", root)
    out = root / "outputs"
    names = list(TARGETS)
    first = build(root, out, names)
    assert rendered(first) == {f"{r.name}/{f}" for r in first for f in r.files}  # a cold cache renders all

    again = build(root, out, names)
    # Nothing changed: every target copied; the pack's front page is always made (it lists the others).
    assert rendered(again) == {"pack/index.html", "pack/pack.css"} and all(r.cached for r in again if r.name != "pack")

    # Every preview of the lesson deck (title, decision, question, help), none of the talk deck.
    lesson_previews = {f"slides/{f}" for r in first if r.name == "slides" for f in r.files
                       if f.startswith("previews/phishing-basics-lesson-")}
    assert len(lesson_previews) == 4
    scenario = root / SCENARIO
    scenario.write_text(scenario.read_text("utf-8").replace("Click here to keep it.", "Click here today to keep it."),
                        "utf-8")
    edited = build(root, out, names)
    assert rendered(edited) == {
        "coverage/coverage.json", "coverage/coverage.md",  # lists where each advice point is taught
        *(f"web/phishing-basics-{a}/{f}" for a in ("students", "staff")
          for f in ("index.html", "player.css", "player.js", "tracking.js", "fonts/inter-regular.woff2",
                    "fonts/inter-semibold.woff2")),
        "scorm12/phishing-basics-staff.zip", "scorm12/phishing-basics-students.zip",
        "scorm2004/phishing-basics-staff.zip", "scorm2004/phishing-basics-students.zip",
        "print/students/gamebook.pdf", "print/staff/gamebook.pdf",  # the leaflets, plans, worksheets: not
        "print/previews/students-gamebook.png", "print/previews/staff-gamebook.png",
        # The lesson plays the scenario; the talk deck is keyed on its audience's view, which holds it too
        # (rebuilt, same bytes), so LibreOffice draws the lesson's previews only.
        "slides/phishing-basics-lesson.pptx", "slides/phishing-basics-talk.pptx",
        *lesson_previews,
        "pack/index.html", "pack/pack.css",
    }  # no quiz bank: they do not show scenarios
    # The cache keeps what the last build made: the old gamebooks and lesson deck (and its previews) are gone.
    entries = {kind: sorted(p.name for p in (out / ".cache" / "documents" / kind).glob("*/*"))
               for kind in ("print", "slides")}
    print_result = next(r for r in edited if r.name == "print")
    assert len(entries["print"]) == len([f for f in print_result.files if f.endswith(".pdf")]) == 12
    assert len(entries["slides"]) == 4  # two decks, the previews of each
    assert [len(list((out / ".cache" / "targets" / name).glob("*/*"))) for name in names if name != "pack"] == \
        [1] * (len(names) - 1)

    clean = tmp_path / "clean"
    build(root, clean, names, cache=False)
    assert tree(out) == tree(clean)
    assert not (clean / ".cache").exists()


def test_deleted_or_corrupted_cache_still_builds_correctly(tmp_path: Path) -> None:
    root = FIXTURES / "phishing"
    out = tmp_path / "out"
    names = ["print", "quizbank"]
    build(root, out, names)
    expected = tree(out)
    cache = out / ".cache"
    # Corrupt one cached document (the students' leaflet) and drop the whole-target entries.
    (entry,) = [p for p in (cache / "documents" / "print").rglob("students/leaflet.pdf")]
    entry.write_bytes(entry.read_bytes()[:-100] + b"garbage")
    shutil.rmtree(cache / "targets")
    results = build(root, out, names)
    assert rendered(results) == {"print/students/leaflet.pdf", "print/previews/students-leaflet.png"}
    assert tree(out) == expected

    # A truncated record and then no cache at all: rebuilt from scratch, the same bytes.
    for record in (cache / "targets").rglob("files.json"):
        record.write_text('{"files": {', "utf-8")
    results = build(root, out, names)
    assert not any(r.cached for r in results) and tree(out) == expected
    shutil.rmtree(cache)
    results = build(root, out, names)
    assert rendered(results) == {f"{r.name}/{f}" for r in results for f in r.files}
    assert tree(out) == expected


def test_the_font_subset_is_made_once_per_character_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An edit that shows no new character reuses the cached font subset (it costs about a second per face);
    one that shows a new character gets a new subset that holds it; a damaged entry is made again."""
    from fontTools.ttLib import TTFont

    monkeypatch.delenv("COURSEKIT_FONT_CACHE", raising=False)  # the build's own cache folder, as for an author

    root = tmp_path / "course"
    shutil.copytree(FIXTURES / "phishing", root)
    out = root / "outputs"
    build(root, out, ["web"])
    module = out / "web" / "phishing-basics-students"
    entries = sorted((out / ".cache" / "fonts").glob("*.woff2"))
    assert len(entries) in (2, 4)  # regular and semi-bold, for each audience's characters
    regular = next(entry for entry in entries
                   if (module / "fonts" / "inter-regular.woff2").read_bytes() == entry.read_bytes())
    planted = b"wOF2" + b"planted by the test"
    regular.write_bytes(planted)  # a valid-looking entry: if the build reads the cache, the module gets it

    scenario = root / SCENARIO
    scenario.write_text(scenario.read_text("utf-8").replace("What should Ana do?", "What could Ana do?"), "utf-8")
    build(root, out, ["web"])
    assert (module / "fonts" / "inter-regular.woff2").read_bytes() == planted

    # "é" is not in the always-included set, and Inter draws it.
    scenario.write_text(scenario.read_text("utf-8").replace("What could Ana do?", "What could Renée do?"), "utf-8")
    build(root, out, ["web"])
    font = module / "fonts" / "inter-regular.woff2"
    assert font.read_bytes() != planted
    assert ord("é") in TTFont(font).getBestCmap()
    assert len(list((out / ".cache" / "fonts").glob("*.woff2"))) > len(entries)
