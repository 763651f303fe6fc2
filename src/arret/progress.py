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

#: How many items are done so far, told by a loop that does not say what it is doing
#: (its caller's `Progress` does): `lambda done: progress("checking", done, total)`.
Counted = Callable[[int], None]

#: How many names a loop over a large list handles between two calls. A batch costs
#: tens of milliseconds (checking or writing 20,000 names), a call well under a
#: microsecond: a million names make 50 calls, nothing measurable, and a person watching
#: sees the count move several times a second.
BATCH = 20_000


def silent(what: str, done: int, total: int | None) -> None:
    """The `Progress` of a task nobody watches (the API, the tests, a pipe)."""


def uncounted(done: int) -> None:
    """The `Counted` of a loop nobody follows."""
