"""What a long command shows while it works: each step it takes, how far it is, how long
it has run — on a terminal only, on stderr, erased when the command ends.

A command opens a `Display` (`shown`) and hands it to the service as its
`arret.progress.Progress`. Piped, in CI, or with `--json`, the display is `silent`:
nothing is drawn, rich is not even imported, and stdout carries the result alone. On a
terminal the result (one summary line) is printed once the display has been erased.

Calls are throttled here: a step's count is taken at most every `EVERY` seconds, so a
task may report every batch without the display costing it anything measurable; and
the line is redrawn `PER_SECOND` times a second, one line only (the step under way): a
redraw of six lines costs rich about 5 ms, of one about 1 ms, so drawing takes well under
1 % of the command's time (`bench/scale.py --tty` measures a 100,000-name import drawn on
a terminal against the same import piped).
"""

from __future__ import annotations

import os
import sys
import time
from types import TracebackType
from typing import TYPE_CHECKING

from arret.progress import Progress, silent

if TYPE_CHECKING:
    from rich.progress import Progress as Bar
    from rich.progress import TaskID

#: Seconds between two updates of a step's count.
EVERY = 0.25
#: Redraws a second.
PER_SECOND = 4


def on_terminal() -> bool:
    """Whether a person is watching: stderr is a terminal that can redraw a line."""
    return sys.stderr.isatty() and os.environ.get("TERM", "") != "dumb"


class Display:
    """The step a task is at, on one line: a spinner, what it is, a bar and "done/total"
    when it counts, the time the command has taken so far. A new `what` replaces the step
    before (drawn at once, however short it is, and again when its count reaches its
    total); the line is erased at the end."""

    def __init__(self) -> None:
        self._bar: Bar | None = None
        self._task: TaskID | None = None
        self._what: str | None = None
        self._ended = False
        self._next = 0.0

    def __enter__(self) -> Display:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._bar = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
            TextColumn("{task.fields[count]}"), TimeElapsedColumn(),
            console=Console(stderr=True, highlight=False), transient=True,
            redirect_stdout=False, redirect_stderr=False, refresh_per_second=PER_SECOND,
        )  # fmt: skip
        self._bar.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.__exit__(kind, error, trace)
            self._bar = None

    def __call__(self, what: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        ending = total is not None and done >= total
        if what == self._what and now < self._next and not ending:
            return
        self._next = now + EVERY
        bar = self._bar
        if bar is None:
            return
        if self._task is None:
            self._task = bar.add_task(what, total=None, count="")
        starting = what != self._what
        self._what = what
        count = f"{done:,}/{total:,}" if total is not None else (f"{done:,}" if done else "")
        bar.update(self._task, description=what, completed=done, total=total, count=count)
        # Drawn now, at its start and its end: a step shorter than a refresh still shows,
        # and says it got through all it counted (a millisecond each, twice a step).
        if starting or (ending and not self._ended):
            bar.refresh()
        self._ended = ending


class _Silent:
    """The display of a command nobody watches."""

    def __enter__(self) -> Progress:
        return silent

    def __exit__(self, *_: object) -> None:
        return None


def shown(wanted: bool = True) -> Display | _Silent:
    """The display for a command: drawn when `wanted` (not `--json`, a task large enough
    to take a while) and a person watches (`on_terminal`), else silent."""
    return Display() if wanted and on_terminal() else _Silent()
