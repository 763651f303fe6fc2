"""A probe result as it is kept: one name asked of one resolver of one operator at one
instant, what was expected of it, and the verdict with its evidence. The measures
(`arret.probes.measures`) are computed from these alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from arret.domain.model import Action
from arret.probes.verdict import Kind, Purpose


@dataclass(frozen=True)
class Result:
    operator: str
    #: The probed resolver, HOST:PORT.
    resolver: str
    #: The name asked (for a subtree target, a generated name below it).
    name: str
    #: The policy name the asked name stands for (equal to `name` for exact targets).
    target: str
    purpose: Purpose
    #: The orders behind the expectation: those blocking the name (in force), or those
    #: whose end unblocked it (ended). Empty for canaries.
    orders: tuple[int, ...]
    #: In force: when the name became blocked for this operator. Ended: when it stopped
    #: being blocked. Canary: None. Time-to-block and time-to-unblock count from here.
    since: datetime | None
    #: The action expected (in force), else None.
    expected: Action | None
    verdict: Kind
    #: The blocking action observed (blocked, wrong action), else None.
    how: Action | None
    at: datetime
    latency: float
    rcode: str
    answers: tuple[str, ...] = ()
    ede: tuple[tuple[int, str], ...] = ()
    reason: str = ""
