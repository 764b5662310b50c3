"""Content tests for the real sextortion course at the repository root (course/, scenarios/, quizzes/).

They check what a safeguarding reviewer would check: the course validates strictly with full
coverage, every fact is traceable to a source anchor, each audience sees only help meant for it,
the reading age holds, the core messages are everywhere, and the seed's dated examples are updated.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import textstat
import yaml
from conftest import SHARED, require_shared

from coursekit import model as m
from coursekit.questions import TYPES
from coursekit.targets.slides import paginate
from coursekit.targets.slides_outline import build_outline
from coursekit.text import to_plain
from coursekit.validate import Validated, validate_course
from coursekit.view import AudienceView, audience_view, filter_quiz
from coursekit.wording import WordingChecker

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
        assert {q.type for q in final.questions} >= {name for name, kind in TYPES.items() if kind.scored}, name
        order = [q for q in final.questions if isinstance(q, m.OrderQuestion)]
        assert order and {"dont-pay", "stop-contact", "preserve-evidence"} <= set(order[0].assesses)
        truths = [q for q in final.questions if isinstance(q, m.TrueFalseQuestion)
                  and "never your fault" in q.prompt.casefold() and "sent an image" in q.prompt.casefold()]
        assert len(truths) == 1 and truths[0].answer is True, name


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
        # After a poor choice, or after a common reaction of the person targeted (never graded).
        poor_targets = {c.next for n in scenario.nodes.values() if isinstance(n, m.DecisionNode)
                        for c in n.choices if getattr(c, "quality", None) in ("poor", None)}
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
    # The help slide every deck ends on is left up; the close activity points at it.
    assert talk.activities[-1].phase == "close" and "help slide" in talk.activities[-1].description


# --- issue 10: safeguarding decisions a DSL signs off ------------------------------------

# Sentences a DSL would never want printed as a claim, a headline or a choice (issue 10 #7, #9), on top
# of the built-in wording check (which refuses "your fault" and "in trouble" unless negated).
BLAMING_CLAIMS = re.compile(
    r"got (himself|herself|themselves) into|"
    r"let this happen|how could (you|he|she|they)|only (girls|boys) (are|get)|will be in trouble|deserve",
    re.IGNORECASE)


def _sentences_of(text: str) -> list[str]:
    return _sentences(" ".join(to_plain(text).split()))


def test_safeguarding_notes_send_disclosures_to_the_dsl_immediately(course: m.Course) -> None:
    """#1: DSL told immediately (never 'the same day'); question box read the same day; protective
    interrupting; a distressed learner never left alone; an alternative activity for opting out."""
    lesson, talk = course.lesson, course.talk
    assert lesson is not None and talk is not None
    for plan in (lesson, talk):
        notes = " ".join(plan.safeguarding.split())
        assert "immediately" in notes, plan.kind
        assert "straight after" in notes and "stop the detail" in notes, f"{plan.kind}: protective interrupting"
        assert re.search(r"not (be )?left alone|do not leave them", notes), f"{plan.kind}: never left alone"
        assert not re.search(r"(DSL|procedure)[^.]*the same day", notes), f"{plan.kind}: a disclosure waits"
    notes = " ".join(lesson.safeguarding.split())
    assert "question box** is read the same day" in notes and "at once" in notes
    assert "Opting out" in notes and "other activity" in notes
    assert any("other activity" in rule for rule in lesson.ground_rules)
    assert any("read today" in rule for rule in lesson.ground_rules)


def _definition_texts(course: m.Course) -> dict[str, str]:
    """Every place the course says what sextortion is."""
    assert course.lesson is not None
    page = next(p for mod in course.modules for p in mod.pages if p.id == "what-is-sextortion")
    texts = {"advice": next(a.text for a in course.advice if a.id == "what-sextortion-is"),
             "page": page.body,
             "vocabulary": next(t.definition for t in course.lesson.vocabulary if t.term == "Sextortion"),
             "parent letter": course.lesson.parent_letter.split("\n\n")[1],
             "lesson overview": course.lesson.overview.split("\n\n")[0]}
    assert course.talk is not None
    texts["talk overview"] = course.talk.overview.split("\n\n")[0]
    for name, leaflet in course.leaflets.items():
        texts[f"{name} leaflet"] = leaflet.what_it_is
    for quiz_id in ("check-understand", "final", "class-check"):
        question = next(q for q in course.quizzes[quiz_id].questions if q.id == "what-is-it")
        assert isinstance(question, m.SingleQuestion)
        texts[f"{quiz_id} answer"] = next(o.text for o in question.options if o.correct) + " " + \
            next(o.feedback for o in question.options if o.correct)
    return texts


def test_sextortion_is_money_more_images_or_something_else_everywhere(course: m.Course) -> None:
    """#2: every definition names all three kinds of demand, not money alone."""
    texts = _definition_texts(course)
    assert len(texts) == 11
    for where, text in texts.items():
        flat = " ".join(to_plain(text).split()).casefold()
        assert "more images" in flat or "more pictures" in flat, where
        assert "money" in flat or "pay" in flat, where
        assert "something else" in flat or "what they ask" in flat or "demands" in flat, where


def test_dont_send_more_stands_beside_dont_pay(course: m.Course, views: dict[str, AudienceView]) -> None:
    """#2: wherever "don't pay" is an action step, "don't send more" is too."""
    for name, leaflet in course.leaflets.items():
        steps = [step for step in leaflet.steps if "dont-pay" in step.teaches]
        assert len(steps) == 1 and "dont-send-more" in steps[0].teaches, name
        assert "send more" in f"{steps[0].title} {steps[0].text}".casefold(), name
    for quiz in course.quizzes.values():
        for question in quiz.questions:
            if isinstance(question, m.OrderQuestion):
                items = [item.text.casefold() for item in question.items if "don't pay" in item.text.casefold()]
                assert items and all("send more" in item for item in items), (quiz.id, question.id)
    for name, view in views.items():
        page = next(p for _, p in view.pages() if p.id == "dont-pay")
        assert "Don't send more" in page.body and "Don't pay" in page.body, name
        assert "don't send more" in " ".join(view.audience.core_messages).casefold() or name == "students"


def test_a_story_where_a_girl_is_pressured_for_more_images(course: m.Course) -> None:
    """#2, #6: one story where the demand is for more images (no money), and the targeted character
    is a girl; characters who are targeted are not all boys."""
    story = course.scenarios["more-images"]
    offender = [text for node in story.nodes.values() for msg in node.messages
                if msg.sender == "leon" for text in [msg.text]]
    assert any("more pictures" in text or "three more" in text for text in offender)
    assert not any("£" in text or "money" in text.casefold() or "pay" in text.casefold() for text in offender)
    assert story.protagonist == story.targeted == "mia"
    prompts = [n.prompt for n in story.nodes.values() if isinstance(n, m.DecisionNode) and "Mia" in n.prompt]
    assert any(re.search(r"\bshe\b", p) for p in prompts), prompts
    assert all(module.scenario != "more-images" or not module.audiences for module in course.modules)


def test_nude_images_are_never_copied(course: m.Course, views: dict[str, AudienceView]) -> None:
    """#3: the evidence page, leaflet and help content say never to copy a nude image; no text tells
    anyone to screenshot, save or show an image; adults in the stories say they will not look."""
    students = views["students"]
    evidence = [p for _, p in students.pages() if "preserve-evidence" in p.teaches]
    assert evidence
    for page in evidence:
        assert "Never copy a nude image" in page.body, page.id
    leaflet = course.leaflets["students"]
    step = next(s for s in leaflet.steps if "preserve-evidence" in s.teaches)
    assert "never copy" in step.text.casefold()
    assert "don't need to show" in course.help["trusted-adult"].description
    help_page = next(p for _, p in students.pages() if p.id == "who-can-help")
    assert "never need to show anyone an image" in help_page.body
    # A helper's mistake a story models on purpose, corrected by its feedback, is not an instruction.
    modelled = {c.text for sc in course.scenarios.values() for n in sc.nodes.values()
                if isinstance(n, m.DecisionNode) for c in n.choices
                if c.quality == "poor" and re.search(r"no one should copy|never (view|ask)", c.feedback)}
    modelled |= {o.text for quiz in course.quizzes.values() for q in quiz.questions
                 if isinstance(q, (m.SingleQuestion, m.MultipleQuestion)) for o in q.options if not o.correct}
    assert modelled
    for where, sentence in _content_sentences():
        lower = sentence.casefold()
        if sentence.endswith("?") or sentence in modelled:
            continue  # a question people ask, answered in the next sentence
        copy = r"\b(screenshot|save|forward|print|copy|show)\w*( of)? (a |an |the |any |it |that )?(nude |sexual )?(image|photo|picture|video)"
        if re.search(copy, lower):
            assert re.search(r"\b(never|don't|not|no one|without)\b", lower), f"{where}: {sentence}"
    said = {"more-images": "shah", "helping-a-friend": "okafor"}
    for scenario_id, adult in said.items():
        lines = [msg.text for node in course.scenarios[scenario_id].nodes.values() for msg in node.messages
                 if msg.sender == adult]
        assert any("won't look at any" in line for line in lines), scenario_id


def test_the_video_call_is_narrated_and_the_class_tries_a_safer_poor_choice(course: m.Course) -> None:
    """#4: no choice in the lesson's scenario continues a call on camera; the call is narration; the
    lesson points "try a less helpful choice" at the first decision, not the call."""
    assert course.lesson is not None
    played = [a for a in course.lesson.activities if a.scenario]
    assert [a.scenario for a in played] == ["new-contact"]
    story = course.scenarios["new-contact"]
    for node in story.nodes.values():
        if isinstance(node, m.DecisionNode):
            for choice in node.choices:
                assert not re.search(r"keep going|agree to the video|continue|on camera", choice.text, re.IGNORECASE), choice.text
    call = story.nodes["other-app"]
    assert any("undress" in msg.text and msg.sender is None for msg in call.messages)
    description = " ".join(played[0].description.split())
    assert "replying straight away and sharing usernames" in description
    assert "narrated, not voted on" in description


def test_blaming_myths_appear_only_as_true_statements(course: m.Course) -> None:
    """#7: no true/false prompt states a blaming myth; the truths are stated and marked true."""
    checker = WordingChecker.from_course(course.wording)
    truths = []
    for quiz in course.quizzes.values():
        for question in quiz.questions:
            if not isinstance(question, m.TrueFalseQuestion):
                continue
            prompt = to_plain(question.prompt)
            assert not BLAMING_CLAIMS.search(prompt), (quiz.id, question.id, prompt)
            assert checker.check(prompt) == [], (quiz.id, question.id, prompt)
            if question.answer is True:
                truths.append(prompt.casefold())
    for truth in ("it is never your fault, even if you sent an image.",
                  "you will not be in trouble for asking for help about sextortion.",
                  "anyone, of any gender, can be targeted by sextortion."):
        assert truth in truths, truth
    for where, sentence in _content_sentences():
        assert not BLAMING_CLAIMS.search(sentence), f"{where}: {sentence}"


def test_emotional_safety_contacts(course: m.Course) -> None:
    """#8: 999 covers not coping or self-harm; Childline is 24/7; the Revenge Porn Helpline's hours."""
    assert "can't cope or might hurt" in course.help["police-999"].description
    assert "any time, day or night" in course.help["childline"].description
    assert "Monday to Friday, 10:00 to 16:00" in course.help["revenge-porn-helpline"].description
    for name, audience in course.audiences.items():
        assert "999" in audience.content_note or "Childline" in audience.content_note, name


def test_decision_titles_are_questions_and_no_choice_models_blame(course: m.Course) -> None:
    """#9: every decision prompt (a decision slide's title) is a question; no choice text (a
    consequence slide's title) voices blame."""
    checker = WordingChecker.from_course(course.wording)
    for scenario in course.scenarios.values():
        for node_id, node in scenario.nodes.items():
            if isinstance(node, m.DecisionNode):
                assert node.prompt.endswith("?"), f"{scenario.id}/{node_id}"
                for choice in node.choices:
                    assert not BLAMING_CLAIMS.search(choice.text), f"{scenario.id}/{node_id}: {choice.text}"
                    assert checker.check(choice.text) == [], f"{scenario.id}/{node_id}: {choice.text}"


def test_a_request_to_undress_is_named_as_pressure_and_a_crime(course: m.Course) -> None:
    """#10: never 'unusual'; pressure and, for under-18s, a crime."""
    point = next(a for a in course.advice if a.id == "unusual-requests")
    page = next(p for mod in course.modules for p in mod.pages if p.id == "moving-apps")
    for text in (point.text, page.body, course.leaflets["students"].warning_signs[2]):
        assert "pressure" in text and "crime" in text, text
    for where, sentence in _content_sentences():
        if "undress" in sentence.casefold():
            assert "unusual" not in sentence.casefold(), f"{where}: {sentence}"


def test_facts_follow_the_guide_rows(course: m.Course) -> None:
    """#11-#14: Report Remove's own page and no promise for a video never had; payments; no ISP;
    Report Fraud's nations; the facts date is the guide's."""
    url = course.help["report-remove"].url
    assert url.startswith("https://www.childline.org.uk/") and "remove" in url and url != course.help["childline"].url
    for where, sentence in _content_sentences():
        lower = sentence.casefold()
        assert "internet service provider" not in lower and not re.search(r"\bisp\b", lower), f"{where}: {sentence}"
        if "report remove" in lower and "video" in lower and ("ask for the video" in lower or "the video taken" in lower):
            assert "ever posted" in lower or "link" in lower, f"{where}: {sentence}"
    paid = next(a for a in course.advice if a.id == "already-paid")
    assert "guide#payments" in paid.cite and "bank or card company" in paid.text
    assert "Scotland" in course.help["report-fraud"].description
    guide = (REPO / "course" / "sources" / "guide.md").read_text("utf-8")
    compiled = re.search(r"compiled into the guide's table on (\d{4}-\d{2}-\d{2})", " ".join(guide.split()))
    assert compiled and course.facts_checked.isoformat() == compiled.group(1) == "2026-11-25"


def _played(course: m.Course, plan: m.Plan, activity: m.Activity) -> tuple[int, int]:
    """(quiz questions shown to the plan's audience, scenario decisions) of one activity."""
    questions = len(filter_quiz(course.quizzes[activity.quiz], plan.audience).questions) if activity.quiz else 0
    decisions = sum(isinstance(n, m.DecisionNode) for n in course.scenarios[activity.scenario].nodes.values()) \
        if activity.scenario else 0
    return questions, decisions


def test_timings_work(course: m.Course) -> None:
    """#15: a minute per 2 questions and per 3 decisions; a 5-6 question class check; the talk gives
    Q&A at least 8 minutes and plays one short scenario; the decks fit (60 and 40 slides)."""
    lesson, talk = course.lesson, course.talk
    assert lesson is not None and talk is not None
    for plan in (lesson, talk):
        for activity in plan.activities:
            questions, decisions = _played(course, plan, activity)
            assert activity.minutes * 2 >= questions, activity.title
            assert activity.minutes * 3 >= decisions, activity.title
    in_class = [_played(course, lesson, a)[0] for a in lesson.activities if a.quiz]
    assert in_class == [6]
    assert course.assessment.quiz not in {a.quiz for a in lesson.activities}
    assert any(a.title == "Answers from the question box" and a.minutes >= 4 for a in lesson.activities)
    assert not any("poster" in a.description.casefold() for a in lesson.activities)
    qa = [a for a in talk.activities if a.title == "Questions"]
    assert len(qa) == 1 and qa[0].minutes >= 8
    assert [a.scenario for a in talk.activities if a.scenario] == ["a-parents-response"]
    # Real slides: a logical slide whose text does not fit is split into "(1/2)", "(2/2)".
    def slides(plan: m.Plan) -> int:
        return sum(len(paginate(spec)) for spec in build_outline(course, plan))
    assert slides(lesson) <= 60
    assert slides(talk) <= 40


def test_students_are_told_the_law_protects_them(course: m.Course, views: dict[str, AudienceView]) -> None:
    """#19: "Have I broken the law by sending it?" is answered for students, from guide#law-u18."""
    page = next(p for _, p in views["students"].pages() if p.id == "broken-the-law")
    assert page.title == "Have I broken the law by sending it?" and "law-u18" in page.teaches
    assert "protect young people" in page.body and "not be in trouble for asking for help" in page.body
    assert course.lesson is not None
    asked = [q for q in course.lesson.questions if q.question == "Have I broken the law by sending it?"]
    assert len(asked) == 1 and asked[0].cite == ["guide#law-u18"]


def test_parents_talk_covers_what_parents_ask(course: m.Course) -> None:
    """#20: signs, starting the conversation, privacy settings, what happens after a report; no
    "are you drunk?" page in a talk about children."""
    talk = course.talk
    assert talk is not None
    shown = [p for a in talk.activities for p in a.pages]
    assert "talking-with-children" in shown and "after-a-report" in shown and "harder-to-spot" not in shown
    pages = {p.id: p.body for mod in course.modules for p in mod.pages}
    text = " ".join(pages[p] for p in shown).casefold()
    for topic in ("signs a child may be affected", "start the conversation", "privacy settings", "after a report"):
        assert topic in text or topic in " ".join(a.description.casefold() for a in talk.activities), topic
    talk_text = " ".join([talk.overview, *(a.description + a.speaker_notes for a in talk.activities)]).casefold()
    assert "drunk" not in talk_text and "drunk" not in text


def test_students_help_descriptions_read_at_12_or_below(course: m.Course) -> None:
    """#22: each students' help contact description reads at age 12 or below (formula above)."""
    for hid in course.audiences["students"].help:
        age = reading_age(course.help[hid].description)
        assert age <= 12, f"{hid}: {age:.1f}"


def test_every_choice_and_question_traces_to_a_source(course: m.Course) -> None:
    """Every scenario choice teaches, and every question assesses, an advice point (which cites a source)."""
    cited = {a.id for a in course.advice if a.cite}
    for scenario in course.scenarios.values():
        for node_id, node in scenario.nodes.items():
            if isinstance(node, m.DecisionNode):
                for choice in node.choices:
                    assert choice.teaches and set(choice.teaches) <= cited, f"{scenario.id}/{node_id}: {choice.text}"
    for quiz in course.quizzes.values():
        for question in quiz.questions:
            assert question.assesses and set(question.assesses) <= cited, (quiz.id, question.id)


def test_the_person_targeted_is_never_graded(course: m.Course) -> None:
    """#5: every story names who is targeted; none of their choices has a quality (every output shows
    the neutral label); helpers' decisions (a friend, a parent, a teacher) keep their grades."""
    helpers_graded = {}
    for scenario in course.scenarios.values():
        assert scenario.targeted in scenario.characters, scenario.id
        for node_id, node in scenario.nodes.items():
            if not isinstance(node, m.DecisionNode):
                continue
            if scenario.chooser(node) == scenario.targeted:
                assert all(choice.quality is None for choice in node.choices), f"{scenario.id}/{node_id}"
            else:
                assert all(choice.quality in ("best", "ok", "poor") for choice in node.choices), f"{scenario.id}/{node_id}"
                helpers_graded[scenario.id] = helpers_graded.get(scenario.id, 0) + 1
    assert {"helping-a-friend", "a-parents-response", "more-images", "the-threat", "new-contact"} <= set(helpers_graded)
    assert {s.targeted for s in course.scenarios.values()} == {"kai", "ravi", "leo", "alex", "mia"}
    # Ungraded feedback says what helps next, without praise or blame words that read as a mark.
    for scenario in course.scenarios.values():
        for node in scenario.nodes.values():
            if isinstance(node, m.DecisionNode) and scenario.chooser(node) == scenario.targeted:
                for choice in node.choices:
                    assert not re.search(r"\b(well done|exactly right|just right|good choice|wrong|mistake)\b",
                                         choice.feedback, re.IGNORECASE), choice.feedback


def test_best_answer_is_not_usually_first_in_the_source(course: m.Course) -> None:
    """#17 (content side): outputs that keep the authored order do not teach "pick the first one":
    the best choice leads at most 40% of graded decisions, the correct option at most 40% of
    single and multiple choice questions."""
    graded = [n for s in course.scenarios.values() for n in s.nodes.values()
              if isinstance(n, m.DecisionNode) and n.graded]
    assert len(graded) >= 20
    assert sum(n.choices[0].quality == "best" for n in graded) <= 0.4 * len(graded)
    choice = [q for quiz in course.quizzes.values() for q in quiz.questions
              if isinstance(q, (m.SingleQuestion, m.MultipleQuestion))]
    assert len(choice) >= 30
    assert sum(q.options[0].correct for q in choice) <= 0.4 * len(choice)
