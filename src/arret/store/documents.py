"""Documents' rows and content: each document once by its SHA-256 (`documents`), in the
row or, when a documents directory is configured, in a file of that directory named by
the digest; and which order carries which (`order_documents`) — in the caller's
transaction.

A file is written before the transaction commits (to a temporary name, synced, then
renamed into place): a transaction that rolls back leaves at most a file that no row
names, which the same content attached again reuses. Nothing here trusts what it reads
back: `arret log verify` hashes every content again (`arret.services.documents`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, RowMapping, select

from arret.domain.documents import Attached, Checked, DocumentKind
from arret.domain.events import DocumentAttached
from arret.store.registry import record_event
from arret.store.schema import documents, events, log_leaves, order_documents, targets


def path_of(directory: Path, sha256: str) -> Path:
    """Where a document's content is in `directory`: `ab/abcdef…` (two levels, so that no
    folder holds millions of files)."""
    return directory / sha256[:2] / sha256


def _write_file(directory: Path, sha256: str, data: bytes) -> None:
    target = path_of(directory, sha256)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    # The rename itself survives a crash only once the folder is synced.
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def store_content(
    conn: Connection, doc: Checked, data: bytes, at: datetime, directory: Path | None
) -> None:
    """Keep `data` (checked as `doc`) unless a document of that digest is kept already."""
    if conn.scalar(select(documents.c.size).where(documents.c.sha256 == doc.sha256)) is not None:
        if directory is not None and not path_of(directory, doc.sha256).is_file():
            held = conn.scalar(select(documents.c.content).where(documents.c.sha256 == doc.sha256))
            if held is None:  # kept in the directory, and the file is gone: write it again
                _write_file(directory, doc.sha256, data)
        return
    if directory is not None:
        _write_file(directory, doc.sha256, data)
    conn.execute(
        documents.insert().values(
            sha256=doc.sha256,
            size=doc.size,
            media_type=doc.media_type,
            content=None if directory is not None else data,
            stored_at=at,
        )
    )


def names_target(conn: Connection, order_id: int, name: str) -> bool:
    """Whether `name` is, or was, a target of order `order_id`."""
    query = select(targets.c.id).where(targets.c.order_id == order_id, targets.c.name == name)
    return conn.execute(query.limit(1)).first() is not None


def already_attached(
    conn: Connection, order_id: int, kind: str, sha256: str, target: str | None
) -> bool:
    """Whether the order carries this document already, as this kind, for this target."""
    query = select(order_documents.c.id).where(
        order_documents.c.order_id == order_id,
        order_documents.c.kind == kind,
        order_documents.c.sha256 == sha256,
        order_documents.c.target.is_(None)
        if target is None
        else order_documents.c.target == target,
    )
    return conn.execute(query.limit(1)).first() is not None


def attach(conn: Connection, event: DocumentAttached, recorded_at: datetime) -> int:
    """Write an `order.document` event (its log leaf records the digest) and its
    projection; returns the event's sequence number. The content is kept already
    (`store_content`)."""
    event_id = record_event(conn, event, recorded_at)
    conn.execute(
        order_documents.insert().values(
            event_id=event_id,
            order_id=event.order_id,
            kind=event.kind,
            sha256=event.sha256,
            target=event.target,
            filename=event.filename,
            captured_at=event.captured_at,
            captured_by=event.captured_by,
            attached_at=event.at,
        )
    )
    return event_id


_COLUMNS = (
    order_documents.c.order_id,
    order_documents.c.event_id,
    order_documents.c.kind,
    order_documents.c.sha256,
    documents.c.size,
    documents.c.media_type,
    order_documents.c.filename,
    order_documents.c.attached_at,
    order_documents.c.target,
    order_documents.c.captured_at,
    order_documents.c.captured_by,
)


def _attached(row: RowMapping) -> Attached:
    return Attached(
        order_id=int(row["order_id"]),
        event_id=int(row["event_id"]),
        kind=DocumentKind(row["kind"]),
        sha256=row["sha256"],
        size=int(row["size"]),
        media_type=row["media_type"],
        filename=row["filename"],
        attached_at=row["attached_at"],
        target=row["target"],
        captured_at=row["captured_at"],
        captured_by=row["captured_by"],
    )


def of_order(conn: Connection, order_id: int) -> list[Attached]:
    """The documents `order_id` carries, in the order they were attached."""
    query = (
        select(*_COLUMNS)
        .select_from(order_documents.join(documents))
        .where(order_documents.c.order_id == order_id)
        .order_by(order_documents.c.id)
    )
    return [_attached(r) for r in conn.execute(query).mappings()]


def every_attachment(conn: Connection) -> Iterator[Attached]:
    """Every document of every order, in the order they were attached."""
    query = select(*_COLUMNS).select_from(order_documents.join(documents))
    for row in conn.execute(query.order_by(order_documents.c.id)).mappings():
        yield _attached(row)


def stored(conn: Connection) -> Iterator[tuple[str, int, str, bool]]:
    """Every document kept: (sha256, size, media type, whether its content is in the row)."""
    query = select(
        documents.c.sha256,
        documents.c.size,
        documents.c.media_type,
        documents.c.content.is_not(None),
    ).order_by(documents.c.sha256)
    for sha, size, media, in_row in conn.execute(query):
        yield sha, int(size), media, bool(in_row)


def attachment_events(conn: Connection) -> dict[int, dict[str, object]]:
    """Every `order.document` event's payload, by sequence number."""
    query = select(events.c.id, events.c.payload).where(events.c.kind == "order.document")
    return {int(i): dict(p) for i, p in conn.execute(query)}


def attachment_leaves(conn: Connection) -> dict[int, int]:
    """The log leaf of each attachment's event: event id -> leaf index."""
    query = select(order_documents.c.event_id, log_leaves.c.idx).join(
        log_leaves, log_leaves.c.event_id == order_documents.c.event_id
    )
    return {int(e): int(i) for e, i in conn.execute(query)}


def content(conn: Connection, sha256: str, directory: Path | None) -> bytes | None:
    """The content kept for `sha256` (None: no such document, or its file is missing).
    Read as it is: the caller checks it against the digest."""
    row = conn.execute(select(documents.c.content).where(documents.c.sha256 == sha256)).first()
    if row is None:
        return None
    if row.content is not None:
        return bytes(row.content)
    if directory is None:
        return None
    try:
        return path_of(directory, sha256).read_bytes()
    except OSError:
        return None
