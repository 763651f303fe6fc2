"""API tokens: created (shown once), listed, revoked, and checked on every request."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from arret.domain import text
from arret.domain.access import Kind, Principal, Role, TokenInfo
from arret.errors import InvalidRole, InvalidText, InvalidTime, NotAuthenticated, NotFound
from arret.store import registry as store
from arret.store import tokens as store_tokens

#: Every token starts with this, so that secret scanners and people recognise one.
PREFIX = "arret_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(
    conn: Connection,
    role: Role,
    now: datetime,
    actor: str,
    label: str = "",
    expires_at: datetime | None = None,
) -> tuple[str, TokenInfo]:
    """A new token for `role`: returns the token (to be shown once) and what is stored."""
    if role.kind is Kind.OPERATOR:
        assert role.operator is not None
        if role.operator not in store.operator_names(conn):
            known = ", ".join(sorted(store.operator_names(conn))) or "none yet"
            raise InvalidRole(f"unknown operator {role.operator!r} (known: {known})")
    if expires_at is not None and expires_at <= now:
        raise InvalidTime("a token's expiry must lie in the future")
    if problems := text.check((text.LABEL, label)):
        raise InvalidText("token refused", problems)
    token = PREFIX + secrets.token_urlsafe(32)
    info = store_tokens.insert_token(
        conn, digest(token), token[: len(PREFIX) + 4], role, label, now, actor, expires_at
    )
    return token, info


def listed(conn: Connection) -> list[TokenInfo]:
    """Every token ever created (never its secret: only its hash is kept)."""
    return store_tokens.list_tokens(conn)


def revoke(conn: Connection, token_id: int, now: datetime) -> TokenInfo:
    info = store_tokens.get_token(conn, token_id)
    if info.revoked_at is not None:
        raise NotFound(f"token {token_id} is already revoked")
    store_tokens.revoke(conn, token_id, now)
    return store_tokens.get_token(conn, token_id)


def remembered(conn: Connection, token_id: int, key: str) -> tuple[str, int, Any] | None:
    """The answer a token's earlier request with this `Idempotency-Key` got: (the request's
    digest, status, body); None if the key is new."""
    return store_tokens.remembered(conn, token_id, key)


def remember(
    conn: Connection, token_id: int, key: str, digest: str, status: int, body: Any, now: datetime
) -> None:
    """Keep the answer to a request with this key, in the transaction of its change: it
    lands with the change or not at all."""
    store_tokens.remember(conn, token_id, key, digest, status, body, now)


def principal_of(info: TokenInfo) -> Principal:
    # The actor written into every event this caller causes: who (the token's label, as
    # its creator wrote it), and the token and role that vouch for it.
    who = f"{info.label} " if info.label else ""
    return Principal(info.role, info.id, f"{who}(token {info.id}, {info.role})")


def authenticate(conn: Connection, token: str, now: datetime) -> Principal:
    """The caller a token stands for; NotAuthenticated for anything else, with a reason
    that does not tell an attacker more than "this token does not work"."""
    info = store_tokens.find_by_digest(conn, digest(token.strip()))
    if info is None:
        raise NotAuthenticated("unknown token")
    return check(info, now)


def check(info: TokenInfo, now: datetime) -> Principal:
    state = info.state_at(now)
    if state != "valid":
        raise NotAuthenticated(f"this token is {state}")
    return principal_of(info)


def by_id(conn: Connection, token_id: int, now: datetime) -> Principal:
    try:
        return check(store_tokens.get_token(conn, token_id), now)
    except NotFound:
        raise NotAuthenticated("unknown token") from None


def open_session(conn: Connection, principal: Principal, now: datetime, lifetime: timedelta) -> str:
    """A web UI session for a logged-in token: its key, for the (signed) cookie."""
    key = secrets.token_urlsafe(32)
    store_tokens.insert_session(conn, digest(key), principal.token_id, now, now + lifetime)
    return key


def session_principal(conn: Connection, key: str, now: datetime) -> Principal:
    """The caller behind a web session: NotAuthenticated once it is over, ended by a
    logout, or its token expired or revoked."""
    token_id = store_tokens.live_session(conn, digest(key), now)
    if token_id is None:
        raise NotAuthenticated("this session has ended")
    return by_id(conn, token_id, now)


def end_session(conn: Connection, key: str, now: datetime) -> None:
    store_tokens.end_session(conn, digest(key), now)
