"""`coursekit check PACKAGE.zip`: run a SCORM package as an LMS would, before uploading it.

Headless Chromium with the scorm-again runtime: the manifest against the ADL schemas, launch, Initialize,
the whole course with the right answers (read from the package's own course data), Commit and Finish, a
relaunch that resumes, axe on every screen, and no request leaving the package. Needs the `check` extra
(Playwright, axe, xmlschema), Debian's Chromium and scorm-again from npm.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coursekit.check.harness import (
    BROWSER_ARGS,
    LmsSite,
    calls,
    cmi,
    find_scorm_again,
    lms_init,
    sco_frame,
    unload_sco,
)
from coursekit.check.manifest import LABEL, Package, read_package
from coursekit.check.rules import check_calls
from coursekit.errors import UserError

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MAX_SCENARIO_STEPS = 40
MAX_SCREENS = 500
LEARNER = ("check", "Check, Course")


@dataclass
class Finding:
    """One line of the report: a step, whether it passed, and what was seen."""

    step: str
    ok: bool
    detail: str


@dataclass
class Report:
    """Everything `check` found about one package."""

    package: Path
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every step passed."""
        return bool(self.findings) and all(finding.ok for finding in self.findings)

    def add(self, step: str, problems: list[str], detail: str) -> bool:
        """Record a step: passed with `detail`, or failed with its problems."""
        self.findings.append(Finding(step, not problems, detail if not problems else "; ".join(problems[:8])
                                     + (f" (and {len(problems) - 8} more)" if len(problems) > 8 else "")))
        return not problems

    def text(self) -> str:
        """The short report printed by the command."""
        lines = [f"{'ok  ' if f.ok else 'FAIL'}  {f.step:<13} {f.detail}" for f in self.findings]
        verdict = "ready to upload" if self.ok else "NOT ready to upload: fix the FAIL lines"
        return "\n".join([f"coursekit check {self.package.name}", *lines, verdict])


def find_chromium() -> str:
    """A Chromium to drive: $COURSEKIT_CHROMIUM, else chromium on the PATH (never a downloaded one)."""
    for candidate in (os.environ.get("COURSEKIT_CHROMIUM"), shutil.which("chromium"),
                      shutil.which("chromium-browser"), shutil.which("google-chrome")):
        if candidate and Path(candidate).is_file():
            return candidate
    raise UserError("Chromium is not installed, and `coursekit check` runs the package in it: install it "
                    "(Debian/Ubuntu: `apt-get install chromium`) or set COURSEKIT_CHROMIUM to its path")


@contextmanager
def _site(archive: Path, runtime: Path) -> Iterator[LmsSite]:
    """The test harness's LMS (the page, the runtime and the unzipped package as pkg/) on 127.0.0.1."""
    with tempfile.TemporaryDirectory(prefix="coursekit-check-") as tmp:
        site = LmsSite(Path(tmp), runtime)
        site.add_package(archive, "pkg")
        try:
            yield site
        finally:
            site.close()


class _Learner:
    """Goes through the module by mouse with the right answers from its course data (#course-data)."""

    def __init__(self, frame: Any, data: dict[str, Any], on_screen: Callable[[str], None]) -> None:
        self.frame = frame
        self.data = data
        self.on_screen = on_screen
        self.quizzes = {quiz["screen"]: quiz for quiz in data.get("quizzes", [])}
        self.scenarios = {scenario["screen"]: scenario for scenario in data.get("scenarios", [])}

    def current(self) -> str:
        return str(self.frame.evaluate("ids => ids.find(id => !document.getElementById(id).hidden) || ''",
                                       self.data["screens"]))

    def next_screen(self) -> str:
        screen = self.current()
        self.frame.locator(f"#{screen} a[data-nav=next]").click()
        self.frame.wait_for_function("id => document.getElementById(id).hidden", arg=screen)
        return self.current()

    def answer(self, question: dict[str, Any]) -> None:
        root = self.frame.locator(f"#{question['el']}")
        correct: list[str] = question["correct"]
        kind = question["type"]
        if kind in ("single", "multiple", "true_false"):
            for value in correct:
                root.locator(f"input[value='{value}']").check()
        elif kind == "order":
            for position, letter in enumerate(correct):
                current = root.locator(".order-item").evaluate_all("items => items.map(i => i.dataset.value)")
                for _ in range(current.index(letter) - position):
                    root.locator(f".order-item[data-value='{letter}'] [data-move=up]").click()
        elif kind == "match":
            selects = root.locator("select")
            for index in range(len(correct)):
                selects.nth(index).select_option(str(index + 1))
        elif kind == "scale":  # a rating with no right answer: any point will do
            root.locator("input[value='3']").check()
        else:
            raise RuntimeError(f"question {question.get('id')}: type {kind!r} is not one this check can answer")
        root.locator("button[type=submit]").click()
        root.locator(".question-result:not([hidden])").wait_for()

    def play(self, scenario: dict[str, Any]) -> None:
        node = scenario["start"]
        screen = self.frame.locator(f"#{scenario['screen']}")
        rank = {"best": 0, "ok": 1, None: 2, "poor": 3}
        for _ in range(MAX_SCENARIO_STEPS):
            choices = scenario["nodes"][node].get("choices")
            if not choices:
                return
            pick = min(range(len(choices)),
                       key=lambda i: (choices[i]["next"] == node, rank.get(choices[i].get("quality"), 2)))
            screen.locator(f"[data-choice='{pick}']").click()
            node = choices[pick]["next"]
        raise RuntimeError(f"scenario {scenario.get('id')}: no ending after {MAX_SCENARIO_STEPS} choices")

    def walk(self, stop_in_final: bool) -> tuple[int, int]:
        """Every screen in order, doing what each asks; stop halfway through the final quiz if asked.
        Returns (screens seen, questions answered)."""
        seen, answered = 0, 0
        screen = self.current()
        while seen < MAX_SCREENS:
            seen += 1
            self.on_screen(screen)
            if screen in self.scenarios:
                self.play(self.scenarios[screen])
            if screen in self.quizzes:
                quiz = self.quizzes[screen]
                questions = quiz["questions"]
                if stop_in_final and quiz.get("final"):
                    for question in questions[: len(questions) // 2]:
                        self.answer(question)
                    return seen, answered + len(questions) // 2
                for question in questions:
                    if not self.frame.locator(f"#{question['el']} .question-result").is_visible():
                        self.answer(question)
                        answered += 1
            if screen == self.data["screens"][-1]:
                return seen, answered
            screen = self.next_screen()
        raise RuntimeError("the module never reached its last screen")


def _session_problems(calls: list[dict[str, Any]], version: str) -> list[str]:
    """What an LMS would refuse in one session's call log: the tests' SCORM rules (coursekit.check.rules)."""
    commit = "LMSCommit" if version == "12" else "Commit"
    problems = check_calls(calls, version)
    if not any(c["method"] == commit for c in calls):
        problems.append(f"the module never called {commit}")
    return problems


def _cmi(page: Any) -> dict[str, str]:
    return {key: str(value) for key, value in cmi(page).items()}


def check_package(archive: Path, *, accessibility: bool = True) -> Report:
    """Run every check on the package at `archive` and return the report."""
    report = Report(archive)
    if not archive.is_file():
        raise UserError(f"no file at {archive}: give the path of a SCORM zip (e.g. outputs/scorm12/<course>.zip)")
    package = read_package(archive)
    if not package.version:
        report.add("manifest", package.problems, "")
        return report
    report.add("manifest", package.problems, f"{LABEL[package.version]}; valid against the ADL schemas; launches "
               f"{package.launch}" + (f"; mastery score {package.mastery:g}" if package.mastery is not None else ""))
    if not package.launch or package.launch not in package.names:
        return report
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise UserError("`coursekit check` needs Playwright: pip install 'coursekit[check]'") from exc
    chromium, runtime = find_chromium(), find_scorm_again()
    with _site(archive, runtime) as site, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=BROWSER_ARGS)
        try:
            _run(report, package, site, browser, accessibility)
        except (PlaywrightError, RuntimeError, KeyError) as exc:
            report.add("run", [f"stopped: {str(exc).splitlines()[0]}"], "")
        finally:
            browser.close()
    return report


def _run(report: Report, package: Package, site: LmsSite, browser: Any, accessibility: bool) -> None:
    """The two sessions: launch, go through, suspend in the final quiz; relaunch, resume, finish and pass."""
    version = package.version
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    foreign: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: foreign.append(request.url)
            if not request.url.startswith((site.origin, "about:", "data:", "blob:")) else None)
    page.on("console", lambda message: errors.append(f"console.{message.type}: {message.text}")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    violations: list[str] = []
    screens_checked: list[str] = []
    axe_script = ""
    if accessibility:
        from axe_playwright_python.sync_playwright import Axe

        axe_script = Axe().axe_script

    def launch(resume: dict[str, str] | None) -> Any:
        init = lms_init(version, mastery=package.mastery, completion_threshold=None if version == "12" else "1",
                        resume=resume, learner=LEARNER)
        page.goto(site.url(version, f"pkg/{package.launch}", init))
        frame = sco_frame(page)
        frame.wait_for_load_state()
        return frame

    def unload() -> list[dict[str, Any]]:
        unload_sco(page)
        return calls(page)

    # Session 1: launch and Initialize, then the course up to half of the final quiz, then close.
    frame = launch(None)
    init = "LMSInitialize" if version == "12" else "Initialize"
    started = any(c["method"] == init and c["result"] == "true" for c in calls(page))
    if not report.add("launch", [] if started else [f"the module did not call {init} when it loaded"],
                      f"{package.launch} loaded; {init} returned true"):
        return
    raw = frame.evaluate("(() => { const el = document.getElementById('course-data'); "
                         "return el ? el.textContent : ''; })()")
    if not raw:
        report.add("run", [("no course data (#course-data) in the launch page: this check can only walk "
                            "through modules built by coursekit")], "")
        return

    def on_screen(screen: str) -> None:
        if not axe_script:
            return
        if not frame.evaluate("typeof window.axe === 'object'"):
            frame.evaluate(axe_script)
        within = f"#{screen}" if screens_checked else ""
        result = frame.evaluate("([within, tags]) => axe.run(within ? {include: [[within]]} : document, "
                                "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
                                [within, AXE_TAGS])
        for violation in result["violations"]:
            violations.append(f"{screen}: {violation['id']} ({len(violation['nodes'])}×): {violation['help']}")
        screens_checked.append(screen)

    data = json.loads(raw)
    learner = _Learner(frame, data, on_screen)
    seen, answered = learner.walk(stop_in_final=True)
    left_at = learner.current()
    first = unload()
    state = _cmi(page)
    v12 = version == "12"
    status_key, location_key = ("cmi.core.lesson_status", "cmi.core.lesson_location") if v12 else (
        "cmi.completion_status", "cmi.location")
    exit_value = state.get("cmi.core.exit" if v12 else "cmi.exit", "")
    problems = _session_problems(first, version)
    if exit_value != "suspend":
        problems.append(f"closing mid-course set exit {exit_value!r}, expected 'suspend'")
    if state.get(location_key) != left_at:
        problems.append(f"the bookmark ({location_key}) is {state.get(location_key)!r}, expected {left_at!r}")
    report.add("first session", problems, f"{seen} screens, {answered} questions; Commit, then {'LMSFinish' if v12 else 'Terminate'} "
               f"with exit suspend at {left_at}")

    # Session 2: a new runtime loaded with what the LMS kept; the module must resume where the learner left.
    resume = {"state": state.get("cmi.suspend_data", ""), "location": state.get(location_key, ""),
              "status": state.get(status_key, "incomplete")}
    if not v12:
        resume.update({"success": state.get("cmi.success_status", ""), "progress": state.get("cmi.progress_measure", "")})
    page.evaluate("window.__calls.length = 0")
    frame = launch(resume)
    learner = _Learner(frame, data, lambda screen: None)
    problems = []
    if learner.current() != left_at:
        problems.append(f"relaunched on {learner.current()!r}, not where the learner left ({left_at!r})")
    seen, answered = learner.walk(stop_in_final=False)
    second = unload()
    final = _cmi(page)
    problems += _session_problems(second, version)
    entry = "cmi.core.entry" if v12 else "cmi.entry"
    if not any(c["method"] in ("LMSGetValue", "GetValue") and c["args"] == [entry] for c in second):
        problems.append(f"the module never read {entry} (it cannot tell a resume from a new attempt)")
    score = final.get("cmi.core.score.raw" if v12 else "cmi.score.raw", "")
    outcome = final.get("cmi.core.lesson_status", "") if v12 else (
        f"{final.get('cmi.completion_status', '')}/{final.get('cmi.success_status', '')}")
    expected = "passed" if v12 else "completed/passed"
    if package.mastery is not None and outcome != expected:
        problems.append(f"all answers right, but the LMS got {outcome!r}, expected {expected!r}")
    if package.mastery is not None and (not score or float(score) != 100):
        problems.append(f"all answers right, but the LMS got score {score!r}, expected 100")
    report.add("resume", problems, f"relaunched at {left_at}, {answered} more questions, {outcome}, score {score}")
    if accessibility:
        report.add("accessibility", violations, f"axe ({', '.join(AXE_TAGS)}): no violations on "
                   f"{len(screens_checked)} screens")
    report.add("network", [f"request to {url}" for url in sorted(set(foreign))] + errors,
               "no request left the package; no script errors")
    context.close()
