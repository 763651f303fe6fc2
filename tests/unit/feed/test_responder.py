"""The feed's DNS answers, from query bytes to response bytes, with no socket: transfers
checked by applying them with dnspython's own client (`dns.xfr.Inbound`) to a zone, and
every refusal class of RFC 8945 and RFC 5936."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import dns.exception
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdatatype
import dns.rrset
import dns.tsig
import dns.tsigkeyring
import dns.versioned
import dns.xfr
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arret.domain.model import OperatorKey
from arret.feed import render
from arret.feed.responder import Access, Step, ZoneView, respond
from arret.rpz.zone import FeedSettings, ZoneEntries

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
ZONE = "orange.rpz.arret."
SECRET = base64.b64encode(b"k" * 32).decode()
OTHER = base64.b64encode(b"o" * 32).decode()
V1 = (("*.leak.example", "nxdomain"), ("leak.example", "nxdomain"))
V2 = (*V1, ("*.mirror.example", "notice"), ("mirror.example", "notice"))
V3 = (("*.mirror.example", "notice"), ("mirror.example", "notice"))


@dataclass
class View:
    settings: FeedSettings = field(default_factory=FeedSettings)
    renders: render.RenderCache = field(default_factory=render.RenderCache)
    current: ZoneView = field(default_factory=lambda: ZoneView("orange", ZONE, 30, V3))
    journal: dict[int, Step] = field(
        default_factory=lambda: {
            20: Step(10, 20, (), V2[2:]),
            30: Step(20, 30, V1, ()),
        }
    )

    def zone(self, name: str) -> ZoneView | None:
        return self.current if name == ZONE else None

    def access(self, operator: str) -> Access:
        import ipaddress

        return (
            Access((), (ipaddress.ip_network("192.0.2.0/24"),))
            if operator == "orange"
            else Access()
        )

    def keys(self, at: datetime) -> dict[str, OperatorKey]:
        return {
            "orange-1.tsig.arret.": OperatorKey(
                "orange", "orange-1.tsig.arret.", "hmac-sha256", SECRET, NOW - timedelta(days=1)
            ),
            "free-1.tsig.arret.": OperatorKey(
                "free", "free-1.tsig.arret.", "hmac-sha256", OTHER, NOW - timedelta(days=1)
            ),
        }

    def steps(self, operator: str, since: int, until: int) -> list[Step] | None:
        if since not in (10, 20):
            return None
        return [s for serial, s in sorted(self.journal.items()) if serial > since]


def zone_text(entries: tuple[tuple[str, str], ...], serial: int) -> str:
    lines = [f"@ 60 IN SOA localhost. hostmaster.localhost. {serial} 60 30 1209600 60",
             "@ 60 IN NS localhost."]  # fmt: skip
    targets = {"nxdomain": ".", "nodata": "*.", "notice": "notice.arret.localhost."}
    lines += [f"{owner} 60 IN CNAME {targets[kind]}" for owner, kind in entries]
    return "\n".join(lines)


def expected_zone(entries: tuple[tuple[str, str], ...], serial: int) -> dns.versioned.Zone:
    import dns.zone

    return dns.zone.from_text(zone_text(entries, serial), ZONE, zone_factory=dns.versioned.Zone)  # type: ignore[return-value]


def transfer(
    query: dns.message.Message,
    zone: dns.versioned.Zone,
    source: str = "192.0.2.7",
    now: datetime = NOW,
) -> str:
    """Feed our response messages to dnspython's client (as `dns.query.inbound_xfr` does
    with a TCP stream); returns the transfer kind."""
    outcome = respond(query.to_wire(), source, True, View(), now)
    assert outcome.rcode == "NOERROR", outcome
    keyring = query.keyring
    with dns.xfr.Inbound(zone, query.question[0].rdtype, serial=_serial(query)) as inbound:
        tsig_ctx = None
        for wire in outcome.messages:
            message = dns.message.from_wire(
                wire, keyring=keyring, request_mac=query.mac, xfr=True, origin=zone.origin,
                tsig_ctx=tsig_ctx, multi=True, one_rr_per_rrset=True,
            )  # fmt: skip
            tsig_ctx = message.tsig_ctx
            if inbound.process_message(message):
                break
    return outcome.kind


def _serial(query: dns.message.Message) -> int | None:
    return query.authority[0][0].serial if query.authority else None  # type: ignore[attr-defined]


def signed(
    query: dns.message.Message, secret: str = SECRET, name: str = "orange-1.tsig.arret."
) -> dns.message.Message:
    query.use_tsig(
        dns.tsigkeyring.from_text({name: secret}), keyname=name, algorithm=dns.tsig.HMAC_SHA256
    )
    return query


def test_axfr_gives_the_whole_zone() -> None:
    zone = dns.versioned.Zone(ZONE)
    assert transfer(dns.xfr.make_query(zone)[0], zone) == "axfr"
    assert zone == expected_zone(V3, 30)


def test_each_view_keeps_its_own_rendered_bodies() -> None:
    """Two feeds in one process (two servers, two databases) may serve the same zone at
    the same serial with different names: neither is answered from the other's bodies."""
    one = View(current=ZoneView("orange", ZONE, 30, ZoneEntries(V1)))
    other = View(current=ZoneView("orange", ZONE, 30, ZoneEntries(V3)))
    for view, entries in ((one, V1), (other, V3), (one, V1)):
        zone = dns.versioned.Zone(ZONE)
        query = dns.xfr.make_query(zone)[0]
        outcome = respond(query.to_wire(), "192.0.2.7", True, view, NOW)
        with dns.xfr.Inbound(zone, dns.rdatatype.AXFR) as inbound:
            for wire in outcome.messages:
                message = dns.message.from_wire(wire, xfr=True, origin=zone.origin)
                if inbound.process_message(message):
                    break
        assert zone == expected_zone(entries, 30)
    assert one.renders is not other.renders and one.renders.size > 0


def test_axfr_signed_with_the_operator_key_from_anywhere() -> None:
    zone = dns.versioned.Zone(ZONE)
    query = signed(dns.xfr.make_query(zone)[0])
    # TSIG time is the client's clock: the server must be close to it (RFC 8945 §5.2.3).
    assert transfer(query, zone, source="203.0.113.9", now=datetime.now(UTC)) == "axfr"
    assert zone == expected_zone(V3, 30)


def test_ixfr_applies_each_journal_step() -> None:
    zone = expected_zone(V1, 10)
    query = dns.xfr.make_query(zone)[0]
    assert transfer(query, zone) == "ixfr"
    assert zone == expected_zone(V3, 30)


def test_ixfr_from_a_serial_the_journal_lost_falls_back_to_the_full_zone() -> None:
    zone = expected_zone(V1, 5)
    assert transfer(dns.xfr.make_query(zone)[0], zone) == "ixfr-axfr"
    assert zone == expected_zone(V3, 30)


def test_ixfr_when_current_is_a_single_soa() -> None:
    zone = expected_zone(V3, 30)
    outcome = respond(dns.xfr.make_query(zone)[0].to_wire(), "192.0.2.7", True, View(), NOW)
    assert outcome.kind == "ixfr-current"
    [message] = [dns.message.from_wire(m) for m in outcome.messages]
    assert [r.rdtype for r in message.answer] == [dns.rdatatype.SOA]


def test_ixfr_over_udp_answers_the_single_soa() -> None:
    zone = expected_zone((), 10)
    outcome = respond(dns.xfr.make_query(zone)[0].to_wire(), "192.0.2.7", False, View(), NOW)
    assert outcome.kind == "ixfr-udp"


def rcode_of(
    query: dns.message.Message, source: str = "198.51.100.1", now: datetime = NOW, tcp: bool = True
) -> tuple[str, dns.message.Message]:
    outcome = respond(query.to_wire(), source, tcp, View(), now)
    message = (
        dns.message.from_wire(outcome.messages[0], keyring=False) if outcome.messages else None
    )  # type: ignore[arg-type]
    assert message is not None
    return dns.rcode.to_text(message.rcode()), message


def axfr_query() -> dns.message.Message:
    return dns.message.make_query(ZONE, dns.rdatatype.AXFR)


def test_unsigned_from_an_undeclared_network_is_refused() -> None:
    rcode, message = rcode_of(axfr_query())
    assert rcode == "REFUSED" and not message.answer


def test_another_operators_valid_key_is_refused() -> None:
    query = signed(axfr_query(), OTHER, "free-1.tsig.arret.")
    rcode, message = rcode_of(query, now=datetime.now(UTC))
    assert rcode == "REFUSED" and not message.answer


def test_an_unknown_key_is_badkey() -> None:
    rcode, message = rcode_of(signed(axfr_query(), SECRET, "nobody.tsig.arret."))
    assert rcode == "NOTAUTH"
    assert message.tsig is not None and message.tsig[0].error == dns.rcode.BADKEY  # type: ignore[attr-defined]
    assert message.tsig[0].mac == b""  # type: ignore[attr-defined]


def test_a_wrong_secret_is_badsig() -> None:
    wrong = base64.b64encode(b"x" * 32).decode()
    rcode, message = rcode_of(signed(axfr_query(), wrong))
    assert rcode == "NOTAUTH"
    assert message.tsig is not None and message.tsig[0].error == dns.rcode.BADSIG  # type: ignore[attr-defined]


def test_a_replayed_or_stale_signature_is_badtime() -> None:
    query = signed(axfr_query())
    # The query was signed "now" by the real clock; the server lives an hour later.
    later = datetime.now(UTC) + timedelta(hours=1)
    rcode, message = rcode_of(query, now=later)
    assert rcode == "NOTAUTH"
    assert message.tsig is not None and message.tsig[0].error == dns.rcode.BADTIME  # type: ignore[attr-defined]


def test_other_zones_and_types_are_refused() -> None:
    assert rcode_of(dns.message.make_query("free.rpz.arret.", "AXFR"), "192.0.2.1")[0] == "REFUSED"
    assert (
        rcode_of(dns.message.make_query("leak.example." + ZONE, "A"), "192.0.2.1")[0] == "REFUSED"
    )
    assert rcode_of(axfr_query(), "192.0.2.1", tcp=False)[0] == "NOTIMP"


def test_soa_is_answered_to_a_declared_network() -> None:
    rcode, message = rcode_of(dns.message.make_query(ZONE, "SOA"), "192.0.2.1", tcp=False)
    assert rcode == "NOERROR"
    assert message.answer[0][0].serial == 30  # type: ignore[attr-defined]


def test_garbage_with_a_header_is_formerr_and_without_is_dropped() -> None:
    assert respond(b"\x12", "192.0.2.1", False, View(), NOW).messages == []
    junk = b"\x12\x34" + b"\x01\x00" + b"\x00\x01" * 4 + b"\xff\xff\xff"
    outcome = respond(junk, "192.0.2.1", False, View(), NOW)
    assert outcome.rcode == "FORMERR"
    assert outcome.messages[0][:2] == b"\x12\x34"


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=600))
def test_no_bytes_crash_the_responder(data: bytes) -> None:
    respond(data, "192.0.2.1", False, View(), NOW)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_mutated_queries_never_crash_it(data: st.DataObject) -> None:
    wire = bytearray(signed(axfr_query()).to_wire())
    for _ in range(data.draw(st.integers(1, 8))):
        i = data.draw(st.integers(0, len(wire) - 1))
        wire[i] = data.draw(st.integers(0, 255))
    respond(bytes(wire), "192.0.2.1", True, View(), NOW)


def signed_transfer(messages: list[bytes], query: dns.message.Message) -> dns.versioned.Zone:
    """The zone a client builds from a signed AXFR's messages, checking the TSIG chain."""
    zone = dns.versioned.Zone(ZONE)
    with dns.xfr.Inbound(zone, dns.rdatatype.AXFR) as inbound:
        ctx = None
        for wire in messages:
            message = dns.message.from_wire(
                wire, keyring=query.keyring, request_mac=query.mac, xfr=True,
                origin=zone.origin, tsig_ctx=ctx, multi=True,
            )  # fmt: skip
            ctx = message.tsig_ctx
            inbound.process_message(message)
    return zone


def test_a_large_signed_transfer_spans_many_messages_each_under_64k() -> None:
    entries = tuple(
        sorted(e for i in range(12_000) for e in ((f"site{i}.example", "nxdomain"),
                                                  (f"*.site{i}.example", "nxdomain")))
    )  # fmt: skip
    view = View(current=ZoneView("orange", ZONE, 99, entries))
    query = signed(dns.message.make_query(ZONE, dns.rdatatype.AXFR))
    outcome = respond(query.to_wire(), "203.0.113.9", True, view, datetime.now(UTC))
    assert len(outcome.messages) > 5
    assert max(len(m) for m in outcome.messages) <= 65535
    zone = signed_transfer(outcome.messages, query)
    assert len(list(zone.iterate_rdatas("CNAME"))) == 24_000


def test_a_streamed_transfer_is_made_as_it_is_taken_and_equals_the_whole_one() -> None:
    """`arret serve` takes a full zone's messages as they are rendered (the first is on
    the wire long before a million names are): the same octets, TSIG chain included, as
    rendered at once, whether the zone's chunks were rendered before or not."""
    entries = tuple(
        sorted(e for i in range(3_000) for e in ((f"site{i}.example", "nxdomain"),
                                                 (f"*.site{i}.example", "nxdomain")))
    )  # fmt: skip
    view = View(current=ZoneView("orange", ZONE, 101, ZoneEntries(entries)))  # none rendered
    query = signed(dns.message.make_query(ZONE, dns.rdatatype.AXFR))
    now = datetime.now(UTC)
    streamed = respond(query.to_wire(), "203.0.113.9", True, view, now, stream=True)
    assert streamed.messages == [] and streamed.rest is not None
    first = next(streamed.rest)
    # A transfer asked meanwhile takes what the first has rendered so far, and the rest.
    whole = respond(query.to_wire(), "203.0.113.9", True, view, now)
    assert whole.rest is None and len(whole.messages) > 2
    assert [first, *streamed.rest] == whole.messages
    zone = signed_transfer(whole.messages, query)
    assert len(list(zone.iterate_rdatas("CNAME"))) == 6_000


def test_a_tampered_message_in_a_signed_transfer_is_detected_by_the_client() -> None:
    query = signed(dns.message.make_query(ZONE, dns.rdatatype.AXFR))
    outcome = respond(query.to_wire(), "203.0.113.9", True, View(), datetime.now(UTC))
    wire = bytearray(outcome.messages[0])
    wire[-120] ^= 0xFF  # flip a byte inside the records
    with pytest.raises(dns.exception.DNSException):
        dns.message.from_wire(bytes(wire), keyring=query.keyring, request_mac=query.mac,
                              xfr=True, multi=True)  # fmt: skip


# --- EDNS version (RFC 6891 §6.1.3) and signed error answers (RFC 8945 §5.3) ---


def test_an_edns_version_above_0_is_badvers_with_an_opt_of_version_0() -> None:
    query = dns.message.make_query(ZONE, "SOA", use_edns=1)
    outcome = respond(query.to_wire(), "192.0.2.1", False, View(), NOW)
    message = dns.message.from_wire(outcome.messages[0])
    assert message.rcode() == dns.rcode.BADVERS  # extended rcode 16: 0 in the header
    assert message.edns == 0
    assert not message.answer
    assert outcome.rcode == "BADVERS"


def test_edns_version_0_is_answered() -> None:
    query = dns.message.make_query(ZONE, "SOA", use_edns=0)
    rcode, message = rcode_of(query, "192.0.2.1", tcp=False)
    assert rcode == "NOERROR" and message.edns == 0 and message.answer


def verified(query: dns.message.Message, now: datetime, tcp: bool = True) -> dns.message.Message:
    """The answer as dnspython's client reads it: with the query's key and MAC, so a
    missing or wrong TSIG raises."""
    outcome = respond(query.to_wire(), "203.0.113.9", tcp, View(), now)
    return dns.message.from_wire(outcome.messages[0], keyring=query.keyring,
                                 request_mac=query.mac)  # fmt: skip


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: dns.message.make_query("free.rpz.arret.", "AXFR"), dns.rcode.REFUSED),
        (lambda: dns.message.make_query("leak.example." + ZONE, "A"), dns.rcode.REFUSED),
        (lambda: dns.message.make_query(ZONE, "TXT"), dns.rcode.REFUSED),
        (lambda: dns.message.make_query(ZONE, "SOA", use_edns=1), dns.rcode.BADVERS),
        (lambda: _with_opcode(dns.message.make_query(ZONE, "SOA"), dns.opcode.UPDATE),
         dns.rcode.NOTIMP),
        (lambda: _with_opcode(dns.message.make_query(ZONE, "SOA"), dns.opcode.NOTIFY),
         dns.rcode.NOTIMP),
        (lambda: dns.message.make_query(ZONE, "IXFR"), dns.rcode.FORMERR),
    ],
    ids=["other-zone", "name-in-zone", "other-type", "badvers", "update", "notify",
         "ixfr-without-soa"],
)  # fmt: skip
def test_error_answers_to_a_valid_signed_query_are_signed(make: object, expected: int) -> None:
    query = signed(make())  # type: ignore[operator]
    answer = verified(query, datetime.now(UTC))
    assert answer.rcode() == expected
    assert answer.had_tsig and answer.tsig is not None
    assert answer.tsig[0].error == 0  # type: ignore[attr-defined]


def test_axfr_over_udp_with_a_signed_query_is_a_signed_notimp() -> None:
    query = signed(axfr_query())
    answer = verified(query, datetime.now(UTC), tcp=False)
    assert answer.rcode() == dns.rcode.NOTIMP and answer.had_tsig


def test_errors_to_an_unknown_key_stay_unsigned_badkey_whatever_else_is_wrong() -> None:
    query = signed(dns.message.make_query("free.rpz.arret.", "AXFR"), SECRET, "nobody.tsig.")
    rcode, message = rcode_of(query)
    assert rcode == "NOTAUTH"
    assert message.tsig[0].error == dns.rcode.BADKEY  # type: ignore[index,attr-defined]
    assert message.tsig[0].mac == b""  # type: ignore[index,attr-defined]


def test_errors_to_a_bad_mac_stay_unsigned_badsig_whatever_else_is_wrong() -> None:
    wrong = base64.b64encode(b"x" * 32).decode()
    query = signed(_with_opcode(dns.message.make_query(ZONE, "SOA"), dns.opcode.UPDATE), wrong)
    rcode, message = rcode_of(query)
    assert rcode == "NOTAUTH"
    assert message.tsig[0].error == dns.rcode.BADSIG  # type: ignore[index,attr-defined]
    assert message.tsig[0].mac == b""  # type: ignore[index,attr-defined]


def _with_opcode(query: dns.message.Message, opcode: int) -> dns.message.Message:
    query.flags = 0
    query.set_opcode(opcode)  # type: ignore[arg-type]
    return query
