"""Compliance probing as a use case: plan the probes of each operator from the registry,
ask its declared resolvers (and a control resolver, if one is given), judge each answer,
and keep every result as evidence."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from random import Random

from sqlalchemy import Connection, Engine

from arret.domain.instants import Clock
from arret.domain.model import Operator
from arret.domain.operators import check_endpoint
from arret.errors import ArretError
from arret.probes import runner
from arret.probes.plan import Ended, Planned, plan
from arret.probes.records import Result

__all__ = ["Result", "Settings", "plan_operator", "probe"]
from arret.probes.verdict import Observation, classify
from arret.services import feed, registry
from arret.store import probes as store_probes
from arret.store import registry as store

#: Ended orders are probed this long after their end (30 days unless told otherwise).
WINDOW = timedelta(days=30)
#: The last instant an order ending at `t` was in force.
_JUST_BEFORE = timedelta(microseconds=1)


@dataclass(frozen=True)
class Settings:
    window: timedelta = WINDOW
    canaries: tuple[str, ...] = ()
    control: str | None = None
    sample: int | None = None
    concurrency: int = 200
    timeout: float = 2.0
    retries: int = 1


def fresh_label(name: str) -> str:
    """A name below `name` that nobody could have listed in advance."""
    return f"arret-{secrets.token_hex(4)}.{name}"


def plan_operator(
    conn: Connection,
    operator: str,
    now: datetime,
    settings: Settings,
    label: Callable[[str], str] = fresh_label,
) -> list[Planned]:
    policy = registry.policy_for(conn, operator, now)
    blocked_since: dict[tuple[int, str], datetime] = {}
    for order_id in sorted({o for rule in policy.rules for o in rule.orders}):
        order = store.load_order(conn, order_id)
        for target in order.targets_at(now):
            blocked_since[(order_id, target.name)] = max(order.effective_at, target.added_at)
    ended: dict[str, Ended] = {}
    for summary in store.list_orders(conn, operator):
        if not now - settings.window < summary.ends_at <= now:
            continue
        order = store.load_order(conn, summary.id)
        end = order.ends_at
        for target in order.targets_at(end - _JUST_BEFORE):
            seen = ended.get(target.name)
            orders = (seen.orders if seen else ()) + (order.id,)
            at = max(end, seen.at) if seen else end
            ended[target.name] = Ended(target.name, target.scope, orders, at)
    notice_host = feed.settings_of(conn).notice_host.rstrip(".")
    canaries = [c.rstrip(".").lower() for c in settings.canaries]
    return plan(policy, blocked_since, list(ended.values()), canaries, notice_host, label)


def _sampled(planned: list[Planned], sample: int | None, rng: Random) -> list[Planned]:
    if sample is None:
        return planned
    canaries = [p for p in planned if not p.orders]
    others = [p for p in planned if p.orders]
    return rng.sample(others, min(sample, len(others))) + canaries


def probe(
    engine: Engine,
    clock: Clock,
    operators: Sequence[str] | None,
    settings: Settings,
    progress: Callable[[int, int], None] | None = None,
    rng: Random | None = None,
) -> list[Result]:
    """Probe the operators (all when None), store and return every result."""
    control = check_endpoint(settings.control) if settings.control else None
    now = clock.now()
    chosen: list[tuple[Operator, list[Planned]]] = []
    with engine.connect() as conn:
        known = {op.name: op for op in store.list_operators(conn)}
        for name in operators if operators is not None else sorted(known):
            op = store.get_operator(conn, name)
            if operators is not None and not op.probe:
                raise ArretError(
                    f"operator {name!r} declares no resolver to probe; add one: "
                    f"arret operator edit {name} --probe HOST:PORT"
                )
            if op.probe:
                planned = _sampled(plan_operator(conn, name, now, settings), settings.sample,
                                   rng or Random())  # fmt: skip
                chosen.append((op, planned))
    questions: list[runner.Question] = []
    for op, planned in chosen:
        questions += [runner.Question(r, p.name) for r in op.probe for p in planned]
    if control is not None:
        questions += sorted({runner.Question(control, p.name) for _, ps in chosen for p in ps},
                            key=lambda q: q.name)  # fmt: skip
    total, done = len(questions), 0

    def tick(_answer: runner.Answer) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    answers = runner.probe(questions, clock, settings.concurrency, settings.timeout,
                           settings.retries, tick)  # fmt: skip
    observed = {
        (a.question.resolver, a.question.name): Observation.from_message(
            a.message, a.question.resolver, a.at, a.latency, name=a.question.name
        )
        for a in answers
    }
    results = []
    for op, planned in chosen:
        for resolver in op.probe:
            for p in planned:
                seen = observed[(resolver, p.name)]
                baseline = observed.get((control, p.name)) if control else None
                verdict = classify(p.expectation, seen, baseline)
                results.append(
                    Result(
                        operator=op.name, resolver=resolver, name=p.name, target=p.target,
                        purpose=p.expectation.purpose, orders=p.orders, since=p.since,
                        expected=p.expectation.action, verdict=verdict.kind, how=verdict.how,
                        at=seen.at, latency=seen.latency, rcode=seen.rcode,
                        answers=seen.answers, ede=seen.ede, reason=verdict.reason,
                    )
                )  # fmt: skip
    with engine.begin() as conn:
        store_probes.save(conn, results)
    return results
