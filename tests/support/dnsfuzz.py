"""Structured-but-broken DNS queries for fuzzing the feed server, shared by the hypothesis
tests (tests/fuzz) and the long run (bench/fuzz.py).

`query` builds a plausible query with dnspython (SOA/AXFR/IXFR and others, random flags,
opcodes, classes, EDNS options, TSIG with a right, wrong or unknown key); `mutate` then
breaks its wire form with plain byte operations (bit flips, truncation, huge counts,
compression pointer loops, garbage TSIG and OPT records). Every choice is drawn from
`pick(lo, hi)` — `random.Random.randint` in the bench, a hypothesis draw in the tests —
so both explore the same space and hypothesis can shrink what it finds.
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.tsig
import dns.tsigkeyring

Pick = Callable[[int, int], int]
T = TypeVar("T")

#: (key name, base64 secret) pairs to sign with; the first should be valid for the zone.
Keys = Sequence[tuple[str, str]]

WRONG_SECRET = base64.b64encode(b"w" * 32).decode()
_ALGORITHMS = (dns.tsig.HMAC_SHA256, dns.tsig.HMAC_SHA1, dns.tsig.HMAC_MD5, dns.tsig.HMAC_SHA512)
_TYPES = (
    dns.rdatatype.SOA,
    dns.rdatatype.AXFR,
    dns.rdatatype.IXFR,
    dns.rdatatype.A,
    dns.rdatatype.ANY,
    dns.rdatatype.OPT,
    dns.rdatatype.TSIG,
    dns.rdatatype.CNAME,
)


def choose(pick: Pick, items: Sequence[T]) -> T:
    return items[pick(0, len(items) - 1)]


def blob(pick: Pick, most: int) -> bytes:
    return bytes(pick(0, 255) for _ in range(pick(0, most)))


@dataclass(frozen=True)
class Query:
    wire: bytes
    #: (key name, secret, algorithm) it was signed with, or None.
    signed: tuple[str, str, str] | None


def query(pick: Pick, zone: str, keys: Keys = ()) -> Query:
    """A query for `zone` (or a name near it) that a client could plausibly send."""
    names = (zone, zone.upper(), "x." + zone, "other.rpz.arret.", ".", zone[:4] + ".")
    name = choose(pick, names)
    rdtype = choose(pick, _TYPES) if pick(0, 4) else pick(0, 65535)
    rdclass = dns.rdataclass.IN if pick(0, 3) else pick(0, 65535)
    message = dns.message.make_query(name, rdtype, rdclass)
    if pick(0, 2) == 0:
        message.flags = pick(0, 0xFFFF) & ~0x7800  # every flag bit, QR included
    if pick(0, 3) == 0:
        message.set_opcode(dns.opcode.Opcode.make(pick(0, 15)))
    if rdtype == dns.rdatatype.IXFR or pick(0, 9) == 0:
        serial = choose(pick, (0, 1, 10, 20, 29, 30, 31, 2**31, 2**32 - 1, pick(0, 2**32 - 1)))
        soa = f"localhost. hostmaster.localhost. {serial} 60 30 1209600 60"
        message.authority.append(dns.rrset.from_text(name, 0, "IN", "SOA", soa))
    if pick(0, 2) == 0:
        options = [
            dns.edns.GenericOption(
                choose(pick, (8, 10, 11, 12, 15, pick(0, 65535))), blob(pick, 40)
            )
            for _ in range(pick(0, 3))
        ]
        version = 0 if pick(0, 2) else pick(0, 255)
        message.use_edns(version, pick(0, 2**32 - 1), pick(0, 65535), options=options)
    signed = None
    if keys and pick(0, 2):
        key_name, secret = choose(pick, keys)
        if pick(0, 5) == 0:
            secret = WRONG_SECRET
        if pick(0, 7) == 0:
            key_name = "nobody.tsig.arret."
        algorithm = dns.tsig.HMAC_SHA256 if pick(0, 3) else choose(pick, _ALGORITHMS)
        message.use_tsig(dns.tsigkeyring.from_text({key_name: secret}), keyname=key_name,
                         algorithm=algorithm, fudge=pick(0, 600))  # fmt: skip
        signed = (key_name, secret, str(algorithm))
    return Query(message.to_wire(), signed)


def _counts(wire: bytearray, index: int, value: int) -> None:
    if len(wire) >= 12:
        struct.pack_into("!H", wire, 4 + 2 * index, value & 0xFFFF)


def _add_record(wire: bytearray, record: bytes) -> None:
    wire += record
    if len(wire) >= 12:
        (arcount,) = struct.unpack_from("!H", wire, 10)
        _counts(wire, 3, arcount + 1)


def _garbage_tsig(pick: Pick) -> bytes:
    owner = choose(pick, (b"\x0borange-1\x04tsig\x05arret\x00", b"\x00", b"\xc0\x0c", b"\x01x\x00"))
    algorithm = choose(pick, (b"\x0bhmac-sha256\x00", b"\x00", b"\xc0\x0c", blob(pick, 12)))
    mac = blob(pick, 70)
    rdata = (
        algorithm
        + struct.pack("!HIH", pick(0, 0xFFFF), pick(0, 2**32 - 1), pick(0, 600))
        + struct.pack("!H", choose(pick, (len(mac), pick(0, 0xFFFF))))
        + mac
        + struct.pack("!HH", pick(0, 0xFFFF), pick(0, 0xFFFF))
        + blob(pick, 8)
    )
    rdlength = len(rdata) if pick(0, 3) else pick(0, 0xFFFF)
    return owner + struct.pack("!HHIH", 250, 255, 0, rdlength) + rdata


def _garbage_opt(pick: Pick) -> bytes:
    options = blob(pick, 30)
    rdlength = len(options) if pick(0, 3) else pick(0, 0xFFFF)
    return (
        b"\x00" + struct.pack("!HHIH", 41, pick(0, 0xFFFF), pick(0, 2**32 - 1), rdlength) + options
    )


def mutate(wire: bytes, pick: Pick, most: int = 4) -> bytes:
    """`wire` broken in 0 to `most` ways."""
    out = bytearray(wire)
    for _ in range(pick(0, most)):
        kind = pick(0, 11)
        at = pick(0, max(len(out) - 1, 0))
        if kind == 0 and out:  # one bit flipped
            out[at] ^= 1 << pick(0, 7)
        elif kind == 1 and out:  # one byte replaced
            out[at] = pick(0, 255)
        elif kind == 2:  # truncated
            del out[at:]
        elif kind == 3:  # a count far beyond what follows
            _counts(out, pick(0, 3), choose(pick, (0, 1, 2, 0xFFFF, pick(0, 0xFFFF))))
        elif kind == 4 and len(out) > 13:  # the question's name points at itself
            out[12:] = b"\xc0\x0c" + out[-4:]
        elif kind == 5 and len(out) >= 12:  # a name that is a chain of pointers looping
            start = len(out)
            out += struct.pack("!HH", 0xC000 | (start + 2), 0xC000 | start) + b"\x00\x06\x00\x01"
            _counts(out, 0, 2)
        elif kind == 6:  # trailing junk
            out += blob(pick, 64)
        elif kind == 7 and out:  # a slice repeated
            end = pick(at, len(out))
            out[at:at] = out[at:end]
        elif kind == 8 and out:  # a slice removed
            del out[at : pick(at, len(out))]
        elif kind == 9 and len(out) >= 4:  # header flags and opcode at random
            out[2], out[3] = pick(0, 255), pick(0, 255)
        elif kind == 10:
            _add_record(out, _garbage_tsig(pick))
        elif kind == 11:
            _add_record(out, _garbage_opt(pick))
    return bytes(out)
