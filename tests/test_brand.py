"""Branding and local help (issue 16 #2): `brand:` (name, logo, colour) and `local_help:` in course.yaml.

One build of the branded fixture (tests/fixtures/branded: the phishing fixture plus a brand with a PNG logo, a
colour and two local help entries, one left blank to write in), for the students only, with the print, slides,
web and pack targets; each output is read back with its own reader: poppler's pdftotext and pdfplumber for the
PDFs, python-pptx for the deck, Chromium for the module and the pack page.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, require_tool

BRANDED = FIXTURES / "branded"
NAME = "Harbourside Academy"
BLANK = "Your school's safeguarding lead"  # local help with no phone, url or email: a write-in entry
LOCAL = "Harbourside IT office"
TRUSTED = "An adult you trust"
BUILT_IN = ("School helpdesk", TRUSTED)  # the students' built-in contacts in the fixture
COLOUR_RGB = "rgb(122, 31, 92)"  # #7a1f5c, the fixture's brand colour


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COURSEKIT_SLIDE_PREVIEWS": "0"}
    return subprocess.run([sys.executable, "-m", "coursekit.cli", *args], check=False, capture_output=True,
                          text=True, timeout=900, env=env, cwd=cwd)


@pytest.fixture(scope="module")
def branded_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The branded fixture built once: print, slides, web and pack, for the students."""
    require_tool("pdftotext", "the printables are read back with poppler")
    out = tmp_path_factory.mktemp("branded") / "outputs"
    proc = _cli("build", "print", "slides", "web", "pack", "--audience", "students", "--course", str(BRANDED),
                "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def _local_first(text: str, where: str) -> None:
    """For the students (under 18): the trusted adult first, then both local entries in their order, then
    the other built-in contacts (the content guide: "tell a trusted adult" comes first for under-18s)."""
    positions = {name: text.find(name) for name in (TRUSTED, BLANK, LOCAL, *BUILT_IN)}
    assert all(value >= 0 for value in positions.values()), f"{where}: missing contacts {positions}"
    others = [name for name in BUILT_IN if name != TRUSTED]
    assert positions[TRUSTED] < positions[BLANK] < positions[LOCAL] < min(positions[name] for name in others), \
        f"{where}: {positions}"


# --- printables ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["leaflet", "poster", "lesson-plan"])
def test_printables_carry_the_name_the_logo_and_local_help_first(branded_out: Path, name: str) -> None:
    import pdfplumber

    pdf = branded_out / "print" / "students" / f"{name}.pdf"
    text = _pdf_text(pdf)
    assert NAME.casefold() in text.casefold()
    if name == "poster":
        # The poster prints a blank entry as a write-in line under its help heading, then the contact cards
        # in help order: the trusted adult (under-18s), the local office, the others.
        positions = [text.find(n) for n in ("Where to get help", BLANK, TRUSTED, LOCAL, "School helpdesk")]
        assert -1 not in positions and positions == sorted(positions), positions
    else:
        _local_first(text, name)
    with pdfplumber.open(pdf) as document:
        page = document.pages[0]
        images = page.images
        fills = {tuple(round(channel * 255) for channel in shape["non_stroking_color"])
                 for shape in page.rects + page.curves if isinstance(shape.get("non_stroking_color"), tuple)}
    # The logo is the only raster image on the page (icons and QR codes are vector drawings): 120x48 px.
    assert [tuple(image["srcsize"]) for image in images] == [(120, 48)]
    assert (122, 31, 92) in fills  # the brand colour (#7a1f5c) fills the cover, the poster's head, the table head


def _rule_under(page: Any, word: dict[str, Any], *, beyond: float) -> bool:
    """Whether a drawn rule ends just under `word` and runs at least `beyond` pt past its right end (WeasyPrint
    draws a border as a path around the element's box: its bounding box ends at the border)."""
    return any(0 < r["bottom"] - word["bottom"] < 4 and r["x0"] <= word["x0"] + 1 and r["x1"] - word["x1"] >= beyond
               and r["bottom"] - r["top"] < 40 for r in page.rects + page.lines)


@pytest.mark.parametrize("name", ["leaflet", "poster"])
def test_the_blank_entry_is_a_write_in_line_on_the_leaflet_and_poster(branded_out: Path, name: str) -> None:
    import pdfplumber

    with pdfplumber.open(branded_out / "print" / "students" / f"{name}.pdf") as document:
        page = document.pages[0]
        words = page.extract_words()
        # "Your school's safeguarding lead:" and a line to its right, 40 pt (14 mm) or more, to write on.
        lead = next(w for w, before in zip(words[1:], words) if w["text"] == "lead:" and before["text"] == "safeguarding")
        assert _rule_under(page, lead, beyond=40)


def test_the_plan_gives_the_blank_entry_lines_for_a_name_and_a_contact(branded_out: Path) -> None:
    import pdfplumber

    text = _pdf_text(branded_out / "print" / "students" / "lesson-plan.pdf")
    after = text[text.index(BLANK):]
    assert after.index("Any teacher can take you to them.") < after.index("Name\n") < after.index("Contact\n")
    with pdfplumber.open(branded_out / "print" / "students" / "lesson-plan.pdf") as document:
        page = next(p for p in document.pages if BLANK in (p.extract_text() or ""))
        labels = [w for w in page.extract_words() if w["text"] in ("Name", "Contact") and w["x0"] > 0]
        assert sum(_rule_under(page, label, beyond=100) for label in labels) >= 2


# --- the deck ------------------------------------------------------------------------------------------------


def test_the_deck_title_and_help_slides_carry_the_brand_and_local_help_first(branded_out: Path) -> None:
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    deck = Presentation(str(branded_out / "slides" / "phishing-basics-lesson.pptx"))
    slides = list(deck.slides)
    title, help_slide = slides[0], slides[-1]
    title_text = "\n".join(s.text_frame.text for s in title.shapes if s.has_text_frame)
    assert NAME in title_text
    logos = [s for s in title.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert len(logos) == 1
    assert logos[0]._element.nvPicPr.cNvPr.get("descr") == NAME  # its alt text
    assert logos[0].image.content_type == "image/png"
    assert help_slide.shapes.title.text_frame.text == "Where to get help"
    help_text = "\n".join(s.text_frame.text for s in help_slide.shapes if s.has_text_frame)
    assert NAME in help_text
    _local_first(help_text, "help slide")
    assert help_text.split(BLANK, 1)[1].lstrip("\n").startswith("_" * 24)  # the line to write on
    assert deck.core_properties.author == NAME


# --- the learner module and the pack page ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(shared_browser):  # type: ignore[no-untyped-def]
    """The test process's headless Debian Chromium (conftest.shared_browser)."""
    return shared_browser


def _contrast_violations(page: Any, selector: str) -> list[Any]:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, context=selector, options={"runOnly": ["color-contrast", "image-alt"]})
    return list(result.response["violations"])


def test_the_module_top_bar_shows_the_brand_in_its_colour(branded_out: Path, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 320, "height": 700})
    page.goto((branded_out / "web" / "phishing-basics-students" / "index.html").as_uri())
    bar = page.locator(".top-bar")
    assert NAME in bar.inner_text()
    assert bar.evaluate("e => getComputedStyle(e).backgroundColor") == COLOUR_RGB
    assert page.locator(".top-title").evaluate("e => getComputedStyle(e).color") == "rgb(255, 255, 255)"
    logo = page.locator(".top-bar img")
    assert logo.evaluate("e => e.complete && e.naturalWidth") == 120
    assert _contrast_violations(page, ".top-bar") == []
    # The help dialog: the trusted adult first (under-18s), then the local help, then the others.
    page.locator(".top-bar .help-open").click()
    names = page.locator("#help .contact h3").all_inner_texts()
    assert names[:3] == [TRUSTED, BLANK, LOCAL] and set(BUILT_IN) <= set(names)
    page.close()


def test_adults_get_the_local_help_first_in_the_module(tmp_path: Path) -> None:
    """For an adult audience (staff: not under 18) the local help comes before every built-in contact, as
    the module's help dialog lists it (read from the built page)."""
    from lxml import html

    out = tmp_path / "outputs"
    proc = _cli("build", "web", "--audience", "staff", "--course", str(BRANDED), "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    page = html.fromstring((out / "web" / "phishing-basics-staff" / "index.html").read_bytes())
    names = [" ".join(h.text_content().split()) for h in page.xpath('//*[@id="help"]//*[contains(@class, "contact")]//h3')]
    assert names == [BLANK, LOCAL, "School helpdesk", "Report address"]


def test_the_pack_page_shows_the_brand_and_the_local_help(branded_out: Path, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 320, "height": 800})
    page.goto((branded_out / "index.html").as_uri())
    header = page.locator("header.top")
    assert NAME in header.inner_text()
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == COLOUR_RGB
    assert header.locator("img").evaluate("e => e.complete && e.naturalWidth") == 120
    local = page.locator("#local + p + ul.local li").all_inner_texts()
    assert [item.split(":")[0] for item in local] == [BLANK, LOCAL]
    assert "(left blank to write in)" in local[0] and "01234 999000" in local[1]
    assert _contrast_violations(page, "header.top") == []
    page.close()


# --- validation ------------------------------------------------------------------------------------------------


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    root = tmp_path / "branded"
    shutil.copytree(BRANDED, root)
    course = root / "course" / "course.yaml"
    text = course.read_text("utf-8")
    assert old in text
    course.write_text(text.replace(old, new, 1), "utf-8")
    return root


def _errors(root: Path) -> list[str]:
    from coursekit.validate import validate_course

    return [str(error) for error in validate_course(root).errors]


# #767676 is the lightest grey that carries white text at 4.5:1 (4.54:1); #777777 is 4.478:1.
@pytest.mark.parametrize(("colour", "expected"), [
    ("#767676", None),
    ("#777777", "course/course.yaml:10: the brand colour '#777777' gives white text a contrast of only 4.47:1, "
                "and text on it needs at least 4.5:1: use '#767676', the nearest passing shade of the same hue, "
                "or a darker colour"),
    ("#EE0000", None),  # 4.53:1
    ("#ef0000", "course/course.yaml:10: the brand colour '#ef0000' gives white text a contrast of only 4.49:1, "
                "and text on it needs at least 4.5:1: use '#ee0000', the nearest passing shade of the same hue, "
                "or a darker colour"),  # 4.497:1, shown rounded down: never "4.50" for a refused colour
    ("#ff0000", "course/course.yaml:10: the brand colour '#ff0000' gives white text a contrast of only 3.99:1, "
                "and text on it needs at least 4.5:1: use '#ee0000', the nearest passing shade of the same hue, "
                "or a darker colour"),
])
def test_a_colour_below_4_5_to_1_is_refused_with_the_nearest_passing_shade(
        tmp_path: Path, colour: str, expected: str | None) -> None:
    errors = _errors(_variant(tmp_path, '"#7a1f5c"', f'"{colour}"'))
    assert errors == ([expected] if expected else [])


def test_an_unquoted_colour_is_explained(tmp_path: Path) -> None:
    errors = _errors(_variant(tmp_path, 'colour: "#7a1f5c"', "colour: 7a1f5c"))
    assert errors == ["course/course.yaml:10: '7a1f5c' is not a colour: write it as a hex code in quotes, like "
                      "\"#1d4f91\" (unquoted, YAML reads everything after # as a comment)"]


SCRIPTED_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 48"><script>alert(1)</script>'
                '<rect width="48" height="48"/></svg>')
FETCHING_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
                'viewBox="0 0 120 48"><image xlink:href="https://example.org/a.png" width="48" height="48"/></svg>')


@pytest.mark.parametrize(("name", "content", "message"), [
    ("logo.png", b"not a picture at all", "course/brand/logo.png: the logo file is not a PNG or SVG picture "
                                          "(whatever its name says): export the logo as .png or .svg"),
    ("logo.svg", SCRIPTED_SVG.encode(), "course/brand/logo.svg: the SVG logo contains <script>, which could run "
                                        "code or fetch content: remove it"),
    ("logo.svg", FETCHING_SVG.encode(), "course/brand/logo.svg: the SVG logo refers to "
                                        "'https://example.org/a.png' outside the file: embed it, or remove the "
                                        "reference (outputs never fetch anything)"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="4" height="4"/></svg>',
     "course/brand/logo.svg: the SVG logo has no size: give its <svg> a viewBox (or width and height in px)"),
    ("missing.png", None, "the logo file 'course/brand/missing.png' does not exist: create it or fix the path"),
])
def test_a_bad_logo_is_refused_at_its_line(tmp_path: Path, name: str, content: bytes | None, message: str) -> None:
    root = _variant(tmp_path, "course/brand/logo.png", f"course/brand/{name}")
    if content is not None:
        (root / "course" / "brand" / name).write_bytes(content)
    assert _errors(root) == [f"course/course.yaml:9: {message}"]


def test_a_logo_too_small_to_print_is_refused(tmp_path: Path) -> None:
    from PIL import Image

    root = _variant(tmp_path, "course/brand/logo.png", "course/brand/tiny.png")
    Image.new("RGB", (47, 120), "white").save(root / "course" / "brand" / "tiny.png")
    assert _errors(root) == ["course/course.yaml:9: course/brand/tiny.png: the logo is only 47x120 pixels; it "
                             "needs at least 48 px on its shorter side to print sharply: export it larger (or as SVG)"]
    Image.new("RGB", (48, 120), "white").save(root / "course" / "brand" / "tiny.png")
    assert _errors(root) == []


def test_an_svg_logo_is_accepted_and_rasterised_for_the_decks(tmp_path: Path) -> None:
    import io

    from PIL import Image

    from coursekit.brand import logo_png

    root = _variant(tmp_path, "course/brand/logo.png", "course/brand/logo.svg")
    assert _errors(root) == []
    png = logo_png(root / "course" / "brand" / "logo.svg")
    with Image.open(io.BytesIO(png)) as image:
        assert (image.format, image.size) == ("PNG", (640, 256))  # the 120x48 viewBox drawn 256 px tall
        assert image.getpixel((320, 0))[3] == 0 and image.getpixel((5, 128))[:3] == (122, 31, 92)


def test_local_help_audiences_are_checked(tmp_path: Path) -> None:
    root = _variant(tmp_path, "    phone: \"01234 999000\"\n", "    phone: \"01234 999000\"\n    audiences: [stafff]\n")
    assert _errors(root) == ["course/course.yaml:77: unknown audience 'stafff' (did you mean 'staff'?): use one of "
                             "the audiences: students, staff"]


# --- without brand: the publisher, else the course title; never the tool ----------------------------------------


def test_without_brand_outputs_carry_the_publisher_or_the_title_never_the_tool(tmp_path: Path) -> None:
    from pptx import Presentation

    from coursekit.targets.print import Renderer, audience_documents, document_source
    from coursekit.targets.slides import build_deck
    from coursekit.validate import validate_course
    from coursekit.view import audience_view

    phishing = FIXTURES / "phishing"
    course = validate_course(phishing).course
    assert course is not None and course.brand is None and course.publisher == "Fixture School"
    renderer = Renderer()
    try:
        view = audience_view(course, "students")
        leaflet = next(d for d in audience_documents(view) if d.name == "leaflet")
        assert '<p class="eyebrow">Fixture School</p>' in document_source(renderer, view, leaflet)
        anonymous = course.model_copy(update={"publisher": ""})
        view = audience_view(anonymous, "students")
        sources = [document_source(renderer, view, d) for d in audience_documents(view)]
    finally:
        renderer.close()
    # What the reader sees: the body of each document (its metadata names the tool that made it, as it should).
    bodies = [source.split("<body", 1)[1] for source in sources]
    assert not [body for body in bodies if "Fixture School" in body or "coursekit" in body.casefold()]
    assert all('<meta name="author" content="Spotting phishing">' in source for source in sources)
    assert anonymous.lesson is not None
    deck = build_deck(anonymous, anonymous.lesson, tmp_path / "lesson.pptx")
    properties = Presentation(str(deck.path)).core_properties
    assert properties.author == "Spotting phishing"
