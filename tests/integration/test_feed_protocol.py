"""Protocol corners through real sockets, checked by dnspython's own client: an answer to
a signed request must carry a TSIG that validates with the request's key and MAC
(`dns.query` raises otherwise), errors included (RFC 8945 §5.3); EDNS version 1 is
BADVERS (RFC 6891 §6.1.3)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dns.message
import dns.opcode
import dns.query
import dns.rcode
import dns.tsig
import dns.tsigkeyring
import pytest
from support.cli import Arret
from support.livefeed import LiveFeed
from support.secondaries import Tsig

from arret.domain.instants import SystemClock

ZONE = "orange.rpz.arret."


@pytest.fixture
def feed(tmp_path: Path) -> Iterator[tuple[LiveFeed, Tsig]]:
    arret = Arret(tmp_path)
    arret("init")
    _code, out, _err = arret("operator", "add", "orange")
    arret("operator", "add", "sfr")
    # TSIG time is the real clock's (the client signs with it).
    live = LiveFeed(arret.url, SystemClock())
    live.tick()
    yield live, Tsig.parse(out)
    live.close()


def signed(query: dns.message.Message, key: Tsig) -> dns.message.Message:
    query.use_tsig(dns.tsigkeyring.from_text({key.name: key.secret}), keyname=key.name,
                   algorithm=dns.tsig.HMAC_SHA256)  # fmt: skip
    return query


def with_opcode(query: dns.message.Message, opcode: dns.opcode.Opcode) -> dns.message.Message:
    query.flags = 0
    query.set_opcode(opcode)
    return query


CASES = {
    "soa": (lambda: dns.message.make_query(ZONE, "SOA"), dns.rcode.NOERROR),
    "another operator's zone": (lambda: dns.message.make_query("sfr.rpz.arret.", "SOA"),
                                dns.rcode.REFUSED),
    "a zone not served": (lambda: dns.message.make_query("example.", "SOA"), dns.rcode.REFUSED),
    "a type not served": (lambda: dns.message.make_query(ZONE, "TXT"), dns.rcode.REFUSED),
    "EDNS version 1": (lambda: dns.message.make_query(ZONE, "SOA", use_edns=1),
                       dns.rcode.BADVERS),
    "UPDATE": (lambda: with_opcode(dns.message.make_query(ZONE, "SOA"), dns.opcode.UPDATE),
               dns.rcode.NOTIMP),
    "IXFR without a SOA": (lambda: dns.message.make_query(ZONE, "IXFR"), dns.rcode.FORMERR),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_every_answer_to_a_signed_request_validates_in_dnspython(
    feed: tuple[LiveFeed, Tsig], case: str, transport: str
) -> None:
    live, key = feed
    make, expected = CASES[case]
    query = signed(make(), key)
    ask = dns.query.udp if transport == "udp" else dns.query.tcp
    answer = ask(query, "127.0.0.1", port=live.port, timeout=2)  # raises on a bad/no TSIG
    assert answer.rcode() == expected
    assert answer.had_tsig
    if expected == dns.rcode.BADVERS:
        assert answer.edns == 0 and not answer.answer


def test_badvers_unsigned(feed: tuple[LiveFeed, Tsig]) -> None:
    live, _key = feed
    query = dns.message.make_query(ZONE, "SOA", use_edns=1)
    answer = dns.query.udp(query, "127.0.0.1", port=live.port, timeout=2)
    assert answer.rcode() == dns.rcode.BADVERS and answer.edns == 0 and not answer.answer


def test_an_unknown_key_is_still_an_unsigned_badkey(feed: tuple[LiveFeed, Tsig]) -> None:
    live, key = feed
    query = signed(dns.message.make_query("example.", "SOA"),
                   Tsig("nobody.tsig.arret.", key.secret))  # fmt: skip
    with pytest.raises(dns.tsig.PeerBadKey):
        dns.query.udp(query, "127.0.0.1", port=live.port, timeout=2)
