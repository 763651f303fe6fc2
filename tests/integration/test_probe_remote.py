"""`arret.probes.remote.ask`: the prober in a child process gives what `runner.ask`
gives — every question its own answer, timeouts after every retry, the caller's clock
for `at`, the counts — whether the caller's questions come faster or slower than the
child asks them; an error in the child is the caller's error; a caller that stops early
leaves no process behind."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import dns.message
import pytest
from support.authority import ADDRESS, Authority, free_port

from arret.domain.instants import FixedClock
from arret.errors import ArretError
from arret.probes import remote
from arret.probes.runner import WAIT, Counts, Prober, Question

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)


@pytest.fixture
def authority() -> Iterator[Authority]:
    server = Authority()
    yield server
    server.close()


def test_every_question_gets_its_own_answer_from_the_child(authority: Authority) -> None:
    resolver = f"127.0.0.1:{authority.port}"
    questions = [Question(resolver, f"site{i}.example", ref=("mine", i)) for i in range(3000)]
    counts = Counts()
    answers = list(remote.ask(iter(questions), FixedClock(NOW), concurrency=50, timeout=2,
                              counts=counts))  # fmt: skip
    assert sorted(a.question.ref[1] for a in answers) == list(range(3000))
    for answer in answers:
        assert answer.question is questions[answer.question.ref[1]]  # the caller's own
        assert answer.wire is not None
        message = dns.message.from_wire(answer.wire)
        assert message.question[0].name.to_text() == answer.question.name + "."
        assert message.answer[0][0].to_text() == ADDRESS
        # The caller's clock: one that stands still gives its instant exactly.
        assert answer.at == NOW and answer.tries == 1
    assert counts.questions == counts.answered == counts.sent == 3000
    assert counts.timeouts == counts.retries == 0


def test_a_slow_caller_and_a_dead_resolver(authority: Authority) -> None:
    """Questions that come slower than the child asks (it waits for them without
    stopping the ones in flight); a resolver that never answers (every retry, then a
    timeout)."""
    alive, dead = f"127.0.0.1:{authority.port}", f"127.0.0.1:{free_port()}"

    def slowly() -> Iterator[Question]:
        for i in range(40):
            if i % 10 == 0:
                time.sleep(0.1)
            yield Question(dead if i == 5 else alive, f"s{i}.example")

    counts = Counts()
    asked = remote.ask(slowly(), FixedClock(NOW), concurrency=8, timeout=0.3, retries=2,
                       counts=counts)  # fmt: skip
    answers = {a.question.name: a for a in asked}
    assert len(answers) == 40
    lost = answers.pop("s5.example")
    assert lost.wire is None and lost.tries == 3 and lost.latency >= 0.3
    assert all(a.wire is not None and a.tries == 1 for a in answers.values())
    assert counts.timeouts == 1 and counts.retries == 2 and counts.answered == 39


def test_an_error_in_the_child_is_the_callers() -> None:
    with pytest.raises(ArretError, match="probing stopped: "):
        list(remote.ask([Question("not an address", "a.example")], FixedClock(NOW)))
    assert not multiprocessing.active_children()


def test_a_caller_that_stops_early_leaves_no_process(authority: Authority) -> None:
    resolver = f"127.0.0.1:{authority.port}"
    asking = remote.ask((Question(resolver, f"x{i}.example") for i in range(100_000)),
                        FixedClock(NOW), concurrency=20)  # fmt: skip
    assert next(asking).wire is not None
    assert multiprocessing.active_children()
    asking.close()
    assert not multiprocessing.active_children()


def test_the_prober_waits_for_a_source_that_has_nothing_yet(authority: Authority) -> None:
    """`WAIT` from the source: the prober goes on and asks again, it does not stop."""
    resolver = f"127.0.0.1:{authority.port}"

    def source() -> Iterator[Question]:
        yield WAIT  # nothing in flight yet
        yield Question(resolver, "a.example")
        deadline = time.monotonic() + 0.2
        while time.monotonic() < deadline:
            yield WAIT  # one in flight, none ready
        yield Question(resolver, "b.example")

    prober = Prober(FixedClock(NOW), concurrency=5, timeout=1)
    try:
        got = [a.question.name for a in prober.ask(source())]
    finally:
        prober.close()
    assert got == ["a.example", "b.example"]
    assert prober.counts.questions == 2


def test_when_a_try_was_sent_is_read_between_the_callers_two_readings() -> None:
    handed, back = NOW, NOW + timedelta(seconds=10)
    between = remote._between
    assert between(handed, back, 100.0, 102.5, 110.0) == NOW + timedelta(seconds=2.5)
    assert between(handed, back, 100.0, 99.0, 110.0) == handed  # never before handing over
    assert between(handed, back, 100.0, 111.0, 110.0) == back  # nor after the answer
    assert between(handed, handed, 100.0, 105.0, 110.0) == handed  # a clock standing still
    assert between(handed, back, 100.0, 100.0, 100.0) == handed
