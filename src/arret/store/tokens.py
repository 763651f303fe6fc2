"""API tokens and idempotency records: rows <-> values. Only digests of tokens are kept."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, delete, insert, select, update

from arret.domain.access import Role, TokenInfo
from arret.errors import NotFound
from arret.store.schema import api_tokens, idempotency_keys, web_sessions


def _info(row: RowMapping) -> TokenInfo:
    return TokenInfo(
        id=row["id"],
        prefix=row["prefix"],
        role=Role.parse(row["role"]),
        label=row["label"],
        created_at=row["created_at"],
        created_by=row["created_by"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
    )


def insert_token(
    conn: Connection,
    digest: str,
    prefix: str,
    role: Role,
    label: str,
    now: datetime,
    actor: str,
    expires_at: datetime | None,
) -> TokenInfo:
    token_id = conn.execute(
        insert(api_tokens).values(
            digest=digest,
            prefix=prefix,
            role=str(role),
            label=label,
            created_at=now,
            created_by=actor,
            expires_at=expires_at,
        )
    ).inserted_primary_key
    assert token_id is not None
    return get_token(conn, int(token_id[0]))


def get_token(conn: Connection, token_id: int) -> TokenInfo:
    row = conn.execute(select(api_tokens).where(api_tokens.c.id == token_id)).mappings().first()
    if row is None:
        raise NotFound(f"no token {token_id}; see: arret token list")
    return _info(row)


def find_by_digest(conn: Connection, digest: str) -> TokenInfo | None:
    row = conn.execute(select(api_tokens).where(api_tokens.c.digest == digest)).mappings().first()
    return None if row is None else _info(row)


def list_tokens(conn: Connection) -> list[TokenInfo]:
    rows = conn.execute(select(api_tokens).order_by(api_tokens.c.id)).mappings()
    return [_info(r) for r in rows]


def revoke(conn: Connection, token_id: int, now: datetime) -> None:
    conn.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(revoked_at=now))
    conn.execute(
        update(web_sessions)
        .where(web_sessions.c.token_id == token_id, web_sessions.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def insert_session(
    conn: Connection, digest: str, token_id: int, now: datetime, expires_at: datetime
) -> None:
    # Sessions that are over are of no use to anyone: dropped as new ones open.
    conn.execute(delete(web_sessions).where(web_sessions.c.expires_at <= now))
    conn.execute(
        insert(web_sessions).values(
            digest=digest, token_id=token_id, created_at=now, expires_at=expires_at
        )
    )


def live_session(conn: Connection, digest: str, now: datetime) -> int | None:
    """The token id of a session that is neither over nor ended; None otherwise."""
    row = conn.execute(
        select(web_sessions.c.token_id).where(
            web_sessions.c.digest == digest,
            web_sessions.c.revoked_at.is_(None),
            web_sessions.c.expires_at > now,
        )
    ).first()
    return None if row is None else int(row[0])


def end_session(conn: Connection, digest: str, now: datetime) -> None:
    conn.execute(
        update(web_sessions)
        .where(web_sessions.c.digest == digest, web_sessions.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def remembered(conn: Connection, token_id: int, key: str) -> tuple[str, int, Any] | None:
    """The answer given to an earlier request with this key: (request digest, status, body)."""
    row = conn.execute(
        select(
            idempotency_keys.c.request_digest, idempotency_keys.c.status, idempotency_keys.c.body
        ).where(idempotency_keys.c.token_id == token_id, idempotency_keys.c.key == key)
    ).first()
    return None if row is None else (row[0], row[1], row[2])


def remember(
    conn: Connection, token_id: int, key: str, digest: str, status: int, body: Any, now: datetime
) -> None:
    conn.execute(
        insert(idempotency_keys).values(
            token_id=token_id,
            key=key,
            request_digest=digest,
            status=status,
            body=body,
            created_at=now,
        )
    )
