"""What to ask each resolver of an operator, and what to expect: every name in force for
it — for a subtree target, the name and one generated name below it, since "the whole
site" must be blocked —, every name whose order ended within a window (still blocking it
is over-blocking), and canary names that must resolve, so that a dead or broken resolver
is not taken for a blocking one. Pure: the policy, the instants and the labels are
given."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from arret.domain.model import Scope
from arret.domain.policy import Policy
from arret.probes.verdict import Expectation


@dataclass(frozen=True)
class Ended:
    """A name that an order blocked until `at` (its end), with that order."""

    name: str
    scope: Scope
    orders: tuple[int, ...]
    at: datetime


@dataclass(frozen=True)
class Planned:
    #: The name to ask.
    name: str
    #: The policy name it stands for.
    target: str
    expectation: Expectation
    orders: tuple[int, ...]
    #: When the name became blocked (in force) or stopped being blocked (ended).
    since: datetime | None


def _covered(name: str, exact: set[str], subtrees: set[str]) -> bool:
    if name in exact or name in subtrees:
        return True
    labels = name.split(".")
    return any(".".join(labels[i:]) in subtrees for i in range(1, len(labels)))


def plan(
    policy: Policy,
    blocked_since: Mapping[tuple[int, str], datetime],
    ended: Sequence[Ended],
    canaries: Sequence[str],
    notice_host: str,
    label: Callable[[str], str],
) -> list[Planned]:
    """The probes of one operator at `policy.at`. `blocked_since[(order, name)]` is when
    that order began blocking that name (its effective instant, or the target's addition
    if later); `label(name)` gives a fresh name below `name` for subtree targets."""
    out: dict[str, Planned] = {}
    for rule in policy.rules:
        since = min((blocked_since.get((o, rule.name), policy.at) for o in rule.orders),
                    default=policy.at)  # fmt: skip
        asked = [rule.name] + ([label(rule.name)] if rule.scope is Scope.SUBTREE else [])
        for name in asked:
            if name not in out:
                out[name] = Planned(
                    name, rule.name, Expectation.in_force(name, rule.action, notice_host),
                    rule.orders, since,
                )  # fmt: skip
    exact = {r.name for r in policy.rules if r.scope is Scope.EXACT}
    subtrees = {r.name for r in policy.rules if r.scope is Scope.SUBTREE}
    for gone in ended:
        if _covered(gone.name, exact, subtrees):
            continue  # still blocked, by another order
        asked = [gone.name] + ([label(gone.name)] if gone.scope is Scope.SUBTREE else [])
        for name in asked:
            if name not in out:
                out[name] = Planned(name, gone.name, Expectation.ended(name, notice_host),
                                    gone.orders, gone.at)  # fmt: skip
    for canary in canaries:
        if canary not in out:
            out[canary] = Planned(canary, canary, Expectation.canary(canary, notice_host), (),
                                  None)  # fmt: skip
    return list(out.values())
