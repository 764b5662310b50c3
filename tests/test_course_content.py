"""Content tests for the real sextortion course at the repository root (course/, scenarios/, quizzes/).

They check what a safeguarding reviewer would check: the course validates strictly with full
coverage, every fact is traceable to a source anchor, each audience sees only help meant for it,
the reading age holds, the core messages are everywhere, and the seed's dated examples are updated.
"""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from typing import Any, Iterator

import pytest
import textstat
import yaml

from coursekit import model as m
from conftest import SHARED, require_shared
from coursekit.text import to_plain
from coursekit.validate import Validated, validate_course
from coursekit.view import AudienceView, audience_view

REPO = Path(__file__).resolve().parent.parent
SEED_FILE = SHARED / "seed" / "000_65562b3585ec27fe.txt"
GUIDE_FILE = SHARED / "CONTENT-GUIDE.md"
CONTENT_FOLDERS = ("course", "scenarios", "quizzes")

# Contacts the content guide describes as adults-only (18+), and contacts only for under-18s/19s.
ADULT_ONLY_FACTS = {"guide#rph", "guide#stopncii"}
YOUNG_ONLY_FACTS = {"guide#childline", "guide#report-remove"}


@pytest.fixture(scope="module")
def validated() -> Validated:
    """The real course, validated with --strict."""
    return validate_course(REPO, strict=True)


@pytest.fixture(scope="module")
def course(validated: Validated) -> m.Course:
    """The validated course model."""
    assert validated.course is not None, "\n".join(str(e) for e in validated.errors)
    return validated.course


@pytest.fixture(scope="module")
def views(course: m.Course) -> dict[str, AudienceView]:
    """The course as each audience sees it."""
    return {name: audience_view(course, name) for name in course.audiences}


def _raw(relative: str) -> Any:
    return yaml.safe_load((REPO / relative).read_text("utf-8"))


def _strings(data: Any, skip: frozenset[str] = frozenset()) -> Iterator[str]:
    """Every string value in loaded YAML, leaving out the values of keys in `skip`."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            if key not in skip:
                yield from _strings(value, skip)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value, skip)


def _prose(plain: str) -> str:
    """Plain text with each line (paragraph or list item) ending as a sentence.

    textstat counts sentences by end punctuation, so a bullet list without full stops would count
    as one long sentence and overstate the difficulty; a list item reads as a sentence of its own.
    """
    lines = [line.strip().lstrip("•").strip() for line in plain.splitlines() if line.strip()]
    return " ".join(line if line[-1] in ".!?:\"'”" else line + "." for line in lines)


def _sentences(prose: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", prose) if s.strip()]


def reading_age(text: str) -> float:
    """Reading age in years: the mean of three US-grade formulas from textstat 0.7.8, plus 5.

    Formula: (Flesch-Kincaid grade + Coleman-Liau index + Automated Readability Index) / 3 + 5.
    A US school grade maps to an age by adding 5 (grade 7 is read by 12-year-olds).
    """
    grades = (textstat.flesch_kincaid_grade(text), textstat.coleman_liau_index(text),
              textstat.automated_readability_index(text))
    return sum(grades) / len(grades) + 5


def _page_texts(view: AudienceView) -> dict[str, str]:
    return {page.id: _prose(to_plain(page.body)) for _, page in view.pages()}


def _interactive_texts(view: AudienceView) -> dict[str, str]:
    """The learner-visible text of each scenario and quiz this audience sees."""
    texts: dict[str, str] = {}
    for scenario in view.scenarios():
        parts = [scenario.summary]
        for node in scenario.nodes.values():
            parts += [message.text for message in node.messages]
            if isinstance(node, m.DecisionNode):
                parts.append(node.prompt)
                parts += [text for choice in node.choices for text in (choice.text, choice.feedback)]
            else:
                parts += [node.title, to_plain(node.debrief)]
        texts[f"scenario {scenario.id}"] = _prose("\n".join(parts))
    for quiz in view.quizzes():
        parts = []
        for question in quiz.questions:
            parts.append(to_plain(question.prompt))
            if isinstance(question, (m.SingleQuestion, m.MultipleQuestion)):
                parts += [text for option in question.options for text in (option.text, option.feedback)]
            elif isinstance(question, m.TrueFalseQuestion):
                parts += [question.feedback_true, question.feedback_false]
            elif isinstance(question, m.OrderQuestion):
                parts += [text for item in question.items for text in (item.text, item.feedback)]
            elif isinstance(question, m.MatchQuestion):
                parts += [text for pair in question.pairs for text in (pair.left, pair.right, pair.feedback)]
        texts[f"quiz {quiz.id}"] = _prose("\n".join(parts))
    return texts


def _all_learner_text(view: AudienceView) -> str:
    texts = list(_page_texts(view).values()) + list(_interactive_texts(view).values())
    texts += [view.audience.content_note, *view.audience.core_messages]
    for _, contact in view.help:
        texts += [contact.name, contact.description, contact.how]
    return "\n".join(texts)


def _leaflet_text(leaflet: m.Leaflet) -> str:
    return "\n".join([leaflet.title, leaflet.tagline, leaflet.what_it_is, *leaflet.warning_signs,
                      *(f"{step.title} {step.text}" for step in leaflet.steps), leaflet.core_message, leaflet.extra])


# --- validation and coverage -------------------------------------------------------------


def test_real_course_validates_strictly(validated: Validated) -> None:
    """`coursekit validate --strict`: no errors and no warnings (wording check included)."""
    assert validated.errors == [], "\n".join(str(e) for e in validated.errors)
    assert validated.warnings == []
    assert validated.course is not None
    assert validated.course.id == "sextortion-awareness"
    assert set(validated.course.audiences) == {"students", "community"}


def test_wording_check_has_no_exceptions(course: m.Course) -> None:
    """The course passes the built-in wording rules without switching any off."""
    assert course.wording.allow == []


def test_coverage_is_complete_for_both_audiences(validated: Validated, course: m.Course) -> None:
    """Every advice point is taught and assessed for every audience it applies to."""
    gaps = []
    for row in validated.coverage:
        assert row.taught, f"advice point {row.advice.id} applies to no audience"
        for audience in row.taught:
            if not row.taught[audience]:
                gaps.append(f"{row.advice.id}: not taught to {audience}")
            if not row.assessed[audience]:
                gaps.append(f"{row.advice.id}: not assessed for {audience}")
    assert gaps == []
    for audience in course.audiences:
        applicable = [row for row in validated.coverage if audience in row.taught]
        assert len(applicable) >= 15, f"{audience}: only {len(applicable)} advice points"


# --- citations resolve to real source anchors --------------------------------------------

_HEADING_ANCHOR = re.compile(r"^#{1,6}\s+.*\{#([a-z0-9][a-z0-9-]*)\}\s*$")


def _anchors() -> dict[str, set[str]]:
    """Source id -> anchors, parsed from the source files named in course.yaml (not via coursekit)."""
    anchors: dict[str, set[str]] = {}
    for source in _raw("course/course.yaml")["sources"]:
        found = [match.group(1) for line in (REPO / source["file"]).read_text("utf-8").splitlines()
                 if (match := _HEADING_ANCHOR.match(line))]
        assert len(found) == len(set(found)), f"duplicate anchors in {source['file']}"
        anchors[source["id"]] = set(found)
    return anchors


def _cites() -> Iterator[tuple[str, str]]:
    """(where, citation) for every advice point, help contact and anticipated question."""
    data = _raw("course/course.yaml")
    for point in data["advice"]:
        assert point.get("cite"), f"advice {point['id']} cites nothing"
        yield from ((f"advice {point['id']}", cite) for cite in point["cite"])
    for key, contact in data["help"].items():
        assert contact.get("cite"), f"help contact {key} cites nothing"
        yield from ((f"help {key}", cite) for cite in contact["cite"])
    for kind in ("lesson", "talk"):
        plan = _raw(data["facilitation"][kind])
        for question in plan.get("questions", []):
            assert question.get("cite"), f"{kind} question {question['question']!r} cites nothing"
            yield from ((f"{kind} question {question['question']!r}", cite) for cite in question["cite"])


def test_every_citation_resolves_to_a_source_anchor() -> None:
    """Advice, help contacts and anticipated questions all cite an anchor that exists."""
    anchors = _anchors()
    assert {"seed", "guide"} <= set(anchors)
    cites = list(_cites())
    assert len(cites) > 50
    broken = [f"{where}: {cite}" for where, cite in cites
              if cite.split("#", 1)[0] not in anchors or cite.split("#", 1)[1] not in anchors[cite.split("#", 1)[0]]]
    assert broken == []


def test_every_help_contact_cites_the_guide() -> None:
    """Each help contact's details come from a row of the content guide."""
    for key, contact in _raw("course/course.yaml")["help"].items():
        assert any(cite.startswith("guide#") for cite in contact["cite"]), key


def test_seed_is_sectioned_verbatim() -> None:
    """Every line of the seed appears word for word in course/sources/seed.md."""
    require_shared(SEED_FILE.relative_to(SHARED).as_posix())
    sectioned = (REPO / "course" / "sources" / "seed.md").read_text("utf-8")
    sectioned = re.sub(r"\s*\{#[a-z0-9-]+\}", "", sectioned)
    normal = " ".join(re.sub(r"^\s*(#+|[-•])\s+", "", line) for line in sectioned.splitlines())
    normal = re.sub(r"\s+", " ", normal)
    missing = []
    for line in SEED_FILE.read_text("utf-8").splitlines():
        words = re.sub(r"\s+", " ", line.strip().lstrip("•").strip())
        if words and words not in normal:
            missing.append(words)
    assert missing == []


def test_guide_facts_are_kept_under_their_ids() -> None:
    """Each fact row of CONTENT-GUIDE.md is in guide.md, in the section with the same id."""
    require_shared(GUIDE_FILE.relative_to(SHARED).as_posix())
    rows = [(fact_id, fact) for fact_id, fact in
            re.findall(r"^\| ([a-z0-9-]+) \| (.+?) \|\s*$", GUIDE_FILE.read_text("utf-8"), re.MULTILINE)
            if fact_id != "id"]  # the table's header row
    assert len(rows) >= 12
    sections: dict[str, str] = {}
    current = None
    for line in (REPO / "course" / "sources" / "guide.md").read_text("utf-8").splitlines():
        match = _HEADING_ANCHOR.match(line)
        if match:
            current = match.group(1)
            sections[current] = ""
        elif current:
            sections[current] += " " + line.strip()
    for fact_id, fact in rows:
        assert fact_id in sections, f"guide.md has no section {{#{fact_id}}}"
        assert re.sub(r"\s+", " ", fact.strip()) in re.sub(r"\s+", " ", sections[fact_id]), fact_id


# --- help contacts: each audience sees only help meant for it ----------------------------


def _help_lists(course: m.Course) -> Iterator[tuple[str, str, list[str]]]:
    """(audience, where, help ids) for every place help is shown."""
    for name, audience in course.audiences.items():
        yield name, "audience", audience.help
    for name, leaflet in course.leaflets.items():
        yield name, "leaflet", leaflet.help
    for plan in (course.lesson, course.talk):
        assert plan is not None
        yield plan.audience, f"{plan.kind} plan", plan.help


def test_help_shown_to_an_audience_is_meant_for_it(course: m.Course) -> None:
    """Every contact in an audience's help, leaflet and plan lists that audience as suitable."""
    for audience, where, ids in _help_lists(course):
        for hid in ids:
            assert audience in course.help[hid].suitable_for, f"{hid} in {audience} {where}"


def test_adult_only_helplines_never_reach_students(course: m.Course, views: dict[str, AudienceView]) -> None:
    """18+ services (Revenge Porn Helpline, StopNCII) are community-only and absent from student text."""
    adult_only = {hid: c for hid, c in course.help.items() if ADULT_ONLY_FACTS & set(c.cite)}
    assert set(adult_only) == {"revenge-porn-helpline", "stopncii"}
    for hid, contact in adult_only.items():
        assert contact.suitable_for == ["community"], hid
    for audience, where, ids in _help_lists(course):
        if course.audiences[audience].under_18:
            assert not set(ids) & set(adult_only), f"adult-only help in {audience} {where}"
    student_text = _all_learner_text(views["students"]) + _leaflet_text(course.leaflets["students"])
    assert course.lesson is not None
    student_text += "\n".join([course.lesson.overview, *(a.description for a in course.lesson.activities)])
    for name in ("Revenge Porn", "StopNCII"):
        assert name.casefold() not in student_text.casefold(), name


def test_young_peoples_services_stay_off_the_community_leaflet(course: m.Course) -> None:
    """Childline and Report Remove are for young people: not in the community leaflet's help or text."""
    young = {hid for hid, c in course.help.items() if YOUNG_ONLY_FACTS & set(c.cite)}
    assert young == {"childline", "report-remove"}
    for hid in young:
        assert course.help[hid].suitable_for == ["students"], hid
    leaflet = course.leaflets["community"]
    assert not set(leaflet.help) & young
    text = _leaflet_text(leaflet).casefold()
    assert "childline" not in text and "report remove" not in text


def test_help_routes_follow_the_guide(course: m.Course) -> None:
    """Under-18s: trusted adult first, then Childline, Report Remove, CEOP; everyone sees 999."""
    students = course.audiences["students"].help
    assert students[0] == "trusted-adult"
    assert set(students[:4]) == {"trusted-adult", "childline", "report-remove", "ceop"}
    community = course.audiences["community"].help
    assert {"police-101", "police-999", "revenge-porn-helpline", "stopncii", "nspcc", "ceop"} <= set(community)
    for audience, where, ids in _help_lists(course):
        assert any(course.help[hid].emergency for hid in ids), f"no 999 in {audience} {where}"


# --- reading age and page length ---------------------------------------------------------


def test_reading_age_of_pages_per_audience(course: m.Course, views: dict[str, AudienceView]) -> None:
    """All pages together, and each page alone, are at or below the audience's reading age.

    Reading age = (Flesch-Kincaid grade + Coleman-Liau + ARI) / 3 + 5, textstat 0.7.8, measured on
    the plain text (coursekit.text.to_plain) of the pages audience_view shows that audience.
    """
    assert course.audiences["students"].reading_age == 12
    for name, view in views.items():
        limit = view.audience.reading_age
        assert limit is not None, f"{name} has no reading age target"
        pages = _page_texts(view)
        overall = reading_age(" ".join(pages.values()))
        assert overall <= limit, f"{name}: reading age {overall:.1f} > {limit}"
        too_hard = {pid: round(reading_age(text), 1) for pid, text in pages.items() if reading_age(text) > limit}
        assert too_hard == {}, f"{name}: pages above reading age {limit}"


def test_reading_age_of_scenarios_and_quizzes(views: dict[str, AudienceView]) -> None:
    """Scenario and quiz text each audience sees is at or below its reading age (same formula)."""
    for name, view in views.items():
        limit = view.audience.reading_age
        assert limit is not None
        texts = _interactive_texts(view)
        assert len(texts) >= 7
        too_hard = {key: round(reading_age(text), 1) for key, text in texts.items() if reading_age(text) > limit}
        assert too_hard == {}, f"{name}: above reading age {limit}"


def test_pages_are_short_and_student_sentences_shorter(views: dict[str, AudienceView]) -> None:
    """Every page is at most 120 words; pages students see use sentences of at most 15 words."""
    for name, view in views.items():
        for page_id, text in _page_texts(view).items():
            assert len(text.split()) <= 120, f"{name} page {page_id}: {len(text.split())} words"
    for page_id, text in _page_texts(views["students"]).items():
        long = [s for s in _sentences(text) if len(s.split()) > 15]
        assert long == [], f"students page {page_id}"


# --- core messages ---------------------------------------------------------------------


def test_never_your_fault_is_in_every_core_message_set_and_leaflet(course: m.Course) -> None:
    """'Never your fault' is a core message of every audience and every leaflet."""
    for name, audience in course.audiences.items():
        messages = " ".join(audience.core_messages).casefold()
        assert "never your fault" in messages, name
        assert "not alone" in messages, name
        assert "trouble" in messages, name
    assert set(course.leaflets) == set(course.audiences)
    for name, leaflet in course.leaflets.items():
        assert "never your fault" in leaflet.core_message.casefold(), name
    students = [message.casefold() for message in course.audiences["students"].core_messages]
    assert "you will not be in trouble for asking for help." in students


# --- the seed's dated examples are updated -----------------------------------------------


def _content_sentences() -> list[tuple[str, str]]:
    """(file, sentence) for every sentence of the course YAML (citations and ids left out)."""
    found = []
    for folder in CONTENT_FOLDERS:
        for path in sorted((REPO / folder).glob("*.yaml")):
            for text in _strings(_raw(str(path.relative_to(REPO))), frozenset({"cite", "id", "teaches", "assesses"})):
                for sentence in re.split(r"(?<=[.!?])\s+", " ".join(text.split())):
                    found.append((str(path.relative_to(REPO)), sentence))
    return found


def test_dated_examples_are_updated() -> None:
    """No Skype unless saying it closed; Action Fraud only as replaced; no old money-transfer brands alone."""
    sentences = _content_sentences()
    assert len(sentences) > 500
    for where, sentence in sentences:
        lower = sentence.casefold()
        if "skype" in lower:
            assert "closed" in lower or "shut down" in lower, f"{where}: {sentence}"
        if "action fraud" in lower:
            assert "replaced" in lower, f"{where}: {sentence}"
        if "moneygram" in lower or "western union" in lower:
            assert "gift-card" in lower or "bank" in lower, f"{where}: {sentence}"
    everything = " ".join(sentence for _, sentence in sentences)
    assert "Report Fraud" in everything
    assert "another app" in everything and "private video chat" in everything
    assert "gift-card" in everything


# --- assessments, scenarios, plans -------------------------------------------------------


def test_each_audience_has_four_modules_each_with_a_knowledge_check(views: dict[str, AudienceView]) -> None:
    """At least four modules per audience, each with a quiz and learning objectives."""
    for name, view in views.items():
        assert len(view.modules) >= 4, name
        for module in view.modules:
            assert module.quiz is not None and module.quiz.questions, f"{name} module {module.id}"
            assert module.objectives, f"{name} module {module.id}"


def test_final_assessment_per_audience(views: dict[str, AudienceView]) -> None:
    """At least 12 questions, pass mark 80, every question type, and the fault myth answered false."""
    for name, view in views.items():
        final = view.assessment
        assert final.id == "final" and final.pass_mark == 80
        assert len(final.questions) >= 12, name
        assert {q.type for q in final.questions} == set(m.QUESTION_TYPES), name
        order = [q for q in final.questions if isinstance(q, m.OrderQuestion)]
        assert order and {"dont-pay", "stop-contact", "preserve-evidence"} <= set(order[0].assesses)
        myths = [q for q in final.questions if isinstance(q, m.TrueFalseQuestion)
                 and "your fault" in q.prompt.casefold() and "sent an image" in q.prompt.casefold()]
        assert len(myths) == 1 and myths[0].answer is False, name


def _shortest_decisions(scenario: m.Scenario, targets: set[str]) -> int | None:
    """The fewest decision nodes on any path from the start to one of `targets`."""
    queue = deque([(scenario.start, 0)])
    seen = {scenario.start}
    while queue:
        node_id, decisions = queue.popleft()
        if node_id in targets:
            return decisions
        node = scenario.nodes[node_id]
        if isinstance(node, m.DecisionNode):
            for choice in node.choices:
                if choice.next not in seen:
                    seen.add(choice.next)
                    queue.append((choice.next, decisions + 1))
    return None


def test_scenarios_branch_well_and_always_allow_recovery(course: m.Course, views: dict[str, AudienceView]) -> None:
    """Three scenarios per audience, each with several endings; three decisions before any good ending;
    a recovered ending reachable after a poor choice; one scenario follows a friend giving support."""
    for name, view in views.items():
        assert len(view.scenarios()) >= 3, name
    assert len(course.scenarios) >= 3
    for scenario in course.scenarios.values():
        endings = {nid: n for nid, n in scenario.nodes.items() if isinstance(n, m.EndingNode)}
        assert len(endings) >= 3, f"{scenario.id}: several endings expected"
        assert {"positive", "recovered"} <= {n.ending for n in endings.values()}, scenario.id
        good = {nid for nid, n in endings.items() if n.ending in ("positive", "recovered")}
        shortest = _shortest_decisions(scenario, good)
        assert shortest is not None and shortest >= 3, f"{scenario.id}: {shortest} decisions to a good ending"
        recovered = {nid for nid, n in endings.items() if n.ending == "recovered"}
        assert recovered, scenario.id
        poor_targets = {c.next for n in scenario.nodes.values() if isinstance(n, m.DecisionNode)
                        for c in n.choices if c.quality == "poor"}
        assert any(_shortest_decisions(scenario.model_copy(update={"start": target}), recovered) is not None
                   for target in poor_targets), f"{scenario.id}: no recovery after a poor choice"
        for node_id, node in scenario.nodes.items():
            if isinstance(node, m.DecisionNode):
                from_here = scenario.model_copy(update={"start": node_id})
                assert _shortest_decisions(from_here, good) is not None, f"{scenario.id}/{node_id}: no way to get help"
    friend = [s for s in views["students"].scenarios()
              if any("help-a-friend" in c.teaches for n in s.nodes.values() if isinstance(n, m.DecisionNode)
                     for c in n.choices)]
    assert friend, "no scenario follows a friend supporting someone"


def test_lesson_and_talk_plans(course: m.Course) -> None:
    """A 60-minute student lesson and a 30-minute community talk with what the guide lists."""
    lesson, talk = course.lesson, course.talk
    assert lesson is not None and talk is not None
    assert (lesson.kind, lesson.audience, lesson.duration_minutes) == ("lesson", "students", 60)
    assert sum(a.minutes for a in lesson.activities) == 60
    assert {"starter", "main", "plenary"} <= {a.phase for a in lesson.activities}
    assert lesson.ground_rules and lesson.baseline and lesson.differentiation and lesson.parent_letter
    terms = " ".join(t.term.casefold() for t in lesson.vocabulary)
    for term in ("nudes and semi-nudes", "sextortion", "online blackmail"):
        assert term in terms
    assert "DSL" in lesson.safeguarding and "discloses" in lesson.safeguarding
    assert any(a.scenario for a in lesson.activities) and any(a.quiz for a in lesson.activities)
    assert (talk.kind, talk.audience, talk.duration_minutes) == ("talk", "community", 30)
    assert sum(a.minutes for a in talk.activities) == 30
    assert all(a.speaker_notes for a in talk.activities)
    asked = " ".join(q.question.casefold() for q in talk.questions)
    assert "already paid" in asked and "judge" in asked
    assert talk.activities[-1].phase == "close" and talk.activities[-1].pages
