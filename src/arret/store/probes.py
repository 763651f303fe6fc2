"""Probe results: rows <-> `arret.probes.records.Result`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, select

from arret.domain.model import Action
from arret.probes.records import Result
from arret.probes.verdict import Kind, Purpose
from arret.store.bulk import insert_tuples
from arret.store.schema import operators, orders, probe_results, targets

#: The columns `save` writes, in the order of its tuples.
_COLUMNS = (
    "operator_id", "resolver", "name", "target", "purpose", "orders", "since", "expected",
    "verdict", "how", "at", "latency", "rcode", "answers", "ede", "reason",
)  # fmt: skip


def save(conn: Connection, results: Sequence[Result]) -> None:
    """Store `results` in the caller's transaction, by the bulk path (`arret.store.bulk`:
    COPY on PostgreSQL, the driver's executemany on SQLite): a probe round stores a row
    per name and resolver, and SQLAlchemy's handling of each row's sixteen parameters
    was a third of the time `arret probe` took (`bench/probe.py`, 100k names)."""
    if not results:
        return
    ids = {name: op_id for name, op_id in conn.execute(select(operators.c.name, operators.c.id))}
    sqlite = conn.dialect.name == "sqlite"

    def processor(column: str) -> Any:
        """The conversion SQLAlchemy applies to the column's values on this database."""
        kind = probe_results.c[column].type.dialect_impl(conn.dialect)
        return kind.bind_processor(conn.dialect) or (lambda value: value)

    # Every value converted here, as the column types would (SQLite: JSON and instants as
    # its text; COPY: JSON as text, instants as they are), so the rows go in as they are.
    # The JSON of a round's few distinct lists (orders, answers, EDEs) is made once each.
    dump = processor("orders") if sqlite else json.dumps
    instant = _sqlite_instant if sqlite else (lambda value: value)
    made: dict[tuple[Any, ...], str] = {}
    instants: dict[datetime, str] = {}

    def since(value: datetime | None) -> str | None:  # a round's few distinct instants
        if value is None:
            return None
        try:
            return instants[value]
        except KeyError:
            instants[value] = text = instant(value)
            return text

    def as_json(value: tuple[Any, ...]) -> str:
        try:
            return made[value]
        except KeyError:
            made[value] = text = dump(value)  # a tuple is a JSON array, as a list
            return text

    rows = (
        (
            ids[r.operator], r.resolver, r.name, r.target, r.purpose.value, as_json(r.orders),
            since(r.since), r.expected.value if r.expected else None, r.verdict.value,
            r.how.value if r.how else None, instant(r.at), r.latency, r.rcode,
            as_json(r.answers), as_json(r.ede), r.reason,
        )
        for r in results
    )  # fmt: skip
    insert_tuples(conn, probe_results, _COLUMNS, rows, native=True)


def _sqlite_instant(value: datetime) -> str:
    """An instant as SQLite keeps it (`arret.store.schema.UTCDateTime`: UTC, without zone,
    always with microseconds: '2026-12-06 12:00:00.000000'), formatted in C."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", timespec="microseconds")


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
