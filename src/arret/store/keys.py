"""Operators' TSIG keys (in the caller's transaction)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select, update

from arret.domain.model import OperatorKey
from arret.store.schema import operator_keys, operators


def insert(conn: Connection, key: OperatorKey) -> None:
    op_id = conn.scalar(select(operators.c.id).where(operators.c.name == key.operator))
    conn.execute(
        operator_keys.insert().values(
            operator_id=op_id,
            name=key.name,
            algorithm=key.algorithm,
            secret=key.secret,
            created_at=key.created_at,
            retired_at=key.retired_at,
        )
    )


def retire(conn: Connection, name: str, at: datetime) -> None:
    conn.execute(update(operator_keys).where(operator_keys.c.name == name).values(retired_at=at))


def keys(conn: Connection, operator: str | None = None) -> list[OperatorKey]:
    """Keys (of one operator, or all), oldest first."""
    query = (
        select(operators.c.name.label("operator"), operator_keys)
        .join(operators, operators.c.id == operator_keys.c.operator_id)
        .order_by(operator_keys.c.created_at, operator_keys.c.id)
    )
    if operator is not None:
        query = query.where(operators.c.name == operator)
    return [
        OperatorKey(r.operator, r.name, r.algorithm, r.secret, r.created_at, r.retired_at)
        for r in conn.execute(query)
    ]
