"""Contests' rows, their attachments, the proof-of-work challenges already answered and
the e-mail outbox — read and written in the caller's transaction."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from arret.domain.contests import PENDING, Attachment
from arret.errors import NotFound
from arret.store.schema import (
    contest_attachments,
    contest_challenges,
    contest_orders,
    contests,
    mail_outbox,
    probe_results,
)


@dataclass(frozen=True)
class Contest:
    id: int
    name: str
    standing: str
    reason: str
    contact: str | None
    secret_digest: str
    orders: tuple[int, ...]
    received_at: datetime
    due_at: datetime
    state: str
    decided_at: datetime | None
    decided_by: str | None
    decision: str | None
    reminded_at: datetime | None


@dataclass(frozen=True)
class StoredAttachment:
    id: int
    filename: str
    media_type: str
    size: int
    sha256: str


def _contest(row: Any) -> Contest:
    return Contest(
        id=row.id,
        name=row.name,
        standing=row.standing,
        reason=row.reason,
        contact=row.contact,
        secret_digest=row.secret_digest,
        orders=tuple(int(o) for o in row.orders),
        received_at=row.received_at,
        due_at=row.due_at,
        state=row.state,
        decided_at=row.decided_at,
        decided_by=row.decided_by,
        decision=row.decision,
        reminded_at=row.reminded_at,
    )


def spend_challenge(conn: Connection, digest: str, expires_at: datetime, now: datetime) -> bool:
    """Record an answered challenge; False when it was answered before. Expired ones are
        forgotten first (a challenge cannot be answered after it expires anyway). The caller
    holds the log's lock (`store.log.lock`), so two answers of one challenge are serial."""
    conn.execute(delete(contest_challenges).where(contest_challenges.c.expires_at < now))
    seen = conn.execute(
        select(contest_challenges.c.digest).where(contest_challenges.c.digest == digest)
    ).first()
    if seen is not None:
        return False
    conn.execute(insert(contest_challenges).values(digest=digest, expires_at=expires_at))
    return True


def received_since(conn: Connection, since: datetime, name: str | None = None) -> int:
    query = select(func.count()).select_from(contests).where(contests.c.received_at > since)
    if name is not None:
        query = query.where(contests.c.name == name)
    return int(conn.scalar(query) or 0)


def oldest_since(conn: Connection, since: datetime, name: str | None = None) -> datetime | None:
    query = select(func.min(contests.c.received_at)).where(contests.c.received_at > since)
    if name is not None:
        query = query.where(contests.c.name == name)
    found: datetime | None = conn.scalar(query)
    return found


def insert_contest(
    conn: Connection,
    *,
    name: str,
    standing: str,
    reason: str,
    contact: str | None,
    secret_digest: str,
    orders: Sequence[int],
    received_at: datetime,
    due_at: datetime,
    attachments: Sequence[tuple[Attachment, str]],
) -> int:
    """A new pending contest and its attachments (each with its sniffed type); its id."""
    result = conn.execute(
        insert(contests).values(
            name=name,
            standing=standing,
            reason=reason,
            contact=contact,
            secret_digest=secret_digest,
            orders=list(orders),
            received_at=received_at,
            due_at=due_at,
            state=PENDING,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    contest_id = int(key[0])
    if orders:
        conn.execute(
            insert(contest_orders),
            [{"contest_id": contest_id, "order_id": order_id} for order_id in orders],
        )
    if attachments:
        conn.execute(
            insert(contest_attachments),
            [
                {
                    "contest_id": contest_id,
                    "filename": file.filename,
                    "media_type": kind,
                    "size": len(file.content),
                    "sha256": hashlib.sha256(file.content).hexdigest(),
                    "content": file.content,
                }
                for file, kind in attachments
            ],
        )
    return contest_id


def get(conn: Connection, contest_id: int) -> Contest:
    row = conn.execute(select(contests).where(contests.c.id == contest_id)).first()
    if row is None:
        raise NotFound(f"no contest {contest_id}")
    return _contest(row)


def get_for_update(conn: Connection, contest_id: int) -> Contest:
    query = select(contests).where(contests.c.id == contest_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"no contest {contest_id}")
    return _contest(row)


def listing(conn: Connection, pending_only: bool) -> list[Contest]:
    query = select(contests)
    if pending_only:
        query = query.where(contests.c.state == PENDING).order_by(contests.c.due_at, contests.c.id)
    else:
        query = query.order_by(contests.c.id.desc())
    return [_contest(r) for r in conn.execute(query)]


def attachments(conn: Connection, contest_id: int) -> list[StoredAttachment]:
    rows = conn.execute(
        select(
            contest_attachments.c.id,
            contest_attachments.c.filename,
            contest_attachments.c.media_type,
            contest_attachments.c.size,
            contest_attachments.c.sha256,
        )
        .where(contest_attachments.c.contest_id == contest_id)
        .order_by(contest_attachments.c.id)
    )
    return [StoredAttachment(r.id, r.filename, r.media_type, r.size, r.sha256) for r in rows]


def attachment_content(
    conn: Connection, contest_id: int, attachment_id: int
) -> tuple[StoredAttachment, bytes]:
    row = conn.execute(
        select(contest_attachments).where(
            contest_attachments.c.contest_id == contest_id,
            contest_attachments.c.id == attachment_id,
        )
    ).first()
    if row is None:
        raise NotFound(f"no attachment {attachment_id} to contest {contest_id}")
    meta = StoredAttachment(row.id, row.filename, row.media_type, row.size, row.sha256)
    return meta, bytes(row.content)


def decide(
    conn: Connection, contest_id: int, state: str, at: datetime, by: str, decision: str
) -> None:
    conn.execute(
        update(contests)
        .where(contests.c.id == contest_id)
        .values(state=state, decided_at=at, decided_by=by, decision=decision)
    )


def state_counts(conn: Connection, order_id: int | None = None) -> dict[str, int]:
    """How many contests are in each state: of all, or of those concerning `order_id`."""
    query = select(contests.c.state, func.count()).group_by(contests.c.state)
    if order_id is not None:
        query = query.join(contest_orders, contest_orders.c.contest_id == contests.c.id).where(
            contest_orders.c.order_id == order_id
        )
    return {state: int(n) for state, n in conn.execute(query)}


def states_per_order(conn: Connection) -> dict[int, dict[str, int]]:
    """How many contests are in each state, per order they concern."""
    query = (
        select(contest_orders.c.order_id, contests.c.state, func.count())
        .join(contests, contests.c.id == contest_orders.c.contest_id)
        .group_by(contest_orders.c.order_id, contests.c.state)
    )
    found: dict[int, dict[str, int]] = {}
    for order_id, state, n in conn.execute(query):
        found.setdefault(int(order_id), {})[state] = int(n)
    return found


def decision_spans(conn: Connection) -> list[tuple[datetime, datetime]]:
    """(received, decided) of every decided contest."""
    rows = conn.execute(
        select(contests.c.received_at, contests.c.decided_at).where(
            contests.c.decided_at.is_not(None)
        )
    )
    return [(r[0], r[1]) for r in rows]


def mark_reminded(conn: Connection, contest_id: int, at: datetime) -> None:
    conn.execute(update(contests).where(contests.c.id == contest_id).values(reminded_at=at))


def probe_evidence(conn: Connection, name: str, limit: int) -> list[dict[str, Any]]:
    """The newest probe results for `name`, newest first."""
    rows = conn.execute(
        select(
            probe_results.c.resolver,
            probe_results.c.expected,
            probe_results.c.verdict,
            probe_results.c.rcode,
            probe_results.c.at,
            probe_results.c.reason,
        )
        .where(probe_results.c.name == name)
        .order_by(probe_results.c.at.desc(), probe_results.c.id.desc())
        .limit(limit)
    ).mappings()
    return [dict(r) for r in rows]


# --- the outbox ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Mail:
    id: int
    recipient: str
    subject: str
    body: str
    attempts: int


def enqueue(conn: Connection, recipient: str, subject: str, body: str, now: datetime) -> None:
    conn.execute(
        insert(mail_outbox).values(
            created_at=now, recipient=recipient, subject=subject, body=body, attempts=0,
            next_attempt_at=now,
        )
    )  # fmt: skip


def due_mail(conn: Connection, now: datetime, limit: int = 20) -> list[Mail]:
    rows = conn.execute(
        select(mail_outbox)
        .where(mail_outbox.c.sent_at.is_(None), mail_outbox.c.next_attempt_at <= now)
        .order_by(mail_outbox.c.id)
        .limit(limit)
    )
    return [Mail(r.id, r.recipient, r.subject, r.body, r.attempts) for r in rows]


def mail_sent(conn: Connection, mail_id: int, now: datetime) -> None:
    conn.execute(
        update(mail_outbox)
        .where(mail_outbox.c.id == mail_id)
        .values(sent_at=now, attempts=mail_outbox.c.attempts + 1, last_error=None)
    )


def mail_failed(conn: Connection, mail_id: int, retry_at: datetime, error: str) -> None:
    conn.execute(
        update(mail_outbox)
        .where(mail_outbox.c.id == mail_id)
        .values(
            next_attempt_at=retry_at, attempts=mail_outbox.c.attempts + 1, last_error=error[:2000]
        )
    )


def outbox_counts(conn: Connection) -> tuple[int, int]:
    """(waiting, sent)."""
    waiting = conn.scalar(
        select(func.count()).select_from(mail_outbox).where(mail_outbox.c.sent_at.is_(None))
    )
    sent = conn.scalar(
        select(func.count()).select_from(mail_outbox).where(mail_outbox.c.sent_at.is_not(None))
    )
    return int(waiting or 0), int(sent or 0)
