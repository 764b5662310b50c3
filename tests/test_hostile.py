"""Hostile content (issue 12, items 11-14): text that passes validate goes through every target, and each output
is re-read by its real client (Chromium, lxml, pdftotext, python-pptx, gift-pegjs, openpyxl). Whatever an author
writes stays text: no script runs, no markup or formula is created, nothing is fetched."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, REPO, require_tool
from lxml import etree, html

PAGE = "<img src=x onerror=alert(101)>"
CHAT = "<script>alert(102)</script>"
FEEDBACK = "]]><script>alert(103)</script>"
TEMPLATE = "{{ 7*7 }} {% raw %}"
HELP = "<b>helpdesk</b><iframe src=https://evil.example/>"
FORMULA = '=HYPERLINK("https://evil.example/x","What should you check first?")'
AT_FORMULA = "@SUM(1+1)*cmd|' /C calc'!A0"
PLUS_FORMULA = "+1+2 The colours of the logo"
MINUS_FORMULA = "-2+3 How polite it is"
STYLE = "<style>*{display:none}</style>"

EDITS: list[tuple[str, str, str]] = [
    ("course/course.yaml", "body: Look at the real address, not just the name.",
     f"body: 'Look at the real address {PAGE}, not just the name {TEMPLATE}.'"),
    ("course/course.yaml", "    name: School helpdesk", f"    name: 'School {HELP}'"),
    ("scenarios/odd-email.yaml", 'text: "Your account closes today! Click here to keep it."',
     f'text: "{CHAT} Your account closes today! Click here to keep it."'),
    ("quizzes/final.yaml", 'prompt: "What should you check first?"', f"prompt: '{FORMULA}'"),
    ("quizzes/final.yaml", 'feedback: "Yes: names can be faked."', f'feedback: "Yes: names can be faked {FEEDBACK}"'),
    ("quizzes/final.yaml", '"The colours of the logo"', f'"{PLUS_FORMULA}"'),
    ("quizzes/final.yaml", '"How polite it is"', f'"{MINUS_FORMULA}"'),
    ("quizzes/final.yaml", '"The real sender address"', f'"{AT_FORMULA}"'),
    ("course/leaflet-students.yaml", "tagline: Stop, check, report.", f"tagline: 'Stop, check, report. {STYLE}'"),
]
MARKERS = [PAGE, CHAT, FEEDBACK, TEMPLATE, HELP, STYLE]
DANGEROUS_TAGS = {"script", "img", "iframe", "style", "object", "embed", "svg", "form", "b"}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The phishing fixture with hostile text in every kind of field, built with every target."""
    root = tmp_path_factory.mktemp("hostile") / "course"
    shutil.copytree(FIXTURES / "phishing", root)
    for relative, old, new in EDITS:
        path = root / relative
        text = path.read_text("utf-8")
        assert text.count(old) == 1, (relative, old)
        path.write_text(text.replace(old, new), "utf-8")
    out = root / "outputs"
    proc = subprocess.run([sys.executable, "-m", "coursekit.cli", "build", "--course", str(root), "--out", str(out)],
                          capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stderr
    return root, out


def squash(text: str) -> str:
    return " ".join(text.split())


def check_html_document(document: str, where: str) -> str:
    """Scripts only the module's own, no event handler attributes, no tag from the content; return the text."""
    tree = html.document_fromstring(document)
    for script in tree.iter("script"):
        assert script.get("src") in ("player.js", "tracking.js") or script.get("type") == "application/json", \
            f"{where}: unexpected script {etree.tostring(script)[:120]!r}"
    for element in tree.iter():
        if isinstance(element.tag, str):
            handlers = [name for name in element.attrib if name.lower().startswith("on")]
            assert not handlers, f"{where}: <{element.tag}> has {handlers}"
    assert not list(tree.iter("iframe", "img", "style", "object", "embed")) or all(
        img.get("src", "").startswith(("assets/", "data:")) for img in tree.iter("img")), where
    return squash(tree.text_content())


def test_web_module_in_chromium_runs_no_content_script_and_shows_the_text(hostile: tuple[Path, Path],
                                                                         shared_browser: Any) -> None:
    _, out = hostile
    indexes = sorted((out / "web").glob("*/index.html"))
    assert len(indexes) == 2
    browser = shared_browser
    for index in indexes:
        page = browser.new_page()
        dialogs: list[str] = []
        foreign: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on("request", lambda request: None if request.url.startswith("file://")
                else foreign.append(request.url))
        page.goto(index.as_uri())
        page.wait_for_selector("html.js")
        page.wait_for_timeout(300)
        shown = squash(page.evaluate("document.body.textContent"))
        handlers = page.evaluate("""() => [...document.querySelectorAll('*')].flatMap(
            e => [...e.attributes].filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name))""")
        scripts = page.evaluate("() => [...document.scripts].map(s => s.getAttribute('src') || s.type + '#' + s.id)")
        page.close()
        assert dialogs == [] and foreign == [] and handlers == [], (dialogs, foreign, handlers)
        # Data only (the course and the engine's strings), then the two player files: nothing else runs.
        assert sorted(scripts) == ["application/json#ck-strings", "application/json#course-data", "player.js",
                                   "tracking.js"], scripts
        for marker in (PAGE, CHAT, TEMPLATE):
            assert marker in shown, f"{index}: {marker!r} is not shown as text"
        assert "School <b>helpdesk</b>" in shown  # the help contact's name, as written


@pytest.mark.parametrize("target", ["scorm12", "scorm2004"])
def test_scorm_packages_hold_the_text_and_no_content_markup(hostile: tuple[Path, Path], target: str) -> None:
    _, out = hostile
    packages = sorted((out / target).glob("*.zip"))
    assert len(packages) == 2
    for package in packages:
        with zipfile.ZipFile(package) as bundle:
            text = check_html_document(bundle.read("index.html").decode("utf-8"), f"{package.name}")
            etree.fromstring(bundle.read("imsmanifest.xml"))
        for marker in (PAGE, CHAT, TEMPLATE):
            assert marker in text, f"{package.name}: {marker!r}"


def test_pdfs_print_the_text_literally(hostile: tuple[Path, Path]) -> None:
    pdftotext = require_tool("pdftotext", "the hostile-content check reads the PDFs back")
    _, out = hostile
    texts = {}
    for pdf in sorted((out / "print").glob("*/*.pdf")):
        run = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60,
                             check=True)
        texts[f"{pdf.parent.name}/{pdf.name}"] = squash(run.stdout)
    assert texts
    assert CHAT in texts["students/gamebook.pdf"]
    assert STYLE in texts["students/poster.pdf"]
    assert FEEDBACK in texts["students/answer-key.pdf"]
    assert "School <b>helpdesk</b>" in texts["students/leaflet.pdf"]


def test_slides_hold_the_text_literally(hostile: tuple[Path, Path]) -> None:
    from pptx import Presentation

    _, out = hostile
    decks = sorted((out / "slides").glob("*.pptx"))
    assert decks
    text = ""
    for deck in decks:
        for slide in Presentation(str(deck)).slides:
            for shape in slide.shapes:
                if shape.has_text_frame:
                    text += " " + shape.text_frame.text
            if slide.has_notes_slide:
                text += " " + slide.notes_slide.notes_text_frame.text
    text = squash(text)
    for marker in (CHAT, PAGE):
        assert marker in text, marker


def _markup_in_fragment(fragment: str) -> set[str]:
    if not fragment.strip():
        return set()
    tree = html.fragment_fromstring(fragment, create_parent="div")
    return {element.tag for element in tree.iter() if isinstance(element.tag, str)} & DANGEROUS_TAGS


def test_moodle_xml_and_qti_carry_no_content_markup(hostile: tuple[Path, Path]) -> None:
    _, out = hostile
    for audience in ("students", "staff"):
        folder = out / "quizbank" / audience
        moodle = etree.parse(str(folder / "phishing-basics.moodle.xml"))
        texts = [t.text or "" for t in moodle.iter("text")]
        assert any("alert(103)" in t for t in texts) or audience == "staff"
        for text in texts:
            assert _markup_in_fragment(text) == set(), text
        with zipfile.ZipFile(folder / "phishing-basics.qti.zip") as bundle:
            for name in bundle.namelist():
                if name.endswith(".xml"):
                    tree = etree.fromstring(bundle.read(name))
                    for mattext in tree.iter("{*}mattext"):
                        assert _markup_in_fragment(mattext.text or "") == set(), (name, mattext.text)


def test_gift_text_is_markdown_without_raw_html(hostile: tuple[Path, Path]) -> None:
    """Moodle's markdown passes raw HTML through: rendered the same way (markdown-it with HTML on), no content
    tag may appear, and the text shows as written."""
    node = require_tool("node", "the GIFT bank is re-read with the npm gift-pegjs parser")
    from markdown_it import MarkdownIt

    moodle_markdown = MarkdownIt("commonmark", {"html": True})
    _, out = hostile
    gift = out / "quizbank" / "students" / "phishing-basics.gift.txt"
    run = subprocess.run([node, str(REPO / "tests" / "js" / "parse_gift.js"), str(gift)], capture_output=True,
                         text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    texts: list[str] = []

    def collect(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("format") == "markdown":
                texts.append(value["text"])
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    collect(json.loads(run.stdout))
    rendered = [moodle_markdown.render(text) for text in texts]
    for text, page in zip(texts, rendered):
        assert _markup_in_fragment(page) == set(), (text, page)
    shown = squash(" ".join(html.fragment_fromstring(page, create_parent="div").text_content() for page in rendered))
    assert FEEDBACK in shown and "School <b>helpdesk</b>" in shown


def test_kahoot_cells_are_text_never_formulas(hostile: tuple[Path, Path]) -> None:
    from openpyxl import load_workbook

    _, out = hostile
    xlsx = out / "quizbank" / "students" / "phishing-basics.kahoot.xlsx"
    sheet = load_workbook(xlsx).worksheets[0]
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)}
    for text in (FORMULA, AT_FORMULA, PLUS_FORMULA, MINUS_FORMULA):
        assert text in cells, f"{text!r} is not in the sheet as written"
        assert cells[text].data_type == "s" and cells[text].quotePrefix, text
    with zipfile.ZipFile(xlsx) as bundle:
        sheet_xml = bundle.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert not re.search(r"<f[ >]", sheet_xml), "the sheet holds a formula"


def test_coverage_report_is_plain_data(hostile: tuple[Path, Path]) -> None:
    _, out = hostile
    data = json.loads((out / "coverage" / "coverage.json").read_text("utf-8"))
    assert "check-sender" in data
