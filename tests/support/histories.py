"""Random registry histories for property tests, built through the domain's own rules
(invalid changes are skipped, as the registry would refuse them), and a brute-force
reading of "the policy at T" straight from the events, sharing no code with
`arret.domain.policy`."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection

from arret.domain import lifecycle
from arret.domain.events import (
    AllowEntryRemoved,
    Event,
    NameAllowed,
    OrderAmended,
    OrderLifted,
    OrderRegistered,
)
from arret.domain.model import Action, AllowEntry, Order, Scope, TargetSpec
from arret.errors import InvalidOrder
from arret.store import registry as store

OPERATORS = ("a", "b", "c")
NAMES = ("x.example", "y.example", "w.x.example", "z.y.example", "q.example", "v.w.x.example")
BASE = datetime(2024, 1, 1, tzinfo=UTC)
STEPS = (timedelta(0), timedelta(hours=1), timedelta(days=1), timedelta(days=4))


@dataclass
class History:
    events: list[Event] = field(default_factory=list)
    #: The instant at which each event was recorded ("now" when it was made).
    recorded: list[datetime] = field(default_factory=list)
    orders: dict[int, Order] = field(default_factory=dict)
    allow: list[AllowEntry] = field(default_factory=list)
    now: datetime = BASE

    def record(self, event: Event) -> None:
        self.events.append(event)
        self.recorded.append(self.now)

    def instants(self) -> list[datetime]:
        """Every instant at which something may change, and its neighbours."""
        edges = {e.at for e in self.events}
        for o in self.orders.values():
            edges |= {o.effective_at, o.expires_at, o.registered_at}
            edges |= {t.added_at for t in o.targets}
            edges |= {t.removed_at for t in o.targets if t.removed_at}
            if o.lifted_at:
                edges.add(o.lifted_at)
        tick = timedelta(microseconds=1)
        return sorted({x + d for x in edges for d in (-tick, timedelta(0), tick)} | {BASE})


def random_history(rng: random.Random, steps: int) -> History:
    h = History()
    for _ in range(steps):
        h.now += rng.choice(STEPS)
        roll = rng.random()
        if roll < 0.35 or not h.orders:
            _register(rng, h)
        elif roll < 0.7:
            _amend(rng, h)
        elif roll < 0.85:
            _lift(rng, h)
        elif roll < 0.95:
            _allow(rng, h)
        else:
            _disallow(rng, h)
    return h


def _specs(rng: random.Random, names: list[str]) -> tuple[TargetSpec, ...]:
    return tuple(
        TargetSpec(n, rng.choice(list(Scope)), rng.choice([None, None, *Action])) for n in names
    )


def _register(rng: random.Random, h: History) -> None:
    effective = h.now + timedelta(days=rng.choice([-10, -1, 0, 0, 1, 3]))
    everyone = rng.random() < 0.25
    draft = lifecycle.OrderDraft(
        reference=f"R{len(h.orders) + 1}",
        authority="court",
        decided_on=date(2023, 12, 1),
        targets=_specs(rng, rng.sample(NAMES, rng.randint(1, 3))),
        operators=() if everyone else tuple(rng.sample(OPERATORS, rng.randint(1, 2))),
        all_operators=everyone,
        effective_at=effective,
        expires_at=effective + timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 5)),
        action=rng.choice(list(Action)),
    )
    event = lifecycle.plan_registration(draft, h.now, OPERATORS, "clerk")
    event = replace(event, order_id=len(h.orders) + 1)
    h.orders[event.order_id] = lifecycle.apply(None, event)
    h.record(event)


def _pick(rng: random.Random, h: History) -> Order:
    return h.orders[rng.choice(sorted(h.orders))]


def _amend(rng: random.Random, h: History) -> None:
    order = _pick(rng, h)
    current = [t.name for t in order.current_targets()]
    free = [n for n in NAMES if n not in current]
    added = _specs(rng, rng.sample(free, rng.randint(0, min(2, len(free)))))
    removed = rng.sample(current, rng.randint(0, min(2, len(current))))
    expires = None
    if rng.random() < 0.3:
        expires = h.now + timedelta(days=rng.randint(-2, 25))
    at = max(h.now, order.last_changed_at)
    try:
        event = lifecycle.plan_amendment(order, at, "clerk", added, removed, expires)
    except InvalidOrder:
        return
    h.orders[order.id] = lifecycle.apply(order, event)
    h.record(event)


def _lift(rng: random.Random, h: History) -> None:
    order = _pick(rng, h)
    try:
        event = lifecycle.plan_lift(order, h.now, "clerk", "lifted")
    except InvalidOrder:
        return
    h.orders[order.id] = lifecycle.apply(order, event)
    h.record(event)


def _allow(rng: random.Random, h: History) -> None:
    name = rng.choice(["w.x.example", "safe.x.example", "z.y.example", "other.example"])
    if any(a.name == name and a.removed_at is None for a in h.allow):
        return
    event = NameAllowed(name, h.now, "clerk", "bystander")
    h.allow.append(AllowEntry(name, "bystander", h.now))
    h.record(event)


def _disallow(rng: random.Random, h: History) -> None:
    standing = [i for i, a in enumerate(h.allow) if a.removed_at is None]
    if not standing:
        return
    i = rng.choice(standing)
    h.allow[i] = replace(h.allow[i], removed_at=h.now)
    h.record(AllowEntryRemoved(h.allow[i].name, h.now, "clerk", "ordered after all"))


RuleKey = tuple[str, str]
Expected = tuple[dict[RuleKey, tuple[str, frozenset[int]]], frozenset[str]]


def brute_force_policy(events: list[Event], operator: str, at: datetime) -> Expected:
    """Replay the events with `at` up to T, then read off what `operator` must block."""
    orders: dict[int, dict[str, object]] = {}
    allowed: set[str] = set()
    for event in events:
        if event.at > at:
            continue
        if isinstance(event, NameAllowed):
            allowed.add(event.name)
        elif isinstance(event, AllowEntryRemoved):
            allowed.discard(event.name)
        elif isinstance(event, OrderRegistered):
            t = event.terms
            orders[event.order_id] = {
                "effective": t.effective_at,
                "expires": t.expires_at,
                "lifted": False,
                "addressed": t.all_operators or operator in t.operators,
                "action": t.action.value,
                "targets": {s.name: s for s in event.targets},
            }
        elif isinstance(event, OrderAmended):
            o = orders[event.order_id]
            targets = o["targets"]
            assert isinstance(targets, dict)
            for name in event.removed:
                del targets[name]
            for s in event.added:
                targets[s.name] = s
            if event.expires_at is not None:
                o["expires"] = event.expires_at
        elif isinstance(event, OrderLifted):
            orders[event.order_id]["lifted"] = True
    rules: dict[RuleKey, tuple[str, frozenset[int]]] = {}
    strength = {"nxdomain": 3, "nodata": 2, "notice": 1}
    for oid, o in orders.items():
        effective, expires = o["effective"], o["expires"]
        assert isinstance(effective, datetime) and isinstance(expires, datetime)
        if o["lifted"] or not o["addressed"] or not effective <= at < expires:
            continue
        targets = o["targets"]
        assert isinstance(targets, dict)
        for s in targets.values():
            if any(s.name == a or s.name.endswith("." + a) for a in allowed):
                continue
            action = (s.action or o["action"]).__str__()
            key = (s.name, s.scope.value)
            old_action, old_orders = rules.get(key, (action, frozenset()))
            best = action if strength[action] > strength[old_action] else old_action
            rules[key] = (best, old_orders | {oid})
    subtrees = {name for name, scope in rules if scope == "subtree"}
    passthru = frozenset(a for a in allowed if any(a.endswith("." + s) for s in subtrees))
    return rules, passthru


def write_event(conn: Connection, event: Event, now: datetime) -> None:
    """Write one event of a history through the store, as the services would (without
    publishing the feed)."""
    if isinstance(event, OrderRegistered):
        assert store.insert_order(conn, event, now) == event.order_id
    elif isinstance(event, OrderAmended):
        store.save_amendment(conn, event, now)
    elif isinstance(event, OrderLifted):
        store.save_lift(conn, event, now)
    elif isinstance(event, NameAllowed):
        store.add_allow(conn, event, now)
    elif isinstance(event, AllowEntryRemoved):
        store.remove_allow(conn, event, now)
