"""Small builders for domain tests: an order in a line, instants by day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from arret.domain import lifecycle
from arret.domain.lifecycle import OrderDraft
from arret.domain.model import Action, Order, Scope, TargetSpec

T0 = datetime(2021, 3, 4, tzinfo=UTC)
OPERATORS = frozenset({"sfr", "orange", "free", "bouygues"})


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def draft(*names: str, **changes: object) -> OrderDraft:
    base: dict[str, object] = {
        "reference": "21-51823",
        "authority": "Tribunal judiciaire de Paris",
        "decided_on": date(2021, 3, 4),
        "targets": tuple(TargetSpec(n) for n in names or ("leak.example",)),
        "operators": ("orange",),
        "effective_at": T0,
        "expires_at": day(30),
    }
    base.update(changes)
    return OrderDraft(**base)  # type: ignore[arg-type]


def registered(order_id: int = 1, *names: str, now: datetime = T0, **changes: object) -> Order:
    event = lifecycle.plan_registration(draft(*names, **changes), now, OPERATORS, "clerk")
    from dataclasses import replace

    return lifecycle.apply(None, replace(event, order_id=order_id))


def spec(name: str, scope: Scope = Scope.SUBTREE, action: Action | None = None) -> TargetSpec:
    return TargetSpec(name, scope, action)
