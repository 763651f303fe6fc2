"""`arret report`: what probing saw, per operator, per resolver and per order."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

import typer

from arret.cli.context import env
from arret.cli.options import Json, instant_or_span
from arret.cli.output import print_json, print_table
from arret.probes.interval import wilson
from arret.probes.measures import Distribution, Measures, Standing, measure
from arret.probes.rounds import latest_round
from arret.services import evidence, probing, queries


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _ci(successes: int, trials: int) -> str:
    """A share with its 95 % Wilson interval: "97% (95.1-98.3%, n=412)"."""
    interval = wilson(successes, trials)
    if interval is None:
        return "-"
    return (f"{interval.share:.0%} ({100 * interval.low:.1f}-{100 * interval.high:.1f}%, "
            f"n={trials})")  # fmt: skip


def _bounds(successes: int, trials: int) -> list[float] | None:
    interval = wilson(successes, trials)
    return None if interval is None else [round(interval.low, 6), round(interval.high, 6)]


def _over(s: Standing) -> tuple[int, int]:
    return s.ended.blocked + s.ended.wrong_action, s.ended.conclusive


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds(), 3)


def _span(d: Distribution) -> str:
    if not d.count:
        return "-"
    parts = [f"{_seconds(v):g}s" if v is not None else "-" for v in (d.p50, d.p95, d.max)]
    late = f", {d.late} late" if d.late else ""
    return " / ".join(parts) + late


def _row(label: list[str], m: Measures | Any) -> list[Any]:
    s: Standing = m.standing
    return [*label, _ci(s.in_force.blocked, s.in_force.conclusive), s.wrong_action,
            _ci(*_over(s)),
            s.canary_failures, s.errors, _span(m.delays.to_block),
            _span(m.delays.to_unblock)]  # fmt: skip


def _json(m: Measures | Any) -> dict[str, Any]:
    s: Standing = m.standing

    def dist(d: Distribution) -> dict[str, Any]:
        return {"count": d.count, "late": d.late, "unknown": d.unknown,
                "p50": _seconds(d.p50), "p95": _seconds(d.p95), "max": _seconds(d.max)}  # fmt: skip

    return {
        "compliance": s.compliance,
        "compliance_95": _bounds(s.in_force.blocked, s.in_force.conclusive),
        "wrong_action": s.wrong_action,
        "over_blocking": s.over_blocking,
        "over_blocking_95": _bounds(*_over(s)),
        "canary_failures": s.canary_failures,
        "errors": s.errors,
        "time_to_block_s": dist(m.delays.to_block),
        "time_to_unblock_s": dist(m.delays.to_unblock),
    }


HEADERS = ["compliance (95% interval)", "wrong action", "over-blocking (95% interval)",
           "canary failures", "errors", "to block p50/p95/max",
           "to unblock p50/p95/max"]  # fmt: skip


def report(
    ctx: typer.Context,
    operator: Annotated[
        list[str] | None, typer.Option(metavar="NAME", help="Only this operator (repeatable).")
    ] = None,
    since: Annotated[
        str, typer.Option(metavar="WHEN", help="Results from this instant, or this long ago.")
    ] = "30d",
    json: Json = False,
) -> None:
    """Compliance, over-blocking and time-to-block/unblock from the stored probe results."""
    e = env(ctx)
    now = e.clock.now()
    start = instant_or_span(since, now, "--since", before=True)
    with e.transaction() as conn:
        results = evidence.results(conn, start, operator)
    found = measure([r for r in results if r.at <= now], now)
    rounds = {}
    with e.transaction() as conn:
        for name in sorted(found.operators):
            pace = latest_round(r.at for r in results if r.operator == name and r.at <= now)
            op = queries.operator(conn, name)
            full = sum(
                1 for _ in probing.iter_plan_operator(conn, name, now, probing.Settings())
            ) * max(1, len(op.probe))
            took = pace.seconds_for(full) if pace else None
            rounds[name] = {
                "questions": full,
                "latest_round_questions": pace.questions if pace else 0,
                "rate_per_s": round(pace.rate, 1) if pace and pace.rate else None,
                "full_round_s": round(took, 1) if took is not None else None,
            }
    if json:
        print_json({
            "now": now.isoformat(),
            "since": start.isoformat(),
            "operators": {
                name: _json(m) | {"resolvers": {r: _json(x) for r, x in m.resolvers.items()}}
                for name, m in sorted(found.operators.items())
            },
            "orders": {str(o): _json(m) for o, m in sorted(found.orders.items())},
            "rounds": rounds,
        })  # fmt: skip
        return
    rows = []
    for name, m in sorted(found.operators.items()):
        rows.append(_row([name, "all"], m))
        rows += [_row(["", resolver], x) for resolver, x in sorted(m.resolvers.items())]
    print_table(f"probing since {start:%Y-%m-%d %H:%M} UTC ({len(results)} answers)",
                ["operator", "resolver", *HEADERS], rows)  # fmt: skip
    print_table("per order", ["order", *HEADERS],
                [_row([str(o)], m) for o, m in sorted(found.orders.items())])  # fmt: skip
    print_table(
        "a full round (every name asked of every resolver) at the latest round's rate",
        ["operator", "questions", "latest round", "questions/s", "full round"],
        [[name, r["questions"], r["latest_round_questions"],
          "-" if r["rate_per_s"] is None else f"{r['rate_per_s']:,.0f}",
          "-" if r["full_round_s"] is None else f"{r['full_round_s']:,.0f} s"]
         for name, r in rounds.items()],
    )  # fmt: skip
