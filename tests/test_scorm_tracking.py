"""tracking.js (window.CourseTracker) against the real scorm-again runtime, SCORM 1.2 and 2004.

A throwaway page that loads only tracking.js is mounted in the test LMS (coursekit/check/harness.py) and driven through
CourseTracker directly; every value it sets is checked against the spec rules in coursekit/check/rules.py.
The full player is exercised in test_scorm_e2e.py.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import REPO, require_tool

from coursekit.check.harness import LmsSite, calls, cmi, lms_init, sco_frame, unload_sco
from coursekit.check.rules import check_calls, interaction_records

pytestmark = pytest.mark.browser

TRACKING_JS = REPO / "coursekit" / "player" / "tracking.js"
UNIT_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>tracking unit page</title>
<script src="tracking.js"></script>
<script>/* the player's side of the contract: terminate on pagehide */
addEventListener("pagehide", function () {{ CourseTracker.terminate(); }});</script>
</head><body><p>unit</p>{extra}</body></html>
"""
META = {"courseId": "unit-course", "audience": "learners", "version": "1.0.0", "passMark": 60,
        "objectiveIds": ["recognise", "respond-well"]}

# One interaction of each type the player sends, with the value each version must receive.
RECORDS = [
    ({"id": "q_final_single", "type": "choice", "response": ["b"], "correct": ["b"], "result": "correct",
      "latencyMs": 4200, "description": "Which one is right?", "objectiveId": "recognise"},
     {"12": ("b", "b", "correct"), "2004": ("b", "b", "correct")}),
    ({"id": "q_final_multi", "type": "choice", "response": ["a", "c"], "correct": ["a", "b", "c"],
      "result": "incorrect", "latencyMs": 61_005, "description": "{Pick} all\nthat apply " + "x" * 300},
     {"12": ("a,c", "a,b,c", "wrong"), "2004": ("a[,]c", "a[,]b[,]c", "incorrect")}),
    ({"id": "q_final_tf", "type": "true-false", "response": ["false"], "correct": ["true"], "result": "incorrect",
      "latencyMs": 999, "description": "True or false?"},
     {"12": ("f", "t", "wrong"), "2004": ("false", "true", "incorrect")}),
    ({"id": "q_final_order", "type": "sequencing", "response": ["b", "a", "c"], "correct": ["a", "b", "c"],
      "result": "incorrect", "latencyMs": 3_725_010, "description": "Put in order"},
     {"12": ("b,a,c", "a,b,c", "wrong"), "2004": ("b[,]a[,]c", "a[,]b[,]c", "incorrect")}),
    ({"id": "q_final_match", "type": "matching", "response": ["a.1", "b.12"], "correct": ["a.1", "b.12"],
      "result": "correct", "latencyMs": 1500, "description": "Match them"},
     {"12": ("a.1,b.c", "a.1,b.c", "correct"), "2004": ("a[.]1[,]b[.]12", "a[.]1[,]b[.]12", "correct")}),
    ({"id": "s_story_two_best", "type": "choice", "response": ["c"], "correct": [["a"], ["c"]], "result": "correct",
      "latencyMs": 10, "description": "Two right answers"},
     {"12": ("c", "a", "correct"), "2004": ("c", "a", "correct")}),
    ({"id": "s_odd-email_inbox", "type": "choice", "response": ["c"], "correct": [], "result": "neutral",
      "latencyMs": 10, "description": "What should Jo do?"},
     {"12": ("c", None, "neutral"), "2004": ("c", None, "neutral")}),
]


@pytest.fixture(scope="module")
def browser(shared_browser: Any) -> Iterator[Any]:
    """Headless Debian Chromium."""
    require_tool("chromium", "real-browser tests of the SCORM adapter")
    if not (REPO / "node_modules" / "scorm-again").is_dir():
        pytest.fail("node_modules/scorm-again is missing: run `make test` (npm ci)")
    yield shared_browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LmsSite]:
    """The test LMS with the unit page (tracking.js alone) and a nested-frame page."""
    lms = LmsSite(tmp_path_factory.mktemp("lms-unit"))
    unit = lms.root / "unit"
    unit.mkdir()
    shutil.copyfile(TRACKING_JS, unit / "tracking.js")
    (unit / "index.html").write_text(UNIT_PAGE.format(extra=""), "utf-8")
    # Two levels of frames between the SCO and the LMS window.
    (unit / "outer.html").write_text(UNIT_PAGE.format(extra='<iframe id="inner" src="index.html"></iframe>'), "utf-8")
    yield lms
    lms.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context and page (own localStorage), failing on any request off 127.0.0.1."""
    context = browser.new_context()
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    foreign = [url for url in requests if not url.startswith(("http://127.0.0.1:", "about:", "data:"))]
    assert not foreign, f"requests left the LMS: {foreign}"
    assert not errors, errors


def open_unit(page: Any, site: LmsSite, version: str, init: dict[str, Any] | None = None) -> Any:
    """Load the LMS with the unit page as its SCO; return the SCO frame."""
    page.goto(site.url(version, "unit/index.html", init if init is not None else lms_init(version, mastery=60)))
    return sco_frame(page)


def tracking(version: str) -> str:
    """The `tracking` value of the course-data block for runtime `version`."""
    return "scorm12" if version == "12" else "scorm2004"


def start(frame: Any, version: str, **overrides: Any) -> dict[str, Any]:
    """CourseTracker.start with the unit meta."""
    meta = {**META, "tracking": tracking(version), **overrides}
    return frame.evaluate("meta => CourseTracker.start(meta)", meta)


@pytest.mark.parametrize("version", ["12", "2004"])
def test_full_session_follows_the_spec(page: Any, site: LmsSite, version: str) -> None:
    """A whole session: start, every interaction type, objectives, score, completion, finish; all values valid."""
    frame = open_unit(page, site, version)
    first = start(frame, version)
    assert first == {"connected": True, "resumed": False, "state": None, "location": "", "passMark": 60,
                     "passed": False, "best": None, "mode": "normal", "credit": True}
    assert start(frame, version) == first, "start must initialise only once"
    data = cmi(page)
    if version == "12":
        assert data["cmi.core.lesson_status"] == "incomplete"
        assert data["cmi.core.exit"] == "suspend"
    else:
        assert data["cmi.completion_status"] == "incomplete"
        assert data["cmi.exit"] == "suspend"

    frame.evaluate("CourseTracker.save('v1.p3.q0101', 'page-3')")
    for record, _expected in RECORDS:
        frame.evaluate("r => CourseTracker.interaction(r)", record)
    frame.evaluate("CourseTracker.progress(0.5)")
    frame.evaluate("CourseTracker.objective('recognise', 'passed', 75)")
    frame.evaluate("CourseTracker.objective('respond-well', 'incomplete')")
    frame.evaluate("CourseTracker.score(83.3333, true)")
    frame.evaluate("CourseTracker.completed()")
    frame.evaluate("CourseTracker.finished()")
    frame.evaluate("CourseTracker.terminate()")
    frame.evaluate("CourseTracker.save('v1.after', 'late'); CourseTracker.interaction({id: 'late', type: 'choice',"
                   "response: ['a'], correct: ['a'], result: 'correct', latencyMs: 1}); CourseTracker.terminate()")

    log = calls(page)
    assert check_calls(log, version) == []
    data = cmi(page)
    if version == "12":
        assert data["cmi.core.lesson_status"] == "passed", "passed must not be overwritten by completed"
        assert (data["cmi.core.score.raw"], data["cmi.core.score.min"], data["cmi.core.score.max"]) == ("83.33", "0", "100")
        assert data["cmi.core.exit"] == ""
        # The runtime normalises what it stores, so look at what the module sent.
        (session_time,) = [c["args"][1] for c in log if c["args"][:1] == ["cmi.core.session_time"]]
        assert re.match(r"^\d{2,4}:\d\d:\d\d\.\d\d$", session_time)
        assert data["cmi.core.lesson_location"] == "page-3"
    else:
        assert (data["cmi.completion_status"], data["cmi.success_status"]) == ("completed", "passed")
        assert data["cmi.score.scaled"] == "0.8333"
        assert data["cmi.progress_measure"] == "1"
        assert data["cmi.exit"] == "normal"
        assert data["cmi.location"] == "page-3"
        (session_time,) = [c["args"][1] for c in log if c["args"][:1] == ["cmi.session_time"]]
        assert re.match(r"^PT\d+H\d+M\d+\.\d\dS$", session_time)
    assert data["cmi.suspend_data"] == "v1.p3.q0101"

    written = interaction_records(log)
    assert [r["id"] for r in written] == ["q_final_single", "q_final_multi", "q_final_tf", "q_final_order",
                                          "q_final_match", "s_story_two_best", "s_odd_email_inbox"]
    response_field = "student_response" if version == "12" else "learner_response"
    for (record, expected), got in zip(RECORDS, written):
        response, correct, result = expected[version]
        assert got["type"] == record["type"]
        assert got[response_field] == response
        assert got.get("correct_responses.0.pattern") == correct
        assert got["result"] == result
    # A story decision with two best choices: two alternative patterns (a OR c), not one meaning "a and c".
    assert (written[5]["correct_responses.0.pattern"], written[5]["correct_responses.1.pattern"]) == ("a", "c")
    assert "correct_responses.2.pattern" not in written[5]
    if version == "12":
        assert written[1]["latency"] == "00:01:01.01" and written[3]["latency"] == "01:02:05.01"
        assert written[0]["objectives.0.id"] == "recognise"
    else:
        assert written[1]["latency"] == "PT0H1M1.01S" and written[3]["latency"] == "PT1H2M5.01S"
        assert written[1]["description"].startswith("Pick} all that apply") and len(written[1]["description"]) == 250
        objectives = {data[f"cmi.objectives.{i}.id"]: i for i in range(2)}
        assert data[f"cmi.objectives.{objectives['recognise']}.success_status"] == "passed"
        assert data[f"cmi.objectives.{objectives['recognise']}.score.scaled"] == "0.75"
        assert data[f"cmi.objectives.{objectives['respond_well']}.completion_status"] == "incomplete"


@pytest.mark.parametrize("version", ["12", "2004"])
def test_fail_and_lms_mastery_score_wins(page: Any, site: LmsSite, version: str) -> None:
    """Below the LMS's mastery score is failed even if the player thought it passed; exit stays suspend."""
    frame = open_unit(page, site, version, lms_init(version, mastery=80))
    assert start(frame, version)["passMark"] == 80
    frame.evaluate("CourseTracker.score(70, true)")
    frame.evaluate("CourseTracker.completed()")
    unload_sco(page)  # pagehide: the page calls terminate()
    log = calls(page)
    assert check_calls(log, version) == []
    data = cmi(page)
    if version == "12":
        assert data["cmi.core.lesson_status"] == "failed"
        assert data["cmi.core.exit"] == "suspend"
    else:
        assert data["cmi.success_status"] == "failed"
        assert data["cmi.exit"] == "suspend"


@pytest.mark.parametrize("version", ["12", "2004"])
def test_resume_in_a_new_runtime(page: Any, site: LmsSite, version: str) -> None:
    """Relaunch with a new runtime instance holding the last session's data: the state comes back."""
    frame = open_unit(page, site, version)
    start(frame, version)
    frame.evaluate("CourseTracker.save('v1.p2.q01', 'p2')")
    unload_sco(page)
    data = cmi(page)
    assert check_calls(calls(page), version) == []
    prefix = "cmi.core." if version == "12" else "cmi."
    previous = {"state": data["cmi.suspend_data"], "location": data[prefix + ("lesson_location" if version == "12" else "location")]}
    assert data[prefix + "exit"] == "suspend"

    frame = open_unit(page, site, version, lms_init(version, mastery=60, resume=previous))
    again = start(frame, version)
    assert again == {"connected": True, "resumed": True, "state": "v1.p2.q01", "location": "p2", "passMark": 60,
                     "passed": False, "best": None, "mode": "normal", "credit": True}
    frame.evaluate("CourseTracker.terminate()")
    assert check_calls(calls(page), version) == []


@pytest.mark.parametrize("version", ["12", "2004"])
def test_visibility_hidden_commits(page: Any, site: LmsSite, version: str) -> None:
    """visibilitychange → hidden sets session_time and commits (the commit that survives a closed tab)."""
    frame = open_unit(page, site, version)
    start(frame, version)
    before = len(calls(page))
    frame.evaluate("""() => {
        Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true});
        document.dispatchEvent(new Event('visibilitychange'));
    }""")
    methods = [c["method"] for c in calls(page)[before:]]
    assert methods[-1] == ("LMSCommit" if version == "12" else "Commit")
    # The page is going away: this Commit may not wait for the gap after the start's one.
    assert check_calls(calls(page), version, finished=False, min_commit_gap_ms=0) == []


@pytest.mark.parametrize("version", ["12", "2004"])
def test_api_found_through_parent_frames(page: Any, site: LmsSite, version: str) -> None:
    """The API is two frames up: discovery climbs the parent chain."""
    page.goto(site.url(version, "unit/outer.html", lms_init(version)))
    outer = sco_frame(page)
    outer.wait_for_function("document.getElementById('inner').contentDocument.readyState === 'complete'")
    inner = outer.child_frames[0]
    assert start(inner, version)["connected"] is True
    assert next(c["method"] for c in calls(page)) in ("LMSInitialize", "Initialize")


@pytest.mark.parametrize("version", ["12", "2004"])
def test_api_found_through_opener(page: Any, site: LmsSite, version: str) -> None:
    """The SCO opened in a new window by the LMS finds the API through window.opener."""
    page.goto(site.url(version, "unit/index.html", lms_init(version)))
    sco_frame(page)
    with page.expect_popup() as popup_info:
        page.evaluate("window.open('unit/index.html', 'sco-window')")
    popup = popup_info.value
    popup.wait_for_load_state()
    assert start(popup.main_frame, version)["connected"] is True
    popup.evaluate("CourseTracker.terminate()")
    assert check_calls(calls(page), version) == []


def test_no_api_falls_back_to_local_storage(page: Any, site: LmsSite) -> None:
    """No LMS: not connected, state kept in localStorage under the contract's key, resumed on reload."""
    page.goto(f"{site.origin}/unit/index.html")
    assert start(page.main_frame, "12") == {"connected": False, "resumed": False, "state": None, "location": "",
                                           "passMark": 60, "passed": False, "best": None, "mode": "normal", "credit": True}
    page.evaluate("CourseTracker.save('v1.p4', 'p4'); CourseTracker.interaction({id: 'x', type: 'choice',"
                  "response: ['a'], correct: ['a'], result: 'correct', latencyMs: 1}); CourseTracker.score(90, true);"
                  "CourseTracker.completed(); CourseTracker.terminate()")
    stored = json.loads(page.evaluate("localStorage.getItem('coursekit:unit-course:learners:1.0.0')"))
    assert stored["state"] == "v1.p4" and stored["location"] == "p4"
    page.reload()
    assert start(page.main_frame, "12") == {"connected": False, "resumed": True, "state": "v1.p4", "location": "p4",
                                           "passMark": 60, "passed": True, "best": 90, "mode": "normal",
                                           "credit": True}


@pytest.mark.parametrize("version", ["12", "2004"])
def test_tracking_none_never_touches_the_lms(page: Any, site: LmsSite, version: str) -> None:
    """tracking "none" (the offline copy) uses localStorage even inside an LMS."""
    frame = open_unit(page, site, version)
    assert start(frame, version, tracking="none")["connected"] is False
    frame.evaluate("CourseTracker.save('v1', 'p1'); CourseTracker.score(50, false); CourseTracker.terminate()")
    assert calls(page) == []


@pytest.mark.parametrize("version", ["12", "2004"])
def test_no_free_text_or_oversized_state_reaches_the_lms(page: Any, site: LmsSite, version: str) -> None:
    """Responses that are not the contract's plain values, and non-ASCII or oversized state, are not sent."""
    frame = open_unit(page, site, version)
    start(frame, version)
    frame.evaluate("""() => {
        CourseTracker.interaction({id: 'q_a_b', type: 'choice', response: ['my password is hunter2'],
                                   correct: ['a'], result: 'incorrect', latencyMs: 5});
        CourseTracker.interaction({id: 'q_a_c', type: 'fill-in', response: ['free text'], correct: ['x'],
                                   result: 'incorrect', latencyMs: 5});
        CourseTracker.save('caf\\u00e9', 'p1');
        CourseTracker.save('x'.repeat(5000), 'p2');
        CourseTracker.terminate();
    }""")
    log = calls(page)
    sent = json.dumps(log)
    assert "hunter2" not in sent and "free text" not in sent and "caf" not in sent
    records = interaction_records(log)
    assert [r["id"] for r in records] == ["q_a_b"]
    assert "student_response" not in records[0] and "learner_response" not in records[0]
    data = cmi(page)
    if version == "12":
        assert data.get("cmi.suspend_data", "") == ""
    else:
        assert len(data["cmi.suspend_data"]) == 5000
    problems = check_calls(log, version)
    assert problems == ["interaction 0 (q_a_b): no " + ("student_response" if version == "12" else "learner_response")]


def test_time_formats_at_the_edges(page: Any, site: LmsSite) -> None:
    """Rounding never yields 60 seconds, hours are at least 2 digits (1.2) and decimals at most 2."""
    page.goto(f"{site.origin}/unit/index.html")
    cases = {0: ("00:00:00.00", "PT0H0M0.00S"), 59_999: ("00:01:00.00", "PT0H1M0.00S"),
             3_599_996: ("01:00:00.00", "PT1H0M0.00S"), 123: ("00:00:00.12", "PT0H0M0.12S"),
             36_000_000_000: ("9999:59:59.99", "PT10000H0M0.00S"), -5: ("00:00:00.00", "PT0H0M0.00S")}
    for ms, (v12, v2004) in cases.items():
        got = page.evaluate("ms => [CourseTracker.formats.timespan12(ms), CourseTracker.formats.duration2004(ms)]", ms)
        assert got == [v12, v2004], ms


def _call(method: str, *args: str, result: str = "true", after: bool = False, time: int = 0) -> dict[str, Any]:
    return {"method": method, "args": list(args), "result": result, "error": "0", "afterFinish": after, "time": time}


def test_spec_rules_catch_each_breach() -> None:
    """The rule checker itself: a log with one breach of each kind reports each of them (so it can fail)."""
    log = [
        _call("LMSInitialize", ""),
        _call("LMSSetValue", "cmi.core.lesson_status", "incomplete"),
        _call("LMSSetValue", "cmi.suspend_data", "x" * 4097),
        _call("LMSSetValue", "cmi.interactions.1.id", "q one"),
        _call("LMSSetValue", "cmi.interactions.1.type", "choice"),
        _call("LMSSetValue", "cmi.interactions.1.student_response", "a[,]b"),
        _call("LMSSetValue", "cmi.interactions.1.result", "incorrect"),
        _call("LMSSetValue", "cmi.interactions.1.latency", "PT1S"),
        _call("LMSSetValue", "cmi.interactions.1.time", "25:00:00"),
        _call("LMSSetValue", "cmi.core.score.raw", "150"),
        _call("LMSSetValue", "cmi.core.session_time", "0:01:02"),
        _call("LMSSetValue", "cmi.core.exit", ""),
        _call("LMSFinish", ""),
        _call("LMSGetValue", "cmi.core.lesson_status", result="", after=True),
    ]
    problems = "\n".join(check_calls(log, "12"))
    for expected in ("suspend_data is 4097 characters",
                     "interaction index 1 is not appended in order", "id 'q one'", "student_response 'a[,]b'",
                     "result 'incorrect'", "latency 'PT1S'", "time '25:00:00'", "score.raw=150",
                     "session_time='0:01:02'", "ended incomplete with exit ''", "LMSGetValue(cmi.core.lesson_status) after"):
        assert expected in problems, expected
    log_2004 = [
        _call("Initialize", ""),
        _call("SetValue", "cmi.interactions.0.id", "q_1"),
        _call("SetValue", "cmi.interactions.0.learner_response", "t"),
        _call("SetValue", "cmi.interactions.0.type", "true-false"),
        _call("SetValue", "cmi.interactions.0.result", "wrong"),
        _call("SetValue", "cmi.interactions.0.description", "y" * 251),
        _call("SetValue", "cmi.session_time", "PT1M2.255S"),
        _call("SetValue", "cmi.score.scaled", "1.5"),
        _call("Commit", "", result="false"),
        _call("Terminate", ""),
        _call("Terminate", ""),
    ]
    problems = "\n".join(check_calls(log_2004, "2004"))
    for expected in ("learner_response set before type", "learner_response 't'", "result 'wrong'", "description",
                     "session_time='PT1M2.255S'", "score.scaled=1.5", "Commit() returned false",
                     "Terminate called 2 times"):
        assert expected in problems, expected
    burst = [
        _call("LMSInitialize", ""),
        _call("LMSSetValue", "cmi.core.lesson_status", "passed"),
        _call("LMSCommit", "", result="false", time=1000),
        _call("LMSCommit", "", result="false", time=1100),
        _call("LMSFinish", "", result="false", time=1200),
    ]
    problems = "\n".join(check_calls(burst, "12"))
    for expected in ("lesson_status=passed never committed", "two Commits 100 ms apart"):
        assert expected in problems, expected
