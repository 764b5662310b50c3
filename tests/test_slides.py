"""Slide decks: built for the fixture, the real course and a stress course, reopened with python-pptx,
rendered once through LibreOffice, and checked slide by slide (titles, notes, alt text, links, overflow,
sizes, contrast)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import build_validated, course_named, patched_course, require_tool
from pptx import Presentation
from pptx.enum.action import PP_ACTION
from pptx.enum.shapes import MSO_SHAPE_TYPE

from coursekit import model as m
from coursekit import theme
from coursekit.questions import TYPES
from coursekit.targets import load_target, run_target
from coursekit.targets.slides import PREVIEWS_ENV, render_pdfs
from coursekit.targets.slides_fit import EMU_PER_PT, MIN_SIZE, frame_overflow
from coursekit.targets.slides_outline import LETTERS
from coursekit.text import to_plain
from coursekit.validate import validate_course

REPO = Path(__file__).resolve().parent.parent
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
DECORATIVE = "http://schemas.microsoft.com/office/drawing/2017/decorative"


@dataclass
class Built:
    """One course built by the slides target."""

    name: str
    course: m.Course
    out: Path
    files: list[Path]

    @property
    def decks(self) -> list[Path]:
        """The .pptx files written."""
        return sorted(p for p in self.files if p.suffix == ".pptx")


def stress_course(course: m.Course, root: Path) -> m.Course:
    """The fixture with far too much text in places (long pages, messages, choices, options) and a picture."""
    from PIL import Image

    Image.new("RGB", (400, 300), theme.PALETTE.primary_tint).save(root / "picture.png")
    sentence = "This sentence adds one more careful detail so that the paragraph becomes much too long. "
    long_body = sentence * 14 + "\n\n" + "".join(
        f"- Point {i}: a bullet with enough words in it to wrap onto a second line at the larger sizes\n"
        for i in range(1, 12)) + "\nA very long address: https://" + "very-long-part-" * 12 + "example.org/x"
    first = course.modules[0]
    picture = m.Image(file="picture.png", alt="A plain panel standing in for a picture")
    # One paragraph too long for a slide even at 18 pt: it must be cut between sentences.
    endless = " ".join(f"Sentence {i} of one endless paragraph keeps going." for i in range(1, 90))
    pages = [first.pages[0].model_copy(update={"body": long_body}),
             first.pages[1].model_copy(update={"image": picture,
                                               "body": f"{first.pages[1].body}\n\n{endless}"}),
             *first.pages[2:]]
    modules = [first.model_copy(update={"pages": pages}), *course.modules[1:]]
    scenario = course.scenarios["odd-email"]
    inbox = scenario.nodes["inbox"]
    assert isinstance(inbox, m.DecisionNode)
    chatter = [m.Message(sender="bot", text=sentence * 2) for _ in range(6)]
    choices = [choice.model_copy(update={"text": choice.text + ", then " + sentence.lower() * 2})
               for choice in inbox.choices]
    nodes = dict(scenario.nodes, inbox=inbox.model_copy(update={"messages": chatter, "choices": choices}))
    final = course.quizzes["final"]
    question = final.questions[0]
    assert isinstance(question, m.SingleQuestion)
    options = [option.model_copy(update={"text": option.text + " " + sentence, "feedback": sentence * 2})
               for option in question.options]
    questions = [question.model_copy(update={"options": options}), *final.questions[1:]]
    return course.model_copy(update={
        "root": str(root),
        "modules": modules,
        "scenarios": dict(course.scenarios, **{"odd-email": scenario.model_copy(update={"nodes": nodes})}),
        "quizzes": dict(course.quizzes, final=final.model_copy(update={"questions": questions})),
    })


def load(root: Path) -> m.Course:
    """A validated course."""
    result = validate_course(root)
    assert result.course is not None, "\n".join(map(str, result.errors))
    return result.course


def build(course: m.Course, out: Path, audiences: list[str] | None = None) -> list[Path]:
    """Run the slides target into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    chosen = audiences if audiences is not None else list(course.audiences)
    return run_target(load_target("slides"), course, out, chosen).written


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, phishing_root: Path, real_outputs: Path) -> dict[str, Built]:
    """The fixture (with previews), the stress course and, when it validates, the real course (without)."""
    results: dict[str, Built] = {}
    fixture = load(phishing_root)
    out = tmp_path_factory.mktemp("slides-phishing")
    results["phishing"] = Built("phishing", fixture, out, build(fixture, out))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(PREVIEWS_ENV, "0")
        stressed = stress_course(fixture, tmp_path_factory.mktemp("stress-course"))
        out = tmp_path_factory.mktemp("slides-stress")
        results["stress"] = Built("stress", stressed, out, build(stressed, out))
    real = course_named("real")  # an invalid real course fails, it is never skipped
    decks = real_outputs / "slides"  # the session's shared build, without previews
    results["real"] = Built("real", real, decks, sorted(p for p in decks.rglob("*") if p.is_file()))
    return results


COURSES = ["phishing", "stress", "real"]


@pytest.fixture(params=COURSES)
def one(request: pytest.FixtureRequest, built: dict[str, Built]) -> Built:
    """Each built course in turn."""
    return built[request.param]


@pytest.fixture(scope="session")
def pdfs(built: dict[str, Built], tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Path]:
    """Every deck of every course converted to PDF by ONE LibreOffice run."""
    require_tool("soffice", "LibreOffice opens and renders the decks")
    decks = [deck for result in built.values() for deck in result.decks]
    # Decks of different courses could share a file name: convert copies with unique names.
    staging = tmp_path_factory.mktemp("slides-pdf-in")
    copies = {}
    for index, deck in enumerate(decks):
        copy = staging / f"{index:02d}-{deck.name}"
        copy.write_bytes(deck.read_bytes())
        copies[copy] = deck
    converted = render_pdfs(list(copies), tmp_path_factory.mktemp("slides-pdf"))
    return {copies[copy]: pdf for copy, pdf in converted.items()}


def shapes_with_text(slide: Any) -> Iterator[Any]:
    """Every shape on a slide that holds text."""
    for shape in slide.shapes:
        if shape.has_text_frame and shape.text_frame.text.strip():
            yield shape


def cnvpr(shape: Any) -> Any:
    """A shape's non-visual properties."""
    return shape._element.xpath("./*[1]/p:cNvPr")[0]


def is_decorative(shape: Any) -> bool:
    """Marked decorative (Office's flag) with empty alt text."""
    properties = cnvpr(shape)
    flagged = properties.xpath(".//*[local-name()='decorative'][@val='1']")
    return properties.get("descr") == "" and bool(flagged)


def title_of(slide: Any) -> str:
    """The text of a slide's title placeholder."""
    return slide.shapes.title.text_frame.text


def body_text(slide: Any) -> str:
    """All text on a slide except the title, whitespace-normalised."""
    parts = [shape.text_frame.text for shape in shapes_with_text(slide) if shape != slide.shapes.title]
    return " ".join(" ".join(parts).split())


def jump_target(shape: Any) -> Any:
    """The slide a shape jumps to, or None."""
    if shape.click_action.action != PP_ACTION.NAMED_SLIDE:
        return None
    return shape.click_action.target_slide


# --- what gets built ----------------------------------------------------------------------------------------


def test_one_deck_per_plan_and_previews(built: dict[str, Built]) -> None:
    result = built["phishing"]
    cid = result.course.id
    assert [p.name for p in result.decks] == [f"{cid}-lesson.pptx", f"{cid}-talk.pptx"]
    assert all(p.parent == result.out for p in result.decks)
    require_tool("soffice", "previews are rendered through LibreOffice")
    previews = sorted(p.name for p in result.files if p.suffix == ".png")
    for deck in ("lesson", "talk"):
        for kind in ("title", "help"):
            assert any(re.fullmatch(rf"{cid}-{deck}-\d\d-{kind}\.png", name) for name in previews), previews
    for kind in ("decision", "question"):  # the lesson plays the scenario and the quiz
        assert any(re.fullmatch(rf"{cid}-lesson-\d\d-{kind}\.png", name) for name in previews), previews
    from PIL import Image

    for path in (p for p in result.files if p.suffix == ".png"):
        assert path.parent == result.out / "previews"
        with Image.open(path) as image:  # 13.333 in at 40 dpi
            assert abs(image.width - 533) <= 2 and abs(image.height - 300) <= 2, image.size


def test_audiences_choose_decks_and_no_plan_means_no_deck(built: dict[str, Built], tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PREVIEWS_ENV, "0")
    course = built["phishing"].course
    assert [p.name for p in build(course, tmp_path / "staff", ["staff"])] == [f"{course.id}-talk.pptx"]
    no_plans = course.model_copy(update={"lesson": None, "talk": None})
    assert build(no_plans, tmp_path / "none") == []
    assert list((tmp_path / "none").iterdir()) == []


def test_missing_libreoffice_is_a_build_error_unless_previews_are_off(built: dict[str, Built], tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from coursekit.errors import BuildError

    monkeypatch.setenv(PREVIEWS_ENV, "1")
    monkeypatch.setenv("PATH", str(tmp_path))  # neither soffice nor pdftoppm can be found
    course = built["phishing"].course
    with pytest.raises(BuildError) as error:
        run_target(load_target("slides"), course, tmp_path / "out", list(course.audiences))
    assert str(error.value) == ("soffice and pdftoppm are missing, so the slide previews cannot be made: install "
                                "libreoffice-impress and poppler-utils (`make build` does it), or set "
                                f"{PREVIEWS_ENV}=0 to build the decks without previews")
    monkeypatch.setenv(PREVIEWS_ENV, "0")
    ctx = run_target(load_target("slides"), course, tmp_path / "out-no-previews", list(course.audiences))
    assert [p.suffix for p in ctx.written] == [".pptx", ".pptx"]


def test_content_that_cannot_fit_stops_the_build_with_a_clear_error(tmp_path: Path) -> None:
    """A layout failure names the YAML file and line of the text that does not fit."""
    from coursekit.errors import BuildError

    root = patched_course(tmp_path, {"course/talk.yaml": [("title: Phishing (staff briefing)",
                                                           "title: " + "A title that goes on " * 60)]})
    with pytest.raises(BuildError, match=r"^course/talk.yaml:2: slides: the title .* is too long to fit even at 18 pt"):
        build_validated(root, "slides", tmp_path / "out", ["staff"])


def test_a_choice_that_cannot_fit_names_its_scenario_line(tmp_path: Path) -> None:
    from coursekit.errors import BuildError

    # The second choice of the first decision, scenarios/odd-email.yaml line 21, made far too long.
    long_choice = "Check who sent it, " + "and then check again very carefully, " * 150 + "then decide"
    root = patched_course(tmp_path, {"scenarios/odd-email.yaml": [("- text: Check who sent it",
                                                                   f"- text: {long_choice}")]})
    with pytest.raises(BuildError, match=r"^scenarios/odd-email.yaml:21: slides: the choices of .* do not fit"):
        build_validated(root, "slides", tmp_path / "out", ["students"])


def test_decks_are_16_9_with_the_theme_fonts_and_fixed_dates(one: Built) -> None:
    for deck in one.decks:
        prs = Presentation(str(deck))
        assert (prs.slide_width, prs.slide_height) == (12192000, 6858000)
        theme_xml = prs.slide_master.part.part_related_by(
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme").blob.decode()
        assert f'<a:latin typeface="{theme.FONT_FAMILY}"/>' in theme_xml and "Calibri" not in theme_xml
        fonts = {run.font.name for slide in prs.slides for shape in shapes_with_text(slide)
                 for p in shape.text_frame.paragraphs for run in p.runs}
        assert fonts == {theme.FONT_FAMILY}
        props = prs.core_properties
        assert props.created.date() == one.course.facts_checked == props.modified.date()
        assert props.revision == 1


def test_builds_are_byte_identical(built: dict[str, Built], tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PREVIEWS_ENV, "0")
    first = built["phishing"]
    again = build(first.course, tmp_path / "again")
    assert [p.name for p in again] == [p.name for p in first.decks]
    for deck, copy in zip(first.decks, again, strict=True):
        assert deck.read_bytes() == copy.read_bytes(), deck.name
    import zipfile

    with zipfile.ZipFile(first.decks[0]) as bundle:
        names = bundle.namelist()
        assert names == sorted(names) and names[0] == "[Content_Types].xml"
        assert {info.date_time for info in bundle.infolist()} == {(1980, 1, 1, 0, 0, 0)}


# --- LibreOffice --------------------------------------------------------------------------------------------


def test_libreoffice_renders_one_page_per_slide(one: Built, pdfs: dict[Path, Path]) -> None:
    require_tool("pdfinfo", "counts the pages LibreOffice rendered")
    for deck in one.decks:
        assert deck in pdfs, f"LibreOffice did not convert {deck.name}"
        info = subprocess.run(["pdfinfo", str(pdfs[deck])], capture_output=True, text=True, check=True).stdout
        pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))  # type: ignore[union-attr]
        assert pages == len(Presentation(str(deck)).slides), deck.name


def test_rendered_words_stay_inside_their_frames(one: Built, pdfs: dict[Path, Path]) -> None:
    """LibreOffice's own layout: every word it drew lies inside a text frame of its slide (no overflow)."""
    require_tool("pdftotext", "reads word positions from the rendered PDF")
    number = r'"([\d.]+)"'
    word_re = re.compile(rf"<word xMin={number} yMin={number} xMax={number} yMax={number}>(.*?)</word>")
    for deck in one.decks:
        html = subprocess.run(["pdftotext", "-bbox", str(pdfs[deck]), "-"], capture_output=True, text=True,
                              check=True).stdout
        pages = html.split("<page ")[1:]
        slides = list(Presentation(str(deck)).slides)
        assert len(pages) == len(slides)
        for number, (page, slide) in enumerate(zip(pages, slides, strict=True), start=1):
            frames = [(s.left / EMU_PER_PT, s.top / EMU_PER_PT, (s.left + s.width) / EMU_PER_PT,
                       (s.top + s.height) / EMU_PER_PT) for s in shapes_with_text(slide)]
            words = [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in word_re.findall(page)]
            assert words, f"{deck.name} slide {number} rendered no text"
            for x0, y0, x1, y1, word in words:
                # A word's box is the font's full ascent-to-descent, a little taller than its line (1.2 em):
                # allow that much; an overflowing line would be a whole line (≥ 21 pt) out.
                slack = 1.0 + 0.12 * (y1 - y0)
                inside = any(x0 >= fx0 - 1 and y0 >= fy0 - slack and x1 <= fx1 + 1 and y1 <= fy1 + slack
                             for fx0, fy0, fx1, fy1 in frames)
                assert inside, f"{deck.name} slide {number}: {word!r} at {(x0, y0, x1, y1)} is outside"


# --- python-pptx reopens the decks --------------------------------------------------------------------------


def test_every_slide_has_a_unique_title_first_notes_and_alt_text(one: Built) -> None:
    for deck in one.decks:
        prs = Presentation(str(deck))
        titles = [title_of(slide) for slide in prs.slides]
        assert all(t.strip() for t in titles), deck.name
        assert len({t.casefold() for t in titles}) == len(titles), f"duplicate titles in {deck.name}"
        for number, slide in enumerate(prs.slides, start=1):
            where = f"{deck.name} slide {number} ({title_of(slide)})"
            first = slide.shapes[0]
            assert first.is_placeholder and first == slide.shapes.title, f"{where}: title is not first"
            assert slide.has_notes_slide, f"{where}: no notes"
            assert slide.notes_slide.notes_text_frame.text.strip(), f"{where}: empty notes"
            for shape in slide.shapes:
                if shape.shape_type == MSO_SHAPE_TYPE.PICTURE:
                    described = cnvpr(shape).get("descr", "").strip()
                    assert described or is_decorative(shape), f"{where}: picture without alt text"
                elif shape.shape_type == MSO_SHAPE_TYPE.AUTO_SHAPE:
                    meaningful = jump_target(shape) is not None or shape.text_frame.text.strip()
                    if meaningful:
                        assert cnvpr(shape).get("descr", "").strip(), f"{where}: {shape.name} has no alt text"
                    else:
                        assert is_decorative(shape), f"{where}: {shape.name}: neither alt text nor decorative"


def test_notes_carry_timing_safeguarding_answers_and_questions(built: dict[str, Built]) -> None:
    result = built["phishing"]
    for plan in (result.course.lesson, result.course.talk):
        assert plan is not None
        prs = Presentation(str(result.out / f"{result.course.id}-{plan.kind}.pptx"))
        notes = [slide.notes_slide.notes_text_frame.text for slide in prs.slides]
        kinds = [title_of(slide) for slide in prs.slides]
        safeguarding = to_plain(plan.safeguarding).split("\n")[0]
        assert safeguarding in notes[0], "title slide notes lack the safeguarding reminder"
        assert all(re.search(r"about \d+ minutes?", n) for n in notes[:-1]), "a slide has no timing"
        for q in plan.questions:
            assert q.answer in notes[-1] and q.answer in notes[-2], "anticipated Q&A not in help/closing"
        decisions = [text for slide, text in zip(prs.slides, notes, strict=True)
                     if any(jump_target(s) is not None and s.name.startswith("Choice") for s in slide.shapes)]
        assert all("Safeguarding:" in t and "Answers:" in t and "Discussion:" in t for t in decisions), kinds
        if any(a.scenario for a in plan.activities):
            assert safeguarding in decisions[0], "the scenario's first slide lacks the safeguarding notes"
        for slide, text in zip(prs.slides, notes, strict=True):
            if re.search(r": (question|answer) \d+ of \d+$", title_of(slide)):
                assert "Answer:" in text and "Discussion:" in text


def test_slide_jumps_land_on_existing_slides_of_the_same_deck(one: Built) -> None:
    for deck in one.decks:
        prs = Presentation(str(deck))
        ids = {slide.slide_id for slide in prs.slides}
        for slide in prs.slides:
            for shape in slide.shapes:
                target = jump_target(shape)
                if shape.click_action.action not in (PP_ACTION.NONE, PP_ACTION.NAMED_SLIDE):
                    pytest.fail(f"{deck.name}: unexpected action {shape.click_action.action} on {shape.name}")
                if shape.click_action.action == PP_ACTION.NAMED_SLIDE:
                    assert target is not None and target.slide_id in ids


def _strip_suffix(title: str) -> str:
    return re.sub(r" \(\d+(/\d+)?\)$", "", title)


def test_each_scenario_choice_jumps_to_its_consequence_and_on(one: Built) -> None:
    checked = 0
    for plan in (one.course.lesson, one.course.talk):
        if plan is None:
            continue
        prs = Presentation(str(one.out / f"{one.course.id}-{plan.kind}.pptx"))
        slides = list(prs.slides)
        scenarios = [one.course.scenarios[a.scenario] for a in plan.activities if a.scenario]
        for scenario in scenarios:
            for node_id, node in scenario.nodes.items():
                if not isinstance(node, m.DecisionNode):
                    continue
                wanted = [[letter, *choice.text.split()] for letter, choice in zip(LETTERS, node.choices)]
                decision = [s for s in slides if _strip_suffix(title_of(s)) == node.prompt
                            and [x.text_frame.text.split() for x in s.shapes
                                 if x.name.startswith("Choice")] == wanted]
                assert decision, f"no decision slide with the choices of {scenario.id}:{node_id}"
                shapes = [x for x in decision[0].shapes if x.name.startswith("Choice")]
                for letter, choice, shape in zip(LETTERS, node.choices, shapes):
                    consequence = jump_target(shape)
                    assert consequence is not None
                    assert " ".join(choice.feedback.split()) in body_text(consequence)
                    onward = [jump_target(x) for x in consequence.shapes if x.name.startswith("Link")]
                    target = scenario.nodes[choice.next]
                    expected = target.title if isinstance(target, m.EndingNode) else target.prompt
                    assert any(t is not None and _strip_suffix(title_of(t)) == expected for t in onward), \
                        f"{scenario.id}:{node_id} choice {letter} does not continue to {choice.next}"
                    checked += 1
    if one.course.lesson and any(a.scenario for a in one.course.lesson.activities):
        assert checked


@pytest.mark.parametrize("question_type", tuple(TYPES))
def test_every_question_type_renders(question_type: str, built: dict[str, Built]) -> None:
    result = built["phishing"]
    plan = result.course.lesson
    assert plan is not None
    quizzes = [result.course.quizzes[a.quiz] for a in plan.activities if a.quiz]
    questions = [q for quiz in quizzes for q in quiz.questions if q.type == question_type]
    assert questions, f"the fixture lesson has no {question_type} question: add one so this type is rendered"
    prs = Presentation(str(result.out / f"{result.course.id}-lesson.pptx"))
    slides = list(prs.slides)
    for question in questions:
        prompt = " ".join(to_plain(question.prompt).split())
        asked = [i for i, s in enumerate(slides) if prompt in body_text(s) and ": question " in title_of(s)]
        assert len(asked) == 1, f"{question.id}: question slide not found"
        reveal = slides[asked[0] + 1]
        assert ": answer " in title_of(reveal)
        shown, answer = body_text(slides[asked[0]]), body_text(reveal)
        if isinstance(question, (m.SingleQuestion, m.MultipleQuestion)):
            assert all(o.text in shown and o.feedback in answer for o in question.options)
            assert all(f"{o.text} \u2713 correct" in answer for o in question.options if o.correct)
        elif isinstance(question, m.TrueFalseQuestion):
            assert f"Answer: {'True' if question.answer else 'False'}" in answer
        elif isinstance(question, m.OrderQuestion):
            positions = [answer.index(item.text) for item in question.items]
            assert positions == sorted(positions) and all(item.text in shown for item in question.items)
        elif isinstance(question, m.MatchQuestion):
            assert all(f"{p.left} \u2192 {p.right}" in answer and p.right in shown for p in question.pairs)
        elif isinstance(question, m.ScaleQuestion):
            assert f"1 ({question.label_low})" in shown and f"5 ({question.label_high})" in shown
            assert "There is no right answer." in answer
        else:  # pragma: no cover - a new type must get a branch here
            pytest.fail(f"no check for question type {question_type}")


# --- legibility: overflow, sizes, contrast ------------------------------------------------------------------


def test_no_text_exceeds_its_frame_when_remeasured(one: Built) -> None:
    overflows = []
    for deck in one.decks:
        for number, slide in enumerate(Presentation(str(deck)).slides, start=1):
            for shape in shapes_with_text(slide):
                excess = frame_overflow(shape)
                if excess > 0.01:
                    overflows.append(f"{deck.name} slide {number} {shape.name}: {excess:.1f} pt too tall")
    assert not overflows, "\n".join(overflows)


def test_stress_course_is_shrunk_and_split_not_overflowed(built: dict[str, Built]) -> None:
    result = built["stress"]
    prs = Presentation(str(result.out / f"{result.course.id}-lesson.pptx"))
    titles = [title_of(s) for s in prs.slides]
    page_title = result.course.modules[0].pages[0].title
    parts = [t for t in titles if t.startswith(page_title + " (")]
    assert len(parts) >= 2 and parts[0].endswith(f"(1/{len(parts)})"), titles
    # The endless paragraph is cut between sentences, every sentence kept whole and in order.
    second = result.course.modules[0].pages[1]
    cut = [i for i, t in enumerate(titles) if t.startswith(second.title + " (")]
    assert len(cut) >= 2, titles
    text = " ".join(body_text(list(prs.slides)[i]) for i in cut)
    numbers = [int(n) for n in re.findall(r"Sentence (\d+) of one endless paragraph keeps going\.", text)]
    assert numbers == list(range(1, 90))
    sizes = {run.font.size.pt for s in prs.slides for shape in shapes_with_text(s)
             for p in shape.text_frame.paragraphs for run in p.runs}
    assert min(sizes) < 28, "the long texts should have been shrunk before being split"
    pictures = [cnvpr(shape).get("descr") for s in prs.slides for shape in s.shapes
                if shape.shape_type == MSO_SHAPE_TYPE.PICTURE and not shape.name.startswith("Icon")]
    assert pictures == ["A plain panel standing in for a picture"]


def test_every_run_is_at_least_18_point(one: Built) -> None:
    for deck in one.decks:
        for number, slide in enumerate(Presentation(str(deck)).slides, start=1):
            for shape in shapes_with_text(slide):
                for paragraph in shape.text_frame.paragraphs:
                    for run in paragraph.runs:
                        assert run.font.size is not None and run.font.size.pt >= MIN_SIZE, \
                            f"{deck.name} slide {number}: {run.text!r} is {run.font.size}"


def _solid(fill: Any) -> str | None:
    try:
        return "#" + str(fill.fore_color.rgb).lower() if fill.type == 1 else None
    except (AttributeError, TypeError):
        return None


def test_text_contrast_is_at_least_4_5(one: Built) -> None:
    palette = {value.lower() for value in vars(theme.PALETTE).values()}
    for deck in one.decks:
        for number, slide in enumerate(Presentation(str(deck)).slides, start=1):
            background = _solid(slide.background.fill)
            assert background in palette, f"{deck.name} slide {number}: background {background} off-palette"
            for shape in shapes_with_text(slide):
                behind = (_solid(shape.fill) if hasattr(shape, "fill") else None) or background
                for paragraph in shape.text_frame.paragraphs:
                    for run in paragraph.runs:
                        colour = "#" + str(run.font.color.rgb).lower()
                        where = f"{deck.name} slide {number}: {run.text!r}"
                        assert colour in palette, f"{where}: {colour} is not a PALETTE colour"
                        ratio = theme.contrast_ratio(colour, behind)
                        assert ratio >= 4.5, f"{where}: {colour} on {behind} is {ratio:.2f}:1"


# --- golden outline -----------------------------------------------------------------------------------------


def outline(path: Path) -> str:
    """Titles, body paragraphs (with bullets, bold, links and pictures) and notes of a deck, as text."""
    prs = Presentation(str(path))
    number_of = {slide.slide_id: n for n, slide in enumerate(prs.slides, start=1)}
    lines: list[str] = []
    for n, slide in enumerate(prs.slides, start=1):
        hidden = " (hidden)" if slide._element.get("show") == "0" else ""
        lines.append(f"## {n}. {title_of(slide)}{hidden}")
        for shape in slide.shapes:
            if shape == slide.shapes.title:
                continue
            if shape.shape_type == MSO_SHAPE_TYPE.PICTURE:
                lines.append(f"[picture: {cnvpr(shape).get('descr')}]")
                continue
            if not shape.has_text_frame or not shape.text_frame.text.strip():
                continue
            target = jump_target(shape)
            link = f"  [-> {number_of[target.slide_id]}]" if target is not None else ""
            for paragraph in shape.text_frame.paragraphs:
                ppr = paragraph._p.pPr
                bullet = ""
                numbering = ppr.find(f"{A}buAutoNum") if ppr is not None else None
                if numbering is not None:
                    number = int(numbering.get("startAt", "1"))
                    alpha = numbering.get("type") == "alphaUcPeriod"
                    bullet = (chr(ord("A") + number - 1) if alpha else str(number)) + ". "
                elif ppr is not None and ppr.find(f"{A}buChar") is not None:
                    bullet = ppr.find(f"{A}buChar").get("char") + " "
                text = "".join(f"**{r.text}**" if r.font.bold else r.text for r in paragraph.runs)
                lines.append(f"{shape.name}: {bullet}{text}{link}")
        lines += ["> " + line for line in slide.notes_slide.notes_text_frame.text.split("\n")]
        lines.append("")
    return "\n".join(lines)


@pytest.mark.parametrize("kind", ["lesson", "talk"])
def test_outline_matches_golden(kind: str, built: dict[str, Built], golden: Any) -> None:
    result = built["phishing"]
    golden(f"slides_{result.course.id}-{kind}.txt", outline(result.out / f"{result.course.id}-{kind}.pptx"))


def test_no_text_runs_into_a_picture_a_shape_or_other_text(one: Built) -> None:
    """As placed, with the text measured in the deck's fonts: no text frame's text crosses an icon, a picture,
    a button or another frame's text, on any slide of any deck."""
    from layout import slide_overlaps

    for deck in one.decks:
        problems = slide_overlaps(deck)
        assert problems == [], f"{one.name} {deck.name}:\n" + "\n".join(problems[:20])


def test_the_slide_overlap_finder_sees_text_under_an_icon(tmp_path: Path) -> None:
    """The checker itself: a text box drawn over a picture, and two text boxes on top of each other."""
    from layout import slide_overlaps
    from pptx import Presentation
    from pptx.util import Pt

    from coursekit import theme

    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    icon = tmp_path / "icon.png"
    icon.write_bytes(theme.icon_png("help", size=64))
    slide.shapes.add_picture(str(icon), Pt(100), Pt(100), Pt(40), Pt(40)).name = "Icon"
    for name, x in (("Over the icon", 90), ("Beside", 400), ("On top of Beside", 410)):
        box = slide.shapes.add_textbox(Pt(x), Pt(105), Pt(200), Pt(60))
        box.name = name
        run = box.text_frame.paragraphs[0].add_run()
        run.text = "Someone"
        run.font.size = Pt(20)
    deck = tmp_path / "bad.pptx"
    prs.save(str(deck))
    problems = slide_overlaps(deck)
    assert "slide 1: the text of 'Over the icon' runs into 'Icon'" in problems
    assert "slide 1: the text of 'Beside' runs into 'On top of Beside'" in problems
