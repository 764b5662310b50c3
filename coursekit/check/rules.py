"""SCORM run-time rules checked over the LMS call log of `coursekit check` and the tests (scorm-again itself is lax).

Each call is a dict recorded by coursekit/check/lms.js: method, args, result, error, afterFinish.
Sources: SCORM 1.2 RTE 3.4, SCORM 2004 4th Edition RTE 4.1/C.1, ../shared/scorm-schemas/RUNTIME-NOTES.md.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

Call = dict[str, Any]

IDENTIFIER = re.compile(r"^[A-Za-z0-9_]{1,64}$")
TIMESPAN_12 = re.compile(r"^\d{2,4}:[0-5]\d:[0-5]\d(\.\d{1,2})?$")
DURATION_2004 = re.compile(r"^P(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d{1,2})?S)?)?$")
CLOCK_12 = re.compile(r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,2})?$")
TIMESTAMP_2004 = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d"
                            r"(\.\d{1,2})?(Z|[+-]\d{2}(:\d{2})?)?$")
SINGLE = r"[0-9a-z]"
RESPONSES = {
    "12": {
        "choice": re.compile(rf"^{SINGLE}(,{SINGLE})*$"),
        "sequencing": re.compile(rf"^{SINGLE}(,{SINGLE})*$"),
        "true-false": re.compile(r"^[tf01]$"),
        "matching": re.compile(rf"^{SINGLE}\.{SINGLE}(,{SINGLE}\.{SINGLE})*$"),
        "likert": re.compile(rf"^{SINGLE}$"),
    },
    "2004": {
        "choice": re.compile(r"^[a-z0-9]+(\[,\][a-z0-9]+)*$"),
        "sequencing": re.compile(r"^[a-z0-9]+(\[,\][a-z0-9]+)*$"),
        "true-false": re.compile(r"^(true|false)$"),
        "matching": re.compile(r"^[a-z0-9]+\[\.\][a-z0-9]+(\[,\][a-z0-9]+\[\.\][a-z0-9]+)*$"),
        "likert": re.compile(r"^[a-z0-9]+$"),
    },
}
RESULTS = {"12": {"correct", "wrong", "unanticipated", "neutral"},
           "2004": {"correct", "incorrect", "unanticipated", "neutral"}}
EXITS = {"12": {"", "suspend", "time-out", "logout"}, "2004": {"", "normal", "suspend", "time-out", "logout"}}
LESSON_STATUS = {"passed", "completed", "failed", "incomplete", "browsed"}
COMPLETION = {"completed", "incomplete", "not attempted", "unknown"}
SUCCESS = {"passed", "failed", "unknown"}
INTERACTION = re.compile(r"^cmi\.interactions\.(\d+)\.(.+)$")
OBJECTIVE = re.compile(r"^cmi\.objectives\.(\d+)\.(.+)$")


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def set_values(calls: list[Call]) -> list[tuple[str, str]]:
    """(element, value) for every SetValue call, in order."""
    return [(c["args"][0], c["args"][1]) for c in calls if c["method"] in ("LMSSetValue", "SetValue")]


def check_calls(calls: list[Call], version: str, *, finished: bool = True, min_commit_gap_ms: int = 900) -> list[str]:
    """Every breach of the SCORM rules in this call log; an empty list means the log is clean."""
    problems: list[str] = []
    v12 = version == "12"
    init, finish = ("LMSInitialize", "LMSFinish") if v12 else ("Initialize", "Terminate")
    setter, getter, committer = ("LMSSetValue", "LMSGetValue", "LMSCommit") if v12 else ("SetValue", "GetValue", "Commit")

    inits = [c for c in calls if c["method"] == init]
    finishes = [c for c in calls if c["method"] == finish]
    if len(inits) != 1:
        problems.append(f"{init} called {len(inits)} times, expected once")
    elif calls[0]["method"] != init:
        problems.append(f"first call is {calls[0]['method']}, expected {init}")
    if finished and len(finishes) != 1:
        problems.append(f"{finish} called {len(finishes)} times, expected once")
    if not finished and finishes:
        problems.append(f"{finish} called before the session ended")
    for c in calls:
        if c["afterFinish"]:
            problems.append(f"{c['method']}({', '.join(c['args'])}) after {finish}")
        if c["method"] in (init, finish, setter, committer) and c["result"] != "true":
            problems.append(f"{c['method']}({', '.join(c['args'])}) returned {c['result']} (error {c['error']})")

    # Every status change is committed: by a Commit or by Finish (values are coalesced, one Commit per moment).
    status_elements = {"cmi.core.lesson_status"} if v12 else {"cmi.completion_status", "cmi.success_status"}
    pending: str | None = None
    for c in calls:
        if c["method"] == setter and c["args"][0] in status_elements:
            pending = pending or f"{c['args'][0]}={c['args'][1]}"
        elif c["method"] in (committer, finish) and c["result"] == "true":
            pending = None
    if pending and (finished or finishes):
        problems.append(f"status change {pending} never committed")

    # At most one Commit in flight: hosts that send the whole CMI per Commit need a gap between them.
    commit_times = [c.get("time") for c in calls if c["method"] == committer]
    for before, after in itertools.pairwise(commit_times):
        if before is not None and after is not None and after - before < min_commit_gap_ms:
            problems.append(f"two Commits {after - before} ms apart (at most one per {min_commit_gap_ms} ms)")
            break

    interactions: dict[int, dict[str, str]] = {}
    objectives: dict[int, dict[str, str]] = {}
    status: dict[str, str] = {}
    last_exit: str | None = None
    exit_element = "cmi.core.exit" if v12 else "cmi.exit"
    for element, value in set_values(calls):
        match = INTERACTION.match(element)
        if match:
            index, field = int(match.group(1)), match.group(2)
            if index not in interactions:
                if index != len(interactions):
                    problems.append(f"interaction index {index} is not appended in order (expected {len(interactions)})")
                if field != "id":
                    problems.append(f"interaction {index}: first field set is {field}, expected id")
                interactions[index] = {}
            record = interactions[index]
            if not v12 and field in ("learner_response", "correct_responses.0.pattern") and "type" not in record:
                problems.append(f"interaction {index}: {field} set before type")
            record[field] = value
            continue
        match = OBJECTIVE.match(element)
        if match:
            index, field = int(match.group(1)), match.group(2)
            if index not in objectives:
                if field != "id":
                    problems.append(f"objective {index}: first field set is {field}, expected id")
                objectives[index] = {}
            objectives[index][field] = value
            continue
        if element == exit_element:
            if value not in EXITS[version]:
                problems.append(f"{element}={value!r} is not in the {version} vocabulary")
            last_exit = value
        elif element in ("cmi.core.session_time", "cmi.session_time"):
            pattern = TIMESPAN_12 if v12 else DURATION_2004
            if not pattern.match(value) or value in ("P", "PT"):
                problems.append(f"{element}={value!r} is not a SCORM {version} time span")
        elif element == "cmi.suspend_data":
            limit = 4096 if v12 else 64000
            if len(value) > limit:
                problems.append(f"suspend_data is {len(value)} characters, over {limit}")
            if not value.isascii():
                problems.append("suspend_data is not ASCII")
        elif element in ("cmi.core.lesson_location", "cmi.location"):
            if len(value) > (255 if v12 else 1000):
                problems.append(f"{element} is {len(value)} characters")
        elif element == "cmi.core.lesson_status":
            if value not in LESSON_STATUS:
                problems.append(f"lesson_status {value!r} is not in the vocabulary")
            if value == "completed" and status.get("lesson_status") in ("passed", "failed"):
                problems.append(f"lesson_status completed overwrote {status['lesson_status']}")
            status["lesson_status"] = value
        elif element == "cmi.completion_status":
            if value not in COMPLETION:
                problems.append(f"completion_status {value!r} is not in the vocabulary")
            status["completion_status"] = value
        elif element == "cmi.success_status":
            if value not in SUCCESS:
                problems.append(f"success_status {value!r} is not in the vocabulary")
            status["success_status"] = value
        elif element == "cmi.progress_measure":
            number = _number(value)
            if number is None or not 0 <= number <= 1:
                problems.append(f"progress_measure {value!r} is not 0..1")
        elif element.startswith(("cmi.core.score.", "cmi.score.")):
            problems += _score_problems(element, value)

    for index, record in sorted(interactions.items()):
        problems += [f"interaction {index} ({record.get('id', '?')}): {p}" for p in _interaction_problems(record, version)]
    for index, record in sorted(objectives.items()):
        if not IDENTIFIER.match(record.get("id", "")):
            problems.append(f"objective {index}: id {record.get('id')!r} is not [A-Za-z0-9_]")
        for field, value in record.items():
            if field.startswith("score."):
                problems += _score_problems(f"objective {index} {field}", value)
            if field == "status" and value not in LESSON_STATUS | {"not attempted"}:
                problems.append(f"objective {index}: status {value!r}")
            if field == "success_status" and value not in SUCCESS:
                problems.append(f"objective {index}: success_status {value!r}")
            if field == "completion_status" and value not in COMPLETION:
                problems.append(f"objective {index}: completion_status {value!r}")

    # Statuses the LMS already held at launch (a relaunch) count unless this session changed them.
    for c in calls:
        if c["method"] == getter and c["args"][0] in ("cmi.core.lesson_status", "cmi.completion_status"):
            status.setdefault(c["args"][0].rsplit(".", 1)[1], c["result"])
    if finishes:
        incomplete = (status.get("lesson_status") in (None, "incomplete", "not attempted") if v12
                      else status.get("completion_status") != "completed")
        if incomplete and last_exit != "suspend":
            problems.append(f"session ended incomplete with exit {last_exit!r}, expected 'suspend'")
    if any(c["method"] == getter and c["afterFinish"] for c in calls):
        problems.append(f"{getter} after {finish}")
    return problems


def _score_problems(element: str, value: str) -> list[str]:
    number = _number(value)
    if number is None:
        return [f"{element}={value!r} is not a number"]
    low, high = (-1.0, 1.0) if element.endswith("scaled") else (0.0, 100.0)
    if not low <= number <= high:
        return [f"{element}={value} is outside {low:g}..{high:g}"]
    return []


def _interaction_problems(record: dict[str, str], version: str) -> list[str]:
    problems: list[str] = []
    v12 = version == "12"
    if not IDENTIFIER.match(record.get("id", "")):
        problems.append(f"id {record.get('id')!r} is not [A-Za-z0-9_]")
    kind = record.get("type", "")
    if kind not in RESPONSES[version]:
        problems.append(f"type {kind!r} is not one the player uses")
        return problems
    if kind == "likert":
        # A rating has no right answer: no correct pattern, no result judgement.
        problems += [f"a likert interaction with {field}" for field in ("result", "correct_responses.0.pattern")
                     if field in record]
    elif record.get("result") not in RESULTS[version]:
        problems.append(f"result {record.get('result')!r} is not in the {version} vocabulary")
    response_field = "student_response" if v12 else "learner_response"
    for field in (response_field, "correct_responses.0.pattern"):
        if field in record and not RESPONSES[version][kind].match(record[field]):
            problems.append(f"{field} {record[field]!r} is not a {version} {kind} response")
        if v12 and len(record.get(field, "")) > 255:
            problems.append(f"{field} is over 255 characters")
    if response_field not in record:
        problems.append(f"no {response_field}")
    latency = record.get("latency")
    if latency is None or not (TIMESPAN_12 if v12 else DURATION_2004).match(latency):
        problems.append(f"latency {latency!r}")
    when = record.get("time" if v12 else "timestamp")
    if when is None or not (CLOCK_12 if v12 else TIMESTAMP_2004).match(when):
        problems.append(f"{'time' if v12 else 'timestamp'} {when!r}")
    if not v12:
        description = record.get("description", "")
        if len(description) > 250 or "\n" in description or description.startswith("{"):
            problems.append(f"description {description[:40]!r}… is not a 250-character one-line string")
    for field, value in record.items():
        if field.startswith("objectives.") and not IDENTIFIER.match(value):
            problems.append(f"{field} {value!r}")
    if v12 and any(field in record for field in ("learner_response", "timestamp", "description")):
        problems.append("2004-only fields in a 1.2 interaction")
    if not v12 and any(field in record for field in ("student_response", "time")):
        problems.append("1.2-only fields in a 2004 interaction")
    return problems


def interaction_records(calls: list[Call]) -> list[dict[str, str]]:
    """The interactions as the module wrote them, by index."""
    records: dict[int, dict[str, str]] = {}
    for element, value in set_values(calls):
        match = INTERACTION.match(element)
        if match:
            records.setdefault(int(match.group(1)), {})[match.group(2)] = value
    return [records[i] for i in sorted(records)]
