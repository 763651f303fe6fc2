"""The feed's DNS logic: one query in, the response messages out — no sockets, no clock.

What is answered (everything else is REFUSED and logged, never a crash):

- `SOA` of an operator's zone (UDP or TCP);
- `AXFR` (RFC 5936) over TCP: SOA, NS, every policy record, SOA;
- `IXFR` (RFC 1995): over UDP always the single current SOA (§2: the client then
  retries over TCP); over TCP the journal's deltas from the client's serial, the full
  zone when the journal does not reach back that far, the single SOA when the client is
  current.

Access (docs/architecture.md, invariant 3): a query for operator O's zone is answered
only when it is signed with one of O's valid TSIG keys (RFC 8945), or unsigned from a
source network O declared (`--allow-from`, for resolvers that cannot sign). An unknown
key is answered NOTAUTH/BADKEY, a wrong MAC NOTAUTH/BADSIG (both unsigned, §5.3.2), a
time outside the fudge NOTAUTH/BADTIME (signed, with the server's time), a valid key of
another operator REFUSED. The signature is checked first: every other error answer
(NOTIMP, REFUSED, FORMERR, BADVERS) to a request whose key is known and whose MAC is
good is signed with that key (§5.3). A query with EDNS version above 0 is answered
BADVERS with an OPT of version 0 (RFC 6891 §6.1.3). Garbage is dropped when it has no
DNS header, answered FORMERR otherwise.
"""

from __future__ import annotations

import ipaddress
import logging
import struct
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TSIG
import dns.rrset
import dns.tsig

import arret.dnstypes  # noqa: F401 - every record type loaded before threads read any
from arret.domain.model import OperatorKey
from arret.feed import render
from arret.rpz import serial as serials
from arret.rpz.zone import Entry, FeedSettings
from arret.rpz.zonefile import soa_rdata

log = logging.getLogger("arret.feed")

#: Seconds a TSIG-signed message's time may differ from ours (RFC 8945 §5.2.3).
FUDGE = 300
#: The header bits of a query that its answer depends on: the opcode, RD and CD (copied
#: into the response).
_QUERY_FLAGS = 0x7800 | dns.flags.RD | dns.flags.CD


@dataclass(frozen=True)
class ZoneView:
    """One operator's zone at one serial. Immutable: a transfer reads one whole version."""

    operator: str
    zone: str
    serial: int
    #: Sorted; a `ZoneEntries` in the server (versions share their unchanged chunks).
    entries: Sequence[Entry]
    #: The policy revision it serves (zones serving the same one share `entries`).
    policy: int | None = None
    rev: int | None = None


@dataclass(frozen=True)
class Step:
    """One serial's change, as IXFR sends it (RFC 1995 §4)."""

    old_serial: int
    new_serial: int
    removed: tuple[Entry, ...]
    added: tuple[Entry, ...]


@dataclass(frozen=True)
class Access:
    keys: tuple[OperatorKey, ...] = ()
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    def admits(self, source: str) -> bool:
        try:
            address = ipaddress.ip_address(source.split("%")[0])
        except ValueError:
            return False
        return any(address in n for n in self.networks)


class FeedView(Protocol):
    settings: FeedSettings
    #: The zones' records rendered per chunk, kept by whoever owns the view.
    renders: render.RenderCache

    def zone(self, name: str) -> ZoneView | None: ...

    def access(self, operator: str) -> Access: ...

    def keys(self, at: datetime) -> dict[str, OperatorKey]: ...

    def steps(self, operator: str, since: int, until: int) -> list[Step] | None:
        """The journal from serial `since` to `until`, or None if it does not reach back."""
        ...


@dataclass
class Outcome:
    """What was done, for logs and metrics."""

    kind: str  # "soa", "axfr", "ixfr", "ixfr-axfr", "ixfr-current", "refused", …
    operator: str | None = None
    rcode: str = "NOERROR"
    reason: str = ""
    messages: list[bytes] = field(default_factory=list)
    #: Messages to send after `messages`, made as they are taken (`respond(stream=True)`).
    rest: Iterator[bytes] | None = None
    #: The zone's serial answered or transferred (None for errors).
    serial: int | None = None
    #: The serial the client's IXFR query said it holds (RFC 1995 §3).
    client: int | None = None


def _header_only(wire: bytes, rcode: int) -> bytes:
    """A bare response header echoing the id and opcode of a query we could not parse."""
    (qid, flags) = struct.unpack("!HH", wire[:4])
    opcode = flags & 0x7800
    return struct.pack("!HHHHHH", qid, 0x8000 | opcode | rcode, 0, 0, 0, 0)


def _tsig_rrset(key_name: dns.name.Name, rdata: dns.rdata.Rdata) -> dns.rrset.RRset:
    return dns.rrset.from_rdata(key_name, 0, rdata)


def _append_tsig(wire: bytes, key_name: dns.name.Name, rdata: dns.rdata.Rdata) -> bytes:
    """Append a TSIG record (RFC 8945 §4.2: last in the additional section, owner not
    compressed) to a rendered message and count it in ARCOUNT."""
    encoded = rdata.to_wire()
    owner = key_name.to_wire()
    assert encoded is not None and owner is not None
    out = bytearray(wire)
    out += owner + struct.pack("!HHIH", dns.rdatatype.TSIG, dns.rdataclass.ANY, 0, len(encoded))
    out += encoded
    arcount = struct.unpack("!H", out[10:12])[0] + 1
    out[10:12] = struct.pack("!H", arcount)
    return bytes(out)


def _tsig_template(algorithm: dns.name.Name, original_id: int, error: int = 0) -> dns.rdata.Rdata:
    return dns.rdtypes.ANY.TSIG.TSIG(  # type: ignore[no-untyped-call]
        dns.rdataclass.ANY, dns.rdatatype.TSIG, algorithm, 0, FUDGE, b"", original_id, error, b""
    )


def _with_unsigned_tsig_error(
    response: dns.message.Message, query_tsig: dns.rrset.RRset, error: int
) -> bytes:
    """RFC 8945 §5.3.2: BADKEY/BADSIG answers carry a TSIG with the error and no MAC."""
    q = query_tsig[0]
    assert isinstance(q, dns.rdtypes.ANY.TSIG.TSIG)
    tsig = q.replace(mac=b"", error=error, other=b"")
    return _append_tsig(response.to_wire(), query_tsig.name, tsig)


def sign_messages(
    wires: Iterable[bytes], key: dns.tsig.Key, request_mac: bytes, now: datetime, original_id: int
) -> Iterator[bytes]:
    """Sign each message of a transfer, each MAC chained to the previous (RFC 8945 §5.3.1),
    as it is asked for."""
    template = _tsig_template(key.algorithm, original_id)
    ctx = None
    for index, wire in enumerate(wires):
        rdata, ctx = dns.tsig.sign(  # type: ignore[no-untyped-call]
            wire, key, template, int(now.timestamp()),
            request_mac if index == 0 else None, ctx, True,
        )  # fmt: skip
        yield _append_tsig(wire, key.name, rdata)


def servfail(wire: bytes) -> bytes | None:
    """SERVFAIL for a query the server could not answer through no fault of the client
    (its database unreadable), with the question when it parses; None for a non-query."""
    if len(wire) < 12:
        return None
    try:
        query = dns.message.from_wire(wire, ignore_trailing=True, keyring=False)
    except Exception:
        return _header_only(wire, dns.rcode.SERVFAIL)
    if query.flags & dns.flags.QR:
        return None
    response = dns.message.make_response(query)
    response.set_rcode(dns.rcode.SERVFAIL)
    return response.to_wire()


def respond(
    wire: bytes, source: str, tcp: bool, view: FeedView, now: datetime, stream: bool = False
) -> Outcome:
    """The answer to one query. With `stream`, a transfer's messages not rendered yet are
    left in `Outcome.rest`, made as the caller takes them."""
    if len(wire) < 12:
        return Outcome("dropped", reason="shorter than a DNS header")
    (flags,) = struct.unpack_from("!H", wire, 2)
    if flags & dns.flags.QR:
        return Outcome("dropped", reason="a response, not a query")
    # dnspython keeps, for good, one enum member per distinct flags word it has parsed
    # (Python's Flag pseudo-members): 65,536 values, about 27 MiB that any client could
    # make the process hold. Only the bits an answer depends on are parsed; the TSIG MAC
    # is checked on the message as sent (`wire`), so no bit escapes it.
    parsed = wire[:2] + struct.pack("!H", flags & _QUERY_FLAGS) + wire[4:]

    def keyring(message: dns.message.Message, name: dns.name.Name) -> bool:
        return False  # parse only: the MAC is checked below, against `now`

    try:
        query = dns.message.from_wire(parsed, keyring=keyring)
    except dns.exception.DNSException as exc:
        return Outcome("formerr", rcode="FORMERR", reason=str(exc) or exc.__class__.__name__,
                       messages=[_header_only(wire, dns.rcode.FORMERR)])  # fmt: skip
    except Exception as exc:
        return Outcome("formerr", rcode="FORMERR", reason=repr(exc),
                       messages=[_header_only(wire, dns.rcode.FORMERR)])  # fmt: skip
    # The signature is checked before anything else, so that every error answer to a
    # request signed with a known key and a good MAC is signed with that key (RFC 8945
    # §5.3); an unknown key or a bad MAC is answered BADKEY/BADSIG, unsigned (§5.3.2),
    # whatever else is wrong with the request.
    zone = _asked_zone(query, view)
    key: OperatorKey | None = None
    if query.tsig is not None:
        verdict = _check_tsig(query, wire, view, now)
        if isinstance(verdict, Outcome):
            verdict.operator = zone.operator if zone is not None else None
            return verdict
        key = verdict
    if query.edns > 0:
        # RFC 6891 §6.1.3: BADVERS, with an OPT of the version we implement (0).
        return _error(query, dns.rcode.BADVERS, f"EDNS version {query.edns}", None, key)
    if query.opcode() != dns.opcode.QUERY:
        return _error(query, dns.rcode.NOTIMP, "only QUERY is served", None, key)
    if len(query.question) != 1:
        return _error(query, dns.rcode.FORMERR, "one question expected", None, key)
    question = query.question[0]
    if zone is None:
        return _error(query, dns.rcode.REFUSED, f"not a feed zone: {question.name}", None, key)
    if key is not None and key.operator != zone.operator:
        reason = f"key {key.name} belongs to {key.operator}"
        return _error(query, dns.rcode.REFUSED, reason, zone.operator, key)
    if key is None and not view.access(zone.operator).admits(source):
        reason = f"unsigned query from {source}, not from a declared network"
        return _error(query, dns.rcode.REFUSED, reason, zone.operator)

    rdtype = question.rdtype
    if rdtype == dns.rdatatype.SOA:
        return _answer(query, zone, view.settings, [_soa(zone, zone.serial, view.settings)],
                       "soa", key)  # fmt: skip
    if rdtype == dns.rdatatype.AXFR:
        if not tcp:
            return _error(query, dns.rcode.NOTIMP, "AXFR over UDP", zone.operator, key)
        full = _full_zone(zone, view)
        return _transfer(query, zone, full, "axfr", key, now, stream)
    if rdtype == dns.rdatatype.IXFR:
        return _ixfr(query, zone, view, tcp, key, now, stream)
    return _error(query, dns.rcode.REFUSED, f"{dns.rdatatype.to_text(rdtype)} not served",
                  zone.operator, key)  # fmt: skip


def _asked_zone(query: dns.message.Message, view: FeedView) -> ZoneView | None:
    """The feed zone a well-formed query asks about, or None."""
    if len(query.question) != 1 or query.question[0].rdclass != dns.rdataclass.IN:
        return None
    return view.zone(query.question[0].name.to_text().lower())


def _check_tsig(
    query: dns.message.Message, wire: bytes, view: FeedView, now: datetime
) -> OperatorKey | Outcome:
    assert query.tsig is not None
    rdata = query.tsig[0]
    assert isinstance(rdata, dns.rdtypes.ANY.TSIG.TSIG)
    name = query.tsig.name.to_text().lower()
    known = view.keys(now).get(name)
    response = dns.message.make_response(query)
    if known is None or rdata.algorithm.to_text().lower() != f"{known.algorithm}.":
        response.set_rcode(dns.rcode.NOTAUTH)
        return Outcome("refused", rcode="NOTAUTH", reason=f"BADKEY {name}",
                       messages=[_with_unsigned_tsig_error(response, query.tsig,
                                                           dns.rcode.BADKEY)])  # fmt: skip
    tsig_key = dns.tsig.Key(query.tsig.name, known.secret, rdata.algorithm)
    tsig_start = _tsig_offset(wire)
    try:
        seconds = int(now.timestamp())
        dns.tsig.validate(  # type: ignore[no-untyped-call]
            wire, tsig_key, query.tsig.name, rdata, seconds, b"", tsig_start
        )
    except dns.tsig.BadTime:
        response.use_tsig(tsig_key, tsig_error=dns.rcode.BADTIME,
                          other_data=struct.pack("!HI", int(now.timestamp()) >> 32,
                                                 int(now.timestamp()) & 0xFFFFFFFF))  # fmt: skip
        response.request_mac = rdata.mac
        response.set_rcode(dns.rcode.NOTAUTH)
        return Outcome("refused", rcode="NOTAUTH", reason=f"BADTIME {name}",
                       messages=[response.to_wire()])  # fmt: skip
    except (dns.tsig.BadSignature, dns.exception.DNSException):
        response.set_rcode(dns.rcode.NOTAUTH)
        return Outcome("refused", rcode="NOTAUTH", reason=f"BADSIG {name}",
                       messages=[_with_unsigned_tsig_error(response, query.tsig,
                                                           dns.rcode.BADSIG)])  # fmt: skip
    query.keyring = tsig_key
    return known


def _skip_name(wire: bytes, at: int) -> int:
    while True:
        length = wire[at]
        if length & 0xC0 == 0xC0:  # a compression pointer ends the name (RFC 1035 §4.1.4)
            return at + 2
        if length == 0:
            return at + 1
        at += 1 + length


def _tsig_offset(wire: bytes) -> int:
    """Where the TSIG record, the last of the message (RFC 8945 §5.1), starts. The owner
    name may be compressed by some clients, so the records are walked, not measured."""
    counts = struct.unpack("!HHHH", wire[4:12])
    at = 12
    for _ in range(counts[0]):
        at = _skip_name(wire, at) + 4
    for _ in range(sum(counts[1:]) - 1):
        at = _skip_name(wire, at) + 8
        (rdlength,) = struct.unpack("!H", wire[at : at + 2])
        at += 2 + rdlength
    return at


def _sign(response: dns.message.Message, query: dns.message.Message) -> None:
    if query.keyring is not None and isinstance(query.keyring, dns.tsig.Key):
        response.use_tsig(query.keyring, fudge=FUDGE)
        response.request_mac = query.mac or b""


def _error(
    query: dns.message.Message,
    rcode: dns.rcode.Rcode,
    reason: str,
    operator: str | None,
    key: OperatorKey | None = None,
) -> Outcome:
    response = dns.message.make_response(query)
    response.set_rcode(rcode)
    if key is not None:
        _sign(response, query)
    log.info("feed: %s for %s: %s", dns.rcode.to_text(rcode), operator or "-", reason)
    return Outcome("refused" if rcode == dns.rcode.REFUSED else "error", operator,
                   dns.rcode.to_text(rcode), reason, [response.to_wire()])  # fmt: skip


def _soa(zone: ZoneView, serial: int, settings: FeedSettings) -> dns.rrset.RRset:
    return dns.rrset.from_text(zone.zone, settings.ttl, "IN", "SOA", soa_rdata(serial, settings))


def _answer(
    query: dns.message.Message,
    zone: ZoneView,
    settings: FeedSettings,
    rrsets: list[dns.rrset.RRset],
    kind: str,
    key: OperatorKey | None,
) -> Outcome:
    response = dns.message.make_response(query)
    response.flags |= dns.flags.AA
    response.answer = rrsets
    if key is not None:
        _sign(response, query)
    return Outcome(kind, zone.operator, messages=[response.to_wire()], serial=zone.serial)


def _full_zone(zone: ZoneView, view: FeedView) -> Iterator[tuple[int, bytes]]:
    parts = render.Parts.of(view.settings)
    return view.renders.full_zone(zone.zone, zone.serial, zone.entries, parts, render.LIMIT)


def _ixfr(
    query: dns.message.Message,
    zone: ZoneView,
    view: FeedView,
    tcp: bool,
    key: OperatorKey | None,
    now: datetime,
    stream: bool = False,
) -> Outcome:
    settings = view.settings
    client = None
    for rrset in query.authority:
        if rrset.rdtype == dns.rdatatype.SOA and len(rrset):
            client = int(rrset[0].serial)
    if client is None:
        return _error(query, dns.rcode.FORMERR, "IXFR without the client's SOA", zone.operator, key)
    if not tcp or not serials.greater(zone.serial, client):
        # UDP: "use TCP" (RFC 1995 §2); TCP: the client is current (§4).
        current = [_soa(zone, zone.serial, settings)]
        kind = "ixfr-current" if tcp else "ixfr-udp"
        return _noting(client, _answer(query, zone, settings, current, kind, key))
    steps = view.steps(zone.operator, client, zone.serial)
    if steps is None:
        full = _full_zone(zone, view)
        return _noting(client, _transfer(query, zone, full, "ixfr-axfr", key, now, stream))
    parts = render.Parts.of(settings)
    refusals = view.renders.refusals

    def records() -> Iterator[bytes]:
        yield parts.soa(zone.serial)
        for step in steps:
            yield parts.soa(step.old_serial)
            yield from render.entry_records(step.removed, parts, zone.zone, refusals)
            yield parts.soa(step.new_serial)
            yield from render.entry_records(step.added, parts, zone.zone, refusals)
        yield parts.soa(zone.serial)

    body = render.packed(records(), render.LIMIT)
    return _noting(client, _transfer(query, zone, body, "ixfr", key, now, stream))


def _noting(client: int, outcome: Outcome) -> Outcome:
    """The outcome of an IXFR, with the serial the client's query said it holds."""
    outcome.client = client
    return outcome


def _transfer(
    query: dns.message.Message,
    zone: ZoneView,
    chunks: Iterable[tuple[int, bytes]],
    kind: str,
    key: OperatorKey | None,
    now: datetime,
    stream: bool = False,
) -> Outcome:
    """Header and question on every packed body (RFC 5936 §2.2.1), then TSIG chained over
    the messages when the query was signed (RFC 8945 §5.3.1)."""
    question = query.question[0]
    flags = 0x8000 | dns.flags.AA | (query.flags & dns.flags.RD)
    wire_question = render.name_wire(zone.zone) + struct.pack("!HH", question.rdtype, 1)
    wires = render.messages(query.id, flags, wire_question, chunks)
    if key is not None and isinstance(query.keyring, dns.tsig.Key):
        wires = sign_messages(wires, query.keyring, query.mac or b"", now, query.id)
    if stream:
        return Outcome(kind, zone.operator, serial=zone.serial, rest=wires)
    return Outcome(kind, zone.operator, messages=list(wires), serial=zone.serial)
