"""The live build display: one row per target (waiting, building, done with its files, failed), on a terminal only."""

from __future__ import annotations

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
        self._mark_running()

    def _mark_running(self) -> None:
        # Workers take targets in submission order, so the running ones are the first `jobs` unfinished ones.
        pending = [name for name in self.names if name not in self.results]
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
