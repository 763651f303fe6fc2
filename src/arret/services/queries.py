"""Questions the CLI, the API and the web UI ask of the registry, each answered once here.

Reads run in the caller's connection (its transaction, its snapshot). Who may see what is
the caller's: it passes the rule (`reader`, or the `Principal` whose reading is checked),
so a question does not depend on how the caller authenticated.

Long lists come a page at a time, read by keyset: a page says the position to continue
after (`next_after`, None on the last page), which the edge turns into its own link.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from arret.domain import names
from arret.domain.access import Principal
from arret.domain.events import Event
from arret.domain.model import AllowEntry, Operator, Order, Scope, Status, Target
from arret.errors import Forbidden
from arret.store import public as public_store
from arret.store import registry as store

#: An event of the registry as recorded: (sequence number, recorded at, event).
Recorded = tuple[int, datetime, Event]


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


def orders(conn: Connection, operator: str | None = None) -> list[Order]:
    """Every order (addressed to `operator` if given), oldest first, without its targets."""
    return store.list_orders(conn, operator)


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


# --- One order ---------------------------------------------------------------------------


def order_head(conn: Connection, order_id: int, reader: Principal | None = None) -> Order:
    """The order without its targets (its terms, instants and addressees: a cost that does
    not grow with its size); NotFound if there is none, Forbidden if `reader` is given and
    may not read it."""
    order = store.load_order_head(conn, order_id)
    if reader is not None and not reader.reads_order(order):
        raise Forbidden(f"order {order_id} is not addressed to {reader.role.operator}")
    return order


def history(conn: Connection, order_id: int) -> list[Recorded]:
    """The order's events, in the order they were recorded."""
    return store.history(conn, order_id)


@dataclass(frozen=True)
class Full:
    """An order with every target it ever had (dated), and its history."""

    order: Order
    history: list[Recorded]


def order_in_full(conn: Connection, order_id: int) -> Full:
    """The order with all its targets and its history: what one reads of an order whose
    size one knows (the CLI's `order show`); long orders are read by pages instead."""
    return Full(store.load_order(conn, order_id), store.history(conn, order_id))


@dataclass(frozen=True)
class Targets:
    """A page of an order's targets (removed ones included), in order of addition."""

    targets: list[Target]
    #: The order's targets in all.
    total: int
    next_after: int | None


def targets_page(conn: Connection, order_id: int, after: int, limit: int) -> Targets:
    """Up to `limit` of the order's targets after position `after`."""
    page, total, more = store.target_page(conn, order_id, after, limit)
    return Targets([t for _, t in page], total, page[-1][0] if more else None)


def present_names(conn: Connection, order_id: int, at: datetime, current: int | None = None) -> int:
    """How many of the order's targets are present at `at`; `current` is `current_names`
    when the caller has just counted it."""
    return store.present_target_count(conn, order_id, at, current)


def current_names(conn: Connection, order_id: int) -> int:
    """How many of the order's targets are not removed (whether or not it is in force)."""
    return store.current_target_count(conn, order_id)


#: Per event (by sequence number) of a history whose lists of names were cut short: how
#: many names it added and removed in all.
Counts = dict[int, tuple[int, int]]


@dataclass(frozen=True)
class Detail:
    """An order as its page shows it at an instant: its names present then, a page of its
    targets and its history."""

    order: Order
    names: int
    targets: Targets
    history: list[Recorded]
    #: Set when each event's lists of names were cut to their first names (`step_names`).
    counts: Counts | None = None


def order_detail(
    conn: Connection,
    order: Order,
    at: datetime,
    after: int,
    limit: int,
    step_names: int | None = None,
) -> Detail:
    """`order` (which may come without its targets) at `at`, with the page of its targets
    after `after` and its history — each event's lists of names cut to their first
    `step_names` if given (a page, not the API's whole history)."""
    history, counts = (
        (store.history(conn, order.id), None)
        if step_names is None
        else outlined_history(conn, order.id, step_names)
    )
    return Detail(
        order,
        store.present_target_count(conn, order.id, at),
        targets_page(conn, order.id, after, limit),
        history,
        counts,
    )


def outlined_history(
    conn: Connection, order_id: int, per_step: int
) -> tuple[list[Recorded], Counts]:
    """The order's history with each event's lists of names cut to their first `per_step`,
    and the whole counts: what a timeline shows, at a cost that does not follow the
    order's size (a 100,000-name registration is not parsed into 100,000 objects)."""
    outline = public_store.history_outline(conn, order_id, per_step)
    return (
        [(o.seq, o.recorded_at, o.event) for o in outline],
        {o.seq: (o.added, o.removed) for o in outline},
    )


@dataclass(frozen=True)
class Names:
    """A page of an order's current names as anyone may read them."""

    #: The order's current names in all.
    count: int
    #: None for a confidential order, which the public knows only by its count.
    names: list[str] | None
    next_after: int | None


def public_names(conn: Connection, order: Order, after: int, limit: int) -> Names:
    """Up to `limit` of the order's current names after position `after` (none of a
    confidential order's)."""
    count = store.current_target_count(conn, order.id)
    if order.terms.confidential:
        return Names(count, None, None)
    page, more = store.current_name_page(conn, order.id, after, limit)
    return Names(count, [name for _, name in page], page[-1][0] if more else None)


@dataclass(frozen=True)
class PublicDetail:
    """An order as the public register shows it: a page of its names and its history, each
    event's lists of names cut to their first (`counts` has the whole counts)."""

    order: Order
    names: Names
    history: list[Recorded]
    counts: Counts


#: Names listed per step of a timeline (the counts are whole).
STEP_NAMES = 100


def public_order(conn: Connection, order_id: int, after: int, limit: int) -> PublicDetail:
    """The order with the page of its current names after `after`, and its history."""
    order = store.load_order_head(conn, order_id)
    history, counts = outlined_history(conn, order_id, STEP_NAMES)
    return PublicDetail(order, public_names(conn, order, after, limit), history, counts)


# --- The public register: a page of orders, and the orders that cover a name ----------------

#: Orders per page of the public register (`next_before` continues).
REGISTER_PAGE = 50


@dataclass(frozen=True)
class RegisterPage:
    """A page of the public register, newest orders first."""

    orders: list[Public]
    #: Orders in the registry, in all.
    total: int
    #: The next page holds the orders older than this id; None on the last page.
    next_before: int | None


def public_register_page(conn: Connection, before: int | None, limit: int) -> RegisterPage:
    """Up to `limit` orders older than order `before` (the newest if None), newest first,
    as the public register lists them: a page costs what it lists (keyset on the order's
    id, a count and the first names of each order on the targets' (order_id, removed_at)
    index), not the size of the registry."""
    page, more = public_store.orders_before(conn, before, limit)
    listed = [
        Public(
            o,
            store.current_target_count(conn, o.id),
            [] if o.terms.confidential else store.current_target_names(conn, o.id, LISTED_NAMES),
        )
        for o in page
    ]
    following = page[-1].id if more and page else None
    return RegisterPage(listed, public_store.order_count(conn), following)


@dataclass(frozen=True)
class Covering:
    """An order one of whose current names covers the name searched: that name itself, or
    a parent of it whose scope is the subtree."""

    order: Order
    #: The order's name that covers it (the closest, if several do).
    target: str
    scope: Scope


@dataclass(frozen=True)
class Search:
    """Which orders cover a name, as anyone may read it."""

    #: The name as searched, normalised (lowercase A-labels).
    name: str
    #: The orders that are not confidential, newest first.
    orders: list[Covering]
    #: How many confidential orders block it at the instant of the search: the public
    #: knows them only by their count.
    confidential: int


def search_name(conn: Connection, text: str, at: datetime, order_id: int | None = None) -> Search:
    """The orders (only order `order_id` if given) with a name not removed that covers
    `text`: those not confidential whatever their status (the register keeps ended orders
    too); the confidential ones only counted, and only those that block the name at `at`
    — what every addressed resolver shows anyway —, so that a search tells nothing of a
    confidential order that DNS does not. InvalidName if `text` is not a name. A lookup
    per label of the name on the names' index."""
    name = names.normalize(text)
    labels = name.split(".")
    candidates = [".".join(labels[i:]) for i in range(len(labels))]
    closest: dict[int, public_store.Naming] = {}
    for found in public_store.naming(conn, candidates):
        if found.name != name and found.scope != Scope.SUBTREE.value:
            continue
        if order_id is not None and found.order_id != order_id:
            continue
        known = closest.get(found.order_id)
        if known is None or len(found.name) > len(known.name):
            closest[found.order_id] = found
    listed, hidden = [], 0
    for order in public_store.orders_by_id(conn, sorted(closest)):
        target = closest[order.id]
        if not order.terms.confidential:
            listed.append(Covering(order, target.name, Scope(target.scope)))
        elif order.in_force_at(at) and target.added_at <= at:
            hidden += 1
    return Search(name, listed[::-1], hidden)


# --- The registry's history ----------------------------------------------------------------


def events(conn: Connection, after: int, limit: int) -> list[Recorded]:
    """Up to `limit` of the registry's events after sequence number `after`, oldest first."""
    return [h for h in store.history(conn) if h[0] > after][:limit]
