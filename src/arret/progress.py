"""How a long task says what it is doing and how far it is, to whoever shows it.

A task takes a `Progress` (a plain function) and calls it at each step it starts and, in
a loop, every batch or so: `progress("writing the names", done, total)`, `total` None
when unknown. What to show, and how often, is the caller's business (the command line
draws it only on a terminal: `arret.cli.progress`); the task pays one call, so it calls
per batch, never per name. A neutral module, like `arret.collector`: services and the
store may take one without depending on any display.
"""

from __future__ import annotations

from collections.abc import Callable

#: (what is being done, how many of it are done, out of how many: None when unknown).
Progress = Callable[[str, int, int | None], None]


def silent(what: str, done: int, total: int | None) -> None:
    """The `Progress` of a task nobody watches (the API, the tests, a pipe)."""
