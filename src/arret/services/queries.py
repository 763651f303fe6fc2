"""Questions the CLI, the API and the web UI ask of the registry, each answered once here.

Reads run in the caller's connection (its transaction, its snapshot). Who may see what is
the caller's: it passes the rule (`reader`), so a question does not depend on how the
caller authenticated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from arret.domain.model import AllowEntry, Operator, Order, Status
from arret.store import registry as store


@dataclass(frozen=True)
class Listed:
    """An order as a list shows it at an instant: the order and its names present then."""

    order: Order
    names: int


def operator(conn: Connection, name: str) -> Operator:
    """The operator called `name`; NotFound (naming those that exist) otherwise."""
    return store.get_operator(conn, name)


def operators(conn: Connection) -> list[Operator]:
    """Every operator, by name."""
    return store.list_operators(conn)


def orders_at(
    conn: Connection,
    at: datetime,
    operator: str | None = None,
    status: Status | None = None,
    reader: Callable[[Order], bool] | None = None,
) -> list[Listed]:
    """The orders registered by `at`, oldest first: those addressed to `operator` (which
    must exist) if given, in `status` at `at` if given, and those `reader` may read if
    given; each with its number of names present at `at`."""
    if operator is not None:
        store.get_operator(conn, operator)
    found = [
        o
        for o in store.list_orders(conn, operator)
        if o.registered_at <= at
        and (reader is None or reader(o))
        and (status is None or o.status_at(at) is status)
    ]
    counts = store.present_target_counts(conn, at)
    return [Listed(o, counts.get(o.id, 0)) for o in found]


#: The public register lists at most this many names of each order; an order's own page
#: and `/api/public/orders/{id}` list them all.
LISTED_NAMES = 20


@dataclass(frozen=True)
class Public:
    """An order as the public register lists it: its current names' count and the first
    `LISTED_NAMES` of them (none for a confidential order)."""

    order: Order
    names: int
    first_names: list[str]


def public_register(conn: Connection) -> list[Public]:
    """Every order, oldest first, as the public register lists it."""
    counts = store.current_target_counts(conn)
    return [
        Public(
            o,
            counts.get(o.id, 0),
            [] if o.terms.confidential else store.current_target_names(conn, o.id, LISTED_NAMES),
        )
        for o in store.list_orders(conn)
    ]


def allowed_at(conn: Connection, at: datetime) -> list[AllowEntry]:
    """The allow-list entries in force at `at`."""
    return [a for a in store.allow_entries(conn) if a.in_force_at(at)]
