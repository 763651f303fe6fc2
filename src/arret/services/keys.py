"""Operators' TSIG keys: created with the operator, rotated with an overlap in which the
old and the new key both work, so resolvers can be reconfigured one by one."""

from __future__ import annotations

import base64
import ipaddress
import secrets
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import Connection

from arret.domain.events import KeyRotated
from arret.domain.model import OperatorKey
from arret.domain.operators import check_endpoints
from arret.errors import InvalidConfig
from arret.rpz.resolvers import DEFAULT_DIRECTORY, Resolver, directory_problem, snippet
from arret.services.feed import settings_of
from arret.store import keys as store_keys
from arret.store import registry as store

ALGORITHM = "hmac-sha256"
#: Written instead of a TSIG secret for a reader who may not hold it.
REDACTED = "REDACTED-ask-the-operator-for-its-secret"
#: RFC 8945 §6: a key at least as long as the hash output (32 octets for SHA-256).
SECRET_OCTETS = 32


def _new_key(operator: str, number: int, now: datetime) -> OperatorKey:
    secret = base64.b64encode(secrets.token_bytes(SECRET_OCTETS)).decode("ascii")
    return OperatorKey(operator, f"{operator}-{number}.tsig.arret.", ALGORITHM, secret, now)


def create_first(conn: Connection, operator: str, now: datetime, actor: str) -> OperatorKey:
    key = _new_key(operator, 1, now)
    store_keys.insert(conn, key)
    store.record_event(conn, KeyRotated(operator, now, actor, key.name), now)
    return key


def rotate(
    conn: Connection, operator: str, now: datetime, actor: str, overlap: timedelta
) -> tuple[OperatorKey, list[OperatorKey]]:
    """A new key; the keys still valid stay accepted for `overlap`, then retire."""
    store.get_operator(conn, operator)
    existing = store_keys.keys(conn, operator)
    key = _new_key(operator, len(existing) + 1, now)
    until = now + overlap
    retiring = [k for k in existing if k.valid_at(now)]
    for old in retiring:
        if old.retired_at is None or old.retired_at > until:
            store_keys.retire(conn, old.name, until)
    store_keys.insert(conn, key)
    previous = retiring[-1].name if retiring else None
    store.record_event(
        conn, KeyRotated(operator, now, actor, key.name, previous, until if previous else None), now
    )
    return key, store_keys.keys(conn, operator)


def valid_keys(conn: Connection, at: datetime) -> dict[str, OperatorKey]:
    """Every key accepted at `at`, by key name (what a TSIG record names)."""
    return {k.name: k for k in store_keys.keys(conn) if k.valid_at(at)}


def current_key(conn: Connection, operator: str, at: datetime) -> OperatorKey | None:
    """The operator's newest key valid at `at` (the one a new resolver configuration gets)."""
    valid = [k for k in store_keys.keys(conn, operator) if k.valid_at(at)]
    return valid[-1] if valid else None


def resolver_config(
    conn: Connection,
    operator: str,
    resolver: Resolver,
    servers: str | Sequence[str],
    at: datetime,
    directory: str | None = None,
    register_url: str = "http://127.0.0.1:8080/register",
    redact: bool = False,
    notice_addresses: Sequence[str] = (),
) -> str:
    """The configuration snippet that makes `resolver` pull `operator`'s feed from `servers`
    (every instance of `arret serve`, the preferred first; duplicates said once),
    with the operator's current key (CLI, API and the operator's page all show this one);
    with `redact`, the key's name and algorithm but not its secret. `directory` is where
    the resolver keeps its copy (default: one its Debian package lets it write);
    `notice_addresses` go into Knot Resolver's `feed sync` command."""
    addresses = []
    for address in notice_addresses:
        try:
            addresses.append(str(ipaddress.ip_address(address.strip())))
        except ValueError:
            raise InvalidConfig(f"notice address {address!r} is not an IP address") from None
    folder = DEFAULT_DIRECTORY[resolver] if directory is None else directory
    problem = directory_problem(folder)
    if problem is not None:
        raise InvalidConfig(problem)
    store.get_operator(conn, operator)
    key = current_key(conn, operator, at)
    if key is not None and redact:
        key = replace(key, secret=REDACTED)
    endpoints = check_endpoints([servers] if isinstance(servers, str) else servers)
    if not endpoints:
        raise InvalidConfig("give at least one server of the feed (HOST:PORT)")
    return snippet(resolver, operator, key, endpoints, settings_of(conn),
                   folder, register_url, notice_addresses=addresses)  # fmt: skip
