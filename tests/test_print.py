"""Printables: built for the fixture and (once it validates) the real course; checked with poppler, zbar."""

from __future__ import annotations

import calendar
import hashlib
import re
import subprocess
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from conftest import FIXTURES, build_validated, course_named, patched_course, require_tool

from coursekit import model as m
from coursekit import theme
from coursekit.errors import BuildError
from coursekit.pipeline import build_course
from coursekit.targets import print as printing
from coursekit.targets import run_target
from coursekit.text import to_plain
from coursekit.validate import load_course
from coursekit.view import AudienceView, audience_view

pytestmark = pytest.mark.poppler

A4_PORTRAIT = (595.276, 841.89)  # points


@dataclass(frozen=True)
class Built:
    """A course built with the print target (through the pipeline) into `out`."""

    name: str
    course: m.Course
    out: Path

    def pdf(self, audience: str, name: str) -> Path:
        """The path of one printable."""
        return self.out / "print" / audience / f"{name}.pdf"

    def documents(self, audience: str) -> list[str]:
        """The printables expected for `audience`, from the model alone."""
        view = audience_view(self.course, audience)
        names = ["leaflet", "poster"] if view.leaflet else []
        names += [f"{plan.kind}-plan" for plan in view.plans]
        names += ["worksheet", "answer-key"] if view.quizzes() else []
        names += ["gamebook"] if view.scenarios() else []
        return names


def build(course: m.Course, out: Path) -> Built:
    """Build the print target through the pipeline (registry, staging and swap included)."""
    results = build_course(course, out, ["print"], list(course.audiences), jobs=1)
    assert not results[0].error, results[0].error
    return Built("", course, out)


@pytest.fixture(scope="session")
def built_courses(tmp_path_factory: pytest.TempPathFactory, phishing_root: Path, phishing_outputs: Path,
                  real_outputs: Path) -> dict[str, Built]:
    """The fixtures (phishing: everything; awkward: quotes, braces, accents and emoji in quizzes), and the real
    course (an invalid real course fails, it is never skipped). Phishing and real are the session's shared builds."""
    require_tool("pdftoppm", "the print target renders previews with poppler")
    awkward = load_course(FIXTURES / "awkward")
    return {"phishing": Built("phishing", load_course(phishing_root), phishing_outputs),
            "awkward": Built("awkward", awkward, build(awkward, tmp_path_factory.mktemp("print-awkward")).out),
            "real": Built("real", course_named("real"), real_outputs)}


@pytest.fixture(params=["phishing", "awkward", "real"])
def built(request: pytest.FixtureRequest, built_courses: dict[str, Built]) -> Built:
    """Each built course in turn."""
    return built_courses[request.param]


# --- poppler helpers ---------------------------------------------------------------------


def run(*args: str) -> str:
    """Run a command, return its stdout."""
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


@cache
def pdfinfo(path: Path) -> dict[str, str]:
    """pdfinfo's fields."""
    info = {}
    for line in run(require_tool("pdfinfo", "reads PDF metadata"), str(path)).splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def flat(text: str) -> str:
    """Text with all whitespace runs as single spaces (pdftotext wraps lines where the layout does)."""
    return " ".join(text.split())


@cache
def pdf_text(path: Path, first: int = 0, last: int = 0, raw: bool = False) -> str:
    """The PDF's text, flattened: poppler's reading order, or with `raw` the order it was drawn in
    (side-by-side columns, as in matching questions, then do not interleave)."""
    options = (["-f", str(first), "-l", str(last)] if first else []) + (["-raw"] if raw else [])
    return flat(run(require_tool("pdftotext", "extracts PDF text"), *options, str(path), "-"))


def crop_text(path: Path, page: int, x: float, width: float) -> str:
    """The text inside a vertical strip of one page (x and width in points), flattened."""
    height = float(pdfinfo(path)["Page size"].split()[2])
    return flat(run(require_tool("pdftotext", "extracts PDF text"), "-f", str(page), "-l", str(page),
                    "-x", str(int(x)), "-y", "0", "-W", str(int(width)), "-H", str(int(height) + 1),
                    str(path), "-"))


def pdf_objects(path: Path) -> bytes:
    """Every object of the PDF, with compressed streams (object streams too) inflated."""
    data = path.read_bytes()
    parts = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        try:
            parts.append(zlib.decompressobj().decompress(data[match.end():]))
        except zlib.error:
            continue
    return b"\n".join(parts)


def plain(markdown: str) -> str:
    """What a reader sees of a bit of markdown, flattened."""
    return flat(to_plain(markdown).replace("• ", ""))


def long_date(day: object) -> str:
    """A date as the printables write it (computed independently of the target's helper)."""
    assert hasattr(day, "day")
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"  # type: ignore[attr-defined]


def cases(built: Built) -> list[tuple[str, str]]:
    """(audience, document) for every printable of a built course."""
    return [(audience, name) for audience in built.course.audiences for name in built.documents(audience)]


# --- files, pages, tags, fonts ----------------------------------------------------------------


def test_every_printable_and_preview_is_written(built: Built) -> None:
    for audience in built.course.audiences:
        names = built.documents(audience)
        assert "leaflet" in names or built.course.leaflets.get(audience) is None
        written = sorted(p.name for p in (built.out / "print" / audience).iterdir())
        assert written == sorted(f"{name}.pdf" for name in names)
        for name in names:
            preview = built.out / "print" / "previews" / f"{audience}-{name}.png"
            assert preview.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            from PIL import Image

            with Image.open(preview) as image:  # first page at 50 dpi: A4 is 413 x 585 pixels
                assert (image.width > image.height) == (name == "leaflet"), (audience, name)
                assert abs(max(image.size) - 585) <= 2 and abs(min(image.size) - 413) <= 2, image.size


def test_page_size_and_count(built: Built) -> None:
    for audience, name in cases(built):
        info = pdfinfo(built.pdf(audience, name))
        width, height = (float(v) for v in info["Page size"].split()[0:3:2])
        expected = A4_PORTRAIT[::-1] if name == "leaflet" else A4_PORTRAIT
        assert (round(width), round(height)) == (round(expected[0]), round(expected[1])), (audience, name)
        pages = int(info["Pages"])
        assert pages == {"leaflet": 2, "poster": 1}.get(name, pages) and pages >= 1, (audience, name, pages)


def test_pdfs_are_tagged_pdf_ua_with_title_language_and_bookmarks(built: Built) -> None:
    for audience, name in cases(built):
        path = built.pdf(audience, name)
        info = pdfinfo(path)
        assert info["Tagged"] == "yes", (audience, name)
        assert info["PDF version"] == "1.7"
        assert audience in info["Title"] or built.course.audiences[audience].label in info["Title"]
        assert info["CreationDate"] and "1980" not in info["CreationDate"]
        meta = run("pdfinfo", "-meta", str(path))
        assert 'pdfuaid:part="1"' in meta or "<pdfuaid:part>1</pdfuaid:part>" in meta
        objects = pdf_objects(path)
        language = built.course.language.encode()
        assert b"/Lang (" + language + b")" in objects
        assert b"/StructTreeRoot" in objects and b"/DisplayDocTitle true" in objects
        bookmarks = re.findall(rb"/Title \((.*?)\)/", objects)  # the outline items, and the document title
        # A title with characters outside Latin-1 (curly quotes, emoji) is written as a UTF-16 hex string.
        bookmarks += [bytes.fromhex(h.decode()).decode("utf-16-be").encode("utf-8")
                      for h in re.findall(rb"/Title <(?:FEFF|feff)([0-9A-Fa-f]*)>", objects)]
        assert b"/Outlines" in objects and len(bookmarks) >= 2, (audience, name, bookmarks)
        if name not in ("leaflet", "poster"):
            assert any(b"where to get help" in title.lower() for title in bookmarks), (audience, name)


def test_all_fonts_are_embedded_and_come_from_the_theme(built: Built) -> None:
    pdffonts = require_tool("pdffonts", "lists PDF fonts")
    # Inter, or a fallback of the theme's stack for characters Inter lacks (emoji in the awkward fixture).
    families = [f.strip(" '").replace(" ", "") for f in theme.FONT_STACK.split(",") if f.strip() != "sans-serif"]
    families.append(theme.EMOJI_FONT.replace(" ", ""))  # emoji only: never digits or spaces
    for audience, name in cases(built):
        rows = run(pdffonts, str(built.pdf(audience, name))).splitlines()[2:]
        assert rows, (audience, name)
        for row in rows:
            columns = row.split()
            # name type... encoding emb sub uni object ID: the last five columns are fixed.
            emb = columns[-5]
            assert emb == "yes", f"{audience}/{name}: font not embedded: {row}"
            family = columns[0].split("+", 1)[-1].replace("-", "")
            assert family.startswith(tuple(families)), f"{audience}/{name}: font outside the theme: {row}"
            if built.name in ("phishing", "real"):
                assert family.startswith("Inter"), row


# --- content every printable must carry -------------------------------------------------------


def test_help_contacts_core_message_version_and_date_in_every_pdf(built: Built) -> None:
    course = built.course
    for audience, name in cases(built):
        text = pdf_text(built.pdf(audience, name))
        view = audience_view(course, audience)
        for _, contact in view.help:
            assert flat(contact.name) in text, (audience, name, contact.name)
            if contact.phone:
                assert contact.phone in text, (audience, name, contact.phone)
        core = view.audience.core_messages
        assert flat(core[0]) in text, (audience, name, core[0])
        if name != "poster":  # the poster may drop the secondary messages to fit one page
            for message in core:
                # the leaflet does not repeat a message its own core message already says
                said = name == "leaflet" and view.leaflet and flat(message) in flat(view.leaflet.core_message)
                assert flat(message) in text or said, (audience, name, message)
        assert re.search(rf"version {re.escape(course.version)}\b", text, re.IGNORECASE), (audience, name)
        assert long_date(course.facts_checked) in text, (audience, name)


def test_printables_end_with_help_and_the_core_message(built: Built) -> None:
    for audience, name in cases(built):
        if name in ("leaflet", "poster"):
            continue
        path = built.pdf(audience, name)
        pages = int(pdfinfo(path)["Pages"])
        tail = pdf_text(path, max(1, pages - 1), pages)
        view = audience_view(built.course, audience)
        last_contact = view.help[-1][1].name
        assert flat(last_contact) in tail and flat(view.audience.core_messages[-1]) in tail, (audience, name)


def zbar(path: Path, first: int = 1, last: int = 0, dpi: int = 150) -> set[str]:
    """Every QR code payload on pages `first`..`last` of `path` (rendered by pdftoppm, read by zbarimg)."""
    zbarimg = require_tool("zbarimg", "decodes the QR codes (Debian zbar-tools)")
    pdftoppm = require_tool("pdftoppm", "renders PDF pages")
    pages = ["-f", str(first)] + (["-l", str(last)] if last else [])
    found: set[str] = set()
    with tempfile.TemporaryDirectory() as scratch:  # never beside the PDF: the built folders are shared
        prefix = Path(scratch) / "qr"
        subprocess.run([pdftoppm, "-r", str(dpi), "-gray", "-png", *pages, str(path), str(prefix)], check=True)
        for image in sorted(Path(scratch).glob("qr*.png")):
            result = subprocess.run([zbarimg, "--quiet", "--raw", str(image)], capture_output=True, text=True)
            found |= {line.strip() for line in result.stdout.splitlines() if line.strip()}
    return found


def test_qr_codes_decode_to_the_help_urls(built: Built) -> None:
    course = built.course
    for audience in course.audiences:
        view = audience_view(course, audience)
        if view.leaflet:
            urls = [course.help[h].url for h in view.leaflet.help]
            expected = {url for url in urls if url.startswith("https:")}
            assert zbar(built.pdf(audience, "leaflet")) == expected
            assert zbar(built.pdf(audience, "poster")) == expected
        closing = {c.url for _, c in view.help if c.url.startswith("https:")}
        names = [n for n in built.documents(audience) if n not in ("leaflet", "poster")]
        if names:  # the closing help block is the same everywhere: decode it in one document
            path = built.pdf(audience, names[0])
            pages = int(pdfinfo(path)["Pages"])
            assert zbar(path, max(1, pages - 1), pages) == closing, (audience, names[0])


# --- leaflet imposition -------------------------------------------------------------------------


def test_leaflet_panels_are_in_imposition_order(built: Built) -> None:
    course = built.course
    for audience, leaflet in course.leaflets.items():
        if audience not in course.audiences:
            continue
        path = built.pdf(audience, "leaflet")
        width = float(pdfinfo(path)["Page size"].split()[0])
        third = width / 3

        def strip(page: int, index: int) -> str:
            return crop_text(path, page, index * third, third)

        flap, back, cover = strip(1, 0), strip(1, 1), strip(1, 2)
        left, middle, right = strip(2, 0), strip(2, 1), strip(2, 2)
        first_words = " ".join(plain(leaflet.what_it_is).split()[:4])
        assert "What it is" in flap and first_words in flap
        assert flat(leaflet.help_title) in back and flat(course.help[leaflet.help[0]].name) in back
        assert f"Version {course.version}" in back and long_date(course.facts_checked) in back
        tagline = " ".join(flat(leaflet.tagline).split()[:3])
        assert flat(leaflet.title) in cover and tagline in cover and tagline not in flap + back
        assert "Warning signs" in left and plain(leaflet.warning_signs[0]) in left
        assert flat(leaflet.steps_title) in middle
        for step in leaflet.steps:
            assert flat(step.title) in middle and flat(step.title) not in left + right
        assert flat(leaflet.core_message) in right and "Warning signs" not in middle + right


def test_leaflet_body_text_is_at_least_11pt_and_keeps_safe_margins(built: Built) -> None:
    renderer = printing.Renderer()
    for audience in built.course.leaflets:
        view = audience_view(built.course, audience)
        document = next(d for d in printing.audience_documents(view) if d.name == "leaflet")
        laid_out = printing.render_document(renderer, view, document)
        small_print = {"imprint", "eyebrow", "step-number"}
        sizes: list[float] = []
        px_per_mm = 96 / 25.4

        # Sheet 1: inside flap | back | cover; sheet 2: inside left | middle | right (3 mm narrower).
        panels = [[(0, 97), (97, 197), (197, 297)], [(0, 100), (100, 200), (200, 297)]]

        def visit(box: object, classes: frozenset[str], page: int) -> None:
            element = getattr(box, "element", None)
            if element is not None:
                classes = classes | frozenset((element.get("class") or "").split())
            text = getattr(box, "text", None)
            if text and text.strip() and not classes & small_print:
                sizes.append(box.style["font_size"] * 72 / 96)  # type: ignore[attr-defined]
                left = box.position_x / px_per_mm  # type: ignore[attr-defined]
                right = left + box.width / px_per_mm  # type: ignore[attr-defined]
                top = box.position_y / px_per_mm  # type: ignore[attr-defined]
                inside = any(start + 8 <= left + 0.05 and right - 0.05 <= end - 8
                             for start, end in panels[page])
                assert inside, (audience, page, text, round(left, 1), round(right, 1))
                bottom = top + box.height / px_per_mm  # type: ignore[attr-defined]
                assert 8 <= top and bottom <= 210 - 8, (audience, text)
            for child in getattr(box, "children", None) or []:
                visit(child, classes, page)

        for index, page in enumerate(laid_out.pages):
            visit(page._page_box, frozenset(), index)
        assert sizes and min(sizes) >= 11, (audience, min(sizes))


# --- quizzes on paper -----------------------------------------------------------------------------


def quiz_views(built: Built) -> list[tuple[str, AudienceView]]:
    """(audience, view) for the audiences that have quizzes."""
    views = [(a, audience_view(built.course, a)) for a in built.course.audiences]
    return [(a, view) for a, view in views if view.quizzes()]


def test_worksheet_has_every_question_and_option(built: Built) -> None:
    for audience, view in quiz_views(built):
        text = pdf_text(built.pdf(audience, "worksheet"), raw=True)
        for quiz in view.quizzes():
            assert flat(quiz.title) in text
            for question in quiz.questions:
                assert plain(question.prompt) in text, (audience, question.id)
                if isinstance(question, (m.SingleQuestion, m.MultipleQuestion)):
                    for option in question.options:
                        assert plain(option.text) in text, (audience, question.id, option.text)
                elif isinstance(question, m.OrderQuestion):
                    for item in question.items:
                        assert plain(item.text) in text
                elif isinstance(question, m.MatchQuestion):
                    sides = [p.left for p in question.pairs] + [p.right for p in question.pairs]
                    for value in sides + question.distractors:
                        assert plain(value) in text
        assert "Correct" not in text  # the worksheet never gives the answers away


def test_answer_key_has_every_answer_and_feedback(built: Built) -> None:
    for audience, view in quiz_views(built):
        text = pdf_text(built.pdf(audience, "answer-key"), raw=True)
        for quiz in view.quizzes():
            for item in printing.printed_questions(quiz):
                question = item.question
                feedback: list[str] = []
                if isinstance(question, (m.SingleQuestion, m.MultipleQuestion)):
                    feedback = [o.feedback for o in question.options]
                    letters = ", ".join(o.letter for o in item.options if o.correct)
                    assert f"Answer: {letters}" in text, (audience, question.id)
                elif isinstance(question, m.TrueFalseQuestion):
                    feedback = [question.feedback_true, question.feedback_false]
                    assert f"Answer: {'True' if question.answer else 'False'}" in text
                elif isinstance(question, m.OrderQuestion):
                    feedback = [i.feedback for i in question.items]
                elif isinstance(question, m.MatchQuestion):
                    feedback = [p.feedback for p in question.pairs]
                for line in feedback:
                    assert plain(line) in text, (audience, question.id, line)


def test_paper_orderings_are_seeded_and_never_give_the_answer_away(built: Built) -> None:
    for quiz in built.course.quizzes.values():
        once, again = printing.printed_questions(quiz), printing.printed_questions(quiz)
        for first, second in zip(once, again):
            assert first.order_items == second.order_items and first.match_rights == second.match_rights
            if isinstance(first.question, m.OrderQuestion):
                shown = [item.text for _, item in first.order_items]
                assert shown != [item.text for item in first.question.items]
                assert sorted(shown) == sorted(item.text for item in first.question.items)
            if isinstance(first.question, m.MatchQuestion):
                # every pair's right-hand side gets exactly one letter, and the letters are A, B, C...
                letters = [letter for letter, _ in first.match_rights]
                assert letters == list("ABCDEFGHIJKLMNO"[:len(letters)])
                assert {p.right for p in first.question.pairs} <= {text for _, text in first.match_rights}


# --- gamebook -----------------------------------------------------------------------------------


def test_gamebook_has_a_section_per_node_and_every_turn_points_to_one(built: Built) -> None:
    for audience in built.course.audiences:
        view = audience_view(built.course, audience)
        scenarios = view.scenarios()
        if not scenarios:
            continue
        text = pdf_text(built.pdf(audience, "gamebook"))
        # Each scenario starts at its heading (title + summary); cut the text there.
        starts = [text.index(f"{flat(s.title)} {flat(s.summary)}") for s in scenarios] + [len(text)]
        for scenario, start, end in zip(scenarios, starts, starts[1:]):
            chunk = text[start:end]
            choices = sum(len(n.choices) for n in scenario.nodes.values() if isinstance(n, m.DecisionNode))
            numbers = [int(n) for n in re.findall(r"\bSECTION (\d+)\b", chunk)]  # the label, in capitals
            assert numbers == list(range(1, len(scenario.nodes) + choices + 1)), scenario.id
            turns = [int(n) for n in re.findall(r"\bturn to (\d+)\b", chunk, re.IGNORECASE)]
            assert len(turns) == 2 * choices and set(turns) <= set(numbers), scenario.id
            for node_id, node in scenario.nodes.items():
                marker = plain(node.prompt) if isinstance(node, m.DecisionNode) else flat(node.title)
                assert marker in chunk, (scenario.id, node_id)
                if isinstance(node, m.EndingNode):
                    assert plain(node.debrief) in chunk
            start_node = scenario.nodes[scenario.start]
            first_section = chunk[chunk.upper().index("SECTION 1 "):chunk.upper().index("SECTION 2 ")]
            assert plain(start_node.prompt if isinstance(start_node, m.DecisionNode) else start_node.title) \
                in first_section


def test_gamebook_numbering_is_deterministic_and_shuffled(phishing_root: Path) -> None:
    scenario = load_course(phishing_root).scenarios["odd-email"]
    sections = printing.gamebook_sections(scenario)
    assert sections == printing.gamebook_sections(scenario)
    assert sections[0].node_id == scenario.start and sections[0].kind == "node"
    assert [s.number for s in sections] == list(range(1, len(sections) + 1))
    by_number = {s.number: s for s in sections}
    for section in sections:
        for choice, number in section.turns:  # a choice leads to its feedback, which leads to the next node
            feedback = by_number[number]
            assert feedback.kind == "feedback" and feedback.choice == choice
            assert by_number[feedback.next_number].node_id == choice.next
    breadth_first = [s.node_id for s in sections if s.kind == "node"]
    assert breadth_first != printing.node_order(scenario)  # not readable straight through


# --- golden text, determinism, offline --------------------------------------------------------------


def test_golden_text_of_the_fixture(built_courses: dict[str, Built],
                                    golden: Callable[[str, str], None]) -> None:
    fixture = built_courses["phishing"]
    pdftotext = require_tool("pdftotext", "extracts PDF text")
    for audience, name in cases(fixture):
        raw = run(pdftotext, str(fixture.pdf(audience, name)), "-")  # reading order, not positions
        golden(f"print_{audience}_{name}.txt", layout_free(raw))


def layout_free(raw: str) -> str:
    """The text only, in reading order: page numbers dropped and every run of whitespace folded (line
    wraps, columns, spacing and page breaks are layout, not content), then one sentence a line for diffs."""
    text = " ".join(re.sub(r"\bPage \d+ of \d+\b", " ", raw).split())
    return re.sub(r"(?<=[.!?])\s+", "\n", text).strip() + "\n"


def test_layout_free_text_ignores_wrapping_and_spacing() -> None:
    assert layout_free("What  should you\ncheck first?\n\n  A  The real   sender\fPage 2 of 3\nB") == \
        "What should you check first?\nA The real sender B\n"


def digest(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under `folder`, by relative path."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def test_two_builds_are_byte_identical(built_courses: dict[str, Built], tmp_path: Path) -> None:
    fixture = built_courses["phishing"]
    again = build(fixture.course, tmp_path)
    first, second = digest(fixture.out / "print"), digest(again.out / "print")
    assert first == second and len(first) >= 10


def test_the_build_refuses_network_resources() -> None:
    renderer = printing.Renderer()
    html = ('<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><p>x</p>'
            '<img src="https://example.org/tracker.png" alt=""></body></html>')
    with pytest.raises(BuildError, match="never fetch from the network"):
        renderer.layout(html)
    fetcher = printing.offline_url_fetcher()
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher.fetch("http://example.org/font.woff2")
    assert renderer.layout(html.replace("https://example.org/tracker.png", "data:,")).pages  # local is fine


def test_a_leaflet_that_cannot_fit_is_a_clear_build_error(tmp_path: Path) -> None:
    """The failure names the leaflet file and the line of the field that overflows (warning_signs: line 5)."""
    signs = ", ".join(f"Sign number {i} is worth a long sentence of explanation that wraps" for i in range(30))
    root = patched_course(tmp_path, {"course/leaflet-staff.yaml": [
        ("warning_signs: [It is urgent., The address looks odd.]", f"warning_signs: [{signs}]")]})
    expected = (r"^course/leaflet-staff.yaml:5: the staff leaflet does not fit \(inside left panel by [\d.]+ mm"
                r".*\): shorten its 'warning_signs'")
    with pytest.raises(BuildError, match=expected):
        build_validated(root, "print", tmp_path / "out", ["staff"])


def test_missing_pdftoppm_is_a_build_error_naming_poppler(phishing_root: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    real_which = printing.shutil.which
    monkeypatch.setattr(printing.shutil, "which",
                        lambda name: None if name == "pdftoppm" else real_which(name))
    with pytest.raises(BuildError, match="poppler-utils"):
        run_target(printing.PrintTarget(), load_course(phishing_root), tmp_path, ["staff"])


def test_small_helpers() -> None:
    # url_label and the seeded order are tested in test_helpers.py.
    assert printing.qr_svg("https://example.org").startswith("<svg")


# --- overlaps, from each PDF's own geometry ------------------------------------------------


def test_no_word_runs_into_an_icon_a_qr_code_or_other_text(built: Built) -> None:
    """On every page of every PDF: no word's box crosses an icon, a QR code, a badge or another word
    (pdfplumber word boxes against the PDF's drawings and images; a word may sit on a card that holds it)."""
    from layout import pdf_overlaps

    for audience in built.course.audiences:
        for name in built.documents(audience):
            problems = pdf_overlaps(built.pdf(audience, name))
            assert not problems, f"{built.name} {audience}/{name}.pdf:\n" + "\n".join(problems[:20])


@pytest.mark.parametrize("course_name", ["phishing", "awkward", "real"])
def test_every_poster_density_keeps_icons_and_qr_codes_off_the_text(course_name: str, tmp_path: Path) -> None:
    """Each denser poster layout (the ones longer copy falls back to) is overlap-free too, whichever one the
    course's own copy happens to need."""
    from layout import pdf_overlaps

    course = course_named(course_name)
    renderer = printing.Renderer()
    checked = 0
    for audience in course.audiences:
        view = audience_view(course, audience)
        for document in printing.audience_documents(view):
            if document.name != "poster":
                continue
            for density in printing.DENSITIES["poster"]:
                context = {**printing._common(view, document.title, document.name), **document.context,
                           "density": density}
                pdf = tmp_path / f"{audience}-{density.replace(' ', '-') or 'roomy'}.pdf"
                renderer.write(renderer.layout(renderer.html(document.template, **context)), pdf)
                problems = pdf_overlaps(pdf)
                assert not problems, f"{course_name} {audience} poster, density {density!r}:\n" + "\n".join(problems)
                checked += 1
    assert checked >= 3 or course_name == "awkward"


def test_the_overlap_finder_sees_a_word_under_an_icon_and_words_on_words(tmp_path: Path) -> None:
    """The checker itself: a word under an absolutely placed icon, and two words drawn on top of each other."""
    from layout import pdf_overlaps
    from weasyprint import HTML

    html = ("<p style='position:relative;font-size:14pt;margin:40px'>Someone"
            "<svg style='position:absolute;left:10px;top:2px' width='20' height='20' viewBox='0 0 20 20'>"
            "<circle cx='10' cy='10' r='8' fill='none' stroke='black'/></svg></p>"
            "<p style='position:relative;font-size:14pt;margin:40px'>Hello"
            "<span style='position:absolute;left:6px;top:1px'>World</span></p>"
            "<div style='background:#eef;padding:20px;margin:40px'>Safe on its card</div>")
    pdf = tmp_path / "bad.pdf"
    HTML(string=html).write_pdf(pdf)
    problems = pdf_overlaps(pdf)
    assert any("'Someone'" in p and "curve" in p for p in problems), problems
    assert any("'Hello'" in p and "'World'" in p for p in problems), problems
    assert not any("card" in p for p in problems), problems
