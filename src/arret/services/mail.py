"""E-mail through an SMTP server given by URL, from the database's outbox: a message is
written in the transaction of what it tells (a contest received, decided, or nearing its
deadline) and sent afterwards, so a mail server that is down loses nothing — it is tried
again later, with a growing wait."""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import unquote, urlsplit

from sqlalchemy import Connection, Engine

from arret.domain.contests import address_problem
from arret.domain.instants import format_instant
from arret.errors import InvalidConfig
from arret.store import contests as store

log = logging.getLogger("arret.mail")

#: Waits between attempts at one message: 30 s, then doubling, at most 1 h.
FIRST_RETRY = timedelta(seconds=30)
LAST_RETRY = timedelta(hours=1)
#: A pending contest's authority is reminded once, when this share of its time is left.
REMIND_AT = 0.25


@dataclass(frozen=True)
class Relay:
    """An SMTP server: `smtp://[user:password@]host[:port]` (STARTTLS when the server
    offers it) or `smtps://…` (TLS from the start)."""

    host: str
    port: int
    sender: str
    tls: bool = False
    user: str | None = None
    password: str | None = None
    timeout: float = 10.0

    @classmethod
    def parse(cls, url: str, sender: str) -> Relay:
        parts = urlsplit(url)
        problems = []
        if parts.scheme not in ("smtp", "smtps"):
            problems.append(f"--smtp {url!r}: write smtp://host[:port] or smtps://host[:port]")
        if not parts.hostname:
            problems.append(f"--smtp {url!r} names no host")
        try:
            port = parts.port
        except ValueError:
            problems.append(f"--smtp {url!r}: the port is not a number from 1 to 65535")
            port = None
        if (bad := address_problem(sender)) and sender != "arret@localhost":
            problems.append(f"--mail-from: {bad}")
        if problems:
            raise InvalidConfig("the SMTP server is not usable as given", problems)
        tls = parts.scheme == "smtps"
        return cls(
            host=parts.hostname or "",
            port=port or (465 if tls else 25),
            sender=sender,
            tls=tls,
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )

    def __str__(self) -> str:  # never the password
        return f"{'smtps' if self.tls else 'smtp'}://{self.host}:{self.port}"


def remind(conn: Connection, now: datetime, authority: str, public_url: str) -> int:
    """Queue a reminder to `authority` for every pending contest with less than a quarter
    of its time left (or overdue), once each; how many."""
    count = 0
    for contest in store.listing(conn, pending_only=True):
        if contest.reminded_at is not None:
            continue
        span = contest.due_at - contest.received_at
        if contest.due_at - now > span * REMIND_AT:
            continue
        store.enqueue(
            conn,
            authority,
            f"Contest {contest.id} is due {format_instant(contest.due_at)}",
            f"Contest {contest.id} is still pending; it is due by "
            f"{format_instant(contest.due_at)}.\n\nReview it: {public_url}/contests/"
            f"{contest.id}\n",
            now,
        )
        store.mark_reminded(conn, contest.id, now)
        count += 1
    return count


def _message(relay: Relay, mail: store.Mail, now: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = relay.sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=relay.sender.rpartition("@")[2] or None)
    message.set_content(mail.body)
    return message


def _send(relay: Relay, message: EmailMessage) -> None:
    if relay.tls:
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            relay.host, relay.port, timeout=relay.timeout, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(relay.host, relay.port, timeout=relay.timeout)
    with client:
        client.ehlo()
        if not relay.tls and client.has_extn("starttls"):
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if relay.user is not None:
            client.login(relay.user, relay.password or "")
        client.send_message(message)


def deliver(engine: Engine, relay: Relay, now: datetime, limit: int = 20) -> tuple[int, int]:
    """Send the messages due in the outbox, each marked sent or given its next attempt in
    its own transaction (a message is never half-marked); (sent, failed)."""
    with engine.connect() as conn:
        due = store.due_mail(conn, now, limit)
    sent = failed = 0
    for mail in due:
        try:
            _send(relay, _message(relay, mail, now))
        except (OSError, smtplib.SMTPException) as error:
            wait = min(FIRST_RETRY * 2**mail.attempts, LAST_RETRY)
            with engine.begin() as conn:
                store.mail_failed(conn, mail.id, now + wait, f"{type(error).__name__}: {error}")
            log.warning("mail %d to %s not sent (%s); next try in %s", mail.id, relay, error,
                        wait)  # fmt: skip
            failed += 1
            continue
        with engine.begin() as conn:
            store.mail_sent(conn, mail.id, now)
        sent += 1
    return sent, failed
