"""The transparency log's rows: leaves, signed tree heads, tiles and the frontier, the
salts of confidential names, and the operators' policy digests — read and written in the
caller's transaction. Nothing here hashes a tree or signs: appending is the log writer's
(`arret.services.log_writer`), which computes the leaves' hashes, the new frontier and
tiles (`arret.tlog`), signs the heads with the log's key, and hands the rows to `write`.

The writer travels with the engine (`arret.services.log_writer.attach`), as a SQLAlchemy
execution option: every transaction opened from an engine that was given it can append
(`append`, `append_many`, `append_event`, called where the change is written), and one
opened from an engine without it fails at its first append (`writer_of` raises
`LogKeyError`) — before it commits, so a change that cannot be logged is not made either
(docs/architecture.md, invariant 5). Only the writer holds the signing key.

Appends are serial: each locks the one `log_state` row (`lock`), so two transactions
never take the same index; feed publication takes the same lock before it reads the
operator's last serial, so two publishers never build on the same stale state.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, cast

from sqlalchemy import Connection, Engine, func, select

from arret.domain.events import Event
from arret.errors import LogInconsistent, LogKeyError
from arret.store.bulk import insert_rows, matching
from arret.store.schema import (
    feed_digests,
    log_heads,
    log_leaves,
    log_state,
    log_tiles,
    name_salts,
    operators,
)
from arret.tlog import keys, multiset, tiles
from arret.tlog.leaves import committed_names, event_record, split_encoded
from arret.tlog.signing import TreeHead

OPTION = "arret_log_writer"

#: A leaf's record and its canonical octets (`arret.tlog.leaves.canonical`).
Encoded = tuple[dict[str, Any], bytes]


class Writer(Protocol):
    """What appends to the log in a transaction (`arret.services.log_writer.LogWriter`)."""

    def public_key(self) -> bytes:
        """The raw public key of the key the writer signs with (reads the key file)."""
        ...

    def append(
        self, conn: Connection, records: Sequence[Record], at: datetime, every: int
    ) -> TreeHead:
        """Append `records` as the next leaves, with a signed head after every `every`-th
        and the last, in `conn`'s transaction; returns the last head."""
        ...


def writer_of(conn: Connection) -> Writer:
    """The log writer of `conn`'s engine; LogKeyError when it was given none."""
    writer = conn.get_execution_options().get(OPTION)
    if writer is None:
        raise LogKeyError(
            "this change must be appended to the transparency log, and this process has no "
            "log signing key; nothing was changed"
        )
    return cast(Writer, writer)


def require_key(engine: Engine) -> Writer:
    """The engine's log writer, its key read and checked now (a server refuses to start
    without it); its `public_key()` is the log's."""
    writer = engine.get_execution_options().get(OPTION)
    if writer is None:
        raise LogKeyError("no log signing key was given to this process")
    found = cast(Writer, writer)
    found.public_key()
    return found


@dataclass(frozen=True)
class Leaf:
    index: int
    data: str
    hash: bytes
    event_id: int | None = None
    operator_id: int | None = None
    serial: int | None = None


def lock(conn: Connection) -> None:
    """Hold the log's lock until the transaction ends: writers that publish or append
    take it before they read what they will change, so they run one after the other on
    fresh data. A write (not `SELECT … FOR UPDATE`) so that SQLite, which begins a
    transaction only at its first write, takes its write lock here too, before the reads."""
    conn.execute(log_state.update().where(log_state.c.id == 1).values(size=log_state.c.size))


@dataclass(frozen=True)
class Record:
    """A leaf to append, and what it records (an event, a feed serial, or neither: the
    names leaves that follow a large event's leaf)."""

    record: dict[str, Any]
    event_id: int | None = None
    operator_id: int | None = None
    serial: int | None = None
    #: `canonical(record)` when the caller has it already (a large event's leaves).
    data: bytes | None = None


def append(
    conn: Connection,
    record: dict[str, Any],
    at: datetime,
    *,
    event_id: int | None = None,
    operator_id: int | None = None,
    serial: int | None = None,
) -> TreeHead:
    """Append `record` as the next leaf and sign the new tree head, in `conn`'s
    transaction. Refuses (LogKeyError) without a key, or with a key other than the one
    that signed this log's last head."""
    return append_many(conn, [Record(record, event_id, operator_id, serial)], at)


def append_many(
    conn: Connection, records: Sequence[Record], at: datetime, *, every: int = 1
) -> TreeHead:
    """Append `records` as the next leaves, in order, with a signed head after each (and
    the tiles they fill), in `conn`'s transaction, by the engine's log writer; returns the
    last head.

    `every`: sign a head only after every `every`-th leaf and the last — for a synthetic
    log built in bulk (a benchmark); `arret log verify` expects a head of every size."""
    if not records:
        raise ValueError("nothing to append")
    return writer_of(conn).append(conn, records, at, every)


def state(conn: Connection) -> tuple[int, list[bytes]] | None:
    """The log's size and frontier (`arret.tlog.frontier`), None before its first leaf."""
    row = conn.execute(select(log_state).where(log_state.c.id == 1)).first()
    if row is None:
        return None
    return int(row.size), [bytes.fromhex(h) for h in row.frontier]


def write(
    conn: Connection,
    start: int,
    records: Sequence[Record],
    leaves: Sequence[tuple[bytes, bytes]],
    heads: Sequence[TreeHead],
    frontier: Sequence[bytes],
    tiles_changed: dict[tuple[int, int], bytes],
) -> None:
    """Write what appending `records` to a log of `start` leaves made: each record's
    leaf as (canonical octets, leaf hash), the signed heads, the new frontier, and the
    tiles that changed (`arret.tlog.tiles.Builder.dirty`). The caller holds the lock and
    read `state` in this transaction."""
    rows = [
        {
            "idx": start + n,
            "data": data.decode("utf-8"),
            "hash": digest.hex(),
            "event_id": item.event_id,
            "operator_id": item.operator_id,
            "serial": item.serial,
        }
        for n, (item, (data, digest)) in enumerate(zip(records, leaves, strict=True))
    ]
    conn.execute(log_leaves.insert(), rows)
    size, hexes = start + len(rows), [h.hex() for h in frontier]
    if start == 0 and state(conn) is None:
        conn.execute(log_state.insert().values(id=1, size=size, frontier=hexes))
    else:
        conn.execute(
            log_state.update().where(log_state.c.id == 1).values(size=size, frontier=hexes)
        )
    conn.execute(
        log_heads.insert(),
        [
            {
                "size": h.size,
                "timestamp": h.timestamp,
                "root_hash": h.root_hash.hex(),
                "signature": h.signature.hex(),
            }
            for h in heads
        ],
    )
    _write_tiles(conn, start, tiles_changed)


def partial_tiles(conn: Connection, size: int) -> dict[int, bytes]:
    """Level → the hashes of that level's partial tile, for a tree of `size` leaves."""
    found: dict[int, bytes] = {}
    for level, index, width in tiles.partial_tiles(size):
        blob = tile(conn, level, index)
        if blob is None or len(blob) < width * tiles.HASH:
            raise LogInconsistent(f"the log's tile {level}/{index} is missing or holds fewer "
                                f"than the {width} hashes of its {size} leaves")  # fmt: skip
        found[level] = blob[: width * tiles.HASH]
    return found


def _write_tiles(conn: Connection, start: int, dirty: dict[tuple[int, int], bytes]) -> None:
    """Write the tiles appending to a tree of `start` leaves changed: its partial tiles
    have rows (updated), the others are new (inserted)."""
    existing = {(level, index) for level, index, _ in tiles.partial_tiles(start)}
    new = [{"level": k[0], "idx": k[1], "hashes": v} for k, v in dirty.items() if k not in existing]
    if new:
        conn.execute(log_tiles.insert(), new)
    for level, idx in sorted(existing & dirty.keys()):
        conn.execute(
            log_tiles.update()
            .where(log_tiles.c.level == level, log_tiles.c.idx == idx)
            .values(hashes=dirty[(level, idx)])
        )


def tile(conn: Connection, level: int, index: int) -> bytes | None:
    """The stored hashes of tile `index` of `level` (full: 256 of them), or None."""
    found = conn.scalar(
        select(log_tiles.c.hashes).where(log_tiles.c.level == level, log_tiles.c.idx == index)
    )
    return None if found is None else bytes(found)


def tree(conn: Connection, size: int) -> tiles.Tree:
    """The tree of the first `size` leaves, its nodes read from the stored tiles."""

    def read(level: int, index: int) -> bytes:
        return tile(conn, level, index) or b""

    return tiles.Tree(size, read)


def size(conn: Connection) -> int:
    return int(conn.scalar(select(func.count()).select_from(log_leaves)) or 0)


def _head(row: Any) -> TreeHead:
    return TreeHead(
        int(row.size),
        row.timestamp,
        bytes.fromhex(row.root_hash),
        bytes.fromhex(row.signature),
    )


def head(conn: Connection, of_size: int | None = None) -> TreeHead | None:
    """The signed head of `of_size` leaves (the newest when None)."""
    query = select(log_heads)
    if of_size is None:
        query = query.order_by(log_heads.c.size.desc()).limit(1)
    else:
        query = query.where(log_heads.c.size == of_size)
    row = conn.execute(query).first()
    return None if row is None else _head(row)


def handover_at(conn: Connection, index: int) -> keys.Handover | None:
    """The key hand-over leaf `index` records (`arret.tlog.keys`), or None. A hand-over's
    row is told from its columns (no event, no operator, a serial: the first head size
    the new key signs), so that a writer checks it at every append without reading the
    leaf's data (which, for a names leaf, may be megabytes)."""
    row = conn.execute(
        select(log_leaves.c.event_id, log_leaves.c.operator_id, log_leaves.c.serial).where(
            log_leaves.c.idx == index
        )
    ).first()
    if row is None or row.event_id is not None or row.operator_id is not None:
        return None
    if row.serial is None:
        return None
    data = conn.execute(select(log_leaves.c.data).where(log_leaves.c.idx == index)).scalar_one()
    return keys.parse(json.loads(data))


def handovers(conn: Connection) -> list[keys.Handover]:
    """Every key hand-over of the log, in order (by the (operator_id, serial) index: the
    rows without operator and with a serial)."""
    rows = conn.execute(
        select(log_leaves.c.data)
        .where(log_leaves.c.operator_id.is_(None), log_leaves.c.serial.is_not(None))
        .order_by(log_leaves.c.idx)
    )
    found = []
    for (data,) in rows:
        handover = keys.parse(json.loads(data))
        if handover is None:
            raise LogInconsistent("a log row without operator but with a serial is not a key "
                                  "hand-over")  # fmt: skip
        found.append(handover)
    return found


def heads(conn: Connection, start: int, end: int) -> list[TreeHead]:
    """The signed heads of sizes start ≤ size < end, in order."""
    rows = conn.execute(
        select(log_heads)
        .where(log_heads.c.size >= start, log_heads.c.size < end)
        .order_by(log_heads.c.size)
    )
    return [_head(r) for r in rows]


def leaves(conn: Connection, start: int, end: int, max_bytes: int | None = None) -> list[Leaf]:
    """Leaves `start` ≤ index < `end`, in order; with `max_bytes`, only as many as fit in
    that many characters of data (at least one): a page stays bounded even where one
    leaf holds a registration of a million names."""
    # Streamed by the statement's option: `Connection.execution_options` changes the
    # connection itself, and every later statement in it (an UPDATE too) was then sent
    # through a PostgreSQL server-side cursor, which refuses anything but a query.
    rows = conn.execute(
        select(log_leaves)
        .where(log_leaves.c.idx >= start, log_leaves.c.idx < end)
        .order_by(log_leaves.c.idx)
        .execution_options(stream_results=True)
    )
    out: list[Leaf] = []
    total = 0
    for r in rows:
        total += len(r.data)
        if max_bytes is not None and out and total > max_bytes:
            break
        out.append(
            Leaf(int(r.idx), r.data, bytes.fromhex(r.hash), r.event_id, r.operator_id, r.serial)
        )
    rows.close()
    return out


def feed_leaf(conn: Connection, operator: str, serial: int) -> Leaf | None:
    row = conn.execute(
        select(log_leaves)
        .join(operators, operators.c.id == log_leaves.c.operator_id)
        .where(operators.c.name == operator, log_leaves.c.serial == serial)
    ).first()
    if row is None:
        return None
    return Leaf(int(row.idx), row.data, bytes.fromhex(row.hash), None, row.operator_id, row.serial)


# --- Salts of confidential names ---


def _no_salt(name: str) -> bytes:
    raise AssertionError(f"{name!r} is not a confidential order's name")


def event_leaves(
    conn: Connection,
    seq: int,
    event: Event,
    order_confidential: Callable[[int], bool],
    *,
    create_salts: bool,
    payload: dict[str, Any] | None = None,
    texts: list[str] | None = None,
) -> list[Encoded] | None:
    """The leaf records of event `seq` (its leaf, then the names leaves of a large one,
    `arret.tlog.leaves.split_record`), each with its canonical octets, a confidential
    order's names committed to with their salts — created when missing (`create_salts`),
    else None when one is missing. `payload`: `to_payload(event)`, when the caller has it
    (and `texts`, `name_texts` of it)."""
    confidential, names = committed_names(event, order_confidential)
    if not confidential:
        record = event_record(seq, event, False, _no_salt, payload)
        return split_encoded(record, texts=texts if payload is not None else None)
    found = salts(conn, names) if create_salts else known_salts(conn, names)
    if len(found) < len(set(names)):
        return None
    return split_encoded(event_record(seq, event, confidential, found.__getitem__))


def append_event(conn: Connection, seq: int, records: list[Encoded], at: datetime) -> None:
    """Append an event's leaves (`event_leaves`): the first records the event."""
    (first, data), *rest = records
    append_many(
        conn,
        [Record(first, event_id=seq, data=data), *(Record(r, data=d) for r, d in rest)],
        at,
    )


def salts(conn: Connection, names: Iterable[str]) -> dict[str, bytes]:
    """The salt of each name, creating those that have none (one salt per name, so the
    same name in two confidential orders gives the same commitment)."""
    wanted = sorted(set(names))
    if not wanted:
        return {}
    found: dict[str, bytes] = {}
    for clause in matching(conn, name_salts.c.name, wanted):
        found |= {n: bytes.fromhex(s) for n, s in conn.execute(select(name_salts).where(clause))}
    new = {n: secrets.token_bytes(16) for n in wanted if n not in found}
    insert_rows(conn, name_salts, [{"name": n, "salt": s.hex()} for n, s in new.items()])
    return found | new


def known_salts(conn: Connection, names: Sequence[str]) -> dict[str, bytes]:
    """The salts recorded for `names` (an auditor's question; creates nothing)."""
    found: dict[str, bytes] = {}
    for clause in matching(conn, name_salts.c.name, list(names)):
        found |= {n: bytes.fromhex(s) for n, s in conn.execute(select(name_salts).where(clause))}
    return found


# --- Operators' policy digests ---


@dataclass(frozen=True)
class DigestSecret:
    """What an operator (or an auditor) needs to check the operator's logged digests:
    its key, used from serial `keyed_since` on, and the salt of the serials before it
    (databases from before shared policies; None when it has none)."""

    key: int | None
    keyed_since: int | None
    salt: bytes | None


def digest_secret(conn: Connection, op_id: int) -> DigestSecret | None:
    """The operator's digest secret (given to the operator and to auditors only); None
    before its first publication."""
    row = conn.execute(select(feed_digests).where(feed_digests.c.operator_id == op_id)).first()
    if row is None:
        return None
    key = None if row.key is None else multiset.from_text(row.key)
    # A row created with its key has no salted serials: its salt column is empty.
    salt = bytes.fromhex(row.salt) if row.state else None
    return DigestSecret(key, row.keyed_since, salt)


def keyed_digest(conn: Connection, op_id: int, serial: int, total: int) -> str:
    """The digest of serial `serial` of the operator, whose policy's unsalted sum is
    `total` (`keyed_digests`)."""
    return keyed_digests(conn, {op_id: serial}, total)[op_id]


def keyed_digests(conn: Connection, serials: dict[int, int], total: int) -> dict[int, str]:
    """The digest of each operator's serial (`serials`: operator id -> serial) of a
    policy whose unsalted sum is `total`; an operator's key is created at its first
    keyed serial. One read for all of them, one write for the keys created.

    It takes the log's lock first (`lock`), as an append does, so that every writer
    takes the log's lock before an operator's digest row: no two can deadlock on them."""
    lock(conn)
    rows = {
        int(r.operator_id): r
        for r in conn.execute(
            select(feed_digests).where(feed_digests.c.operator_id.in_(sorted(serials)))
        )
    }
    digests: dict[int, str] = {}
    created, keyed = [], []
    for op_id, serial in serials.items():
        row = rows.get(op_id)
        if row is not None and row.key is not None:
            digests[op_id] = multiset.keyed_digest(multiset.from_text(row.key), total)
            continue
        key = multiset.new_key(secrets.token_bytes(multiset.OCTETS))
        values = {"key": multiset.to_text(key), "keyed_since": serial}
        if row is None:
            created.append({"operator_id": op_id, "salt": "", "state": "", **values})
        else:
            keyed.append((op_id, values))
        digests[op_id] = multiset.keyed_digest(key, total)
    if created:
        conn.execute(feed_digests.insert(), created)
    for op_id, values in keyed:
        conn.execute(
            feed_digests.update().where(feed_digests.c.operator_id == op_id).values(**values)
        )
    return digests


def operator_name(conn: Connection, op_id: int) -> str:
    return str(conn.scalar(select(operators.c.name).where(operators.c.id == op_id)))
