"""Every word arrives as written (issue 13): the edge-case fixture (tests/fixtures/awkward) built with every
target, each output read back with its real reader (Chromium innerText, pdftotext, python-pptx, gift-pegjs,
lxml, openpyxl), and every edge string found exactly, whitespace aside.

Documented transformations, each tested here:
- slides: a zero-width non-joiner (U+200C) sits inside "->", "=>", "<-" and "--", so that the theme font's
  contextual alternates cannot draw an arrow (slides.without_contextual_forms); it is removed before comparing.
- GIFT: "<" is written "&lt;" and "->" "-&gt;" (markdown shows both as typed); a prompt's line break is a
  markdown hard break (two spaces before it).
- Kahoot: a question that does not fit Kahoot's limits (8 options; answers over 75 characters) is left out and
  listed with its reason in kahoot-skipped.txt, never shortened.
- PDF: pdftotext wraps right-to-left text in directional embedding marks (U+202B ... U+202C); they are removed.
  An eyebrow label is set in capitals by the stylesheet (text-transform), so the poster's is compared
  case-insensitively.
- Module without scripts: a story choice's feedback appears only once the choice is made (the browser tests in
  test_web.py play it), so the no-script text of the module is not expected to hold it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import zipfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, course_named, require_tool

from coursekit.pipeline import build_course

AUDIENCE = "students"
ZWNJ = "\u200c"

# The edge strings, as the author wrote them in tests/fixtures/awkward (markdown already rendered: these are
# what a reader sees), and the outputs each must reach.
WEB = ("web", "scorm12", "scorm2004")
QUIZ = (*WEB, "worksheet", "answer-key", "slides", "gift", "moodle", "qti")
PAGE = (*WEB, "slides")
STORY = (*WEB, "gamebook", "slides")
LEAFLET = ("leaflet", "poster")
OPTION_300 = ("Open the app you already use, or type the address you know into the browser yourself, then sign in "
              "there and look for the same message; if it is not there, the email was fake, so forward it to the "
              "helpdesk at help@example.org and delete it, even if it says: “urgent” {today} ❤️ or uses "
              "#hashtags now.")
EDGE: dict[str, tuple[str, ...]] = {
    # a page: quotes of every kind, angle brackets and an email address, braces, emoji with joiners and
    # variation selectors, arrows that a font would turn into one glyph
    "\"straight\" and 'single'": PAGE,
    "“curly” and ‘curly single’": PAGE,
    "«guillemets», „low“ and ‹angle›": PAGE,
    "The scammer writes from <support@example.org>.": PAGE,
    "It says \"Ticket #1234\" is open {urgent}.": PAGE,
    "Emoji with joiners: 👩\u200d💻 ❤\ufe0f 👍🏽 🏳\ufe0f\u200d🌈.": PAGE,
    "Arrows as typed: -> and =>.": PAGE,
    "A link written as a link stays one: the helpdesk's advice.": PAGE,
    # a story: multi-line chat messages, a right-to-left name
    "From: IT Support <support@example.org>": STORY,
    "Subject: Ticket #1234 {urgent}": STORY,
    "Your account closes today 👩\u200d💻": STORY,
    "Reply within 24 hours -> or lose access.": STORY,
    "IT Team ❤\ufe0f": STORY,
    "I’ll check first 👍🏽": STORY,
    "What should Layla do?": STORY,
    "Think before you answer.": STORY,
    "ليلى (Layla)": (*WEB, "gamebook"),
    "Good thinking: \"support@example.org\" is not the school’s address.": ("gamebook", "slides"),
    # a quiz: 8 options, one of 300 characters, "#" inside a quoted string, angle brackets, emoji
    "An email says: \"Ticket #1234 is open\".": QUIZ,
    "Which is the safest thing to do?": QUIZ,
    OPTION_300: QUIZ,
    "Reply to <support@example.org>": QUIZ,
    "Wait for a second email {reminder}": QUIZ,
    "Trust it because of the logo 🏳\ufe0f\u200d🌈": QUIZ,
    "Check the sender -> look closely": QUIZ,
    "Whether it says \"Dear customer\"": (*QUIZ, "kahoot"),
    # the leaflet and poster
    "Stop, check, report: \"Ticket #1234\" can wait.": LEAFLET,
    "The address looks odd: support@examp1e.org": ("leaflet",),
    "Emoji like ❤\ufe0f or 👍🏽 prove nothing either way.": ("leaflet",),
    "Spotting “urgent” emails 👩\u200d💻": LEAFLET,
    # a help contact's email address, wherever contacts are shown
    "help@example.org": (*WEB, "leaflet", "poster", "lesson-plan", "worksheet", "answer-key", "gamebook", "slides",
                         "gift", "moodle", "qti"),
}
# Strings that keep the author's line break: (first line, second line).
LINE_BREAKS = [("From: IT Support <support@example.org>", "Subject: Ticket #1234 {urgent}"),
               ("Reply within 24 hours -> or lose access.", "IT Team ❤\ufe0f"),
               ("What should Layla do?", "Think before you answer."),
               ("An email says: \"Ticket #1234 is open\".", "Which is the safest thing to do?")]


PDFS = ("leaflet", "poster", "lesson-plan", "worksheet", "answer-key", "gamebook")


def flat(text: str) -> str:
    """Whitespace runs as one space (readers wrap lines where the layout does)."""
    return " ".join(text.split())


@dataclass
class Built:
    """The awkward fixture built with every target."""

    out: Path

    def path(self, *parts: str) -> Path:
        return self.out.joinpath(*parts)

    @cached_property
    def texts(self) -> dict[str, str]:
        """Each output's text, as its real reader gives it (not flattened)."""
        return {**self.web_texts(), **self.pdf_texts(), "slides": self.slides_text(), **self.bank_texts()}

    browser: Any = None  # the session's shared Chromium (conftest.shared_browser)

    def web_texts(self) -> dict[str, str]:
        folders = {"web": self.path("web", f"awkward-quiz-text-{AUDIENCE}")}
        for version in ("scorm12", "scorm2004"):
            folder = self.out / f"{version}-unzipped"
            with zipfile.ZipFile(self.path(version, f"awkward-quiz-text-{AUDIENCE}.zip")) as bundle:
                bundle.extractall(folder)
            folders[version] = folder
        texts = {}
        # Without scripts the module shows every screen, every question and its feedback, one after another.
        context = self.browser.new_context(java_script_enabled=False)
        page = context.new_page()
        for name, folder in folders.items():
            page.goto((folder / "index.html").as_uri())
            texts[name] = page.evaluate("document.body.innerText")
        context.close()
        return texts

    def pdf_texts(self) -> dict[str, str]:
        pdftotext = require_tool("pdftotext", "the PDFs are read back with poppler")
        return {pdf.stem: subprocess.run([pdftotext, "-raw", str(pdf), "-"], check=True, capture_output=True,
                                         text=True).stdout
                for pdf in sorted(self.path("print", AUDIENCE).glob("*.pdf"))}

    def slides_text(self) -> str:
        from pptx import Presentation

        deck = Presentation(str(self.path("slides", "awkward-quiz-text-lesson.pptx")))
        lines = []
        for slide in deck.slides:
            for shape in slide.shapes:
                if shape.has_text_frame:
                    lines += [paragraph.text for paragraph in shape.text_frame.paragraphs]
        return "\n".join(lines)

    def bank_texts(self) -> dict[str, str]:
        from lxml import etree, html
        from openpyxl import load_workbook

        folder = self.path("quizbank", AUDIENCE)
        node = require_tool("node", "the GIFT file is read back with gift-pegjs")
        if not (REPO / "node_modules" / "gift-pegjs").is_dir():
            pytest.fail("node_modules/gift-pegjs is missing; `make test` runs npm ci")
        gift = json.loads(subprocess.run([node, str(REPO / "tests" / "js" / "parse_gift.js"),
                                          str(folder / "awkward-quiz-text.gift.txt")],
                                         check=True, capture_output=True, text=True).stdout)

        def markdown_texts(value: Any) -> list[str]:
            if isinstance(value, dict):
                if value.get("format") == "markdown" and isinstance(value.get("text"), str):
                    return [value["text"]]
                return [t for item in value.values() for t in markdown_texts(item)]
            if isinstance(value, list):
                return [t for item in value for t in markdown_texts(item)]
            return []

        def html_text(markup: str) -> str:
            return html.fromstring(f"<div>{markup}</div>").text_content()

        moodle = etree.parse(str(folder / "awkward-quiz-text.moodle.xml"))
        moodle_text = "\n".join(html_text(t.text or "") if t.getparent().get("format") == "html" else (t.text or "")
                                for t in moodle.iter("text"))
        with zipfile.ZipFile(folder / "awkward-quiz-text.qti.zip") as bundle:
            qti_text = "\n".join(
                html_text(t.text or "") if t.get("texttype") == "text/html" else (t.text or "")
                for name in sorted(bundle.namelist()) if name.endswith(".xml")
                for t in etree.fromstring(bundle.read(name)).iter("{*}mattext"))
        sheet = load_workbook(folder / "awkward-quiz-text.kahoot.xlsx").worksheets[0]
        kahoot = "\n".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell)
        return {"gift": "\n".join(markdown_texts(gift)), "moodle": moodle_text, "qti": qti_text, "kahoot": kahoot}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, shared_browser: Any) -> Built:
    course = course_named("awkward")
    out = tmp_path_factory.mktemp("edge")
    previous = os.environ.get("COURSEKIT_SLIDE_PREVIEWS")
    os.environ["COURSEKIT_SLIDE_PREVIEWS"] = "0"  # the decks are read, not looked at
    try:
        results = build_course(course, out, ["web", "scorm12", "scorm2004", "print", "slides", "quizbank"],
                               [AUDIENCE], jobs=1)
    finally:
        if previous is None:
            os.environ.pop("COURSEKIT_SLIDE_PREVIEWS", None)
        else:
            os.environ["COURSEKIT_SLIDE_PREVIEWS"] = previous
    assert not [r.error for r in results if r.error]
    return Built(out, shared_browser)


def reader_text(built: Built, output: str) -> str:
    """What the output's reader gave, with the documented transformations undone (see the module docstring)."""
    text = built.texts[output]
    if output == "slides":
        text = text.replace(ZWNJ, "")
    if output == "gift":
        text = text.replace("&lt;", "<").replace("-&gt;", "->").replace("  \n", "\n")
    if output in PDFS:
        text = re.sub("[\u202a-\u202e\u2066-\u2069]", "", text)
    if output == "poster":
        text = text.casefold()
    return text


def test_every_edge_string_reaches_every_output_exactly(built: Built) -> None:
    missing = []
    for string, outputs in EDGE.items():
        for output in outputs:
            text = flat(reader_text(built, output))
            found = flat(string.casefold() if output == "poster" else string) in text
            if not found:
                missing.append(f"{output}: {string!r}")
    assert missing == [], "\n".join(missing)


def test_line_breaks_reach_the_module_the_gamebook_and_the_slides(built: Built) -> None:
    """The author's line breaks are line breaks in what a reader sees, not spaces."""
    for first, second in LINE_BREAKS:
        for output in ("web", "scorm12", "slides"):
            text = reader_text(built, output)
            assert re.search(re.escape(first) + r"[ \t]*\n[ \t\n]*" + re.escape(second), text), (output, first)
    gamebook = reader_text(built, "gamebook")
    for first, second in LINE_BREAKS[:3]:
        assert re.search(re.escape(first) + r"[ \t]*\n" + re.escape(second), gamebook), first


def test_nothing_became_a_link_that_the_author_did_not_write_as_one(built: Built) -> None:
    """Angle-bracket addresses are text in the module; the only mailto: links are the help contacts'."""
    index = built.path("web", f"awkward-quiz-text-{AUDIENCE}", "index.html").read_text("utf-8")
    assert "&lt;support@example.org&gt;" in index
    assert sorted(set(re.findall(r'href="(mailto:[^"]*)"', index))) == ["mailto:help@example.org"]
    moodle = built.path("quizbank", AUDIENCE, "awkward-quiz-text.moodle.xml").read_text("utf-8")
    assert "mailto:support@example.org" not in moodle


def test_kahoot_leaves_out_what_it_cannot_hold_and_says_so(built: Built) -> None:
    text = built.path("quizbank", AUDIENCE, "awkward-quiz-text.kahoot-skipped.txt").read_text("utf-8")
    assert re.search(r"question many: left out because it has 8 options \(Kahoot takes at most 4\); answer \d is "
                     r"300 characters \(Kahoot takes at most 75\)", text), text
    assert OPTION_300 not in built.texts["kahoot"]


def test_the_pdf_text_layer_keeps_joiners_and_variation_selectors(built: Built) -> None:
    """Emoji sequences come back from the PDF with every code point: ZWJ (U+200D) and VS16 (U+FE0F)."""
    leaflet = built.texts["leaflet"]
    assert "👩\u200d💻" in leaflet and "❤\ufe0f" in leaflet
    pdffonts = require_tool("pdffonts", "lists PDF fonts")
    fonts = subprocess.run([pdffonts, str(built.path("print", AUDIENCE, "leaflet.pdf"))], check=True,
                           capture_output=True, text=True).stdout
    assert "Noto-Color-Emoji" in fonts and all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])


def test_slide_links_and_help_email_are_real_hyperlinks(built: Built) -> None:
    from pptx import Presentation

    deck = Presentation(str(built.path("slides", "awkward-quiz-text-lesson.pptx")))
    addresses = {run.hyperlink.address for slide in deck.slides for shape in slide.shapes if shape.has_text_frame
                 for paragraph in shape.text_frame.paragraphs for run in paragraph.runs if run.hyperlink.address}
    assert "mailto:help@example.org" in addresses
    assert "https://helpdesk.example.org/advice" in addresses  # the author's [text](url) in a page
    assert not any("support@example.org" in address for address in addresses)


def test_no_contextual_ligatures_anywhere(built: Built) -> None:
    """The stylesheets switch ligatures and contextual alternates off for learner text."""
    css = (REPO / "coursekit" / "player" / "player.css").read_text("utf-8")
    assert 'font-feature-settings: "liga" 0, "calt" 0' in css
    print_css = (REPO / "coursekit" / "templates" / "print" / "print.css").read_text("utf-8")
    assert 'font-feature-settings: "liga" 0, "calt" 0' in print_css
    assert "-\u200c>" in built.texts["slides"] and "->" not in built.texts["slides"]


def test_edge_text_overlaps_nothing_in_the_deck_and_the_pdfs(built: Built) -> None:
    """A 300-character option, 8 options, a 1,500-word page and emoji: still no text on an icon, a QR code or
    other text, in the slides (as measured) and on every page of every PDF."""
    from layout import pdf_overlaps, slide_overlaps

    assert slide_overlaps(built.path("slides", "awkward-quiz-text-lesson.pptx")) == []
    for pdf in sorted(built.path("print", AUDIENCE).glob("*.pdf")):
        assert pdf_overlaps(pdf) == [], pdf.name
