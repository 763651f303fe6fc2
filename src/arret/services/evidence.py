"""What compliance probing kept as evidence, read back: for `arret report` and the
operator's compliance page. (Probing itself, which writes it, is `services.probing`: a
report need not load the probe runner.)"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection

from arret.probes.records import Result
from arret.store import probes as store_probes
from arret.store import registry as store


def results(
    conn: Connection, since: datetime, operators: Sequence[str] | None = None
) -> list[Result]:
    """The results from `since` on, oldest first: of `operators` if any are given (each
    must exist: NotFound naming those that do), else of every operator."""
    for name in operators or ():
        store.get_operator(conn, name)
    if operators and len(operators) == 1:
        return store_probes.load(conn, operators[0], since)
    found = store_probes.load(conn, None, since)
    return [r for r in found if not operators or r.operator in operators]
