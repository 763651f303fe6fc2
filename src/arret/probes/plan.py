"""What to ask each resolver of an operator, and what to expect: every name in force for
it — for a subtree target, the name and one generated name below it, since "the whole
site" must be blocked —, every name whose order ended within a window (still blocking it
is over-blocking), and canary names that must resolve, so that a dead or broken resolver
is not taken for a blocking one. Pure: the policy, the instants and the labels are
given."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from arret.domain.model import Scope
from arret.domain.policy import Policy, Rule
from arret.probes.verdict import Expectation


@dataclass(frozen=True)
class Ended:
    """A name that an order blocked until `at` (its end), with that order."""

    name: str
    scope: Scope
    orders: tuple[int, ...]
    at: datetime


@dataclass(frozen=True, slots=True)
class Planned:
    #: The name to ask.
    name: str
    #: The policy name it stands for.
    target: str
    expectation: Expectation
    orders: tuple[int, ...]
    #: When the name became blocked (in force) or stopped being blocked (ended).
    since: datetime | None


def _rule_at(rules: Sequence[Rule], name: str, scope: Scope) -> bool:
    """Whether `rules` (sorted by name, then scope) hold `name` with `scope`."""
    i = bisect_left(rules, name, key=lambda r: r.name)
    while i < len(rules) and rules[i].name == name:
        if rules[i].scope is scope:
            return True
        i += 1
    return False


def _covered(name: str, rules: Sequence[Rule]) -> bool:
    if _rule_at(rules, name, Scope.EXACT) or _rule_at(rules, name, Scope.SUBTREE):
        return True
    labels = name.split(".")
    return any(_rule_at(rules, ".".join(labels[i:]), Scope.SUBTREE) for i in range(1, len(labels)))


def plan(
    policy: Policy,
    blocked_since: Mapping[tuple[int, str], datetime],
    ended: Sequence[Ended],
    canaries: Sequence[str],
    notice_host: str,
    label: Callable[[str], str],
) -> list[Planned]:
    """Every probe of `iter_plan`, in a list."""
    return list(iter_plan(policy, blocked_since, ended, canaries, notice_host, label))


def iter_plan(
    policy: Policy,
    blocked_since: Mapping[tuple[int, str], datetime],
    ended: Sequence[Ended],
    canaries: Sequence[str],
    notice_host: str,
    label: Callable[[str], str],
    rules: Iterable[Rule] | None = None,
) -> Iterator[Planned]:
    """The probes of one operator at `policy.at`, one at a time (a policy may hold
    millions of names: nothing per name is kept here). `rules`: the policy's rules as a
    stream, when `policy` holds only those the ended names and canaries are looked up in
    (their names and parents), so that a million rules are never held.
    `blocked_since[(order, name)]` is when that order began blocking that name (its
    effective instant, or the target's addition if later); `label(name)` gives a fresh
    name below `name` for subtree targets. A name is asked once, for the first rule
    naming it (rules are sorted by name, then scope: an exact rule before a subtree rule
    of the same name)."""
    previous = None
    for rule in policy.rules if rules is None else rules:
        since = min((blocked_since.get((o, rule.name), policy.at) for o in rule.orders),
                    default=policy.at)  # fmt: skip
        expect = Expectation.in_force
        if rule.name != previous:
            yield Planned(rule.name, rule.name, expect(rule.name, rule.action, notice_host),
                          rule.orders, since)  # fmt: skip
        previous = rule.name
        if rule.scope is Scope.SUBTREE:
            below = label(rule.name)
            yield Planned(below, rule.name, expect(below, rule.action, notice_host),
                          rule.orders, since)  # fmt: skip
    rules = policy.rules
    asked: set[str] = set()  # the ended names and canaries asked (few)
    for gone in ended:
        if _covered(gone.name, rules):
            continue  # still blocked, by another order
        if gone.name not in asked:
            asked.add(gone.name)
            yield Planned(gone.name, gone.name, Expectation.ended(gone.name, notice_host),
                          gone.orders, gone.at)  # fmt: skip
        if gone.scope is Scope.SUBTREE:
            below = label(gone.name)
            yield Planned(below, gone.name, Expectation.ended(below, notice_host), gone.orders,
                          gone.at)  # fmt: skip
    for canary in canaries:
        if canary in asked or _rule_at(rules, canary, Scope.EXACT):
            continue
        if _rule_at(rules, canary, Scope.SUBTREE):
            continue
        asked.add(canary)
        yield Planned(canary, canary, Expectation.canary(canary, notice_host), (), None)
