"""The LMS of `coursekit check` and of the tests, served on 127.0.0.1: lms.html + scorm-again + unzipped SCOs,
driven by Playwright. One harness, so what the tests prove about a package is what `check` runs for an author."""

from __future__ import annotations

import json
import os
import shutil
import threading
import urllib.parse
import zipfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from coursekit.errors import UserError

HERE = Path(__file__).resolve().parent
SCORM_AGAIN = "node_modules/scorm-again/dist/scorm-again.js"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--no-first-run"]
TEST_LEARNER = ("learner1", "Learner, Test")


def find_scorm_again() -> Path:
    """scorm-again.js: $COURSEKIT_SCORM_AGAIN, else node_modules in the current folder or coursekit's checkout."""
    override = os.environ.get("COURSEKIT_SCORM_AGAIN")
    candidates = [Path(override)] if override else [Path.cwd() / SCORM_AGAIN, HERE.parent.parent / SCORM_AGAIN]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise UserError("the scorm-again LMS runtime is missing: run `npm install scorm-again@3.4.3` in this folder, "
                    "or set COURSEKIT_SCORM_AGAIN to its dist/scorm-again.js")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


class LmsSite:
    """A folder served over HTTP holding the LMS page, the runtime and any number of unzipped packages."""

    def __init__(self, root: Path, runtime: Path | None = None) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        for name in ("lms.html", "lms.js"):
            shutil.copyfile(HERE / name, root / name)
        shutil.copyfile(runtime or find_scorm_again(), root / "scorm-again.js")
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"

    def add_package(self, archive: Path, name: str) -> Path:
        """Unzip a SCORM package under the site as <name>/."""
        target = self.root / name
        if target.exists():
            shutil.rmtree(target)
        with zipfile.ZipFile(archive) as bundle:
            bundle.extractall(target)
        return target

    def url(self, version: str, launch: str, init: dict[str, Any] | None = None,
            faults: dict[str, Any] | None = None) -> str:
        """The LMS page URL that mounts `launch` (a path under the site) with runtime `version` (12|2004),
        optionally with the faults of real hosts (see lms.js)."""
        query = {"version": version, "pkg": launch, "init": json.dumps(init or {}), "faults": json.dumps(faults or {})}
        return f"{self.origin}/lms.html?{urllib.parse.urlencode(query)}"

    def close(self) -> None:
        """Stop the server."""
        self._server.shutdown()
        self._server.server_close()


def lms_init(version: str, *, mastery: float | None = None, completion_threshold: str | None = None,
             resume: dict[str, Any] | None = None, mode: str = "normal", credit: str = "credit",
             learner: tuple[str, str] = TEST_LEARNER) -> dict[str, Any]:
    """What an LMS loads into the runtime before launch: learner, mode, credit, the manifest's pass mark,
    and for a relaunch the previous session's entry/location/suspend_data and status
    (resume keys: state, location, status, score; 2004 also success, progress)."""
    resume = resume or {}
    if version == "12":
        core: dict[str, Any] = {"student_id": learner[0], "student_name": learner[1], "lesson_mode": mode,
                                "credit": credit}
        data: dict[str, Any] = {"core": core}
        if mastery is not None:
            data["student_data"] = {"mastery_score": f"{mastery:g}"}
        if resume:
            core.update({"entry": "resume", "lesson_location": resume.get("location", ""),
                         "lesson_status": resume.get("status", "incomplete")})
            data["suspend_data"] = resume.get("state", "")
            if resume.get("score"):
                core["score"] = {"raw": resume["score"], "min": "0", "max": "100"}
        return data
    data = {"learner_id": learner[0], "learner_name": learner[1], "mode": mode, "credit": credit}
    if mastery is not None:
        data["scaled_passing_score"] = f"{mastery / 100:g}"
    if completion_threshold is not None:
        data["completion_threshold"] = completion_threshold
    if resume:
        data.update({"entry": "resume", "location": resume.get("location", ""),
                     "suspend_data": resume.get("state", ""),
                     "completion_status": resume.get("status", "incomplete")})
        # What the LMS keeps of the attempt besides the bookmark (2004 persists the whole attempt).
        for key, element in (("success", "success_status"), ("progress", "progress_measure")):
            if resume.get(key):
                data[element] = resume[key]
        if resume.get("score"):
            data["score"] = {"raw": resume["score"], "min": "0", "max": "100",
                             "scaled": f"{float(resume['score']) / 100:g}"}
    return data


def sco_frame(page: Any) -> Any:
    """The SCO's frame inside the LMS page (after it has loaded)."""
    page.wait_for_function("document.getElementById('sco') && document.getElementById('sco').contentWindow "
                           "&& document.getElementById('sco').contentDocument.readyState === 'complete'")
    frame = page.frame_locator("#sco")
    handle = page.query_selector("#sco")
    assert handle is not None
    content = handle.content_frame()
    assert content is not None, frame
    return content


def calls(page: Any) -> list[dict[str, Any]]:
    """The runtime call log so far."""
    return list(page.evaluate("window.__calls"))


def cmi(page: Any) -> dict[str, Any]:
    """The runtime's data model, flattened ("cmi.core.lesson_status": ...)."""
    return dict(page.evaluate("window.__runtime.getFlattenedCMI()"))


def unload_sco(page: Any) -> None:
    """Navigate the SCO frame away, as an LMS does when the learner closes the course (fires pagehide)."""
    page.evaluate("document.getElementById('sco').src = 'about:blank'")
    page.wait_for_function("document.getElementById('sco').contentWindow.location.href === 'about:blank'")
