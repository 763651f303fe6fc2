"""Which names must an operator block at instant T?

The policy of operator O at T is the set of rules `(name, scope, action)` from every
order addressed to O that is in force at T (`[effective_at, end)`), restricted to the
targets present at T (`[added_at, removed_at)`). A name covered by several orders stays
while any of them covers it; the rule lists every order that covers it. Names on the
allow-list at T, or under an allow-listed name, are never in the policy; allow-listed
names below a blocked subtree are reported as `passthru` so the feed can exempt them.

Two entry points share one merge (`compile_policy`): `policy_at` works from whole orders
(the pure model, exhaustively tested), and the store feeds `compile_policy` rows that its
SQL query already selected for T, so that a million names never become a million
objects of the model.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from arret.domain.model import ACTION_STRENGTH, Action, AllowEntry, Order, Scope
from arret.domain.names import covering_entry


class Rule(NamedTuple):
    # A NamedTuple rather than a frozen dataclass: a policy holds up to millions of rules,
    # and a tuple is built several times faster and is smaller.
    name: str
    scope: Scope
    action: Action
    #: Every order that covers this name with this scope at the instant, ascending.
    orders: tuple[int, ...]


@dataclass(frozen=True)
class Policy:
    operator: str
    at: datetime
    #: Sorted by name, then scope.
    rules: tuple[Rule, ...]
    #: Allow-listed names strictly below a blocked subtree, sorted.
    passthru: tuple[str, ...] = ()

    def names(self) -> list[str]:
        return [r.name for r in self.rules]


#: One covering fact: (name, scope, action, order id), all already in force at T.
Covering = tuple[str, Scope, Action, int]


def allowed_at(entries: Iterable[AllowEntry], at: datetime) -> frozenset[str]:
    return frozenset(e.name for e in entries if e.in_force_at(at))


def compile_policy(
    operator: str, at: datetime, covering: Iterable[Covering], allowed: frozenset[str]
) -> Policy:
    """Merge covering facts into rules; drop allow-listed names; find passthru names."""
    # One order per name is the common case: keep (action, order id) and only build a
    # set of orders when a second order covers the same name and scope.
    single: dict[tuple[str, Scope], tuple[Action, int]] = {}
    several: dict[tuple[str, Scope], tuple[Action, set[int]]] = {}
    strength = ACTION_STRENGTH
    for name, scope, action, order_id in covering:
        if allowed and covering_entry(name, allowed) is not None:
            continue
        key = (name, scope)
        found = single.get(key)
        if found is None:
            single[key] = (action, order_id)
            continue
        action0, first = found
        many = several.get(key)
        if many is None:
            many = several[key] = (action0, {first})
        strongest, orders = many
        orders.add(order_id)
        if strength[action] > strength[strongest]:
            several[key] = (action, orders)
    rules = []
    # `tuple.__new__` is what `Rule(...)` calls, without its Python frame (a million rules).
    rule = tuple.__new__
    for key in sorted(single):
        many = several.get(key)
        if many is None:
            action, order_id = single[key]
            rules.append(rule(Rule, (key[0], key[1], action, (order_id,))))
        else:
            rules.append(Rule(key[0], key[1], many[0], tuple(sorted(many[1]))))
    subtrees = frozenset(name for name, scope in single if scope is Scope.SUBTREE)
    passthru = (
        sorted(name for name in allowed if _strict_parent_in(name, subtrees)) if subtrees else []
    )
    return Policy(operator, at, tuple(rules), tuple(passthru))


def stream_rules(covering: Iterable[Covering], allowed: frozenset[str]) -> Iterator[Rule]:
    """The rules of `compile_policy`, one at a time, from covering facts that arrive
    grouped by (name, scope) — as the database gives them ordered — so that a million
    rules are never held at once (a probe round walks them). The same merge: every order
    of a (name, scope), the strongest action; allow-listed names dropped."""
    strength = ACTION_STRENGTH
    key: tuple[str, Scope] | None = None
    action: Action | None = None
    orders: set[int] = set()
    for name, scope, this, order_id in covering:
        if allowed and covering_entry(name, allowed) is not None:
            continue
        if (name, scope) != key:
            if key is not None and action is not None:
                yield Rule(key[0], key[1], action, tuple(sorted(orders)))
            key, action, orders = (name, scope), this, {order_id}
            continue
        orders.add(order_id)
        if action is None or strength[this] > strength[action]:
            action = this
    if key is not None and action is not None:
        yield Rule(key[0], key[1], action, tuple(sorted(orders)))


def _strict_parent_in(name: str, names: frozenset[str]) -> bool:
    labels = name.split(".")
    return any(".".join(labels[i:]) in names for i in range(1, len(labels)))


def covering_at(orders: Iterable[Order], operator: str, at: datetime) -> Iterable[Covering]:
    for order in orders:
        if not (order.terms.addresses(operator) and order.in_force_at(at)):
            continue
        for target in order.targets:
            if target.present_at(at):
                yield (target.name, target.scope, order.action_of(target), order.id)


def policy_at(
    orders: Iterable[Order], operator: str, at: datetime, allow: Iterable[AllowEntry] = ()
) -> Policy:
    """The policy of `operator` at `at`, from the orders as the registry knows them."""
    return compile_policy(operator, at, covering_at(orders, operator, at), allowed_at(allow, at))
