"""`arret report`: what probing saw, per operator, per resolver and per order."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

import typer

from arret.cli.context import env
from arret.cli.options import Json, instant_or_span
from arret.cli.output import print_json, print_table
from arret.probes.measures import Distribution, Measures, Standing, measure
from arret.services import evidence


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


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
    return [*label, _share(s.compliance), s.wrong_action, _share(s.over_blocking),
            s.canary_failures, s.errors, _span(m.delays.to_block),
            _span(m.delays.to_unblock)]  # fmt: skip


def _json(m: Measures | Any) -> dict[str, Any]:
    s: Standing = m.standing

    def dist(d: Distribution) -> dict[str, Any]:
        return {"count": d.count, "late": d.late, "unknown": d.unknown,
                "p50": _seconds(d.p50), "p95": _seconds(d.p95), "max": _seconds(d.max)}  # fmt: skip

    return {
        "compliance": s.compliance,
        "wrong_action": s.wrong_action,
        "over_blocking": s.over_blocking,
        "canary_failures": s.canary_failures,
        "errors": s.errors,
        "time_to_block_s": dist(m.delays.to_block),
        "time_to_unblock_s": dist(m.delays.to_unblock),
    }


HEADERS = ["compliance", "wrong action", "over-blocking", "canary failures", "errors",
           "to block p50/p95/max", "to unblock p50/p95/max"]  # fmt: skip


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
    if json:
        print_json({
            "now": now.isoformat(),
            "since": start.isoformat(),
            "operators": {
                name: _json(m) | {"resolvers": {r: _json(x) for r, x in m.resolvers.items()}}
                for name, m in sorted(found.operators.items())
            },
            "orders": {str(o): _json(m) for o, m in sorted(found.orders.items())},
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
