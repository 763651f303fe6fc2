"""Property: on any history of orders, amendments, lifts and allow-list entries, the
policy of every operator at every instant equals a brute-force replay of the events up
to that instant."""

from __future__ import annotations

import random
from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from support.histories import OPERATORS, History, brute_force_policy, random_history

from arret.domain import lifecycle
from arret.domain.events import AllowEvent, OrderEvent, from_payload, to_payload
from arret.domain.policy import (
    Policy,
    allowed_at,
    compile_policy,
    covering_at,
    policy_at,
    stream_rules,
)


def as_expected(policy: Policy) -> object:
    rules = {(r.name, r.scope.value): (r.action.value, frozenset(r.orders)) for r in policy.rules}
    return rules, frozenset(policy.passthru)


def order_events(h: History) -> list[OrderEvent]:
    return [e for e in h.events if not isinstance(e, AllowEvent)]


@settings(max_examples=300, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(min_value=1, max_value=25))
def test_policy_equals_brute_force_at_every_instant(rng: random.Random, steps: int) -> None:
    h = random_history(rng, steps)
    orders = list(lifecycle.fold(order_events(h)).values())
    for at in h.instants():
        for operator in OPERATORS:
            expected = brute_force_policy(h.events, operator, at)
            assert as_expected(policy_at(orders, operator, at, h.allow)) == expected, (
                operator,
                at,
            )


@settings(max_examples=100, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(min_value=1, max_value=25))
def test_folding_the_events_rebuilds_every_order(rng: random.Random, steps: int) -> None:
    h = random_history(rng, steps)
    assert lifecycle.fold(order_events(h)) == h.orders


@settings(max_examples=100, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(min_value=1, max_value=25))
def test_events_survive_their_canonical_json_form(rng: random.Random, steps: int) -> None:
    h = random_history(rng, steps)
    assert [from_payload(to_payload(e)) for e in h.events] == h.events


@settings(max_examples=100, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(min_value=1, max_value=25))
def test_policy_rules_are_sorted_and_unique(rng: random.Random, steps: int) -> None:
    h = random_history(rng, steps)
    orders = list(h.orders.values())
    for at in h.instants()[::3]:
        keys = [(r.name, r.scope) for r in policy_at(orders, "a", at, h.allow).rules]
        assert keys == sorted(set(keys))


def test_the_brute_force_can_fail() -> None:
    # Guard against a vacuous property: a history with something blocked at some instant.
    h = random_history(random.Random(7), 20)
    orders = list(h.orders.values())
    blocked_somewhere = any(
        policy_at(orders, op, at, h.allow).rules for at in h.instants() for op in OPERATORS
    )
    assert blocked_somewhere
    at: datetime = h.instants()[len(h.instants()) // 2]
    assert brute_force_policy(h.events, "a", at) != (
        {("nope.example", "exact"): ("nxdomain", frozenset())},
        frozenset(),
    )


@settings(max_examples=150, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(min_value=1, max_value=25))
def test_streamed_rules_equal_the_compiled_policy(rng: random.Random, steps: int) -> None:
    # What a probe round walks (`stream_rules`, fed by the database ordered by name and
    # scope, in any order within a group) is the policy `compile_policy` holds whole.
    h = random_history(rng, steps)
    orders = list(lifecycle.fold(order_events(h)).values())
    for at in h.instants():
        for operator in OPERATORS:
            facts = list(covering_at(orders, operator, at))
            rng.shuffle(facts)
            facts.sort(key=lambda f: (f[0], f[1].value))
            allowed = allowed_at(h.allow, at)
            whole = compile_policy(operator, at, facts, allowed).rules
            assert tuple(stream_rules(facts, allowed)) == whole, (operator, at)
