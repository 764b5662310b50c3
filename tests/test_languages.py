"""Languages (issue 16 #3): message catalogues, a Welsh course with no English engine string left, and the
engine's version in every output's metadata (issue 16 #4)."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import string
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import get_args

import pytest
import yaml
from conftest import FIXTURES, REPO, require_tool

PACKAGE = REPO / "coursekit"
CATALOGUES = PACKAGE / "messages"
KEY = re.compile(r"^(common|web|player|print|slides|quizbank|pack|scorm)\.[a-z0-9_.]*[a-z0-9]$")
FILE_NAME = re.compile(r"\.(css|html|j2|js|yaml|pdf|xml|json|md|txt|zip|png|pptx|xlsx)$")


def catalogue(name: str) -> dict[str, str]:
    """A shipped catalogue read as plain YAML (not through coursekit.messages)."""
    return yaml.safe_load((CATALOGUES / f"{name}.yaml").read_text("utf-8"))


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _player_keys(source: str) -> set[str]:
    """Every key the player passes to L(...): literals before any {values} argument."""
    keys = set()
    for match in re.finditer(r"\bL\(", source):
        depth, i = 1, match.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(source[i], 0)
            i += 1
        arguments = source[match.end():i - 1].split("{", 1)[0]
        keys |= {"player." + key for key in re.findall(r'"([a-z_]+)"', arguments)}
    return keys


def used_keys(package: Path = PACKAGE) -> set[str]:
    """Every catalogue key written literally in the engine's Python, templates and player."""
    keys: set[str] = set()
    for path in [*package.rglob("*.py"), *(package / "templates").rglob("*.j2")]:
        for literal in re.findall(r'"([^"\n]+)"', path.read_text("utf-8")):
            if KEY.match(literal) and not FILE_NAME.search(literal):
                keys.add(literal)
    keys |= _player_keys((package / "player" / "player.js").read_text("utf-8"))
    return keys


def test_both_catalogues_have_the_same_keys_and_placeholders() -> None:
    english, welsh = catalogue("en-GB"), catalogue("cy")
    assert sorted(set(english) ^ set(welsh)) == []
    assert [key for key in english if placeholders(english[key]) != placeholders(welsh[key])] == []
    assert [key for key, text in {**english, **welsh}.items() if not isinstance(text, str) or not text.strip()] == []
    assert len(english) >= 300  # every engine string of every output (a drop means strings went back inline)


def test_a_key_written_twice_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Two developers adding the same key: YAML keeps one silently, so the loader refuses the file."""
    from coursekit import messages as module

    for name in ("en-GB", "cy"):
        assert len(module.load_catalogue(name)) == len(catalogue(name))
    (tmp_path / "messages").mkdir()
    (tmp_path / "messages" / "xx.yaml").write_text('web.next: "Next"\nweb.back: "Back"\nweb.next: "On"\n', "utf-8")
    monkeypatch.setattr(module.resources, "files", lambda package: tmp_path)
    with pytest.raises(ValueError, match="has these keys twice: web.next"):
        module.load_catalogue("xx")


def test_every_key_the_engine_uses_is_in_every_catalogue() -> None:
    from coursekit import model as m
    from coursekit.targets.pack import GROUPS, RULES

    used = used_keys()
    # Keys built from a model value: one per value.
    phases = get_args(m.Activity.model_fields["phase"].annotation)
    used |= {f"print.phase_{phase}" for phase in phases}
    used |= {f"slides.grade_{grade}" for grade in (*get_args(m.Quality), "ungraded")}
    used |= {f"pack.{rule.key}.{part}" for rule in RULES for part in ("title", "what", "who")}
    used |= {f"pack.group_{group}" for group in GROUPS}
    assert len(used) > 250, "the key scan found too few keys: the scan is broken"
    for name in ("en-GB", "cy"):
        assert sorted(used - set(catalogue(name))) == [], f"keys missing from {name}.yaml"


def test_a_missing_key_is_caught(tmp_path: Path) -> None:
    """The scan sees keys in templates (also inside a condition), Python and the player's L(...) calls."""
    package = tmp_path / "coursekit"
    (package / "templates" / "print").mkdir(parents=True)
    (package / "player").mkdir()
    (package / "templates" / "print" / "x.html.j2").write_text(
        '<p>{{ _("print.turn_to", n=1) }} {{ _("print.no_such" if a else "print.turn_to") }}</p>', "utf-8")
    (package / "targets.py").write_text('say("slides.not_there", n=1)\nopen("print.css")\n', "utf-8")
    (package / "player" / "player.js").write_text(
        'mark("incorrect", L(up ? "already_first" : "gone_key", { item: L("nested_key") }));', "utf-8")
    missing = used_keys(package) - set(catalogue("en-GB"))
    assert missing == {"print.no_such", "slides.not_there", "player.gone_key", "player.nested_key"}


def test_messages_fill_placeholders_and_format_dates_and_numbers() -> None:
    from coursekit.messages import format_date, format_number, messages

    assert messages("cy")("print.turn_to", n=12) == "Ewch i adran 12."
    assert messages("en")("print.turn_to", n=12) == "Turn to 12."
    assert format_date(dt.date(2026, 3, 5), "cy") == "5 Mawrth 2026"
    assert format_date(dt.date(2026, 11, 1), "en-GB") == "1 November 2026"
    assert format_number(1234.5, "en-GB") == "1,234.5"
    assert format_number(48, "cy") == "48"
    with pytest.raises(KeyError):
        messages("de")


# --- the Welsh fixture, built once ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def welsh_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every target of tests/fixtures/welsh (language: cy), built once for one audience (the students': their
    plan is the lesson deck; the staff's talk deck is the same code), without slide previews (pictures)."""
    out = tmp_path_factory.mktemp("welsh") / "outputs"
    env = {**os.environ, "PYTHONPATH": str(REPO), "COURSEKIT_SLIDE_PREVIEWS": "0"}
    result = subprocess.run([sys.executable, "-m", "coursekit.cli", "build", "--course", str(FIXTURES / "welsh"),
                             "--out", str(out), "--no-cache", "--audience", "students"],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    return out.resolve()


def _html_text(data: bytes) -> str:
    """An HTML page's text, attribute values and JSON blocks (what a reader or screen reader meets)."""
    from lxml import html

    document = html.fromstring(data)
    parts = [document.text_content()]
    for element in document.iter():
        parts += [value for name, value in element.attrib.items() if name in ("aria-label", "content", "title", "alt")]
    return "\n".join(parts)


def output_texts(root: Path) -> dict[str, str]:
    """The text of every output, read with each format's own reader."""
    from openpyxl import load_workbook
    from pptx import Presentation

    pdftotext = require_tool("pdftotext", "reads the PDFs' text")
    texts: dict[str, str] = {}

    def add(name: str, data: bytes) -> None:
        if name.endswith((".html", ".htm")):
            texts[name] = _html_text(data)
        elif name.endswith((".js", ".xml", ".txt", ".md", ".json")):
            texts[name] = data.decode("utf-8")
        elif name.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for inner in archive.namelist():
                    if not inner.endswith(".xsd") and not inner.endswith(".dtd"):
                        add(f"{name}!{inner}", archive.read(inner))
        elif name.endswith(".xlsx"):
            book = load_workbook(io.BytesIO(data))
            texts[name] = "\n".join(str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row
                                    if cell.value is not None)
        elif name.endswith(".pptx"):
            deck = Presentation(io.BytesIO(data))
            parts = [deck.core_properties.title or "", deck.core_properties.comments or ""]
            for slide in deck.slides:
                parts += [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
                parts += [shape._element.xpath("string(.//p:cNvPr/@descr)") for shape in slide.shapes]
                if slide.has_notes_slide:
                    parts.append(slide.notes_slide.notes_text_frame.text)
            texts[name] = "\n".join(parts)

    paths = []
    for folder, dirs, files in os.walk(root, followlinks=True):  # outputs/web... are links into .current
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        paths += [Path(folder) / file for file in files if not file.startswith(".")]
    for path in sorted(paths):
        name = path.relative_to(root).as_posix()
        if name.endswith(".pdf"):
            texts[name] = subprocess.run([pdftotext, "-enc", "UTF-8", str(path), "-"], capture_output=True,
                                         text=True, check=True).stdout
            texts[name] += subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
        else:
            add(name, path.read_bytes())
    return texts


def english_phrases() -> dict[str, str]:
    """The English catalogue's fixed phrases of three words or more (shorter ones give false hits), with
    the placeholders cut out; phrases the Welsh text of the same key also has (names, formats) are skipped."""
    english, welsh = catalogue("en-GB"), catalogue("cy")
    phrases: dict[str, str] = {}
    for key, text in english.items():
        for literal, _, _, _ in string.Formatter().parse(text):
            phrase = " ".join(literal.split()).strip(" .,:;()·")
            if len(re.findall(r"[A-Za-z']+", phrase)) >= 3 and phrase not in welsh[key]:
                phrases[phrase] = key
    return phrases


def _normal(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").split())


def test_the_welsh_course_has_no_english_engine_string_in_any_output(welsh_build: Path) -> None:
    texts = output_texts(welsh_build)
    kinds = {name.rsplit(".", 1)[-1] for name in texts}
    assert {"html", "js", "pdf", "pptx", "xlsx", "txt", "xml"} <= kinds
    assert any(name.startswith("scorm12/") and name.endswith("index.html") for name in texts)
    phrases = english_phrases()
    assert len(phrases) > 150
    found = sorted({f"{name}: {key} ({phrase!r})" for name, text in texts.items()
                    for phrase, key in phrases.items() if phrase in _normal(text)})
    assert found == []
    # ... and the Welsh ones are there, in each kind of output.
    joined = {kind: "\n".join(_normal(t) for n, t in texts.items() if n.endswith(kind)) for kind in kinds}
    assert "Cyflwyno'r ateb" in joined["html"]  # the module's submit button
    assert "Rydych chi wedi pasio. Da iawn." in joined["html"]  # the player's strings block
    assert "Ewch i adran" in joined["pdf"] and "Tudalen 1 o" in joined["pdf"]  # gamebook, page footer
    assert "15 Ionawr 2026" in joined["pdf"]  # facts_checked, a Welsh date
    assert "Dangos yr ateb" in joined["pptx"]
    assert "Help a chefnogaeth" in joined["xml"] and "Gwir" in joined["xlsx"]
    assert "Dechreuwch yma" in joined["html"]  # the pack page


def test_a_plan_in_any_language_names_its_worksheet_tasks(welsh_build: Path) -> None:
    """`worksheet:` on a plan activity (and its baseline) prints that task on the worksheet, whatever the
    language: the description's English word "worksheet" is not needed (tests/fixtures/welsh/course/lesson.yaml)."""
    sheet = _normal(output_texts(welsh_build / "print")["students/worksheet.pdf"])
    assert "Ysgrifennwch un arwydd o neges ffug ym mhob blwch." in sheet
    assert "Scenario Ysgrifennwch beth fyddech chi'n ei wneud pe bai neges fel hon yn cyrraedd." in sheet
    assert "Play the scenario together" not in sheet  # the presenter's description stays off the sheet


def test_the_english_scan_finds_english_when_it_is_there(phishing_build_texts: dict[str, str]) -> None:
    """The same scan, run on the English phishing fixture, finds the engine's English (the check can fail)."""
    phrases = english_phrases()
    found = {key for text in phishing_build_texts.values() for phrase, key in phrases.items()
             if phrase in _normal(text)}
    assert {"print.gamebook_lead", "player.passed_before", "print.tick_one",
            "quizbank.gift_import", "pack.offline"} <= found


@pytest.fixture(scope="session")
def phishing_build_texts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The texts of the English fixture's module, gamebook, worksheet, GIFT bank and pack page."""
    out = tmp_path_factory.mktemp("english") / "outputs"
    env = {**os.environ, "PYTHONPATH": str(REPO), "COURSEKIT_SLIDE_PREVIEWS": "0"}
    result = subprocess.run([sys.executable, "-m", "coursekit.cli", "build", "--course", str(FIXTURES / "phishing"),
                             "--out", str(out), "--no-cache", "--audience", "students", "web", "print",
                             "quizbank", "pack"], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    texts = output_texts(out.resolve())
    return {name: text for name, text in texts.items()
            if name.endswith(("index.html", "gamebook.pdf", "worksheet.pdf", "gift.txt"))}


# --- the engine's version in every output's metadata ---------------------------------------------------------


def test_every_output_names_the_engine_and_its_version(welsh_build: Path) -> None:
    from lxml import etree, html
    from openpyxl import load_workbook
    from pptx import Presentation

    from coursekit import __version__

    engine = f"coursekit {__version__}"
    version = subprocess.run([sys.executable, "-m", "coursekit.cli", "--version"], capture_output=True, text=True,
                             env={**os.environ, "PYTHONPATH": str(REPO)})
    assert version.stdout.strip() == f"coursekit, version {__version__}"
    root = welsh_build
    # HTML: the module, its SCORM copies and the pack page.
    pages = [root / "web" / "phishing-basics-students" / "index.html", root / "index.html"]
    for page in pages:
        assert html.fromstring(page.read_bytes()).xpath("string(//meta[@name='generator']/@content)") == engine
    for version_folder in ("scorm12", "scorm2004"):
        with zipfile.ZipFile(root / version_folder / "phishing-basics-students.zip") as archive:
            assert html.fromstring(archive.read("index.html")).xpath(
                "string(//meta[@name='generator']/@content)") == engine
            manifest = etree.fromstring(archive.read("imsmanifest.xml"))
            comments = [c.text for c in manifest.itersiblings(preceding=True) if isinstance(c, etree._Comment)]
            assert comments == [f" generator: {engine} "]
    # PDF: the Creator field WeasyPrint fills from <meta name="generator">.
    pdfinfo = require_tool("pdfinfo", "reads the PDFs' metadata")
    for pdf in sorted((root / "print").rglob("*.pdf")):
        info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True).stdout
        assert re.search(rf"^Creator:\s+{re.escape(engine)}$", info, re.MULTILINE), pdf.name
    # PPTX: core properties.
    for deck in sorted((root / "slides").glob("*.pptx")):
        properties = Presentation(str(deck)).core_properties
        assert properties.last_modified_by == engine and engine in properties.comments
    # Quiz banks: a comment in GIFT and Moodle XML, the QTI manifest's metadata, the Kahoot file's properties.
    bank = root / "quizbank" / "students"
    assert f"// {engine}" in (bank / "phishing-basics.gift.txt").read_text("utf-8").splitlines()[:5]
    moodle = etree.parse(str(bank / "phishing-basics.moodle.xml")).getroot()
    assert f" {engine} " in [c.text for c in moodle if isinstance(c, etree._Comment)]
    with zipfile.ZipFile(bank / "phishing-basics.qti.zip") as archive:
        metadata = etree.fromstring(archive.read("imsmanifest.xml")).find("{*}metadata")
        assert f" {engine} " in [c.text for c in metadata if isinstance(c, etree._Comment)]
    assert load_workbook(bank / "phishing-basics.kahoot.xlsx").properties.lastModifiedBy == engine


def test_left_out_reasons_read_the_same_in_english_and_are_translated() -> None:
    """A format's reason for leaving a question type out has a catalogue key, and its English is the reason."""
    from coursekit.questions import TYPES, LeftOut

    english, welsh = catalogue("en-GB"), catalogue("cy")
    reasons = [form for kind in TYPES.values() for form in kind.exports.values() if isinstance(form, LeftOut)]
    assert len(reasons) >= 5
    assert [form.reason for form in reasons if not form.key or english[form.key] != form.reason] == []
    assert all(welsh[form.key] != form.reason for form in reasons)


def test_templates_write_no_fixed_words_outside_the_catalogue() -> None:
    """Words in a template's text or a label attribute, outside {{ }} and {% %}, would be English in every
    language: each such word must come from the catalogue (product names and format values excepted)."""
    allowed = {"Moodle", "Canvas", "Kahoot", "ADL", "SCORM", "Edition"}
    found = {}
    for path in sorted((PACKAGE / "templates").rglob("*.j2")):
        if "new" in path.relative_to(PACKAGE / "templates").parts:
            continue  # `coursekit new` writes an example course, which the author then rewrites
        text = re.sub(r"\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}", " ", path.read_text("utf-8"), flags=re.DOTALL)
        labels = re.findall(r'(?:aria-label|alt|title|placeholder)="([^"]*)"', text)
        text = re.sub(r'<[^>]*>|[\w-]+="[^"]*"', " ", text)  # tags, and attributes a macro writes alone
        words = {w for w in re.findall(r"[A-Za-z][A-Za-z']{2,}", " ".join([text, *labels])) if w not in allowed}
        if words:
            found[path.name] = sorted(words)
    assert found == {}
