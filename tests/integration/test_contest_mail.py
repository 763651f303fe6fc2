"""E-mail about contests through a real SMTP server (aiosmtpd, started here on loopback):
written to the outbox in the transaction of what it tells, sent afterwards, kept and
tried again while the server is down, and reminders of deadlines sent once."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from support.website import Site, make_site, order_body

from arret.domain.contests import Limits, solve
from arret.errors import InvalidConfig
from arret.services import mail
from arret.store.schema import mail_outbox

AUTHORITY_MAIL = "clerk@authority.example"
CLAIMANT = "owner@leak.example"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def site(tmp_path: Any) -> Site:
    site = make_site(f"sqlite:///{tmp_path / 'arret.db'}", contests=Limits(pow_bits=4),
                     contest_mail=AUTHORITY_MAIL)  # fmt: skip
    assert site.post("/api/orders", "authority", json=order_body()).status_code == 201
    return site


def contest(site: Site, contact: str = CLAIMANT) -> dict[str, Any]:
    challenge = site.get("/api/contests/challenge").json()["challenge"]
    r = site.post("/api/contests", json={
        "name": "leak.example", "standing": "owner", "reason": "Lawful.", "contact": contact,
        "proof": {"challenge": challenge, "answer": solve(challenge, 4)},
    })  # fmt: skip
    assert r.status_code == 201, r.text
    found: dict[str, Any] = r.json()
    return found


def outbox(site: Site) -> list[Any]:
    with site.engine.connect() as conn:
        return list(conn.execute(select(mail_outbox).order_by(mail_outbox.c.id)))


def test_a_contest_and_its_decision_are_mailed_and_a_down_server_loses_nothing(
    site: Site, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    down = mail.Relay("127.0.0.1", free_port(), "arret@registry.example")
    received = contest(site)
    [waiting] = outbox(site)
    assert waiting.recipient == AUTHORITY_MAIL and waiting.sent_at is None
    assert received["secret"] not in waiting.body and "Lawful." not in waiting.body

    now = site.clock.now()
    assert mail.deliver(site.engine, down, now) == (0, 1)
    [waiting] = outbox(site)
    assert waiting.attempts == 1 and waiting.sent_at is None
    assert "ConnectionRefusedError" in waiting.last_error
    relay = mail.Relay("127.0.0.1", port, "arret@registry.example")
    # Not due again before its next attempt.
    assert mail.deliver(site.engine, relay, now + timedelta(seconds=29)) == (0, 0)
    assert mail.deliver(site.engine, relay, now + timedelta(seconds=30)) == (1, 0)
    [(to, message)] = inbox.messages
    assert to == [AUTHORITY_MAIL]
    assert message["Subject"] == f"Contest {received['id']} received (due 2026-12-13T12:00:00Z)"
    assert message["From"] == "arret@registry.example"
    assert f"/contests/{received['id']}" in message.get_payload()

    decision = {"outcome": "upheld", "reason": "The site publishes medical files."}
    r = site.post(f"/api/contests/{received['id']}/decision", "authority", json=decision)
    assert r.status_code == 200, r.text
    assert mail.deliver(site.engine, relay, site.clock.now()) == (1, 0)
    to, message = inbox.messages[1]
    assert to == [CLAIMANT]
    assert message["Subject"] == f"Your contest {received['id']} was decided: upheld"
    body = message.get_payload()
    assert "The site publishes medical files." in body and received["secret"] not in body
    assert all(row.sent_at is not None for row in outbox(site))


def test_the_authority_is_reminded_once_when_a_quarter_of_the_time_is_left(site: Site) -> None:
    received = contest(site, contact="")
    start = site.clock.now()
    with site.engine.begin() as conn:
        assert mail.remind(conn, start + timedelta(days=11), AUTHORITY_MAIL, "http://x") == 0
        assert mail.remind(conn, start + timedelta(days=11, hours=6), AUTHORITY_MAIL,
                           "http://x") == 1  # fmt: skip
        assert mail.remind(conn, start + timedelta(days=14), AUTHORITY_MAIL, "http://x") == 0
    reminder = outbox(site)[-1]
    assert reminder.subject == f"Contest {received['id']} is due 2026-12-13T12:00:00Z"
    assert reminder.recipient == AUTHORITY_MAIL


def test_no_contact_no_mail_to_the_claimant(site: Site) -> None:
    received = contest(site, contact="")
    site.post(f"/api/contests/{received['id']}/decision", "authority",
              json={"outcome": "referred", "reason": "To the court."})  # fmt: skip
    assert [row.recipient for row in outbox(site)] == [AUTHORITY_MAIL]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://mail.example", "write smtp://"),
        ("smtp://", "names no host"),
        ("smtp://mail.example:99999", "the port is not a number"),
    ],
)
def test_a_bad_smtp_url_is_refused(url: str, reason: str) -> None:
    with pytest.raises(InvalidConfig) as refused:
        mail.Relay.parse(url, "arret@registry.example")
    assert any(reason in r for r in refused.value.reasons)


def test_an_smtp_url_keeps_its_credentials_out_of_its_text() -> None:
    relay = mail.Relay.parse("smtp://clerk:s%40cret@mail.example:2525", "arret@registry.example")
    assert (relay.host, relay.port, relay.user, relay.password) == (
        "mail.example", 2525, "clerk", "s@cret",
    )  # fmt: skip
    assert "cret" not in str(relay)
