"""Probe results: rows <-> `arret.probes.records.Result`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, select

from arret.domain.model import Action
from arret.probes.records import Result
from arret.probes.verdict import Kind, Purpose
from arret.store.schema import operators, orders, probe_results, targets


def save(conn: Connection, results: Sequence[Result]) -> None:
    ids = {name: op_id for name, op_id in conn.execute(select(operators.c.name, operators.c.id))}
    rows: list[dict[str, Any]] = [
        {
            "operator_id": ids[r.operator],
            "resolver": r.resolver,
            "name": r.name,
            "target": r.target,
            "purpose": r.purpose.value,
            "orders": list(r.orders),
            "since": r.since,
            "expected": r.expected.value if r.expected else None,
            "verdict": r.verdict.value,
            "how": r.how.value if r.how else None,
            "at": r.at,
            "latency": r.latency,
            "rcode": r.rcode,
            "answers": list(r.answers),
            "ede": [list(e) for e in r.ede],
            "reason": r.reason,
        }
        for r in results
    ]
    if rows:
        # executemany, not COPY: the JSON columns need SQLAlchemy's type processing.
        conn.execute(probe_results.insert(), rows)


def _result(row: RowMapping, operator: str) -> Result:
    return Result(
        operator=operator,
        resolver=row["resolver"],
        name=row["name"],
        target=row["target"],
        purpose=Purpose(row["purpose"]),
        orders=tuple(row["orders"]),
        since=row["since"],
        expected=Action(row["expected"]) if row["expected"] else None,
        verdict=Kind(row["verdict"]),
        how=Action(row["how"]) if row["how"] else None,
        at=row["at"],
        latency=row["latency"],
        rcode=row["rcode"],
        answers=tuple(row["answers"]),
        ede=tuple((int(c), str(t)) for c, t in row["ede"]),
        reason=row["reason"],
    )


def load(
    conn: Connection, operator: str | None = None, since: datetime | None = None
) -> list[Result]:
    """Results (of one operator, from an instant on), oldest first."""
    query = (
        select(probe_results, operators.c.name.label("operator_name"))
        .join(operators, operators.c.id == probe_results.c.operator_id)
        .order_by(probe_results.c.at, probe_results.c.id)
    )
    if operator is not None:
        query = query.where(operators.c.name == operator)
    if since is not None:
        query = query.where(probe_results.c.at >= since)
    return [_result(r, r["operator_name"]) for r in conn.execute(query).mappings()]


def blocking_starts(
    conn: Connection, order_ids: Sequence[int], at: datetime
) -> tuple[dict[int, datetime], dict[tuple[int, str], datetime]]:
    """When each order began blocking its names present at `at`: its effective instant,
    and, by (order, name), the addition of the targets added after it (amendments) —
    without loading the orders' targets (an order may hold a million)."""
    effective: dict[int, datetime] = {}
    later: dict[tuple[int, str], datetime] = {}
    for order_id in order_ids:
        start = conn.execute(
            select(orders.c.effective_at).where(orders.c.id == order_id)
        ).scalar_one()
        effective[order_id] = start
        query = select(targets.c.name, targets.c.added_at).where(
            targets.c.order_id == order_id,
            targets.c.added_at > start,
            targets.c.added_at <= at,
            (targets.c.removed_at.is_(None)) | (targets.c.removed_at > at),
        )
        for name, added in conn.execute(query):
            later[(order_id, name)] = added
    return effective, later
