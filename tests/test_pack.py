"""The pack's front page (`outputs/index.html`): built by the `pack` target, opened from disk in Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from conftest import FIXTURES

pytestmark = pytest.mark.browser


def _build(course: Path, out: Path, *targets: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "coursekit.cli", "build", *targets, "--course", str(course),
                           "--out", str(out)], check=False, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def pack_out(phishing_outputs: Path) -> Path:
    """Every target of the phishing fixture, built as `coursekit build` builds them (the session's shared build)."""
    return phishing_outputs


@pytest.fixture(scope="module")
def browser(shared_browser):  # type: ignore[no-untyped-def]
    """The test process's headless Debian Chromium (conftest.shared_browser)."""
    return shared_browser


def test_format_size_reads_as_a_person_would() -> None:
    """Sizes on the page: bytes below 1 KB, whole KB below 1 MB, one decimal above (1 KB = 1,000 bytes)."""
    from coursekit.targets.pack import format_size

    assert [format_size(n) for n in (0, 999, 1000, 1499, 1500, 48_900, 999_499, 1_000_000, 2_150_000)] == [
        "0 bytes", "999 bytes", "1 KB", "1 KB", "2 KB", "49 KB", "999 KB", "1.0 MB", "2.1 MB"]


def test_the_pack_page_is_at_the_root_of_outputs(pack_out: Path) -> None:
    """`outputs/index.html` and its stylesheet exist beside the target folders; nothing else is at the root."""
    assert (pack_out / "index.html").is_file()
    assert (pack_out / "pack.css").is_file()
    root_files = sorted(p.name for p in pack_out.iterdir() if p.is_file() and not p.name.startswith("."))
    assert root_files == ["index.html", "pack.css"]


def test_every_output_is_described_and_every_link_and_preview_resolves(pack_out: Path, browser) -> None:  # type: ignore[no-untyped-def]
    """In Chromium from disk: each link is a file that exists, each preview loads, every output is listed."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto((pack_out / "index.html").as_uri())
    page.wait_for_load_state("load")
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    files = [href for href in hrefs if not href.startswith("#")]
    missing = [href for href in files if not (pack_out / unquote(href)).is_file()]
    assert missing == []
    broken = page.eval_on_selector_all("img", "imgs => imgs.filter(i => !i.complete || i.naturalWidth === 0)"
                                               ".map(i => i.getAttribute('src'))")
    assert broken == []
    assert page.locator("img").count() >= 10  # print previews for both audiences and the two decks
    assert [url for url in requested if urlparse(url).scheme != "file"] == []
    # Every output a school receives is on the page (assets of the module and previews excepted).
    listed = set(files)
    checked = 0
    # outputs/web etc. are links into the current output set: follow them, skip the hidden sets themselves.
    for base, folders, names in os.walk(pack_out, followlinks=True):
        folders[:] = [name for name in folders if not name.startswith(".")]
        for name in names:
            relative = Path(base, name).relative_to(pack_out).as_posix()
            if (relative in ("index.html", "pack.css") or relative.startswith(".") or "/previews/" in relative
                    or (relative.startswith("web/") and not relative.endswith("index.html"))):
                continue
            assert relative in listed, f"{relative} is not on the pack page"
            checked += 1
    assert checked >= 10
    text = page.inner_text("body")
    assert "Other files" not in text, "a file no rule describes: say what it is for in coursekit/targets/pack.py"
    for expected in ("Spotting phishing", "Version 0.1.0", "facts last checked 15 January 2026",
                     "Students (11-16)", "Staff", "SCORM 1.2 package", "Leaflet", "Lesson slides",
                     "How to upload and import", "Import spreadsheet"):
        assert expected in text, expected
    page.close()


def test_sizes_on_the_page_are_the_files_sizes(pack_out: Path, browser) -> None:  # type: ignore[no-untyped-def]
    """The size next to the SCORM 1.2 package is that file's size, rounded to whole KB."""
    page = browser.new_page()
    page.goto((pack_out / "index.html").as_uri())
    link = page.locator("a[href='scorm12/phishing-basics-students.zip']")
    size = (pack_out / "scorm12" / "phishing-basics-students.zip").stat().st_size
    item = link.locator("xpath=ancestor::li[1]").inner_text()
    assert f"({round(size / 1000):,} KB)" in item
    page.close()


@pytest.mark.parametrize("width", [320, 1280])
def test_the_pack_page_has_no_accessibility_violations(pack_out: Path, browser, width: int) -> None:  # type: ignore[no-untyped-def]
    """axe-core (WCAG 2.2 AA, best practice) finds nothing on a phone or a desktop; nothing scrolls sideways."""
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page(viewport={"width": width, "height": 800})
    page.goto((pack_out / "index.html").as_uri())
    result = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa", "best-practice"]})
    assert result.violations_count == 0, result.generate_report()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.close()


def test_a_partial_build_keeps_the_other_outputs_on_the_page(pack_out: Path, tmp_path: Path) -> None:
    """`coursekit build web` after a full build: the page still lists the PDFs and decks already there."""
    out = tmp_path / "outputs"
    shutil.copytree(pack_out, out, symlinks=True)
    _build(FIXTURES / "phishing", out, "web")
    page = (out / "index.html").read_text("utf-8")
    assert 'href="print/students/leaflet.pdf"' in page
    assert 'href="slides/phishing-basics-lesson.pptx"' in page
    assert 'href="web/phishing-basics-staff/index.html"' in page
