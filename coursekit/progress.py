"""The live build display: a row per target (waiting, building, done with its files, failed) and under it a row per
document (rendering, done, copied from the cache), on a terminal only."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Self

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.live import Live

    from coursekit.pipeline import TargetResult


class BuildProgress:
    """A rich Live table of the targets; does nothing when the console is not a terminal (CI, pipes, logs)."""

    def __init__(self, names: Sequence[str], jobs: int, console: Console) -> None:
        self.names = list(names)
        self.jobs = max(1, jobs)
        self.console = console
        self.results: dict[str, TargetResult] = {}
        self.started: dict[str, float] = {}
        self.finished: dict[str, float] = {}
        self.live: Live | None = None
        # target -> document -> (state, when it started, when it ended)
        self.documents: dict[str, dict[str, tuple[str, float, float]]] = {}
        self.lock = threading.Lock()  # documents arrive on the pipeline's log thread, frames draw on rich's
        self._mark_running()

    def document(self, target: str, name: str, state: str) -> None:
        """Record a document's new state (called from the pipeline as targets log them)."""
        now = time.perf_counter()
        with self.lock:
            rows = self.documents.setdefault(target, {})
            started = rows[name][1] if name in rows and state != "rendering" else now
            rows[name] = (state, started, now)

    def _mark_running(self) -> None:
        # Workers take targets in submission order, so the running ones are the first `jobs` unfinished ones.
        from coursekit.pipeline import start_order

        pending = [name for name in start_order(self.names) if name not in self.results]
        for name in pending[: self.jobs]:
            self.started.setdefault(name, time.perf_counter())

    def done(self, result: TargetResult) -> None:
        """Record a finished target (called by the pipeline as each one ends)."""
        self.results[result.name] = result
        self.finished[result.name] = time.perf_counter()
        self._mark_running()
        if self.live is not None:
            self.live.refresh()

    def render(self) -> RenderableType:
        """The table as it stands now."""
        from rich.spinner import Spinner
        from rich.table import Table

        now = time.perf_counter()
        table = Table.grid(padding=(0, 2))
        for name in self.names:
            result = self.results.get(name)
            if result is not None:
                seconds = self.finished[name] - self.started.get(name, self.finished[name])
                state: RenderableType = (f"[red]✗ failed[/] {seconds:.1f} s" if result.error else
                                         f"[green]✓[/] {len(result.files)} files, {seconds:.1f} s")
            elif name in self.started:
                state = Spinner("dots", text=f"building {now - self.started[name]:.1f} s")
            else:
                state = "[dim]waiting[/]"
            table.add_row(name, state)
            with self.lock:
                documents = list(self.documents.get(name, {}).items())
            for document, (doc_state, begun, ended) in documents:
                if doc_state == "rendering":
                    shown: RenderableType = Spinner("dots", text=f"rendering {now - begun:.1f} s")
                elif doc_state == "done":
                    shown = f"[green]✓[/] rendered, {ended - begun:.1f} s"
                elif doc_state == "copied":
                    shown = "[green]✓[/] [dim]unchanged, copied[/]"
                else:
                    shown = f"[red]✗ {doc_state}[/]"
                table.add_row(f"  [dim]└[/] {document}", shown)
        return table

    def __enter__(self) -> Self:
        if self.console.is_terminal:
            from rich.live import Live

            self.live = Live(console=self.console, get_renderable=self.render, refresh_per_second=8, transient=False)
            self.live.__enter__()
            self.live.refresh()  # the first frame at once: a quick target may end before the first tick
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.live is not None:
            self.live.__exit__(kind, error, trace)
            self.live = None
