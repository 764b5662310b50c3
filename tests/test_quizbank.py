"""Target `quizbank`, re-read by independent clients: gift-pegjs (node) for GIFT, lxml and the IMS CP
schema for Moodle XML and QTI, openpyxl for the Kahoot spreadsheet. Expectations come from the model and the
formats' documented rules, not from the writer."""

from __future__ import annotations

import importlib.util
import io
import json
import os
import random
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, REPO, SHARED, course_named, require_tool
from lxml import etree

from coursekit import model as m
from coursekit.targets import run_target
from coursekit.targets.quizbank import QuizbankTarget
from coursekit.targets.quizbank_gift import escape_gift
from coursekit.text import to_html, to_inline_html, to_plain
from coursekit.view import AudienceView, audience_view
from coursekit.write import source_date_epoch

PARSE_GIFT = REPO / "tests" / "js" / "parse_gift.js"
QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
CP = "{http://www.imsglobal.org/xsd/imscp_v1p1}"
KAHOOT_HEADERS = ["Question - max 120 characters", "Answer 1 - max 75 characters",
                  "Answer 2 - max 75 characters", "Answer 3 - max 75 characters",
                  "Answer 4 - max 75 characters",
                  "Time limit (sec) – 5, 10, 20, 30, 60, 90, 120, or 240 secs",
                  "Correct answer(s) - choose at least one"]
KAHOOT_TIMES = {5, 10, 20, 30, 60, 90, 120, 240}
# Moodle accepts only these grade fractions on import (question_bank::fraction_options_full, within 1e-5).
MOODLE_FRACTIONS = [1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2,
                    0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0.0]
MOODLE_TYPES = {"single": "multichoice", "multiple": "multichoice", "true_false": "truefalse",
                "order": "matching", "match": "matching"}
CANVAS_TYPES = {"single": "multiple_choice_question", "multiple": "multiple_answers_question",
                "true_false": "true_false_question", "order": "matching_question",
                "match": "matching_question"}


# --- expectations written from the model and the formats' documented rules -------------------------


def ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def rows_of(question: m.OrderQuestion | m.MatchQuestion) -> list[tuple[str, str, str]]:
    """(left, right, feedback): an ordering question is matching items to positions."""
    if isinstance(question, m.OrderQuestion):
        return [(item.text, ordinal(n), item.feedback) for n, item in enumerate(question.items, 1)]
    return [(pair.left, pair.right, pair.feedback) for pair in question.pairs]


def extras_of(question: m.OrderQuestion | m.MatchQuestion) -> list[str]:
    rights = [right for _left, right, _fb in rows_of(question)]
    extras = question.distractors if isinstance(question, m.MatchQuestion) else []
    return [d for n, d in enumerate(extras) if d not in rights and d not in extras[:n]]


def plain_line(markdown: str) -> str:
    return " ".join(to_plain(markdown).split())


def gift_markdown(text: str) -> str:
    """What GIFT must carry for a text: the text itself, except a leading "%" (read as a weight) or
    "[html]"-like tag (read as a format), whose first character becomes a character reference, and `->`
    (which ends a matching pair's left side), written `-&gt;`: markdown renders each like the original."""
    if text.startswith("%"):
        text = "&#37;" + text[1:]
    if text.startswith(("[html]", "[moodle]", "[plain]", "[markdown]")):
        text = "&#91;" + text[1:]
    return text.replace("<", "&lt;").replace("->", "-&gt;")


def gift_prompt(text: str) -> str:
    """What GIFT must carry for a prompt: "<" as "&lt;" (Moodle's markdown would autolink "<a@b.org>"), and a
    line break inside a paragraph as a markdown hard break (two spaces), so the author's lines stay lines."""
    lines = text.replace("<", "&lt;").split("\n")
    out = []
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        continues = bool(line) and bool(following) and not following.lstrip().startswith(("- ", "* ", "#", ">"))
        out.append(line + ("  " if continues else ""))
    return "\n".join(out)


def category_of(view: AudienceView, quiz: m.Quiz) -> str:
    def name(text: str) -> str:
        return " ".join(text.split()).replace("/", "//")
    return f"$course$/top/{name(f'{view.course.title} ({view.audience.label})')}/{name(quiz.title)}"


def answer_key(question: m.QuestionBase, *, overall: bool = False) -> str:
    """The general feedback: explanation, (GIFT: the labelled overall feedback,) the per-pair answer key."""
    parts = [question.explanation] if question.explanation else []
    if isinstance(question, (m.OrderQuestion, m.MatchQuestion)):
        if overall:
            parts += ["\n\n".join(f"**{label}** {text}" for label, text in (
                ("All right:", question.feedback_correct), ("Not quite:", question.feedback_incorrect)) if text)]
        parts.append("\n".join(f"- {left} → {right}: {fb}" for left, right, fb in rows_of(question)))
    return "\n\n".join(part for part in parts if part)


def carried(quiz: m.Quiz) -> list[m.Question]:
    """The questions GIFT, Moodle XML and QTI carry: all but `scale` (no right answer), which they leave out."""
    return [q for q in quiz.questions if not isinstance(q, m.ScaleQuestion)]


def texts_of(question: m.QuestionBase) -> list[str]:
    """Every answer-side text of a question (options, feedback, pair sides)."""
    if isinstance(question, (m.SingleQuestion, m.MultipleQuestion)):
        return [t for o in question.options for t in (o.text, o.feedback)]
    if isinstance(question, m.TrueFalseQuestion):
        return [question.feedback_true, question.feedback_false]
    if isinstance(question, (m.OrderQuestion, m.MatchQuestion)):
        return [t for row in rows_of(question) for t in row]
    raise AssertionError(f"untested question type {question.type}")


def quizzes_of(view: AudienceView) -> list[m.Quiz]:
    return [quiz for quiz in view.quizzes() if quiz.questions]


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def kahoot_expected_skip(question: m.QuestionBase) -> list[str]:
    """Why Kahoot cannot take a question (empty: it fits), from Kahoot's documented limits."""
    reasons = []
    if question.type in ("order", "match", "scale"):
        reasons.append(question.type)
    answers = [plain_line(o.text) for o in getattr(question, "options", [])]
    if len(answers) > 4:
        reasons.append("options")
    if utf16_length(plain_line(question.prompt)) > 120:
        reasons.append("question length")
    if any(utf16_length(answer) > 75 for answer in answers):
        reasons.append("answer length")
    return reasons


# --- building ---------------------------------------------------------------------------------------


@dataclass
class Built:
    """One course built by the quizbank target, with lazily parsed outputs."""

    name: str
    course: m.Course
    out: Path
    _gift: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def file(self, audience: str, suffix: str) -> Path:
        return self.out / audience / f"{self.course.id}.{suffix}"

    def view(self, audience: str) -> AudienceView:
        return audience_view(self.course, audience)

    def gift(self, audience: str) -> list[dict[str, Any]]:
        """The GIFT file as gift-pegjs parses it."""
        if audience not in self._gift:
            node = require_tool("node", "the GIFT round trip runs the npm gift-pegjs parser")
            if not (REPO / "node_modules" / "gift-pegjs").is_dir():
                message = "node_modules/gift-pegjs is missing; `make test` runs npm ci"
                skip_or_fail(message)
            run = subprocess.run([node, str(PARSE_GIFT), str(self.file(audience, "gift.txt"))],
                                 capture_output=True, text=True, timeout=60)
            assert run.returncode == 0, f"gift-pegjs rejected the file: {run.stderr}"
            self._gift[audience] = json.loads(run.stdout)
        return self._gift[audience]


def build_into(course: m.Course, out: Path) -> list[Path]:
    return run_target(QuizbankTarget(), course, out, list(course.audiences)).written


def load(name: str) -> m.Course:
    """A validated course by name (an invalid one fails the test)."""
    return course_named(name)


# How each course's facts-checked date is written in the banks (en-GB, the date written out).
CHECKED = {"awkward": "15 January 2026", "phishing": "15 January 2026", "real": "25 November 2026"}


@pytest.fixture(scope="session", params=["awkward", "phishing", "real"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Built:
    course = load(request.param)
    if request.param in ("phishing", "real"):  # the session's shared builds
        return Built(request.param, course, request.getfixturevalue(f"{request.param}_outputs") / "quizbank")
    out = tmp_path_factory.mktemp(f"quizbank-{request.param}")
    build_into(course, out)
    return Built(request.param, course, out)


@pytest.fixture(scope="session")
def awkward(tmp_path_factory: pytest.TempPathFactory) -> Built:
    course = load("awkward")
    out = tmp_path_factory.mktemp("quizbank-awkward-own")
    build_into(course, out)
    return Built("awkward", course, out)


# --- GIFT ---------------------------------------------------------------------------------------------


def test_gift_round_trips_through_gift_pegjs(built: Built) -> None:
    """Every category, question, answer, weight and feedback comes back from the independent parser as written
    in the model (GIFT carries markdown, so texts compare exactly)."""
    for audience in built.course.audiences:
        view = built.view(audience)
        parsed = built.gift(audience)
        expected_len = sum(1 + len(carried(q)) + 1 for q in quizzes_of(view))  # category, questions, help
        assert len(parsed) == expected_len
        position = 0
        for quiz in quizzes_of(view):
            assert parsed[position] == {"type": "Category", "title": category_of(view, quiz)}
            position += 1
            for question in carried(quiz):
                got = parsed[position]
                position += 1
                where = f"{audience}/{quiz.id}/{question.id}"
                assert got["title"] == question.id, where
                assert got["id"] == f"{quiz.id}-{question.id}", where
                assert got["tags"] == question.assesses, where
                assert got["stem"] == {"format": "markdown", "text": gift_prompt(question.prompt)}, where
                assert not got["hasEmbeddedAnswers"], where
                general = answer_key(question, overall=True)
                expected_general = gift_markdown(general) if general else ""
                assert (got["globalFeedback"] or {}).get("text", "") == expected_general, where
                check_gift_answers(quiz, question, got, where)
                for text in texts_of(question):  # where GIFT differs from the model, it must not show
                    assert to_inline_html(gift_markdown(text)) == to_inline_html(text), where
            help_item = parsed[position]
            position += 1
            assert help_item["type"] == "Description" and help_item["id"] == f"{quiz.id}.help"
            for _hid, contact in view.help:
                assert contact.name in help_item["stem"]["text"]
            for message in view.audience.core_messages:
                assert message in help_item["stem"]["text"]
            assert built.course.version in help_item["stem"]["text"]
            assert CHECKED[built.name] in help_item["stem"]["text"]


# gift-pegjs 1.0.2 leaves its escape placeholders in a match's right-hand side (its PlainText rule skips the
# escapedCharacterDecode every other text gets); Moodle's importer decodes them (escapedchar_post).
PEGJS_PLACEHOLDERS = {"&&092;": "\\", "&&058;": ":", "&&035;": "#", "&&061;": "=", "&&123;": "{",
                      "&&125;": "}", "&&126;": "~", "&&010": "\n"}


def pegjs_plain_text(text: str) -> str:
    for placeholder, char in PEGJS_PLACEHOLDERS.items():
        text = text.replace(placeholder, char)
    return text


def check_gift_answers(quiz: m.Quiz, question: m.QuestionBase, got: dict[str, Any], where: str) -> None:
    if isinstance(question, (m.SingleQuestion, m.MultipleQuestion)):
        assert got["type"] == "MC", where
        assert all(c["text"]["format"] == "markdown" for c in got["choices"]), where
        texts = [c["text"]["text"] for c in got["choices"]]
        same_items(texts, [gift_markdown(o.text) for o in question.options], False, where)  # the course's order
        options = [{gift_markdown(o.text): o for o in question.options}[text] for text in texts]
        assert [c["feedback"]["text"] for c in got["choices"]] == [
            gift_markdown(o.feedback) for o in options], where
        if isinstance(question, m.SingleQuestion):
            assert [c["isCorrect"] for c in got["choices"]] == [o.correct for o in options], where
            assert all(c["weight"] is None for c in got["choices"]), where
        else:
            # No "=" at all, or Moodle would make it single-answer; weights carry correctness.
            assert not any(c["isCorrect"] for c in got["choices"]), where
            correct = sum(o.correct for o in options)
            for choice, option in zip(got["choices"], options):
                expected = 100 / correct if option.correct else -100
                assert choice["weight"] == pytest.approx(expected, abs=1e-4), where
                assert any(abs(abs(choice["weight"]) / 100 - f) < 1e-5 for f in MOODLE_FRACTIONS), where
            assert sum(c["weight"] for c in got["choices"] if c["weight"] > 0) == pytest.approx(100, abs=0.01)
    elif isinstance(question, m.TrueFalseQuestion):
        assert got["type"] == "TF" and got["isTrue"] is question.answer, where
        # GIFT: {TRUE#shown if wrong#shown if right}. gift-pegjs names the two slots trueFeedback and
        # falseFeedback, but they are the first and second feedback: wrong-answer, then right-answer feedback.
        right, wrong = ((question.feedback_true, question.feedback_false) if question.answer
                        else (question.feedback_false, question.feedback_true))
        assert got["trueFeedback"]["text"] == gift_markdown(wrong), where
        assert got["falseFeedback"]["text"] == gift_markdown(right), where
    elif isinstance(question, (m.OrderQuestion, m.MatchQuestion)):
        assert got["type"] == "Matching", where
        pairs = [(p["subquestion"]["text"], pegjs_plain_text(p["subanswer"])) for p in got["matchPairs"]]
        expected = [(gift_markdown(left), plain_line(right)) for left, right, _ in rows_of(question)]
        # An ordering question's items are the stems: in the shared seeded order, never as authored.
        same_items(pairs[:len(expected)], expected, isinstance(question, m.OrderQuestion), where)
        assert pairs[len(expected):] == [("", plain_line(extra)) for extra in extras_of(question)], where
    else:
        raise TypeError(f"untested question type {question.type}")


def test_gift_hazard_rewrites_render_identically() -> None:
    """The only places GIFT text differs from the model render to the same HTML."""
    for text in ("%50 off, 50% more", "[html] newsletter", "[markdown] x", "a -> b -> c"):
        assert to_inline_html(gift_markdown(text)) == to_inline_html(text)


def test_gift_escaping_survives_random_text(tmp_path: Path) -> None:
    """Escaping holds for any mix of reserved characters: 300 random texts, one gift-pegjs run."""
    node = require_tool("node", "the GIFT round trip runs the npm gift-pegjs parser")
    rng = random.Random(7)
    alphabet = list("~=#{}:\\%[]->/ \nabcXYZ09'\"é—🎣") + ["\\n", "::", "####", "//", "->", "[html]"]

    def text() -> str:
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24))).strip()
        return value or "x"

    cases = [(text(), text(), text(), text()) for _ in range(300)]
    blocks = [f"::q{n}::[markdown]{escape_gift(prompt)}{{\n={escape_gift(gift_markdown(right))}#"
              f"{escape_gift(gift_markdown(feedback))}\n~{escape_gift(gift_markdown(wrong))}\n}}"
              for n, (prompt, right, feedback, wrong) in enumerate(cases)]
    path = tmp_path / "random.gift.txt"
    path.write_text("\n\n".join(blocks) + "\n", "utf-8")
    run = subprocess.run([node, str(PARSE_GIFT), str(path)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    parsed = json.loads(run.stdout)
    assert len(parsed) == len(cases)
    for got, (prompt, right, feedback, wrong) in zip(parsed, cases):
        assert got["stem"]["text"] == prompt
        assert [c["text"]["text"] for c in got["choices"]] == [gift_markdown(right), gift_markdown(wrong)]
        assert got["choices"][0]["feedback"]["text"] == gift_markdown(feedback)


def test_gift_golden_awkward(awkward: Built, golden) -> None:  # type: ignore[no-untyped-def]
    """The exact GIFT text of the awkward fixture (escaping, weights, true/false feedback order)."""
    for audience in awkward.course.audiences:
        golden(f"quizbank_awkward_{audience}.gift.txt", awkward.file(audience, "gift.txt").read_text("utf-8"))


# --- Moodle XML -------------------------------------------------------------------------------------


def parse_xml(data: bytes) -> etree._ElementTree:
    return etree.parse(io.BytesIO(data), etree.XMLParser(no_network=True, resolve_entities=False))


def test_moodle_xml_structure_and_texts(built: Built) -> None:
    """Categories, question types, fractions and feedback as Moodle's XML importer reads them."""
    for audience in built.course.audiences:
        view = built.view(audience)
        raw = built.file(audience, "moodle.xml").read_bytes()
        assert b"<![CDATA[" in raw
        root = parse_xml(raw).getroot()
        assert root.tag == "quiz"
        questions = root.findall("question")
        position = 0
        for quiz in quizzes_of(view):
            category = questions[position]
            position += 1
            assert category.get("type") == "category"
            assert category.findtext("category/text") == category_of(view, quiz)
            for question in carried(quiz):
                element = questions[position]
                position += 1
                where = f"{audience}/{quiz.id}/{question.id}"
                assert element.get("type") == MOODLE_TYPES[question.type], where
                assert element.findtext("idnumber") == f"{quiz.id}-{question.id}"
                # the prompt keeps the author's line breaks (a <br> for each)
                assert element.findtext("questiontext/text") == to_html(question.prompt, breaks=True), where
                assert element.find("questiontext").get("format") == "html"
                assert [t.text for t in element.findall("tags/tag/text")] == question.assesses
                matching = question.type in ("order", "match")
                general = answer_key(question) if matching else question.explanation
                expected_general = to_html(general) if general else ""
                assert (element.findtext("generalfeedback/text") or "") == expected_general, where
                check_moodle_answers(question, element, quiz, where)
            help_item = questions[position]
            position += 1
            assert help_item.get("type") == "description"
            assert CHECKED[built.name] in help_item.findtext("questiontext/text")
        assert position == len(questions)


def same_items(got: list[Any], authored: list[Any], shuffled: bool, where: str) -> None:
    """The model's order (options are already in their seeded order there), or for `shuffled` (ordering items)
    the same items in another order; the exact shared order is pinned in
    test_pipeline.py::test_a_question_shows_the_same_order_in_every_output."""
    if not shuffled:
        assert got == authored, where
        return
    assert sorted(got) == sorted(authored), where
    if len(set(authored)) > 1:
        assert got != authored, f"{where}: shuffle is on but the authored order was kept"


def in_file_order(options: list[m.Option], texts: list[str | None], quiz: m.Quiz, where: str) -> list[m.Option]:
    """The question's options in the order the file lists them: the course's one order."""
    same_items(texts, [to_inline_html(o.text) for o in options], False, where)
    by_text = {to_inline_html(o.text): o for o in options}
    return [by_text[t or ""] for t in texts]


def check_moodle_answers(question: m.QuestionBase, element: etree._Element, quiz: m.Quiz, where: str) -> None:
    answers = element.findall("answer")
    if isinstance(question, (m.SingleQuestion, m.MultipleQuestion)):
        assert element.findtext("single") == ("true" if question.type == "single" else "false"), where
        assert element.findtext("shuffleanswers") == ("true" if quiz.shuffle else "false"), where
        options = in_file_order(question.options, [a.findtext("text") for a in answers], quiz, where)
        assert [a.findtext("feedback/text") for a in answers] == [
            to_inline_html(o.feedback) for o in options], where
        fractions = [float(a.get("fraction")) / 100 for a in answers]
        for fraction in fractions:
            assert any(abs(abs(fraction) - f) < 1e-5 for f in MOODLE_FRACTIONS), (where, fraction)
        if question.type == "single":
            assert fractions == [1.0 if o.correct else 0.0 for o in options], where
        else:
            assert round(sum(f for f in fractions if f > 0), 2) == 1.0, where
            assert [f > 0 for f in fractions] == [o.correct for o in options], where
            assert all(f == -1.0 for f, o in zip(fractions, options) if not o.correct), where
    elif isinstance(question, m.TrueFalseQuestion):
        by_text = {a.findtext("text"): a for a in answers}
        assert set(by_text) == {"true", "false"}, where
        assert by_text["true"].get("fraction") == ("100" if question.answer else "0")
        assert by_text["false"].get("fraction") == ("0" if question.answer else "100")
        assert by_text["true"].findtext("feedback/text") == to_inline_html(question.feedback_true)
        assert by_text["false"].findtext("feedback/text") == to_inline_html(question.feedback_false)
    elif isinstance(question, (m.OrderQuestion, m.MatchQuestion)):
        assert element.findtext("shuffleanswers") == "true", where
        subs = [(s.findtext("text") or "", s.findtext("answer/text")) for s in element.findall("subquestion")]
        expected = [(to_inline_html(left), plain_line(right)) for left, right, _ in rows_of(question)]
        # An ordering question's items are the stems: in the shared seeded order, never as authored.
        ordering = isinstance(question, m.OrderQuestion)
        same_items(subs[:len(expected)], expected, ordering, where)
        assert subs[len(expected):] == [("", plain_line(extra)) for extra in extras_of(question)], where


# --- QTI 1.2 ----------------------------------------------------------------------------------------


def skip_or_fail(message: str) -> None:
    """A missing real client fails in CI and skips loudly elsewhere (as conftest.require_tool does)."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(f"SKIPPED, NOT PASSED: {message}")


def load_validate_manifest():  # type: ignore[no-untyped-def]
    script = SHARED / "scorm-schemas" / "validate_manifest.py"
    if not script.exists():
        skip_or_fail(f"{script} (IMS CP schemas) is not there")
    spec = importlib.util.spec_from_file_location("validate_manifest", script)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_qti_manifest_valid_against_ims_cp_schema(built: Built, tmp_path: Path) -> None:
    """imsmanifest.xml is valid IMS Content Packaging 1.1 (the IMS CP 1.1.4 XSD, no network) and complete."""
    validator = load_validate_manifest()
    for audience in built.course.audiences:
        with zipfile.ZipFile(built.file(audience, "qti.zip")) as bundle:
            names = set(bundle.namelist())
            manifest = tmp_path / f"{audience}-imsmanifest.xml"
            manifest.write_bytes(bundle.read("imsmanifest.xml"))
        assert validator.validate_lxml(manifest, "2004", "none") == []
        root = parse_xml(manifest.read_bytes()).getroot()
        hrefs = {f.get("href") for f in root.iter(f"{CP}file")}
        assert hrefs | {"imsmanifest.xml"} == names  # every file listed, nothing listed that is missing
        resources = {r.get("identifier"): r for r in root.iter(f"{CP}resource")}
        qti = [r for r in resources.values() if r.get("type") == "imsqti_xmlv1p2"]
        assert len(qti) == len(quizzes_of(built.view(audience)))
        for resource in qti:
            dependency = resource.find(f"{CP}dependency").get("identifierref")
            assert resources[dependency].get("href") == f"{resource.get('identifier')}/assessment_meta.xml"


def test_qti_manifest_schema_catches_a_broken_manifest(awkward: Built, tmp_path: Path) -> None:
    """The schema check is real: the same manifest without <organizations> is refused."""
    validator = load_validate_manifest()
    audience = next(iter(awkward.course.audiences))
    with zipfile.ZipFile(awkward.file(audience, "qti.zip")) as bundle:
        text = bundle.read("imsmanifest.xml").decode()
    broken = tmp_path / "broken.xml"
    broken.write_text(text.replace("<organizations/>", ""), "utf-8")
    assert validator.validate_lxml(broken, "2004", "none")


def test_qti_assessments_structure(built: Built) -> None:
    """One assessment per quiz; Canvas metadata, scoring and per-answer feedback for every question type."""
    for audience in built.course.audiences:
        view = built.view(audience)
        with zipfile.ZipFile(built.file(audience, "qti.zip")) as bundle:
            manifest = parse_xml(bundle.read("imsmanifest.xml")).getroot()
            files = [r.find(f"{CP}file").get("href") for r in manifest.iter(f"{CP}resource")
                     if r.get("type") == "imsqti_xmlv1p2"]
            documents = [parse_xml(bundle.read(name)).getroot() for name in files]
            metas = [parse_xml(bundle.read(name.rsplit("/", 1)[0] + "/assessment_meta.xml")).getroot()
                     for name in files]
        for quiz, root, meta in zip(quizzes_of(view), documents, metas, strict=True):
            assert root.tag == f"{QTI}questestinterop"
            assessment = root.find(f"{QTI}assessment")
            assert assessment.get("title") == quiz.title
            ns = "{http://canvas.instructure.com/xsd/cccv1p0}"
            assert meta.findtext(f"{ns}title") == quiz.title
            assert CHECKED[built.name] in meta.findtext(f"{ns}description")
            items = assessment.findall(f"{QTI}section/{QTI}item")
            assert len(items) == len(carried(quiz)) + 1
            for question, item in zip(carried(quiz), items):
                check_qti_item(quiz, question, item, f"{audience}/{quiz.id}/{question.id}")
            help_fields = metadata(items[-1])
            assert help_fields["question_type"] == "text_only_question"
            help_text = items[-1].findtext(f"{QTI}presentation/{QTI}material/{QTI}mattext")
            assert all(contact.name in help_text for _hid, contact in view.help)


def metadata(item: etree._Element) -> dict[str, str]:
    return {f.findtext(f"{QTI}fieldlabel"): f.findtext(f"{QTI}fieldentry") or ""
            for f in item.iter(f"{QTI}qtimetadatafield")}


def check_qti_item(quiz: m.Quiz, question: m.QuestionBase, item: etree._Element, where: str) -> None:
    fields = metadata(item)
    assert fields["question_type"] == CANVAS_TYPES[question.type], where
    assert float(fields["points_possible"]) == 1.0
    presentation = item.find(f"{QTI}presentation")
    assert presentation.findtext(f"{QTI}material/{QTI}mattext") == to_html(question.prompt, breaks=True), where
    feedback = {f.get("ident"): f.findtext(f"{QTI}flow_mat/{QTI}material/{QTI}mattext")
                for f in item.findall(f"{QTI}itemfeedback")}
    conditions = item.findall(f"{QTI}resprocessing/{QTI}respcondition")
    links = [d.get("linkrefid") for c in conditions for d in c.findall(f"{QTI}displayfeedback")]
    assert sorted(links) == sorted(feedback), where  # every feedback shown somewhere, every link resolves
    if question.explanation:
        assert feedback["general_fb"] == to_html(question.explanation), where
    scoring = [c for c in conditions if c.find(f"{QTI}setvar") is not None]
    if isinstance(question, (m.SingleQuestion, m.MultipleQuestion, m.TrueFalseQuestion)):
        lid = presentation.find(f"{QTI}response_lid")
        labels = lid.findall(f"{QTI}render_choice/{QTI}response_label")
        if isinstance(question, m.TrueFalseQuestion):
            texts = ["True", "False"]
            correct = [question.answer, not question.answer]
            feedbacks = [question.feedback_true, question.feedback_false]
            assert [lb.findtext(f"{QTI}material/{QTI}mattext") for lb in labels] == texts
        else:
            options = in_file_order(question.options, [lb.findtext(f"{QTI}material/{QTI}mattext") for lb in labels],
                                    quiz, where)
            correct = [o.correct for o in options]
            feedbacks = [o.feedback for o in options]
        assert lid.get("rcardinality") == ("Multiple" if question.type == "multiple" else "Single")
        idents = [lb.get("ident") for lb in labels]
        assert [feedback[f"{i}_fb"] for i in idents] == [to_inline_html(f) for f in feedbacks], where
        assert len(scoring) == 1 and scoring[0].findtext(f"{QTI}setvar") == "100"
        var = scoring[0].find(f"{QTI}conditionvar")
        if question.type == "multiple":
            needed = {v.text for v in var.findall(f"{QTI}and/{QTI}varequal")}
            refused = {v.text for v in var.findall(f"{QTI}and/{QTI}not/{QTI}varequal")}
            assert needed == {i for i, ok in zip(idents, correct) if ok}, where
            assert refused == {i for i, ok in zip(idents, correct) if not ok}, where
        else:
            right = [i for i, ok in zip(idents, correct) if ok]
            assert [v.text for v in var.findall(f"{QTI}varequal")] == right, where
    else:
        assert isinstance(question, (m.OrderQuestion, m.MatchQuestion))
        lids = presentation.findall(f"{QTI}response_lid")
        rows = {to_inline_html(left): (right, fb) for left, right, fb in rows_of(question)}
        assert sorted(lid.findtext(f"{QTI}material/{QTI}mattext") for lid in lids) == sorted(rows), where
        total = 0.0
        for lid in lids:
            right, fb = rows[lid.findtext(f"{QTI}material/{QTI}mattext")]
            labels = {lb.get("ident"): lb.findtext(f"{QTI}material/{QTI}mattext")
                      for lb in lid.findall(f"{QTI}render_choice/{QTI}response_label")}
            assert sorted(labels.values()) == sorted({plain_line(r) for _l, r, _f in rows_of(question)}
                                                     | {plain_line(e) for e in extras_of(question)})
            mine = [c for c in scoring if c.find(f"{QTI}conditionvar/{QTI}varequal").get("respident")
                    == lid.get("ident")]
            assert len(mine) == 1, where
            assert labels[mine[0].findtext(f"{QTI}conditionvar/{QTI}varequal")] == plain_line(right), where
            total += float(mine[0].findtext(f"{QTI}setvar"))
            assert feedback[f"{lid.get('ident').removeprefix('response_')}_fb"] == to_inline_html(fb)
        assert total == pytest.approx(100, abs=0.05), where


# --- Kahoot ------------------------------------------------------------------------------------------


def test_kahoot_sheet_follows_template_and_limits(built: Built) -> None:
    """Reopened with openpyxl: template rows and headers in place, every limit respected, every question
    either in the sheet word for word or listed as left out with its reason; nothing shortened."""
    from openpyxl import load_workbook

    for audience in built.course.audiences:
        view = built.view(audience)
        book = load_workbook(built.file(audience, "kahoot.xlsx"))
        sheet = book.worksheets[0]
        assert sheet.title == "Sheet1"
        assert [sheet.cell(row=8, column=c).value for c in range(2, 9)] == KAHOOT_HEADERS
        assert sheet.cell(row=8, column=1).value is None
        notes = " ".join(str(sheet.cell(row=r, column=2).value or "") for r in range(1, 8))
        assert built.course.version in notes and CHECKED[built.name] in notes
        rows = [[sheet.cell(row=r, column=c).value for c in range(1, 9)] for r in range(9, sheet.max_row + 1)]
        skipped = built.file(audience, "kahoot-skipped.txt").read_text("utf-8")
        by_prompt = {row[1]: row for row in rows}
        expected_rows = 0
        for quiz in quizzes_of(view):
            for question in quiz.questions:
                reasons = kahoot_expected_skip(question)
                key = f"({quiz.id}), question {question.id}:"
                line = next((ln for ln in skipped.splitlines() if key in ln), None)
                if reasons:
                    assert line is not None, f"{question.id} should be listed as left out"
                    assert plain_line(question.prompt) not in by_prompt
                    continue
                expected_rows += 1
                assert line is None, f"{question.id} fits Kahoot but was left out"
                row = by_prompt[plain_line(question.prompt)]
                answers = [a for a in row[2:6] if a is not None]
                if isinstance(question, m.TrueFalseQuestion):
                    assert answers == ["True", "False"]
                    assert str(row[7]) == ("1" if question.answer else "2")
                else:
                    where = f"{audience}/{quiz.id}/{question.id}"
                    same_items(answers, [plain_line(o.text) for o in question.options], False, where)
                    by_text = {plain_line(o.text): o for o in question.options}
                    assert [int(n) for n in str(row[7]).split(",")] == [
                        n for n, text in enumerate(answers, 1) if by_text[text].correct]
        assert len(rows) == expected_rows
        for number, row in enumerate(rows, 1):
            assert row[0] == number
            assert utf16_length(row[1]) <= 120
            answers = [a for a in row[2:6] if a is not None]
            assert 2 <= len(answers) <= 4 and all(utf16_length(a) <= 75 for a in answers)
            assert row[2:2 + len(answers)] == answers  # answers fill from column C, no gaps
            assert row[6] in KAHOOT_TIMES
            correct = [int(n) for n in str(row[7]).split(",")]
            assert correct and all(1 <= n <= len(answers) for n in correct)


def test_kahoot_skips_named_with_reasons(awkward: Built) -> None:
    """The awkward fixture was written so these seven cannot go to Kahoot; each is named with its reason."""
    text = awkward.file("students", "kahoot-skipped.txt").read_text("utf-8")
    expected = {
        "(check-spot), question sign:": "5 options",
        "(final), question signs:": "6 options",
        "(final), question steps:": "ordering",
        "(final), question who:": "matching",
        "(final), question long:": "the question is 159 characters",
        "(final), question long-option:": "answer 2 is 93 characters",
        "(final), question many:": "8 options",
    }
    listed = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(listed) == len(expected)
    for key, reason in expected.items():
        line = next(line for line in listed if key in line)
        assert reason in line


def test_build_prints_kahoot_notes_which_strict_does_not_fail(tmp_path: Path) -> None:
    """`coursekit build` itself tells the teacher which questions Kahoot did not get, and why, as notes:
    a format's limits are not the author's mistakes, so even `--strict` builds the banks."""
    run = subprocess.run([sys.executable, "-m", "coursekit.cli", "build", "--strict", "--course",
                          str(FIXTURES / "awkward"), "--target", "quizbank", "--out", str(tmp_path)],
                         capture_output=True, text=True, timeout=120, cwd=REPO,
                         env={**os.environ, "COURSEKIT_TODAY": "2026-02-01"})  # facts fresh: no age warning
    assert run.returncode == 0, run.stderr
    assert ("quizzes/final.yaml:61: note: students: Kahoot: quiz \"Final check: \"quotes\" & {braces} / slashes\" "
            "(final), question long: left out because the question is 159 characters (Kahoot takes at most 120)"
            in run.stderr)
    assert ("question steps: left out because Kahoot's spreadsheet import has no ordering questions"
            in run.stderr)
    assert "warning" not in run.stderr
    for audience in ("students", "staff"):
        assert (tmp_path / "quizbank" / audience / "awkward-quiz-text.kahoot.xlsx").is_file()


# --- audiences, determinism ------------------------------------------------------------------------


def test_only_the_audiences_questions(awkward: Built) -> None:
    """A staff-only question is in every staff file and in no student file."""
    from openpyxl import load_workbook

    for audience, present in (("staff", True), ("students", False)):
        ids = [q.get("id") for q in awkward.gift(audience)]
        assert ("final-staff-only" in ids) is present
        xml = parse_xml(awkward.file(audience, "moodle.xml").read_bytes())
        assert ("final-staff-only" in [e.text for e in xml.iter("idnumber")]) is present
        with zipfile.ZipFile(awkward.file(audience, "qti.zip")) as bundle:
            qti = b"".join(bundle.read(n) for n in bundle.namelist())
        assert (b"final-staff-only" in qti) is present
        sheet = load_workbook(awkward.file(audience, "kahoot.xlsx")).worksheets[0]
        prompts = [sheet.cell(row=r, column=2).value for r in range(9, sheet.max_row + 1)]
        assert ("Staff only: where do you forward a suspicious email?" in prompts) is present


def test_two_builds_are_byte_identical(awkward: Built, tmp_path: Path) -> None:
    """Same input, same bytes: built again after the zip clock's 2-second resolution has ticked over."""
    time.sleep(2.1)
    written = build_into(awkward.course, tmp_path)
    assert len(written) == 6 * len(awkward.course.audiences)
    for path in written:
        first = awkward.out / path.relative_to(tmp_path)
        assert path.read_bytes() == first.read_bytes(), path.name


def test_archives_carry_fixed_dates(awkward: Built) -> None:
    """Zip entries carry the fixed epoch; the workbook's created/modified dates are the facts-checked date."""
    stamp = time.gmtime(source_date_epoch())[:6]
    for audience in awkward.course.audiences:
        for suffix in ("qti.zip", "kahoot.xlsx"):
            with zipfile.ZipFile(awkward.file(audience, suffix)) as bundle:
                infos = bundle.infolist()
                assert [i.filename for i in infos] == sorted(i.filename for i in infos)
                assert {i.date_time for i in infos} == {stamp}
                if suffix == "kahoot.xlsx":
                    core = parse_xml(bundle.read("docProps/core.xml")).getroot()
                    day = f"{awkward.course.facts_checked.isoformat()}T00:00:00Z"
                    dcterms = "{http://purl.org/dc/terms/}"
                    assert core.findtext(f"{dcterms}created") == day
                    assert core.findtext(f"{dcterms}modified") == day
