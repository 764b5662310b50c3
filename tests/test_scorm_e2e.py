"""The real SCORM packages, played end to end inside the test LMS (scorm-again in the top frame, SCO in an iframe).

Flows, for SCORM 1.2 and 2004, for the phishing fixture and (when it validates) the real course:
- every screen with right answers, by mouse clicks → completed + passed + score 100, exit normal;
- every screen with wrong answers, by keyboard only (Space/Enter/arrows) → failed;
- half the final assessment, close, relaunch in a NEW runtime with the LMS's resume data → same screen,
  answers kept, the rest answered → passed.
Every question and scenario choice must be an interaction, and every value the module set must follow
the spec (tests/lms/scorm_rules.py). No request may leave the LMS; no console errors.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any, Iterator

import pytest

from conftest import FIXTURES, REPO, require_tool, course_named
from coursekit.model import Course
from coursekit.targets.scorm import Scorm12Target, Scorm2004Target
from coursekit.validate import validate_course
from coursekit.view import audience_view
from lms.harness import LmsSite, calls, cmi, launch_chromium, lms_init, sco_frame, unload_sco
from lms.scorm_rules import check_calls, interaction_records

pytestmark = pytest.mark.browser

TARGETS = {"12": Scorm12Target, "2004": Scorm2004Target}
MAX_SCENARIO_STEPS = 30


def load_course(name: str) -> Course:
    """The phishing fixture or the real course, validated (an invalid one fails the test)."""
    return course_named(name)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium."""
    require_tool("chromium", "end-to-end SCORM tests in a real browser")
    if not (REPO / "node_modules" / "scorm-again").is_dir():
        pytest.fail("node_modules/scorm-again is missing: run `make test` (npm ci)")
    yield from launch_chromium()


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
        def __missing__(self, key: tuple[str, str]) -> dict[str, Any]:
            course_name, version = key
            course = load_course(course_name)
            out = tmp_path_factory.mktemp(f"e2e-{course_name}-{version}")
            audience = next(iter(course.audiences))
            (archive,) = TARGETS[version]().build(course, out, [audience])
            folder = site.add_package(archive, f"{course_name}-{version}")
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
           resume: dict[str, Any] | None = None) -> Any:
    """Open the LMS with the package; the LMS loads the manifest's pass mark (and completion threshold)."""
    init = lms_init(version, mastery=package["view"].pass_mark, completion_threshold="1" if version == "2004" else None,
                    resume=resume)
    page.goto(site.url(version, package["launch"], init))
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
    questions = {q["iid"] for quiz in learner.data["quizzes"] for q in quiz["questions"]}
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


@pytest.mark.parametrize("course_name", COURSES)
@pytest.mark.parametrize("version", ["12", "2004"])
def test_wrong_answers_by_keyboard_fail(page: Any, site: LmsSite, packages: Any, course_name: str, version: str) -> None:
    """All wrong, keyboard only: failed, score 0, every answer recorded as wrong/incorrect."""
    package = packages[course_name, version]
    frame = launch(page, site, package, version)
    learner = Learner(frame, keyboard=True)
    learner.walk(right=False)
    data = final_state(page)
    records = check_session(page, version, learner, package)
    questions = {q["iid"] for quiz in learner.data["quizzes"] for q in quiz["questions"]}
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


@pytest.mark.parametrize("course_name", COURSES)
@pytest.mark.parametrize("version", ["12", "2004"])
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
