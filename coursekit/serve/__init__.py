"""`coursekit serve`: build, serve outputs/ on 127.0.0.1, rebuild on save, reload the browser, show errors.

The learner module is rebuilt first and the browser reloads as soon as it is in; PDFs, decks and the rest
follow in a second pass. A content error keeps the last good outputs and shows the file:line messages over
the page. The reload script and the overlay are added to HTML responses only: the files on disk are exactly
what `coursekit build` writes.
"""

from __future__ import annotations

import html
import json
import re
import threading
import urllib.parse
from collections.abc import Callable, Sequence
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PREFIX = "/__coursekit/"
LIVE_SCRIPT = b'<script src="/__coursekit/live.js"></script>'
FIRST = ("web",)  # rebuilt and reloaded first: what the author looks at most
WATCHED = (".yaml", ".yml", ".md", ".png", ".jpg", ".jpeg", ".svg", ".webp")
HEARTBEAT_SECONDS = 15.0


class LiveState:
    """What the browsers are told: a version that changes on every rebuild, the errors, the targets rebuilt."""

    def __init__(self) -> None:
        self.version = 0
        self.errors: list[str] = []
        self.targets: list[str] = []
        self.changed = threading.Condition()

    def publish(self, errors: Sequence[str], targets: Sequence[str]) -> None:
        """A new state: browsers showing one of `targets` reload; errors show in the overlay."""
        with self.changed:
            self.version += 1
            self.errors = list(errors)
            self.targets = list(targets)
            self.changed.notify_all()

    def message(self) -> bytes:
        """The state as one server-sent event."""
        data = json.dumps({"version": self.version, "errors": self.errors, "targets": self.targets})
        return f"data: {data}\n\n".encode()


CSP_META = re.compile(rb'(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")', re.IGNORECASE)
LIVE_SOURCES = ("script-src", "connect-src", "style-src")  # live.js, its event stream, live.css


def _open_csp(match: re.Match[bytes]) -> bytes:
    """The page's Content-Security-Policy with this server's own script, events and style allowed."""
    policy = html.unescape(match.group(2).decode())
    directives = [part.strip() for part in policy.split(";") if part.strip()]
    names = [part.split()[0] for part in directives]
    for source in LIVE_SOURCES:
        if source in names:
            index = names.index(source)
            values = [v for v in directives[index].split()[1:] if v != "'none'"]
            directives[index] = " ".join([source, *values, *([] if "'self'" in values else ["'self'"])])
        else:
            directives.append(f"{source} 'self'")
    return match.group(1) + html.escape("; ".join(directives)).encode() + match.group(3)


def _served_html(body: bytes) -> bytes:
    """An HTML page as served: the live script added, and its CSP opened to this server's script and events."""
    body = CSP_META.sub(_open_csp, body, count=1)
    if b"</body>" in body:
        return body.replace(b"</body>", LIVE_SCRIPT + b"\n</body>", 1)
    return body + LIVE_SCRIPT


def index_page(out: Path) -> bytes:
    """The start page: the learner modules first, then every other output, by folder."""
    items: list[str] = []
    web = out / "web"
    for module in sorted(web.iterdir()) if web.is_dir() else []:
        if (module / "index.html").is_file():
            items.append(f'<li><a href="/web/{module.name}/index.html">{html.escape(module.name)}</a> (learner module)</li>')
    for folder in sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".") and p.name != "web"):
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "previews" not in p.parts):
            rel = path.relative_to(out).as_posix()
            items.append(f'<li><a href="/{urllib.parse.quote(rel)}">{html.escape(rel)}</a></li>')
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>coursekit serve</title></head>"
            f"<body><h1>coursekit serve</h1><ul>{''.join(items) or '<li>nothing built yet</li>'}</ul>"
            "</body></html>").encode()


class Handler(SimpleHTTPRequestHandler):
    """Static files from outputs/, plus the live channel; HTML pages get the live script."""

    state: LiveState

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path == f"{PREFIX}events":
            self._events()
            return
        if path in (f"{PREFIX}live.js", f"{PREFIX}live.css"):
            name = path.removeprefix(PREFIX)
            self._send((HERE / name).read_bytes(), "text/javascript" if name.endswith(".js") else "text/css")
            return
        if path == "/favicon.ico":  # browsers ask for it; the outputs have none
            self.send_response(204)
            self.end_headers()
            return
        if path in ("/", "/index.html") and not (Path(self.directory) / "index.html").is_file():
            self._send(_served_html(index_page(Path(self.directory))), "text/html; charset=utf-8")
            return
        local = Path(self.translate_path(self.path))
        if local.is_dir():
            local = local / "index.html"
        if local.suffix == ".html" and local.is_file():
            self._send(_served_html(local.read_bytes()), "text/html; charset=utf-8")
            return
        super().do_GET()

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        seen = -1
        try:
            while True:
                with self.state.changed:
                    if self.state.version == seen:
                        self.state.changed.wait(HEARTBEAT_SECONDS)
                    message = self.state.message() if self.state.version != seen else b": ping\n\n"
                    seen = self.state.version
                self.wfile.write(message)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            return


def make_server(out: Path, port: int, state: LiveState) -> ThreadingHTTPServer:
    """The HTTP server for `out` on 127.0.0.1 (port 0: any free port)."""
    handler = type("BoundHandler", (Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=str(out)))
    server.daemon_threads = True
    return server


def watch_filter(course_dir: Path, out: Path) -> Callable[[Any, str], bool]:
    """Course files only: not the outputs, the cache, hidden folders or editor leftovers."""
    course_dir, out = course_dir.resolve(), out.resolve()

    def accept(_change: Any, name: str) -> bool:
        path = Path(name)
        if path.is_relative_to(out):
            return False
        parts = path.relative_to(course_dir).parts if path.is_relative_to(course_dir) else path.parts
        if any(part.startswith(".") for part in parts) or path.name.endswith("~"):
            return False
        return path.suffix.lower() in WATCHED

    return accept


def rebuild(course_dir: Path, out: Path, names: Sequence[str], audience_names: Sequence[str], strict: bool,
            state: LiveState, echo: Callable[[str], None]) -> None:
    """Validate and build: the learner module first (browsers reload), then the rest; errors go to the overlay."""
    import time
    import traceback

    from coursekit.errors import UserError
    from coursekit.pipeline import build_course, resolve_audiences, validate

    started = time.perf_counter()
    try:
        result = validate(course_dir, strict=strict)
        for warning in result.warnings:
            echo(str(warning))
        if result.errors or result.course is None:
            messages = [str(error) for error in result.errors]
            for message in messages:
                echo(message)
            echo(f"{len(messages)} error{'s' if len(messages) != 1 else ''}: the browser shows them; "
                 "the last good outputs stay")
            state.publish(messages, [])
            return
        chosen = resolve_audiences(result.course, audience_names)
        for group in ([n for n in names if n in FIRST], [n for n in names if n not in FIRST]):
            if not group:
                continue
            results = build_course(result.course, out, group, chosen, sources=result.sources, strict=strict)
            for message in (m for r in results for m in (*r.notes, *r.warnings)):
                echo(message)
            failed = [r for r in results if r.error]
            if failed:
                messages = [f"{r.name}: {r.error}" for r in failed]
                for message in messages:
                    echo(message)
                state.publish(messages, [])
                return
            state.publish([], group)
            echo(f"built {', '.join(group)} ({time.perf_counter() - started:.2f} s after the save)")
    except UserError as exc:
        echo(f"error: {exc}")
        state.publish([str(exc)], [])
    except Exception:  # noqa: BLE001 - a bug must not stop the server; it is shown like any error
        trace = traceback.format_exc()
        echo("internal error (a bug in coursekit, not in your course; please report it):\n" + trace)
        state.publish(["internal error (a bug in coursekit, please report it): " + trace.strip().splitlines()[-1]], [])


def serve(course_dir: Path, out: Path, names: Sequence[str], audience_names: Sequence[str], *, strict: bool,
          port: int, echo: Callable[[str], None]) -> None:
    """Build, serve `out` on 127.0.0.1:`port`, and rebuild on every save until interrupted."""
    import watchfiles

    out.mkdir(parents=True, exist_ok=True)
    state = LiveState()
    server = make_server(out, port, state)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    echo(f"serving http://127.0.0.1:{server.server_address[1]}/  (watching {course_dir}; Ctrl+C to stop)")
    try:
        rebuild(course_dir, out, names, audience_names, strict, state, echo)
        for changes in watchfiles.watch(course_dir, watch_filter=watch_filter(course_dir, out), debounce=400,
                                        step=30, raise_interrupt=False):
            changed = sorted({Path(name).resolve().relative_to(course_dir.resolve()).as_posix()
                              if Path(name).resolve().is_relative_to(course_dir.resolve()) else name
                              for _, name in changes})
            echo(f"changed: {', '.join(changed)}")
            rebuild(course_dir, out, names, audience_names, strict, state, echo)
    finally:
        server.shutdown()
        server.server_close()
