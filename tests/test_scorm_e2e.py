"""The real SCORM packages, played end to end inside the test LMS (scorm-again in the top frame, SCO in an iframe).

Flows, for SCORM 1.2 and 2004, for the phishing fixture and (when it validates) the real course:
- every screen with right answers, by mouse clicks → completed + passed + score 100, exit normal;
- every screen with wrong answers, by keyboard only (Space/Enter/arrows) → failed;
- half the final assessment, close, relaunch in a NEW runtime with the LMS's resume data → same screen,
  answers kept, the rest answered → passed.
Every question and scenario choice must be an interaction, and every value the module set must follow
the spec (coursekit/check/rules.py). No request may leave the LMS; no console errors.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, course_named, require_tool

from coursekit.check.harness import LmsSite, calls, cmi, lms_init, sco_frame, unload_sco
from coursekit.check.rules import check_calls, interaction_records
from coursekit.model import Course
from coursekit.targets import run_target
from coursekit.targets.scorm import Scorm12Target, Scorm2004Target
from coursekit.validate import validate_course
from coursekit.view import audience_view

pytestmark = pytest.mark.browser

TARGETS = {"12": Scorm12Target, "2004": Scorm2004Target}
MAX_SCENARIO_STEPS = 30


def load_course(name: str) -> Course:
    """The phishing fixture or the real course, validated (an invalid one fails the test)."""
    return course_named(name)


@pytest.fixture(scope="module")
def browser(shared_browser: Any) -> Iterator[Any]:
    """Headless Debian Chromium."""
    require_tool("chromium", "end-to-end SCORM tests in a real browser")
    if not (REPO / "node_modules" / "scorm-again").is_dir():
        pytest.fail("node_modules/scorm-again is missing: run `make test` (npm ci)")
    yield shared_browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LmsSite]:
    """The test LMS, serving unpacked packages."""
    lms = LmsSite(tmp_path_factory.mktemp("lms-e2e"))
    yield lms
    lms.close()


@pytest.fixture(scope="module")
def packages(site: LmsSite, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], dict[str, Any]]:
    """Build both SCORM targets for each course lazily; unpack the first audience under the site."""
    class Lazy(dict):  # type: ignore[type-arg]
        def __missing__(self, key: tuple[str, ...]) -> dict[str, Any]:
            course_name, version = key[:2]
            course = load_course(course_name)
            out = tmp_path_factory.mktemp(f"e2e-{course_name}-{version}")
            audience = key[2] if len(key) > 2 else next(iter(course.audiences))
            (archive,) = run_target(TARGETS[version](), course, out, [audience]).written
            folder = site.add_package(archive, f"{course_name}-{version}-{audience}")
            with zipfile.ZipFile(archive) as bundle:
                assert "imsmanifest.xml" in bundle.namelist()
            self[key] = {"course": course, "audience": audience, "launch": f"{folder.name}/index.html",
                         "view": audience_view(course, audience)}
            return self[key]

    return Lazy()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh context and page; afterwards: no request off 127.0.0.1, no console errors, no page errors."""
    context = browser.new_context()
    page = context.new_page()
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: problems.append(f"console.{message.type}: {message.text}")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    yield page
    context.close()
    foreign = [url for url in requests if not url.startswith(("http://127.0.0.1:", "about:", "data:", "blob:"))]
    assert not foreign, f"requests left the LMS: {foreign}"
    assert not problems, problems


def course_data(frame: Any) -> dict[str, Any]:
    """The player's course-data block (the contract's structure: screens, quizzes, scenarios, ids)."""
    return frame.evaluate("JSON.parse(document.getElementById('course-data').textContent)")


def launch(page: Any, site: LmsSite, package: dict[str, Any], version: str,
           resume: dict[str, Any] | None = None, faults: dict[str, Any] | None = None, **init_options: Any) -> Any:
    """Open the LMS with the package; the LMS loads the manifest's pass mark (and completion threshold)."""
    init = lms_init(version, mastery=package["view"].pass_mark, completion_threshold="1" if version == "2004" else None,
                    resume=resume, **init_options)
    page.goto(site.url(version, package["launch"], init, faults))
    frame = sco_frame(page)
    frame.wait_for_selector("html.js")
    return frame


class Learner:
    """Drives the player like a learner: by mouse (`keyboard=False`) or by keyboard only."""

    def __init__(self, frame: Any, keyboard: bool) -> None:
        self.frame = frame
        self.keyboard = keyboard
        self.data = course_data(frame)
        self.expected_ids: list[str] = []

    def current(self) -> str:
        """The id of the visible screen."""
        return self.frame.evaluate(
            "ids => ids.find(id => !document.getElementById(id).hidden)", self.data["screens"])

    def press(self, locator: Any) -> None:
        """Activate a button or link."""
        if self.keyboard:
            locator.focus()
            locator.press("Enter")
        else:
            locator.click()

    def tick(self, locator: Any) -> None:
        """Check a radio button or toggle a checkbox."""
        if self.keyboard:
            locator.focus()
            locator.press("Space")
        else:
            locator.click()

    def choose_in_select(self, select: Any, value: str) -> None:
        """Pick an option: with arrow keys from the top, or with the mouse."""
        if not self.keyboard:
            select.select_option(value)
            return
        values = select.evaluate("s => Array.from(s.options).map(o => o.value)")
        select.focus()
        select.press("Home")
        for _ in range(values.index(value)):
            select.press("ArrowDown")
        assert select.input_value() == value

    def next_screen(self) -> str:
        """Follow the visible screen's Next link."""
        screen = self.current()
        self.press(self.frame.locator(f"#{screen} a[data-nav=next]"))
        self.frame.wait_for_function("id => document.getElementById(id).hidden", arg=screen)
        return self.current()

    def answer(self, question: dict[str, Any], right: bool) -> None:
        """Answer one question rightly or wrongly and submit it."""
        root = self.frame.locator(f"#{question['el']}")
        correct: list[str] = question["correct"]
        kind = question["type"]
        if kind in ("single", "multiple", "true_false"):
            values = root.locator("input").evaluate_all("inputs => inputs.map(i => i.value)")
            if right:
                wanted = correct
            else:
                wrong = [value for value in values if value not in correct]
                wanted = wrong[:1] if wrong else correct[:1]
                assert wanted != correct
            for value in wanted:
                self.tick(root.locator(f"input[value='{value}']"))
        elif kind == "order":
            target = correct if right else list(reversed(correct))
            for position, letter in enumerate(target):
                item = root.locator(f".order-item[data-value='{letter}']")
                current = root.locator(".order-item").evaluate_all("items => items.map(i => i.dataset.value)")
                for _ in range(current.index(letter) - position):
                    self.press(item.locator("[data-move=up]"))
            order = root.locator(".order-item").evaluate_all("items => items.map(i => i.dataset.value)")
            assert order == target
        elif kind == "match":
            count = len(correct)
            selects = root.locator("select")
            for index in range(count):
                value = index + 1 if right else (index + 1) % count + 1
                self.choose_in_select(selects.nth(index), str(value))
        elif kind == "scale":  # no right answer: the "right" learner agrees, the other does not
            self.tick(root.locator(f"input[value='{5 if right else 1}']"))
        else:
            raise AssertionError(f"unknown question type {kind}")
        self.press(root.locator("button[type=submit]"))
        root.locator(".question-result:not([hidden])").wait_for()
        self.expected_ids.append(question["iid"])

    def play_scenario(self, scenario: dict[str, Any], best: bool) -> None:
        """Steer the story to an ending: best choices, or poor ones (that do not loop) where there are any."""
        node = scenario["start"]
        screen = self.frame.locator(f"#{scenario['screen']}")
        for _ in range(MAX_SCENARIO_STEPS):
            choices = scenario["nodes"][node].get("choices")
            if not choices:
                return
            # Prefer choices that move the story on (loops are allowed in scenarios).
            ranking = ["best", "ok", "poor"] if best else ["poor", "ok", "best"]
            options = sorted(range(len(choices)),
                             key=lambda i: (choices[i]["next"] == node, ranking.index(choices[i]["quality"] or "ok")))
            pick = options[0]
            self.press(screen.locator(f"[data-choice='{pick}']"))
            if self.data["storyChoices"]:  # sent only when the course opts in (privacy by default)
                self.expected_ids.append(scenario["nodes"][node]["iid"])
            node = choices[pick]["next"]
        raise AssertionError("the story did not end")

    def walk(self, right: bool, stop_after_half_final: bool = False) -> None:
        """Go through every screen in order, doing what each asks."""
        quizzes = {quiz["screen"]: quiz for quiz in self.data["quizzes"]}
        scenarios = {scenario["screen"]: scenario for scenario in self.data["scenarios"]}
        screen = self.current()
        assert screen == self.data["screens"][0]
        while True:
            if screen in scenarios:
                self.play_scenario(scenarios[screen], best=right)
            if screen in quizzes:
                questions = quizzes[screen]["questions"]
                if quizzes[screen]["final"] and stop_after_half_final:
                    for question in questions[: len(questions) // 2]:
                        self.answer(question, right)
                    return
                for question in questions:
                    self.answer(question, right)
            if screen == self.data["screens"][-1]:
                return
            screen = self.next_screen()


def final_state(page: Any) -> dict[str, Any]:
    """The runtime's data after the SCO closed."""
    unload_sco(page)
    return cmi(page)


def check_session(page: Any, version: str, learner: Learner, package: dict[str, Any]) -> list[dict[str, str]]:
    """Spec rules over the whole call log; every question/choice an interaction, in order; state fits."""
    from coursekit.targets.web import worst_case_state_length

    log = calls(page)
    assert check_calls(log, version) == []
    records = interaction_records(log)
    assert [record["id"] for record in records] == learner.expected_ids
    worst = worst_case_state_length(package["view"])
    states = [c["args"][1] for c in log if c["method"] in ("LMSSetValue", "SetValue") and c["args"][0] == "cmi.suspend_data"]
    assert states and all(len(state) <= worst for state in states), (worst, max(map(len, states)))
    return records


COURSES = ["phishing", "real"]
# The real course walks in both versions with right answers (and in `check` and the real host); its keyboard
# walk and its relaunch run in one version each: 2004 for the keyboard (completed + failed, with objectives),
# 1.2 for the relaunch (its state must fit 1.2's 4096 characters). The fixture runs every flow in both.


@pytest.mark.parametrize("course_name", COURSES)
@pytest.mark.parametrize("version", ["12", "2004"])
def test_right_answers_by_mouse_pass(page: Any, site: LmsSite, packages: Any, course_name: str, version: str) -> None:
    """All right, by clicks: completed and passed with 100, exit normal, every answer recorded as correct."""
    package = packages[course_name, version]
    frame = launch(page, site, package, version)
    learner = Learner(frame, keyboard=False)
    learner.walk(right=True)
    assert frame.locator("#end .end-status").inner_text().strip() != ""
    data = final_state(page)
    records = check_session(page, version, learner, package)
    questions = {q["iid"] for quiz in learner.data["quizzes"] for q in quiz["questions"] if q["scored"]}
    assert all(r["result"] == "correct" for r in records if r["id"] in questions)
    if version == "12":
        assert data["cmi.core.lesson_status"] == "passed"
        assert float(data["cmi.core.score.raw"]) == 100
        assert data["cmi.core.exit"] == ""
    else:
        assert (data["cmi.completion_status"], data["cmi.success_status"]) == ("completed", "passed")
        assert float(data["cmi.score.scaled"]) == 1 and float(data["cmi.score.raw"]) == 100
        assert float(data["cmi.progress_measure"]) == 1
        assert data["cmi.exit"] == "normal"
    objectives = {key: value for key, value in data.items() if key.startswith("cmi.objectives.")}
    ids = {value for key, value in objectives.items() if key.endswith(".id")}
    assert ids == {o.id.replace("-", "_") for o in package["view"].objectives}


@pytest.mark.parametrize(("version", "course_name"), [("12", "phishing"), ("2004", "phishing"), ("2004", "real")])
def test_wrong_answers_by_keyboard_fail(page: Any, site: LmsSite, packages: Any, course_name: str, version: str) -> None:
    """All wrong, keyboard only: failed, score 0, every answer recorded as wrong/incorrect."""
    package = packages[course_name, version]
    frame = launch(page, site, package, version)
    learner = Learner(frame, keyboard=True)
    learner.walk(right=False)
    data = final_state(page)
    records = check_session(page, version, learner, package)
    questions = {q["iid"] for quiz in learner.data["quizzes"] for q in quiz["questions"] if q["scored"]}
    wrong = "wrong" if version == "12" else "incorrect"
    assert [r["result"] for r in records if r["id"] in questions] == [wrong] * len(
        [r for r in records if r["id"] in questions])
    if version == "12":
        assert data["cmi.core.lesson_status"] == "failed"
        assert float(data["cmi.core.score.raw"]) == 0
    else:
        assert data["cmi.success_status"] == "failed"
        assert data["cmi.completion_status"] == "completed"
        assert float(data["cmi.score.scaled"]) == 0


@pytest.mark.parametrize(("version", "course_name"), [("12", "phishing"), ("2004", "phishing"), ("12", "real")])
def test_relaunch_resumes_with_answers_kept(page: Any, site: LmsSite, packages: Any, course_name: str,
                                            version: str) -> None:
    """Half the final, close (suspend), relaunch in a new runtime: same screen, answers kept; then pass."""
    package = packages[course_name, version]
    frame = launch(page, site, package, version)
    learner = Learner(frame, keyboard=False)
    learner.walk(right=True, stop_after_half_final=True)
    screen = learner.current()
    data = final_state(page)
    first_ids = list(learner.expected_ids)
    check_session(page, version, learner, package)
    # Every page was seen on the way to the final assessment: completed, not yet passed, suspended.
    if version == "12":
        assert (data["cmi.core.lesson_status"], data["cmi.core.exit"]) == ("completed", "suspend")
        previous = {"state": data["cmi.suspend_data"], "location": data["cmi.core.lesson_location"],
                    "status": data["cmi.core.lesson_status"]}
    else:
        assert (data["cmi.completion_status"], data["cmi.success_status"], data["cmi.exit"]) == (
            "completed", "unknown", "suspend")
        previous = {"state": data["cmi.suspend_data"], "location": data["cmi.location"],
                    "status": data["cmi.completion_status"], "progress": data["cmi.progress_measure"]}
    assert previous["location"] == screen

    # A new LMS session: a new runtime instance loaded with what the LMS kept.
    frame = launch(page, site, package, version, resume=previous)
    learner = Learner(frame, keyboard=False)
    assert learner.current() == screen
    final = next(quiz for quiz in learner.data["quizzes"] if quiz["final"])
    half = len(final["questions"]) // 2
    for index, question in enumerate(final["questions"]):
        submitted = frame.locator(f"#{question['el']} .question-result").is_visible()
        assert submitted == (index < half), question["id"]
    for question in final["questions"][half:]:
        learner.answer(question, right=True)
    while learner.current() != learner.data["screens"][-1]:
        learner.next_screen()
    data = final_state(page)
    log = calls(page)
    assert check_calls(log, version) == []
    assert [r["id"] for r in interaction_records(log)] == learner.expected_ids
    assert set(first_ids) | set(learner.expected_ids) >= {q["iid"] for q in final["questions"]}
    if version == "12":
        assert data["cmi.core.lesson_status"] == "passed" and float(data["cmi.core.score.raw"]) == 100
    else:
        assert (data["cmi.completion_status"], data["cmi.success_status"]) == ("completed", "passed")
    entry = "cmi.core.entry" if version == "12" else "cmi.entry"
    assert any(c["method"] in ("LMSGetValue", "GetValue") and c["args"] == [entry] for c in log)


# --- never lose a learner's result (issue 11, items 1-7) ------------------------------------------

AUDIENCES = ["students", "staff"]
SETTERS = ("LMSSetValue", "SetValue")


def sent(log: list[dict[str, Any]], element: str) -> list[str]:
    """Every value the module set for `element`, in order."""
    return [c["args"][1] for c in log if c["method"] in SETTERS and c["args"][0] == element]


def submitted(frame: Any, question: dict[str, Any]) -> bool:
    """Whether a question shows as answered (on any screen, shown or not)."""
    return bool(frame.evaluate("id => !document.querySelector('#' + id + ' .question-result').hidden", question["el"]))


def lms_keeps(data: dict[str, Any], version: str) -> dict[str, Any]:
    """What the LMS hands back at the next launch (bookmark, state, status)."""
    if version == "12":
        return {"state": data.get("cmi.suspend_data", ""), "location": data.get("cmi.core.lesson_location", ""),
                "status": data["cmi.core.lesson_status"]}
    return {"state": data.get("cmi.suspend_data", ""), "location": data.get("cmi.location", ""),
            "status": data["cmi.completion_status"], "progress": data.get("cmi.progress_measure", "")}


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("version", ["12", "2004"])
def test_refused_commit_is_noticed_kept_and_resumed(page: Any, site: LmsSite, packages: Any, version: str,
                                                    audience: str) -> None:
    """Every Commit refused: retried later, the learner told, the state kept on the device; the next launch,
    with an LMS that kept nothing, resumes from the device's copy (and sends it to the LMS)."""
    package = packages["phishing", version, audience]
    frame = launch(page, site, package, version, faults={"refuseCommit": -1})
    learner = Learner(frame, keyboard=False)
    learner.walk(right=True, stop_after_half_final=True)
    notice = frame.locator("#save-notice")
    notice.wait_for(state="visible")
    assert "could not be saved" in notice.inner_text() and "kept on this device" in notice.inner_text()
    frame.wait_for_timeout(2500)  # the first retry (after 2 s)
    log = calls(page)
    commit = "LMSCommit" if version == "12" else "Commit"
    commits = [c for c in log if c["method"] == commit]
    assert len(commits) >= 2 and all(c["result"] == "false" for c in commits)
    last_state = sent(log, "cmi.suspend_data")[-1]
    screen = learner.current()
    first_ids = list(learner.expected_ids)
    backup = json.loads(frame.evaluate(
        "key => localStorage.getItem(key)", f"coursekit-backup:phishing-basics:{audience}:learner1"))
    assert {key: backup[key] for key in ("state", "location", "confirmed")} == {
        "state": last_state, "location": screen, "confirmed": False}
    assert [record["e"][0] for record in backup["recent"]] == [["id", i] for i in learner.expected_ids]
    unload_sco(page)

    # The LMS lost everything it was sent: a first launch as far as it knows.
    frame = launch(page, site, package, version)
    learner = Learner(frame, keyboard=False)
    assert learner.current() == screen
    final = next(quiz for quiz in learner.data["quizzes"] if quiz["final"])
    half = len(final["questions"]) // 2
    for index, question in enumerate(final["questions"]):
        assert frame.locator(f"#{question['el']} .question-result").is_visible() == (index < half)
    frame.wait_for_timeout(300)
    log = calls(page)
    assert sent(log, "cmi.suspend_data")[0] == last_state, "the device's copy goes back to the LMS"
    ids = [c["args"] for c in log if c["method"] in SETTERS and re.fullmatch(r"cmi\.interactions\.\d+\.id", c["args"][0])]
    assert ids == [[f"cmi.interactions.{n}.id", i] for n, i in enumerate(first_ids)], "and so do its answers"
    assert frame.locator("#save-notice").is_hidden()


@pytest.mark.parametrize("version", ["12", "2004"])
def test_an_lms_reset_is_not_undone_by_the_device_copy(page: Any, site: LmsSite, packages: Any, version: str) -> None:
    """Every save accepted, then the LMS starts the learner afresh (an administrator reset the attempt): the
    next launch starts at the first screen with nothing answered; this device's copy of the old attempt stays
    unused (it is trusted only to extend the attempt the LMS holds)."""
    package = packages["phishing", version]
    frame = launch(page, site, package, version)
    learner = Learner(frame, keyboard=False)
    learner.walk(right=True, stop_after_half_final=True)
    assert learner.current() != learner.data["screens"][0]
    unload_sco(page)
    frame = launch(page, site, package, version)
    learner = Learner(frame, keyboard=False)
    assert learner.current() == learner.data["screens"][0]
    answered = [q["id"] for quiz in learner.data["quizzes"] for q in quiz["questions"] if submitted(frame, q)]
    assert answered == []
    replayed = [c["args"][0] for c in calls(page) if c["method"] in SETTERS and c["args"][0].startswith("cmi.interactions.")]
    assert replayed == [], "no interaction of the old attempt is sent again"


@pytest.mark.parametrize("version", ["12", "2004"])
def test_one_commit_per_moment(page: Any, site: LmsSite, packages: Any, version: str) -> None:
    """Commits are coalesced: at least a second apart, and finishing the final sends at most one before Finish."""
    package = packages["phishing", version]
    frame = launch(page, site, package, version)
    learner = Learner(frame, keyboard=False)
    learner.walk(right=True)
    unload_sco(page)
    log = calls(page)
    assert check_calls(log, version, min_commit_gap_ms=900) == []
    commit, finish = ("LMSCommit", "LMSFinish") if version == "12" else ("Commit", "Terminate")
    last_answer = max(i for i, c in enumerate(log) if c["method"] in SETTERS and c["args"][0].startswith("cmi.interactions."))
    after = [c["method"] for c in log[last_answer:]]
    assert after.count(commit) <= 1 and after[-1] == finish, after
    values = len([c for c in log if c["method"] in SETTERS])
    assert len([c for c in log if c["method"] == commit]) * 3 < values, "commits are not coalesced"


@pytest.mark.parametrize("version", ["12", "2004"])
def test_no_count_from_the_lms_never_reuses_an_interaction_index(page: Any, site: LmsSite, packages: Any,
                                                                 version: str) -> None:
    """A host that keeps every key but reports no _count: the second session appends after the first."""
    package = packages["phishing", version]
    frame = launch(page, site, package, version, faults={"hideCount": True})
    learner = Learner(frame, keyboard=False)
    learner.walk(right=True, stop_after_half_final=True)
    unload_sco(page)
    first = {int(key.split(".")[2]) for key in page.evaluate("Object.keys(window.__kept)")}
    assert first == set(range(len(learner.expected_ids)))
    previous = lms_keeps(cmi(page), version)

    frame = launch(page, site, package, version, resume=previous, faults={"hideCount": True})
    learner = Learner(frame, keyboard=False)
    final = next(quiz for quiz in learner.data["quizzes"] if quiz["final"])
    for question in final["questions"][len(final["questions"]) // 2:]:
        learner.answer(question, right=True)
    unload_sco(page)
    second = {int(key.split(".")[2]) for key in page.evaluate("Object.keys(window.__kept)")}
    assert second == set(range(len(first), len(first) + len(learner.expected_ids))), (first, second)


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("version", ["12", "2004"])
def test_a_pass_is_final(page: Any, site: LmsSite, packages: Any, version: str, audience: str) -> None:
    """Pass with 5 of 6 (83%), then a practice retake with every answer wrong: the LMS keeps passed and 83."""
    package = packages["phishing", version, audience]
    frame = launch(page, site, package, version)
    learner = Learner(frame, keyboard=False)
    learner.walk(right=True, stop_after_half_final=True)
    final = next(quiz for quiz in learner.data["quizzes"] if quiz["final"])
    rest = final["questions"][len(final["questions"]) // 2:]
    last_scored = [question for question in rest if question["scored"]][-1]
    for question in rest:
        learner.answer(question, right=question is not last_scored)
    results = frame.locator("#results .results-body")
    assert learner.next_screen() == "results"
    assert "You passed" in results.inner_text()
    retry = frame.locator("#results [data-action=retry-final]")
    assert retry.inner_text() == "Practise the assessment again (your pass is kept)"
    learner.press(retry)
    assert learner.current() == "final"
    for question in final["questions"]:
        learner.answer(question, right=False)
    assert learner.next_screen() == "results"
    assert "that pass is kept" in results.inner_text()
    data = final_state(page)
    log = calls(page)
    assert check_calls(log, version) == []
    status = "cmi.core.lesson_status" if version == "12" else "cmi.success_status"
    raw = "cmi.core.score.raw" if version == "12" else "cmi.score.raw"
    assert [v for v in sent(log, status) if v in ("passed", "failed")] == ["passed"]
    assert sent(log, raw) == ["83"]
    assert data[status] == "passed" and float(data[raw]) == 83
    # The practice answers are still recorded as interactions (documented in docs/scorm.md).
    assert [r["id"] for r in interaction_records(log)] == learner.expected_ids


@pytest.mark.parametrize("version", ["12", "2004"])
def test_relaunch_after_a_pass_never_lowers_it(page: Any, site: LmsSite, packages: Any, version: str) -> None:
    """The LMS says passed with 100 from an earlier session: a worse try sends neither failed nor a lower score."""
    package = packages["phishing", version]
    resume = {"state": "", "location": "final", "status": "passed" if version == "12" else "completed",
              "score": "100", "success": "passed"}
    frame = launch(page, site, package, version, resume=resume)
    learner = Learner(frame, keyboard=False)
    final = next(quiz for quiz in learner.data["quizzes"] if quiz["final"])
    assert learner.current() == "final"
    for question in final["questions"]:
        learner.answer(question, right=False)
    data = final_state(page)
    log = calls(page)
    status = "cmi.core.lesson_status" if version == "12" else "cmi.success_status"
    assert "failed" not in sent(log, status)
    assert not sent(log, "cmi.core.score.raw" if version == "12" else "cmi.score.raw")
    assert data[status] == "passed"


def test_republished_course_keeps_what_still_matches(page: Any, site: LmsSite, packages: Any,
                                                     tmp_path: Path) -> None:
    """Version 2 of the course has one final question fewer: pages seen and the other answers are kept,
    the learner is told that an answer was reset; both SCORM versions."""
    for version in ("12", "2004"):
        package = packages["phishing", version]
        frame = launch(page, site, package, version)
        learner = Learner(frame, keyboard=False)
        learner.walk(right=True, stop_after_half_final=True)
        unload_sco(page)
        previous = lms_keeps(cmi(page), version)

        course = package["course"]
        final_id = course.assessment.quiz
        quiz = course.quizzes[final_id]
        dropped = quiz.questions[0].id
        republished = course.model_copy(update={
            "version": "9.9.9",
            "quizzes": {**course.quizzes, final_id: quiz.model_copy(update={"questions": quiz.questions[1:]})}})
        (archive,) = run_target(TARGETS[version](), republished, tmp_path / f"v2-{version}", [package["audience"]]).written
        folder = site.add_package(archive, f"republished-{version}")
        v2 = {**package, "launch": f"{folder.name}/index.html", "view": audience_view(republished, package["audience"])}
        frame = launch(page, site, v2, version, resume=previous)
        learner = Learner(frame, keyboard=False)
        assert learner.current() == previous["location"]
        notice = frame.locator("#save-notice")
        assert notice.is_visible() and "some of your answers were reset" in notice.inner_text()
        final = next(q for q in learner.data["quizzes"] if q["final"])
        kept_ids = [q.id for q in quiz.questions[1:len(quiz.questions) // 2]]
        for question in final["questions"]:
            assert question["id"] != dropped
            assert submitted(frame, question) == (question["id"] in kept_ids), question["id"]
        for check in (q for q in learner.data["quizzes"] if not q["final"]):
            for question in check["questions"]:
                assert submitted(frame, question), question["id"]
        frame.wait_for_timeout(1200)
        log = calls(page)
        state = sent(log, "cmi.suspend_data")[0]
        visited = state.split("|")[2]
        assert visited == previous["state"].split("|")[2], "pages seen are kept"
        if version == "2004":
            assert sent(log, "cmi.progress_measure")[0] == "1"
        unload_sco(page)


@pytest.mark.parametrize("version", ["12", "2004"])
def test_hostile_lms_and_double_click(page: Any, site: LmsSite, packages: Any, version: str) -> None:
    """A huge _count and garbage suspend_data do not freeze or break the module; a double click on a story
    choice sends one decision."""
    package = packages["phishing", version]
    garbage = {"state": "2|zz|\u0000|" + "." * 5000 + "|9|" + "-" * 10, "location": "nowhere", "status": "incomplete"}
    frame = launch(page, site, package, version, resume=garbage, faults={"count": "99999999999999"})
    learner = Learner(frame, keyboard=False)
    assert learner.current() == "start"
    story = learner.data["scenarios"][0]
    while learner.current() != story["screen"]:
        learner.next_screen()
    before = len(interaction_records(calls(page)))
    frame.locator(f"#{story['screen']} [data-choice='0']").dblclick()
    records = interaction_records(calls(page))[before:]
    assert records == [], "story choices are not sent (privacy by default)"
    steps = frame.locator(f"#{story['screen']} .chat-log .message.mine").count()
    assert steps == 1
    unload_sco(page)
    assert check_calls(calls(page), version) == []


@pytest.mark.parametrize("mode", ["review", "browse"])
@pytest.mark.parametrize("version", ["12", "2004"])
def test_review_mode_records_nothing(page: Any, site: LmsSite, packages: Any, version: str, mode: str) -> None:
    """cmi.mode / lesson_mode review or browse: the learner is told, and no status, answer or state is written."""
    package = packages["phishing", version]
    frame = launch(page, site, package, version, mode=mode)
    learner = Learner(frame, keyboard=False)
    assert "not recorded" in frame.locator("#save-notice").inner_text()
    learner.walk(right=True)
    unload_sco(page)
    log = calls(page)
    written = [c["args"][0] for c in log if c["method"] in SETTERS]
    assert set(written) <= {"cmi.core.session_time", "cmi.session_time"}, written


# --- privacy by default (issue 11, items 8-9) --------------------------------------------------------------


@pytest.mark.parametrize("version", ["12", "2004"])
def test_story_choices_are_not_sent_unless_the_course_opts_in(page: Any, site: LmsSite, packages: Any,
                                                              version: str) -> None:
    """The phishing fixture does not opt in: no s_ interaction is sent, and the start screen says so."""
    package = packages["phishing", version]
    frame = launch(page, site, package, version)
    line = frame.locator("#start .recorded").inner_text()
    assert "receives your progress, your answers to the knowledge checks and the final assessment" in line
    assert "Your choices in the stories are not sent" in line
    learner = Learner(frame, keyboard=False)
    learner.walk(right=True)
    unload_sco(page)
    ids = [r["id"] for r in interaction_records(calls(page))]
    assert ids and not [i for i in ids if i.startswith("s_")], ids
    assert ids == learner.expected_ids


@pytest.mark.parametrize("version", ["12", "2004"])
def test_clear_my_answers_on_a_shared_computer(page: Any, site: LmsSite, packages: Any, version: str) -> None:
    """End screen: clear my answers → confirmation → this device's backup is gone, the screens are blank,
    and nothing more goes to the LMS (its record stays passed)."""
    package = packages["phishing", version, "staff"]
    frame = launch(page, site, package, version)
    learner = Learner(frame, keyboard=False)
    learner.walk(right=True)
    key = "coursekit-backup:phishing-basics:staff:learner1"
    assert frame.evaluate("key => localStorage.getItem(key)", key) is not None
    learner.press(frame.locator("#end [data-action=ask-clear]"))
    learner.press(frame.locator("#end [data-action=clear-device]"))
    assert learner.current() == "start"
    assert frame.evaluate("key => localStorage.getItem(key)", key) is None
    final = next(quiz for quiz in learner.data["quizzes"] if quiz["final"])
    assert not any(submitted(frame, question) for question in final["questions"])
    before = len(calls(page))
    learner.next_screen()
    data = final_state(page)
    after = calls(page)[before:]
    assert [c["args"][0] for c in after if c["method"] in SETTERS] == [
        "cmi.core.session_time" if version == "12" else "cmi.session_time"]
    assert data["cmi.core.lesson_status" if version == "12" else "cmi.success_status"] == "passed"


# --- decisions, read from what the module SENT (the runtime's call log), never from the runtime's own status ---


class HalfRight(Learner):
    """Answers every question right, except the final assessment's questions from `wrong_from` on."""

    wrong_from = 3

    def answer(self, question: dict[str, Any], right: bool) -> None:
        final = next(quiz for quiz in self.data["quizzes"] if quiz["final"])
        ids = [q["iid"] for q in final["questions"]]
        if question["iid"] in ids:
            right = ids.index(question["iid"]) < self.wrong_from
        super().answer(question, right)


@pytest.fixture(scope="module")
def boundary_packages(site: LmsSite, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The phishing fixture with its pass mark at 50 (3 of its 6 final questions): both SCORM versions."""
    from conftest import patched_course

    root = patched_course(tmp_path_factory.mktemp("boundary"), {"quizzes/final.yaml": [
        ("pass_mark: 60", "pass_mark: 50"), ("You need 60% to pass.", "You need 50% to pass.")]})
    course = validate_course(root).course
    assert course is not None and course.pass_mark == 50
    packages = {}
    for version, target in TARGETS.items():
        (archive,) = run_target(target(), course, tmp_path_factory.mktemp(f"boundary-{version}"), ["students"]).written
        folder = site.add_package(archive, f"boundary-{version}")
        packages[version] = {"course": course, "audience": "students", "launch": f"{folder.name}/index.html",
                             "view": audience_view(course, "students")}
    return packages


@pytest.mark.parametrize("version", ["12", "2004"])
def test_a_score_exactly_at_the_pass_mark_is_sent_as_passed(page: Any, site: LmsSite, boundary_packages: Any,
                                                            version: str) -> None:
    """3 of 6 right with a pass mark of 50: the module itself sends "passed" and the score 50."""
    package = boundary_packages[version]
    learner = HalfRight(launch(page, site, package, version), keyboard=False)
    learner.walk(right=True)
    unload_sco(page)
    assert check_calls(calls(page), version) == []
    if version == "12":
        assert sent(calls(page), "cmi.core.score.raw")[-1] == "50"
        assert sent(calls(page), "cmi.core.lesson_status")[-1] == "passed"
        assert "failed" not in sent(calls(page), "cmi.core.lesson_status")
    else:
        assert sent(calls(page), "cmi.score.scaled")[-1] == "0.5"
        assert sent(calls(page), "cmi.success_status")[-1] == "passed"
        assert "failed" not in sent(calls(page), "cmi.success_status")


@pytest.mark.parametrize("version", ["12", "2004"])
def test_a_score_below_the_pass_mark_is_sent_as_failed(page: Any, site: LmsSite, boundary_packages: Any,
                                                       version: str) -> None:
    """2 of 6 right (33%) with a pass mark of 50: the module sends "failed", never "passed"."""
    package = boundary_packages[version]
    learner = HalfRight(launch(page, site, package, version), keyboard=False)
    learner.wrong_from = 2
    learner.walk(right=True)
    unload_sco(page)
    assert check_calls(calls(page), version) == []
    status = "cmi.core.lesson_status" if version == "12" else "cmi.success_status"
    assert sent(calls(page), status)[-1] == "failed"
    assert "passed" not in sent(calls(page), status)
    if version == "12":
        assert float(sent(calls(page), "cmi.core.score.raw")[-1]) == pytest.approx(33.3, abs=0.4)


# --- the player on a phone (issue 11, items 10-18) -----------------------------------------------------------


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("version", ["12", "2004"])
def test_phone_help_always_on_screen_back_and_contents(browser: Any, site: LmsSite, packages: Any, version: str,
                                                       audience: str) -> None:
    """At 320 × 640: on every screen, scrolled to the bottom, Get help is in view; the help dialog starts with
    the 999 line when the audience has an emergency contact; Back returns to the previous screen; the contents
    menu shows each module's status."""
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    package = packages["phishing", version, audience]
    frame = launch(page, site, package, version)
    learner = Learner(frame, keyboard=False)
    hidden_help = []
    visited = []
    screen = learner.current()
    while True:
        visited.append(screen)
        frame.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        box = frame.locator(".help-open").bounding_box()
        if box is None or box["y"] < 0 or box["y"] + box["height"] > 640:
            hidden_help.append(screen)
        if screen == learner.data["screens"][-1]:
            break
        screen = learner.next_screen()
    assert hidden_help == []
    # Back, as the browser or Android Back button does: the previous screen, three times.
    for expected in reversed(visited[-4:-1]):
        page.evaluate("history.back()")  # the top window's Back: the LMS page's joint session history
        frame.wait_for_function("id => !document.getElementById(id).hidden", arg=expected)
        assert learner.current() == expected
    page.evaluate("history.forward()")
    frame.wait_for_function("id => !document.getElementById(id).hidden", arg=visited[-3])
    # Contents: every module done (all was walked, nothing answered), the final to do.
    learner.press(frame.locator(".menu-open"))
    statuses = frame.locator("#menu .menu-list .status").all_inner_texts()
    # Every page was seen, but no story was played and no check answered: a module is done only if it has
    # neither; the final assessment is to do.
    screens = learner.data["screens"]
    expected = ["To do" if {f"m{k}-story", f"m{k}-check"} & set(screens) else "Done"
                for k in range(1, len(learner.data["modules"]) + 1)]
    assert statuses == expected + ["To do"] and "To do" in expected
    frame.locator("#menu .menu-list a").first.click()
    assert learner.current() == learner.data["modules"][0]["pages"][0]
    learner.press(frame.locator(".help-open"))
    first = frame.locator("#help .dialog-head + *")
    if any(c.emergency and c.phone for _, c in package["view"].help):
        assert first.inner_text().startswith("In danger now, or feel you might hurt yourself? Call ")
    frame.evaluate("document.querySelector('#help').scrollTo(0, 99999)")
    close = frame.locator("#help .help-close").bounding_box()
    assert close is not None and 0 <= close["y"] and close["y"] + close["height"] <= 640
    context.close()
    assert errors == []


@pytest.mark.parametrize("version", ["12", "2004"])
def test_final_progress_missed_questions_and_empty_submit(page: Any, site: LmsSite, packages: Any,
                                                         version: str) -> None:
    """The final shows "n of m answered"; Submit with nothing chosen says so next to the button; the results
    list the missed questions with links to the pages that teach them; the end says "Not finished yet"
    while something counted for completion is left."""
    package = packages["phishing", version]
    frame = launch(page, site, package, version)
    learner = Learner(frame, keyboard=False)
    while learner.current() != "final":
        learner.next_screen()
    final = next(quiz for quiz in learner.data["quizzes"] if quiz["final"])
    total = len(final["questions"])
    assert frame.locator("#final .quiz-progress").inner_text() == f"0 of {total} answered"
    first = final["questions"][0]
    learner.press(frame.locator(f"#{first['el']} button[type=submit]"))
    message = frame.locator(f"#{first['el']} .submit-message")
    assert message.is_visible() and message.inner_text().startswith("Choose an answer")
    learner.answer(first, right=False)
    assert not message.is_visible()
    assert frame.locator("#final .quiz-progress").inner_text() == f"1 of {total} answered"
    for question in final["questions"][1:]:
        learner.answer(question, right=True)
    learner.next_screen()
    missed = frame.locator("#results .wrong-list li")
    # Numbered as the learner saw it (the fixture's final shuffles its questions).
    shown = frame.locator("#final .question").evaluate_all("els => els.map(e => e.id)")
    assert missed.count() == 1 and missed.inner_text().startswith(f"Question {shown.index(first['el']) + 1}: ")
    links = missed.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert links == ["#" + page_id for page_id in first["revisit"]] and links
    learner.press(missed.locator("a").first)
    assert learner.current() == first["revisit"][0]
    frame.evaluate("location.hash = '#end'")
    frame.wait_for_function("() => !document.getElementById('end').hidden")
    assert frame.locator("#end h1").inner_text() == "Not finished yet"
    unload_sco(page)
    data = cmi(page)
    # Stories and checks count for completion: skipping them leaves the course incomplete.
    assert data["cmi.core.lesson_status" if version == "12" else "cmi.completion_status"] != "completed"


def touch(cdp: Any, kind: str, x: float = 0, y: float = 0) -> None:
    """One touch event as a phone's screen sends it (Chromium's DevTools protocol, in page coordinates)."""
    points = [] if kind == "touchEnd" else [{"x": x, "y": y, "id": 1, "radiusX": 4, "radiusY": 4, "force": 1}]
    cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})


def test_ordering_by_touch_drags_under_the_finger_and_sends_that_order(browser: Any, site: LmsSite,
                                                                       packages: Any) -> None:
    """On a touch screen (360 px, the final paged): the first item of an ordering question, dragged by a finger
    below the last, stays under the finger all the way, lands last, and the LMS receives that order."""
    context = browser.new_context(viewport={"width": 360, "height": 800}, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    package = packages["phishing", "2004"]
    frame = launch(page, site, package, "2004")
    frame.evaluate("location.hash = '#final'")
    frame.wait_for_function("() => !document.getElementById('final').hidden")
    final = next(quiz for quiz in course_data(frame)["quizzes"] if quiz["final"])
    question = next(q for q in final["questions"] if q["type"] == "order")
    root = frame.locator(f"#{question['el']}")
    for _ in range(len(final["questions"])):
        if root.is_visible():
            break
        frame.locator(".question-pager [data-page=next]").click()
    assert root.is_visible()
    root.scroll_into_view_if_needed()
    letters = root.locator(".order-item").evaluate_all("items => items.map(i => i.dataset.value)")
    expected = letters[1:] + letters[:1]
    first = root.locator(f".order-item[data-value='{letters[0]}']")
    grab = root.locator(f".order-item[data-value='{letters[0]}'] .order-text").bounding_box()
    last = root.locator(f".order-item[data-value='{letters[-1]}']").bounding_box()
    assert grab is not None and last is not None
    x, y = grab["x"] + 10, grab["y"] + grab["height"] / 2
    offset = y - first.bounding_box()["y"]
    cdp = context.new_cdp_session(page)
    touch(cdp, "touchStart", x, y)
    end = last["y"] + last["height"] + 4
    steps = 12
    for step in range(1, steps + 1):
        finger = y + (end - y) * step / steps
        touch(cdp, "touchMove", x, finger)
        # Chromium delivers moves with the next frame: measure after it.
        frame.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        box = first.bounding_box()
        assert box is not None
        assert abs(box["y"] + offset - finger) <= 1.5, f"step {step}: the item is not under the finger"
    touch(cdp, "touchEnd")
    assert root.locator(".order-item").evaluate_all("items => items.map(i => i.dataset.value)") == expected
    assert first.evaluate("item => item.style.transform") == ""
    root.locator("button[type=submit]").click()
    root.locator(".question-result:not([hidden])").wait_for()
    unload_sco(page)
    assert check_calls(calls(page), "2004") == []
    (record,) = [r for r in interaction_records(calls(page)) if r["id"] == question["iid"]]
    assert record["type"] == "sequencing"
    assert record["learner_response"] == "[,]".join(expected)
    assert record["result"] == ("correct" if expected == sorted(letters) else "incorrect")
    context.close()
    assert errors == []
