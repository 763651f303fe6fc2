"""The probe runner against real UDP servers on loopback: every question gets its own
answer under concurrency, a dead resolver yields timeouts after the retries, and an answer
to another question is not taken for the answer."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import dns.message
import dns.rcode
import pytest
from support.authority import ADDRESS, Authority, free_port

from arret.domain.instants import FixedClock
from arret.probes.runner import Question, probe

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)


@pytest.fixture
def authority() -> Iterator[Authority]:
    server = Authority()
    yield server
    server.close()


def test_every_question_gets_its_own_answer(authority: Authority) -> None:
    resolver = f"127.0.0.1:{authority.port}"
    questions = [Question(resolver, f"site{i}.example") for i in range(300)]
    seen: list[str] = []
    answers = probe(questions, FixedClock(NOW), concurrency=40, timeout=2,
                    progress=lambda a: seen.append(a.question.name))  # fmt: skip
    assert [a.question for a in answers] == questions
    assert sorted(seen) == sorted(q.name for q in questions)
    for answer in answers:
        assert answer.message is not None and answer.message.rcode() == dns.rcode.NOERROR
        [rrset] = answer.message.answer
        assert rrset.name.to_text() == answer.question.name + "."
        assert rrset[0].to_text() == ADDRESS
        assert answer.at == NOW and answer.tries == 1 and 0 <= answer.latency < 2
    refused = probe([Question(resolver, "elsewhere.test")], FixedClock(NOW))
    assert refused[0].message is not None and refused[0].message.rcode() == dns.rcode.REFUSED


def test_a_dead_resolver_times_out_after_every_retry() -> None:
    dead = f"127.0.0.1:{free_port()}"  # nothing listens there
    [answer] = probe([Question(dead, "site.example")], FixedClock(NOW), timeout=0.2, retries=2)
    assert answer.message is None and answer.tries == 3
    assert answer.latency >= 0.2


def test_an_answer_to_another_question_is_not_taken() -> None:
    """RFC 5452 §9.1: a reply with the right ID but another question is ignored."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as liar:
        liar.bind(("127.0.0.1", 0))
        port = liar.getsockname()[1]

        def lie() -> None:
            data, peer = liar.recvfrom(512)
            query = dns.message.from_wire(data)
            forged = dns.message.make_query("other.example", "A")
            forged.id = query.id
            forged.flags |= 0x8000
            liar.sendto(forged.to_wire(), peer)

        thread = threading.Thread(target=lie, daemon=True)
        thread.start()
        [answer] = probe([Question(f"127.0.0.1:{port}", "site.example")], FixedClock(NOW),
                         timeout=0.3, retries=0)  # fmt: skip
        thread.join(2)
    assert answer.message is None
