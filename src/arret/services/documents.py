"""An order's documents as a use case: attach one (checked from its content, kept by its
SHA-256, recorded as an `order.document` event whose log leaf holds the digest), list
them, read one back (hashed again before it is handed out), and check every one for
`arret log verify`.

Why an event of its own rather than the order's own leaf: a document usually comes
after the order is registered (`arret order attach`), when the registration's leaf is
signed and cannot change; leaves already written keep their bytes, and each attachment
is dated, signed and attributed like any other change of the order.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection

from arret.domain import documents as rules
from arret.domain import names
from arret.domain import text as free_text
from arret.domain.documents import Attached, DocumentKind
from arret.domain.events import DocumentAttached
from arret.errors import (
    AlreadyExists,
    DocumentDamaged,
    DocumentTooLarge,
    InvalidDocument,
    InvalidName,
    NotFound,
)
from arret.store import documents as store
from arret.store import registry as store_registry
from arret.tlog.verify import Report

#: Who captured the evidence: free text, as bounded as an actor.
CAPTURED_BY = free_text.Field("captured_by", 300)


@dataclass(frozen=True)
class Storage:
    """Where documents' content is kept (None: in the database) and the largest kept."""

    directory: Path | None = None
    max_size: int = rules.MAX_SIZE


@dataclass(frozen=True)
class Upload:
    """A document as it arrives: its bytes and what comes with them."""

    data: bytes
    kind: str
    #: The file's name, and the type it claims (`Content-Type`), if any.
    filename: str | None = None
    content_type: str | None = None
    #: The target the evidence is about, as typed.
    target: str | None = None
    captured_at: datetime | None = None
    captured_by: str | None = None


def attach(
    conn: Connection, order_id: int, upload: Upload, now: datetime, actor: str, storage: Storage
) -> Attached:
    """Attach `upload` to order `order_id`, in the caller's transaction: NotFound for an
    unknown order; InvalidDocument with every reason (DocumentTooLarge when too large)
    and nothing stored; AlreadyExists when the order carries it already as the same."""
    store_registry.load_order_head(conn, order_id)  # NotFound
    if len(upload.data) > storage.max_size:
        raise DocumentTooLarge(
            [f"the file is {len(upload.data):,} bytes; at most {storage.max_size:,} are accepted"],
            f"document for order {order_id} refused",
        )
    reasons: list[str] = []
    kind: DocumentKind | None = None
    try:
        kind = DocumentKind(upload.kind)
    except ValueError:
        reasons.append(f"kind {upload.kind!r}: give decision or evidence")
    claimed = rules.claimed_type(upload.filename, upload.content_type)
    checked = None
    if kind is not None:
        checked, problems = rules.check(upload.data, kind, claimed, storage.max_size)
        reasons += problems
    target = _target(conn, order_id, upload, kind, reasons)
    if upload.captured_at is not None and upload.captured_at > now:
        reasons.append("the capture instant is in the future")
    if kind is DocumentKind.DECISION and (upload.captured_at or upload.captured_by):
        reasons.append("a decision has no capture instant nor author: they describe evidence")
    if upload.captured_by is not None:
        reasons += free_text.problems(CAPTURED_BY, upload.captured_by)
    if reasons or checked is None or kind is None:
        raise InvalidDocument(reasons, f"document for order {order_id} refused")
    if store.already_attached(conn, order_id, kind.value, checked.sha256, target):
        raise AlreadyExists(
            f"order {order_id} already carries this {kind.value} document"
            + (f" for {target}" if target else "")
            + f" (sha256 {checked.sha256}); nothing was stored"
        )
    event = DocumentAttached(
        order_id=order_id,
        at=now,
        actor=actor,
        kind=kind.value,
        sha256=checked.sha256,
        size=checked.size,
        media_type=checked.media_type,
        filename=rules.clean_filename(upload.filename, checked.sha256, checked.media_type),
        target=target,
        captured_at=upload.captured_at,
        captured_by=upload.captured_by.strip() if upload.captured_by else None,
    )
    store.store_content(conn, checked, upload.data, now, storage.directory)
    event_id = store.attach(conn, event, now)
    return Attached(
        order_id=order_id,
        event_id=event_id,
        kind=kind,
        sha256=checked.sha256,
        size=checked.size,
        media_type=checked.media_type,
        filename=event.filename,
        attached_at=now,
        target=target,
        captured_at=event.captured_at,
        captured_by=event.captured_by,
    )


def _target(
    conn: Connection, order_id: int, upload: Upload, kind: DocumentKind | None, reasons: list[str]
) -> str | None:
    """The target the document is about, normalised; reasons appended when it is missing
    for evidence, given for a decision, or not a target of the order."""
    if not upload.target:
        if kind is DocumentKind.EVIDENCE:
            reasons.append("evidence is about one target of the order: name it (--target)")
        return None
    if kind is DocumentKind.DECISION:
        reasons.append("a decision is the whole order's: it has no target")
        return None
    try:
        target = names.normalize(upload.target)
    except InvalidName as error:
        reasons.append(f"target {error.summary}")
        return None
    if not store.names_target(conn, order_id, target):
        reasons.append(f"{target} is not a target of order {order_id}")
        return None
    return target


def of_order(conn: Connection, order_id: int) -> list[Attached]:
    """The documents order `order_id` carries, in the order they were attached."""
    return store.of_order(conn, order_id)


def read(conn: Connection, order_id: int, sha256: str, storage: Storage) -> tuple[Attached, bytes]:
    """A document of order `order_id` and its content, hashed again: NotFound unless the
    order carries it; DocumentDamaged when its content is missing or not what its digest
    says (never served)."""
    found = [d for d in store.of_order(conn, order_id) if d.sha256 == sha256]
    if not rules.is_digest(sha256) or not found:
        raise NotFound(f"order {order_id} carries no document {sha256[:64]!r}")
    data = store.content(conn, sha256, storage.directory)
    if data is None or hashlib.sha256(data).hexdigest() != sha256:
        raise DocumentDamaged(
            f"document {sha256} of order {order_id}: its stored content is "
            + ("missing" if data is None else "not the document its digest names")
            + "; it is not served"
        )
    return found[0], data


def problems(conn: Connection, storage: Storage) -> list[tuple[int | None, str]]:
    """Every way the documents kept differ from what the log records, each with the
    event that attached the document (None: no event does): a content missing or no
    longer hashing to its digest, an attachment that differs from its event (whose leaf
    `arret log verify` checks against the event)."""
    found: list[tuple[int | None, str]] = []
    attachments = list(store.every_attachment(conn))
    by_digest: dict[str, list[int]] = {}
    for doc in attachments:
        by_digest.setdefault(doc.sha256, []).append(doc.event_id)
    for sha, size, _media, in_row in store.stored(conn):
        data = store.content(conn, sha, storage.directory)
        where = "row" if in_row else "file"
        if data is None:
            message = f"document {sha}: its content is missing" + (
                "" if in_row or storage.directory else " (no documents directory was given)"
            )
        elif hashlib.sha256(data).hexdigest() != sha or len(data) != size:
            message = (
                f"document {sha}: the content in its {where} hashes to "
                f"{hashlib.sha256(data).hexdigest()} ({len(data):,} bytes): it was swapped"
            )
        else:
            continue
        found += [(event_id, message) for event_id in by_digest.get(sha, [None])]
    payloads = store.attachment_events(conn)
    fields = ("order_id", "document", "sha256", "target", "size", "media_type")
    for doc in attachments:
        payload = payloads.pop(doc.event_id, None)
        if payload is None:
            found.append((None, f"order {doc.order_id}'s document {doc.sha256}: no event "
                                "records it"))  # fmt: skip
            continue
        recorded = tuple(payload.get(f) for f in fields)
        held = (doc.order_id, doc.kind.value, doc.sha256, doc.target, doc.size, doc.media_type)
        if recorded != held:
            found.append((doc.event_id, f"order {doc.order_id}'s document {doc.sha256}: "
                          f"differs from event {doc.event_id}, which the log records"))  # fmt: skip
    for event_id in sorted(payloads):
        found.append((event_id, f"event {event_id} attaches a document the registry does "
                                "not hold"))  # fmt: skip
    return found


def check(conn: Connection, report: Report, storage: Storage) -> None:
    """Add `problems` to `report` (`arret log verify` from a database), each at the leaf
    of the event that attached the document."""
    leaves = store.attachment_leaves(conn)
    for event_id, message in problems(conn, storage):
        report.add(None if event_id is None else leaves.get(event_id), message)
