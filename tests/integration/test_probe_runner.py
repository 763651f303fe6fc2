"""The probe runner against real UDP servers on loopback: every question gets its own
answer under concurrency, a dead resolver yields timeouts after the retries, and an answer
to another question is not taken for the answer."""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import dns.flags
import dns.message
import dns.rcode
import pytest
from support.authority import ADDRESS, Authority, free_port
from support.processes import Process, rcode, start_on_free_ports
from support.unbound import unbound_conf

from arret.domain.instants import FixedClock
from arret.probes.runner import Counts, Question, ask, probe
from arret.probes.wire import observe

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


class Misbehaving:
    """A UDP server on loopback that answers each test name wrongly in its own way:
    `wrong-id.example` with another ID, `elsewhere.example` from another port,
    `cut.example` truncated (TC), `silent.example` never; others correctly."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.other.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while True:
            try:
                data, peer = self.sock.recvfrom(512)
            except OSError:
                return
            query = dns.message.from_wire(data)
            reply = dns.message.make_response(query)
            name = query.question[0].name.to_text(omit_final_dot=True)
            if name == "silent.example":
                continue
            if name == "wrong-id.example":
                reply.id = (query.id + 1) % 65536
            if name == "cut.example":
                reply.flags |= dns.flags.TC
            (self.other if name == "elsewhere.example" else self.sock).sendto(reply.to_wire(), peer)

    def close(self) -> None:
        self.sock.close()
        self.other.close()
        self.thread.join(2)


def test_bad_answers_are_counted_as_such_and_the_good_ones_still_come() -> None:
    server = Misbehaving()
    resolver = f"127.0.0.1:{server.port}"
    try:
        names = ["wrong-id.example", "elsewhere.example", "cut.example", "silent.example"]
        names += [f"fine{i}.example" for i in range(50)]
        counts = Counts()
        answers = {a.question.name: a for a in ask(
            [Question(resolver, n) for n in names], FixedClock(NOW), concurrency=10,
            timeout=0.3, retries=1, counts=counts)}  # fmt: skip
    finally:
        server.close()
    assert set(answers) == set(names)
    # Another ID, another address: not the answer; asked again, then a timeout.
    for name in ("wrong-id.example", "elsewhere.example", "silent.example"):
        assert answers[name].wire is None and answers[name].tries == 2
        assert observe(None, resolver, NOW, 0.3, name).timeout
    cut = answers["cut.example"]
    assert cut.wire is not None and cut.tries == 1
    assert observe(cut.wire, resolver, cut.at, cut.latency, "cut.example").truncated
    for i in range(50):
        assert answers[f"fine{i}.example"].wire is not None
    assert counts.questions == len(names) and counts.timeouts == 3 and counts.retries == 3
    assert counts.sent == counts.questions + counts.retries
    assert counts.unmatched == 2  # the wrong ID, twice; the kernel drops the other address's


def test_many_questions_to_a_real_unbound_every_one_matched(tmp_path: Path) -> None:
    """More questions than there are message IDs, many in flight on several sockets:
    each answer is matched to its own question (checked with dnspython's parse)."""
    authority = Authority()
    zone = tmp_path / "rpz.zone"
    blocked = "".join(f"b{i}.example CNAME .\n" for i in range(500))
    zone.write_text(f"$ORIGIN rpz.test.\n$TTL 60\n@ SOA ns.test. h.test. 1 60 30 600 60\n"
                    f"@ NS ns.test.\n{blocked}")  # fmt: skip
    unbound = shutil.which("unbound") or "/usr/sbin/unbound"

    def start(ports: tuple[int, ...]) -> Process:
        server = '    module-config: "respip iterator"\n    ratelimit: 0\n'
        rpz = f'rpz:\n    name: "rpz.test."\n    zonefile: "{zone}"\n'
        conf = unbound_conf(tmp_path, "unbound", ports[0], authority.port, server, rpz)
        return Process([unbound, "-d", "-c", str(conf)], tmp_path / "unbound.log")

    process, (port,) = start_on_free_ports(
        1, start, lambda p: rcode(p[0], "b0.example") == "NXDOMAIN", 60, "Unbound"
    )
    try:
        resolver = f"127.0.0.1:{port}"
        asked = [f"{'b' if i % 2 else 'ok'}{i % 500}.example" for i in range(70_000)]
        counts = Counts()
        seen = 0
        for answer in ask((Question(resolver, n) for n in asked), FixedClock(NOW),
                          concurrency=400, timeout=2, retries=3, counts=counts):  # fmt: skip
            assert answer.wire is not None, answer.question
            if seen % 97 == 0:  # dnspython's full parse as the reference, on a sample
                message = dns.message.from_wire(answer.wire)
                assert message.question[0].name.to_text() == answer.question.name + "."
                blocked = answer.question.name.startswith("b")
                assert message.rcode() == (dns.rcode.NXDOMAIN if blocked else dns.rcode.NOERROR)
            seen += 1
    finally:
        process.stop()
        authority.close()
    assert seen == counts.questions == counts.answered == len(asked)
    assert counts.sent == counts.questions + counts.retries and counts.timeouts == 0
