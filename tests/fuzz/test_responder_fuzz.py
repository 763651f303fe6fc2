"""The feed's responder under structured-but-broken queries (tests/support/dnsfuzz.py):
SOA/AXFR/IXFR with random flags, opcodes, classes, EDNS options and TSIG records, then
bit flips, truncations, huge counts, compression loops and garbage TSIG/OPT records.
(Plain random bytes and simple byte mutations: tests/unit/feed/test_responder.py.)

Whatever arrives: no exception; every response is a DNS response echoing the query's id
that a resolver can parse; and nothing is answered to a client that is neither in a
declared network nor holding the operator's key — a broken query never opens the feed."""

from __future__ import annotations

import base64
import ipaddress
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import dns.message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import dnsfuzz

from arret.domain.model import OperatorKey
from arret.feed import render
from arret.feed.responder import Access, Step, ZoneView, respond
from arret.rpz.zone import FeedSettings

ZONE = "orange.rpz.arret."
SECRET = base64.b64encode(b"k" * 32).decode()
OTHER = base64.b64encode(b"o" * 32).decode()
KEYS = (("orange-1.tsig.arret.", SECRET), ("free-1.tsig.arret.", OTHER))
DECLARED, UNDECLARED = "192.0.2.7", "198.51.100.1"
ENTRIES = tuple(
    sorted(
        e for i in range(40) for e in ((f"s{i}.example", "nxdomain"), (f"*.s{i}.example", "notice"))
    )
)
#: Not the serial of tests/unit/feed's zone of the same name: rendered transfers are cached
#: by zone and serial for the whole process.
SERIAL = 777
#: What gives a client the feed's content (an SOA, a transfer), as opposed to an error.
POSITIVE = {"soa", "axfr", "ixfr", "ixfr-axfr", "ixfr-current", "ixfr-udp"}


@dataclass
class View:
    settings: FeedSettings = field(default_factory=FeedSettings)
    renders: render.RenderCache = field(default_factory=render.RenderCache)
    created: datetime = datetime(2020, 1, 1, tzinfo=UTC)

    def zone(self, name: str) -> ZoneView | None:
        return ZoneView("orange", ZONE, SERIAL, ENTRIES) if name == ZONE else None

    def access(self, operator: str) -> Access:
        return Access((), (ipaddress.ip_network("192.0.2.0/24"),))

    def keys(self, at: datetime) -> dict[str, OperatorKey]:
        return {
            "orange-1.tsig.arret.": OperatorKey("orange", KEYS[0][0], "hmac-sha256", SECRET,
                                                self.created),
            "free-1.tsig.arret.": OperatorKey("free", KEYS[1][0], "hmac-sha256", OTHER,
                                              self.created),
        }  # fmt: skip

    def steps(self, operator: str, since: int, until: int) -> list[Step] | None:
        if since not in (10, 20):
            return None
        steps = [Step(10, 20, (), ENTRIES[:4]), Step(20, SERIAL, ENTRIES[4:8], ())]
        return steps[since // 10 - 1 :]


FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(wire: bytes, source: str, tcp: bool, now: datetime) -> str:
    """Respond and check the response is well-formed; the outcome's kind."""
    outcome = respond(wire, source, tcp, View(), now)
    for message in outcome.messages:
        assert 12 <= len(message) <= 65535
        assert message[:2] == wire[:2], "the response echoes the query id"
        assert message[2] & 0x80, "QR is set"
        parsed = dns.message.from_wire(message, keyring=False, multi=True, one_rr_per_rrset=True)
        assert parsed.id == int.from_bytes(wire[:2])
    if outcome.kind == "dropped":
        assert not outcome.messages
    return outcome.kind


@FUZZ
@given(st.data(), st.booleans(), st.sampled_from([DECLARED, UNDECLARED, "nonsense", "fe80::1%lo"]))
def test_broken_queries_never_crash_it_nor_open_the_feed(
    data: st.DataObject, tcp: bool, source: str
) -> None:
    def pick(lo: int, hi: int) -> int:
        return data.draw(st.integers(lo, hi))

    now = datetime.now(UTC)
    original = dnsfuzz.query(pick, ZONE, KEYS)
    wire = dnsfuzz.mutate(original.wire, pick)
    kind = check(wire, source, tcp, now)
    if kind in POSITIVE and source != DECLARED:
        # Only the operator's own key opens the feed from elsewhere, and only on the bytes
        # it signed (the id may differ: the MAC covers the original id, RFC 8945 §4.3.1).
        assert original.signed is not None and original.signed[:2] == KEYS[0], original
        assert wire[2:] == original.wire[2:]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_signed_query_replayed_later_or_mutated_is_never_served(data: st.DataObject) -> None:
    def pick(lo: int, hi: int) -> int:
        return data.draw(st.integers(lo, hi))

    made = dnsfuzz.query(pick, ZONE, KEYS[:1])
    later = datetime.now(UTC) + timedelta(seconds=700)  # beyond any fudge the client set
    assert check(made.wire, UNDECLARED, True, later) not in POSITIVE
    mutated = dnsfuzz.mutate(made.wire, pick, most=6)
    if mutated[2:] != made.wire[2:]:
        assert check(mutated, UNDECLARED, True, datetime.now(UTC)) not in POSITIVE


def test_a_question_that_points_at_itself_is_formerr() -> None:
    loop = b"\x12\x34\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c\x00\x06\x00\x01"
    outcome = respond(loop, DECLARED, False, View(), datetime.now(UTC))
    assert outcome.rcode == "FORMERR" and outcome.messages[0][:2] == b"\x12\x34"


def test_valid_queries_are_still_served() -> None:
    """The oracle is not vacuous: the generator's well-formed queries do get answers."""
    served = set()
    for seed in range(300):
        rng = random.Random(seed)
        made = dnsfuzz.query(rng.randint, ZONE, KEYS)
        served.add(check(made.wire, DECLARED, True, datetime.now(UTC)))
    assert {"soa", "axfr", "ixfr"} <= served


def test_queries_with_every_flags_word_do_not_grow_the_process() -> None:
    """dnspython keeps one Flag member per distinct flags word it parses, for good: a
    client sweeping the 65,536 values made `arret serve` hold about 27 MiB more (found by
    bench/fuzz.py as slow growth). Only the bits an answer depends on reach the parser."""
    import dns.flags

    before = len(dns.flags.Flag._value2member_map_)
    query = bytearray(dns.message.make_query(ZONE, "SOA").to_wire())
    kinds = set()
    for flags in range(0, 0x8000, 7):  # QR clear: a query
        query[2:4] = flags.to_bytes(2)
        kinds.add(check(bytes(query), DECLARED, False, datetime.now(UTC)))
    assert len(dns.flags.Flag._value2member_map_) - before <= 64
    assert {"soa", "error"} <= kinds  # opcode QUERY answered, the others NOTIMP
    query[2:4] = (0x8000).to_bytes(2)
    assert check(bytes(query), DECLARED, False, datetime.now(UTC)) == "dropped"
