"""Reading and writing the registry's rows. Every function works inside the caller's
transaction (it never commits): a command is all of its writes or none of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Connection,
    RowMapping,
    Text,
    bindparam,
    cast,
    func,
    null,
    or_,
    select,
    update,
)

from arret.domain.events import (
    AllowEntryRemoved,
    Event,
    NameAllowed,
    OperatorAdded,
    OperatorChanged,
    OrderAmended,
    OrderLifted,
    OrderRegistered,
    from_payload,
    kind_of,
    to_payload,
)
from arret.domain.lifecycle import Standing
from arret.domain.model import (
    ACTIONS,
    SCOPES,
    AllowEntry,
    Operator,
    Order,
    OrderTerms,
    Target,
)
from arret.domain.policy import Covering
from arret.errors import AlreadyExists, NotFound
from arret.progress import BATCH, Counted, Progress, silent
from arret.store import log
from arret.store.bulk import insert_column, insert_tuples, matching
from arret.store.schema import allow_list, events, operators, order_operators, orders, targets
from arret.tlog.leaves import NAME_FIELDS, name_texts, payload_text


def record_event(conn: Connection, event: Event, recorded_at: datetime) -> int:
    """Append `event` to the history; returns its sequence number."""
    order_id = getattr(event, "order_id", None)
    payload = to_payload(event)
    # A large event's names are encoded once, item by item (`name_texts`), for its row
    # and its log leaves: the JSON encoder wrote a million targets twice otherwise.
    many = sum(len(payload.get(f) or ()) for f in NAME_FIELDS) > _TEXTS_ABOVE
    texts = name_texts(payload) if many else None
    stored: Any = payload if texts is None else _json_text(conn, payload_text(payload, texts))
    result = conn.execute(
        events.insert().values(
            kind=kind_of(event),
            order_id=order_id,
            at=event.at,
            recorded_at=recorded_at,
            actor=event.actor,
            payload=stored,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    seq = int(key[0])
    _log_event(conn, seq, event, recorded_at, payload, texts)
    return seq


#: From this many names in an event, its payload is written from its items' texts.
_TEXTS_ABOVE = 1000


def _json_text(conn: Connection, text: str) -> ColumnElement[Any]:
    """JSON already written, as the value of a JSON column (not encoded again)."""
    value = bindparam(None, text, type_=Text)
    return cast(value, JSON) if conn.dialect.name == "postgresql" else value


def _log_event(
    conn: Connection,
    seq: int,
    event: Event,
    recorded_at: datetime,
    payload: dict[str, Any],
    texts: list[str] | None = None,
) -> None:
    """The event's leaf in the transparency log (a confidential order's names as salted
    commitments), in this transaction; `payload` is the event's (`to_payload`), `texts`
    its names' texts (`name_texts`) when worked out."""

    def order_confidential(order_id: int) -> bool:
        return bool(conn.scalar(select(orders.c.confidential).where(orders.c.id == order_id)))

    records = log.event_leaves(
        conn, seq, event, order_confidential, create_salts=True, payload=payload, texts=texts
    )
    assert records is not None
    log.append_event(conn, seq, records, recorded_at)


def history(conn: Connection, order_id: int | None = None) -> list[tuple[int, datetime, Event]]:
    """(sequence, recorded_at, event) in recorded order, for one order or for everything."""
    query = select(events.c.id, events.c.recorded_at, events.c.payload).order_by(events.c.id)
    if order_id is not None:
        query = query.where(events.c.order_id == order_id)
    return [(r.id, r.recorded_at, from_payload(r.payload)) for r in conn.execute(query)]


# --- operators ------------------------------------------------------------------------


def _operator(row: RowMapping) -> Operator:
    return Operator(
        row["name"],
        row["added_at"],
        tuple(row["notify"]),
        tuple(row["probe"]),
        tuple(row["allow_from"]),
    )


def add_operator(conn: Connection, event: OperatorAdded, recorded_at: datetime) -> Operator:
    if conn.scalar(select(operators.c.id).where(operators.c.name == event.name)) is not None:
        raise AlreadyExists(f"operator {event.name!r} already exists; nothing was changed")
    conn.execute(
        operators.insert().values(
            name=event.name,
            added_at=event.at,
            notify=list(event.notify),
            probe=list(event.probe),
            allow_from=list(event.allow_from),
        )
    )
    record_event(conn, event, recorded_at)
    return Operator(event.name, event.at, event.notify, event.probe, event.allow_from)


def change_operator(conn: Connection, event: OperatorChanged, recorded_at: datetime) -> Operator:
    conn.execute(
        update(operators)
        .where(operators.c.name == event.name)
        .values(
            notify=list(event.notify), probe=list(event.probe), allow_from=list(event.allow_from)
        )
    )
    record_event(conn, event, recorded_at)
    return get_operator(conn, event.name)


def list_operators(conn: Connection) -> list[Operator]:
    rows = conn.execute(select(operators).order_by(operators.c.name)).mappings()
    return [_operator(r) for r in rows]


def get_operator(conn: Connection, name: str) -> Operator:
    row = conn.execute(select(operators).where(operators.c.name == name)).mappings().first()
    if row is None:
        known = ", ".join(o.name for o in list_operators(conn)) or "none yet"
        raise NotFound(f"no operator named {name!r} (known: {known})")
    return _operator(row)


def operator_names(conn: Connection) -> set[str]:
    return set(conn.scalars(select(operators.c.name)))


# --- orders ---------------------------------------------------------------------------


#: The columns of a target row as `_target_rows` gives them.
_TARGET_COLUMNS = ("order_id", "name", "scope", "action", "added_at", "removed_at")


def _target_rows(order_id: int, specs: Iterable[Any], at: datetime) -> Iterator[tuple[Any, ...]]:
    for t in specs:
        yield (order_id, t.name, t.scope.value, t.action.value if t.action else None, at, None)


def _insert_targets(
    conn: Connection, order_id: int, specs: Sequence[Any], at: datetime, counted: Counted
) -> None:
    """The rows of an order's targets, in the order given; `counted` hears how many are
    written, a batch at a time. Targets that share one scope and one action (the usual
    registration, up to millions of names) differ only in their name: one statement a
    batch with the names alone (`insert_column`)."""
    kinds = {(t.scope, t.action) for t in specs}
    if len(kinds) != 1:
        for start in range(0, len(specs), BATCH):
            batch = specs[start : start + BATCH]
            insert_tuples(conn, targets, _TARGET_COLUMNS, _target_rows(order_id, batch, at))
            counted(start + len(batch))
        return
    scope, action = kinds.pop()
    fixed = {"order_id": order_id, "scope": scope.value,
             "action": action.value if action else None, "added_at": at}  # fmt: skip
    insert_column(conn, targets, fixed, "name", [t.name for t in specs], counted)


def insert_order(
    conn: Connection, event: OrderRegistered, recorded_at: datetime, progress: Progress = silent
) -> int:
    """Write a registration (its event and its projection); returns the new order's id.
    `progress` hears of its two steps, the names written a batch at a time."""
    terms = event.terms
    count = len(event.targets)
    writing = f"writing the order's {count:,} name{'s' if count != 1 else ''}"
    progress(writing, 0, count)
    result = conn.execute(
        orders.insert().values(
            reference=terms.reference,
            authority=terms.authority,
            requester=terms.requester,
            legal_basis=terms.legal_basis,
            decided_on=terms.decided_on,
            effective_at=terms.effective_at,
            expires_at=terms.expires_at,
            lifted_at=None,
            lift_reason="",
            all_operators=terms.all_operators,
            action=terms.action.value,
            confidential=terms.confidential,
            notice=terms.notice,
            registered_at=event.at,
            last_changed_at=event.at,
            current_targets=count,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    order_id = int(key[0])
    if terms.operators:
        ids = conn.execute(
            select(operators.c.id).where(operators.c.name.in_(sorted(terms.operators)))
        ).scalars()
        conn.execute(
            order_operators.insert(), [{"order_id": order_id, "operator_id": i} for i in ids]
        )
    _insert_targets(
        conn, order_id, event.targets, event.at, lambda done: progress(writing, done, count)
    )
    progress(f"signing the order's {count:,} name{'s' if count != 1 else ''} into the log",
             0, None)  # fmt: skip
    record_event(conn, replace(event, order_id=order_id), recorded_at)
    return order_id


def save_amendment(
    conn: Connection, event: OrderAmended, recorded_at: datetime, progress: Progress = silent
) -> int:
    """Write an amendment (its event and its projection); returns the event's sequence.
    `progress` hears of its two steps, the names written a batch at a time."""
    gone = sorted(set(event.removed))
    count = len(gone) + len(event.added)
    writing = f"writing {count:,} changed name{'s' if count != 1 else ''}"
    progress(writing, 0, count)
    removed = 0
    for start in range(0, len(gone), BATCH):
        for clause in matching(conn, targets.c.name, gone[start : start + BATCH]):
            removed += conn.execute(
                update(targets)
                .where(targets.c.order_id == event.order_id, targets.c.removed_at.is_(None), clause)
                .values(removed_at=event.at)
            ).rowcount
        progress(writing, min(start + BATCH, len(gone)), count)
    if event.added:
        _insert_targets(
            conn, event.order_id, event.added, event.at,
            lambda done: progress(writing, len(gone) + done, count),
        )  # fmt: skip
    values: dict[str, Any] = {
        "last_changed_at": event.at,
        "current_targets": orders.c.current_targets + len(event.added) - removed,
    }
    if event.expires_at is not None:
        values["expires_at"] = event.expires_at
    conn.execute(update(orders).where(orders.c.id == event.order_id).values(**values))
    progress(f"signing the {count:,} changed name{'s' if count != 1 else ''} into the log",
             0, None)  # fmt: skip
    return record_event(conn, event, recorded_at)


def save_lift(conn: Connection, event: OrderLifted, recorded_at: datetime) -> int:
    """Write a lift (its event and its projection); returns the event's sequence."""
    conn.execute(
        update(orders)
        .where(orders.c.id == event.order_id)
        .values(lifted_at=event.at, lift_reason=event.reason, last_changed_at=event.at)
    )
    return record_event(conn, event, recorded_at)


def _addressees(conn: Connection, order_ids: Sequence[int] | None) -> dict[int, set[str]]:
    query = select(order_operators.c.order_id, operators.c.name).join(operators)
    if order_ids is not None:
        query = query.where(order_operators.c.order_id.in_(order_ids))
    found: dict[int, set[str]] = {}
    for order_id, name in conn.execute(query):
        found.setdefault(order_id, set()).add(name)
    return found


def _order(row: RowMapping, addressees: set[str], order_targets: tuple[Target, ...]) -> Order:
    terms = OrderTerms(
        reference=row["reference"],
        authority=row["authority"],
        decided_on=row["decided_on"],
        effective_at=row["effective_at"],
        expires_at=row["expires_at"],
        operators=frozenset(addressees),
        all_operators=row["all_operators"],
        requester=row["requester"],
        legal_basis=row["legal_basis"],
        action=ACTIONS[row["action"]],
        confidential=row["confidential"],
        notice=row["notice"],
    )
    return Order(
        id=row["id"],
        terms=terms,
        registered_at=row["registered_at"],
        targets=order_targets,
        lifted_at=row["lifted_at"],
        lift_reason=row["lift_reason"],
        last_changed_at=row["last_changed_at"],
    )


def _order_row(conn: Connection, order_id: int) -> RowMapping:
    row = conn.execute(select(orders).where(orders.c.id == order_id)).mappings().first()
    if row is None:
        raise NotFound(f"no order with id {order_id}")
    return row


def load_order_head(conn: Connection, order_id: int) -> Order:
    """An order *without* its targets (its terms, instants and addressees): what a change
    to k of its names needs, at a cost that does not grow with its size."""
    row = _order_row(conn, order_id)
    return _order(row, _addressees(conn, [order_id]).get(order_id, set()), ())


def standing(
    conn: Connection, order_id: int, names: Sequence[str], counted: bool = True
) -> Standing:
    """Of `names`, those that are targets of the order now (not removed), and how many
    targets it has now (-1 unless `counted`): indexed queries, O(len(names)) rows read
    and one count on a covering index."""
    present: set[str] = set()
    for clause in matching(conn, targets.c.name, sorted(set(names))):
        # By name only, filtered here: given the order id too, SQLite's planner scans the
        # order's (order_id, removed_at) index — a million rows for a big order — instead
        # of looking the few names up (0.11 s at 1M names).
        rows = conn.execute(
            select(targets.c.name, targets.c.order_id, targets.c.removed_at).where(clause)
        )
        present.update(n for n, o, removed in rows if o == order_id and removed is None)
    count = current_target_count(conn, order_id) if counted else -1
    return Standing(frozenset(present), count)


def current_target_count(conn: Connection, order_id: int) -> int:
    """How many targets of the order are not removed: kept on the order's row by the
    writes that add and remove them (`orders.current_targets`), so reading it costs the
    same at any size."""
    found = conn.scalar(select(orders.c.current_targets).where(orders.c.id == order_id))
    return int(found or 0)


def counted_target_count(conn: Connection, order_id: int) -> int:
    """The same, counted from the targets themselves (on the (order_id, removed_at)
    index): what `current_target_count` must always equal."""
    query = select(func.count()).where(
        targets.c.order_id == order_id, targets.c.removed_at.is_(None)
    )
    return int(conn.scalar(query) or 0)


def _target(r: RowMapping) -> Target:
    return Target(
        r["name"],
        SCOPES[r["scope"]],
        ACTIONS[r["action"]] if r["action"] else None,
        r["added_at"],
        r["removed_at"],
    )


def target_page(
    conn: Connection, order_id: int, after: int, limit: int
) -> tuple[list[tuple[int, Target]], int, bool]:
    """Up to `limit` of the order's targets (removed ones included) whose row id is above
    `after`, in order of addition, each with its row id; how many it has in all; whether
    more follow. Read by keyset (row id), so a page costs what it holds, not its offset."""
    query = (
        select(targets)
        .where(targets.c.order_id == order_id, targets.c.id > after)
        .order_by(targets.c.id)
        .limit(limit + 1)
    )
    page = [(int(r["id"]), _target(r)) for r in conn.execute(query).mappings()]
    total = conn.scalar(select(func.count()).where(targets.c.order_id == order_id))
    return page[:limit], int(total or 0), len(page) > limit


def present_target_count(
    conn: Connection, order_id: int, at: datetime, current: int | None = None
) -> int:
    """How many of the order's targets are present at `at` (added, not yet removed);
    `current` is `current_target_count` when the caller has just counted it.

    Counted as: not removed (on the covering (order_id, removed_at) index), less those
    added after `at`, plus those removed after `at` but added by then — the last two are
    range queries on the (order_id, added_at) index and the removals' and hold only dated
    changes around `at`, so a million-name order is not read row by row (0.23 s at 1M
    otherwise). For the names added later, "not removed" is tested on an expression,
    which no index answers: SQLite's planner otherwise took the (order_id, removed_at)
    index, and read the order's million rows (0.18 to 0.35 s) to find none."""
    if current is None:
        current = current_target_count(conn, order_id)
    later = select(func.count()).where(
        targets.c.order_id == order_id,
        targets.c.added_at > at,
        func.coalesce(targets.c.removed_at, null()).is_(None),
    )
    # "Added by then" on an expression too: on the (order_id, added_at) index it read
    # every target of the order added before `at` — all of a million-name order's.
    gone_later = select(func.count()).where(
        targets.c.removed_at > at,
        targets.c.order_id == order_id,
        func.coalesce(targets.c.added_at, null()) <= at,
    )
    return current - int(conn.scalar(later) or 0) + int(conn.scalar(gone_later) or 0)


def load_order(conn: Connection, order_id: int) -> Order:
    row = _order_row(conn, order_id)
    rows = conn.execute(
        select(targets).where(targets.c.order_id == order_id).order_by(targets.c.id)
    ).mappings()
    order_targets = tuple(_target(r) for r in rows)
    return _order(row, _addressees(conn, [order_id]).get(order_id, set()), order_targets)


def list_orders(conn: Connection, operator: str | None = None) -> list[Order]:
    """Every order (addressed to `operator` if given), *without* targets: use
    `present_target_counts` for sizes, `load_order` for one order's targets."""
    query = select(orders).order_by(orders.c.id)
    if operator is not None:
        query = query.where(_addressed_to(operator))
    rows = list(conn.execute(query).mappings())
    addressees = _addressees(conn, None)
    return [_order(r, addressees.get(r["id"], set()), ()) for r in rows]


def present_target_counts(conn: Connection, at: datetime) -> dict[int, int]:
    query = (
        select(targets.c.order_id, func.count())
        .where(_target_present(at))
        .group_by(targets.c.order_id)
    )
    return {order_id: count for order_id, count in conn.execute(query)}


def _addressed_to(operator: str) -> Any:
    chosen = select(order_operators.c.order_id).join(operators).where(operators.c.name == operator)
    return or_(orders.c.all_operators.is_(True), orders.c.id.in_(chosen))


def _target_present(at: datetime) -> Any:
    return (targets.c.added_at <= at) & or_(
        targets.c.removed_at.is_(None), targets.c.removed_at > at
    )


def _in_force_targets(operator: str, at: datetime) -> Any:
    """The join of targets present at `at` with their orders addressed to `operator` and in
    force at `at`, as a FROM and WHERE to select columns from."""
    return (
        select()
        .select_from(targets.join(orders, targets.c.order_id == orders.c.id))
        .where(
            _addressed_to(operator),
            orders.c.effective_at <= at,
            orders.c.expires_at > at,
            or_(orders.c.lifted_at.is_(None), orders.c.lifted_at > at),
            _target_present(at),
        )
    )


def covering_count(conn: Connection, operator: str, at: datetime, under: str | None = None) -> int:
    """How many distinct (name, scope) are covered for `operator` at `at` (only names at or
    below `under` when given), counted by the database."""
    query = _in_force_targets(operator, at).add_columns(targets.c.name, targets.c.scope)
    if under is not None:
        query = query.where(
            (targets.c.name == under) | targets.c.name.endswith("." + under, autoescape=True)
        )
    distinct = query.distinct().subquery()
    return int(conn.scalar(select(func.count()).select_from(distinct)) or 0)


def covered_names(
    conn: Connection, operator: str, at: datetime, after: str | None, limit: int
) -> list[str]:
    """The first `limit` distinct names covered for `operator` at `at`, in name order,
    after `after` (a page of the policy, by keyset)."""
    query = _in_force_targets(operator, at).add_columns(targets.c.name).distinct()
    if after is not None:
        query = query.where(targets.c.name > after)
    return list(conn.scalars(query.order_by(targets.c.name).limit(limit)))


def covering_rows(
    conn: Connection,
    operator: str,
    at: datetime,
    names: Sequence[str] | None = None,
    without: int | None = None,
    grouped: bool = False,
) -> Iterator[Covering]:
    """Every (name, scope, action, order) in force for `operator` at `at`, selected by SQL:
    orders addressed to it and in force, their targets present — restricted to `names`
    when given, and without the order `without` (whose rows the caller has in hand). One
    query (per 1,000 names), no per-name round trip; `arret.domain.policy.compile_policy`
    merges the rows. `grouped`: ordered by name and scope, for
    `arret.domain.policy.stream_rules` (the database sorts, not this process's memory)."""
    query = _in_force_targets(operator, at).add_columns(
        targets.c.name,
        targets.c.scope,
        func.coalesce(targets.c.action, orders.c.action),
        orders.c.id,
    )
    if without is not None:
        query = query.where(orders.c.id != without)
    if grouped:
        query = query.order_by(targets.c.name, targets.c.scope)
    if names is None:
        queries = [query]
    else:
        queries = [query.where(clause) for clause in matching(conn, targets.c.name, names)]
    scopes, actions = SCOPES, ACTIONS
    for q in queries:
        # yield_per on the statement (not the connection, which would keep it for every
        # later statement): rows stream in batches instead of a million at once — read a
        # batch at a time (iterating the result row by row fetched each row alone).
        result = conn.execute(q.execution_options(yield_per=20_000))
        for batch in result.partitions():
            for name, scope, action, order_id in batch:
                yield (name, scopes[scope], actions[action], order_id)


# --- allow-list -----------------------------------------------------------------------


def allow_entries(conn: Connection) -> list[AllowEntry]:
    """Every entry ever on the allow-list, removed ones too (`AllowEntry.in_force_at`)."""
    rows = conn.execute(
        select(allow_list).order_by(allow_list.c.name, allow_list.c.added_at)
    ).mappings()
    return [AllowEntry(r["name"], r["reason"], r["added_at"], r["removed_at"]) for r in rows]


def _standing(name: str) -> ColumnElement[bool]:
    return (allow_list.c.name == name) & allow_list.c.removed_at.is_(None)


def add_allow(conn: Connection, event: NameAllowed, recorded_at: datetime) -> AllowEntry:
    if conn.scalar(select(allow_list.c.id).where(_standing(event.name))) is not None:
        raise AlreadyExists(f"{event.name!r} is already on the allow-list; nothing was changed")
    conn.execute(
        allow_list.insert().values(name=event.name, reason=event.reason, added_at=event.at)
    )
    record_event(conn, event, recorded_at)
    return AllowEntry(event.name, event.reason, event.at)


def remove_allow(conn: Connection, event: AllowEntryRemoved, recorded_at: datetime) -> AllowEntry:
    """Take `event.name` off the allow-list (the entry standing now), or `NotFound`."""
    row = conn.execute(select(allow_list).where(_standing(event.name))).mappings().first()
    if row is None:
        raise NotFound(
            f"{event.name!r} is not on the allow-list (see `arret allow list`); nothing was changed"
        )
    conn.execute(
        allow_list.update().where(allow_list.c.id == row["id"]).values(removed_at=event.at)
    )
    record_event(conn, event, recorded_at)
    return AllowEntry(row["name"], row["reason"], row["added_at"], event.at)


def orders_naming(conn: Connection, names: Sequence[str]) -> list[int]:
    """Ids of the orders that have (or had) a target with one of `names`."""
    query = select(targets.c.order_id).distinct().where(targets.c.name.in_(list(names)))
    return sorted(conn.scalars(query))


def current_target_counts(conn: Connection) -> dict[int, int]:
    """Per order, its targets not removed (whether or not the order is in force)."""
    query = select(orders.c.id, orders.c.current_targets).where(orders.c.current_targets > 0)
    return {int(order_id): int(count) for order_id, count in conn.execute(query)}


def current_name_page(
    conn: Connection, order_id: int, after: int, limit: int
) -> tuple[list[tuple[int, str]], bool]:
    """Up to `limit` names of the order's targets not removed, after row id `after`, in
    order of addition, each with its row id; and whether more follow (keyset)."""
    query = (
        select(targets.c.id, targets.c.name)
        .where(targets.c.order_id == order_id, targets.c.removed_at.is_(None), targets.c.id > after)
        .order_by(targets.c.id)
        .limit(limit + 1)
    )
    rows = [(int(i), str(n)) for i, n in conn.execute(query)]
    return rows[:limit], len(rows) > limit


def current_target_names(conn: Connection, order_id: int, limit: int) -> list[str]:
    """The first `limit` names of an order's targets not removed, in order of addition."""
    query = (
        select(targets.c.name)
        .where(targets.c.order_id == order_id, targets.c.removed_at.is_(None))
        .order_by(targets.c.id)
        .limit(limit)
    )
    return list(conn.scalars(query))
