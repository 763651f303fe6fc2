"""What the feed's DNS server answered since it started: transfers per operator and kind,
the latest transfer of each operator, refusals and SERVFAILs (for `/metrics` and the
operator's page). In memory: counters start again with the process."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from arret.feed.responder import Outcome


@dataclass
class Stats:
    """Transfers served since start (for `/metrics` and the operator's page)."""

    #: (operator, kind) -> count; kind is axfr, ixfr, ixfr-axfr (fallback) or ixfr-current.
    transfers: dict[tuple[str, str], int] = field(default_factory=dict)
    #: operator -> (kind, instant, serial) of its latest transfer.
    last: dict[str, tuple[str, datetime, int]] = field(default_factory=dict)
    refused: int = 0
    #: Queries answered SERVFAIL because the database could not be read.
    servfail: int = 0

    def count(self, outcome: Outcome, at: datetime, serial: int) -> None:
        if outcome.operator and outcome.kind in ("axfr", "ixfr", "ixfr-axfr", "ixfr-current"):
            key = (outcome.operator, outcome.kind)
            self.transfers[key] = self.transfers.get(key, 0) + 1
            self.last[outcome.operator] = (outcome.kind, at, serial)
        elif outcome.rcode in ("REFUSED", "NOTAUTH"):
            self.refused += 1
