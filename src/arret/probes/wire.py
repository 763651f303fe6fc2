"""What a response says, read from its wire form as `arret.probes.verdict` needs it.

Most probe answers carry no record at all: a blocked name answers NXDOMAIN or NODATA with
at most an SOA in the authority section, which the verdict does not read. For those, the
header alone says everything the `Observation` holds (RFC 1035 §4.1.1: the rcode, the TC
bit, the record counts), and the question was already checked against the one asked,
byte for byte, when the answer was matched. Any answer with records in its answer or
additional section (a CNAME to the notice host, a real address, an OPT record that may
carry an extended rcode or Extended DNS Errors) is parsed whole by dnspython and read by
`Observation.from_message`, so the two paths agree by construction on everything but
the header, and the header is tested against dnspython's reading of the same bytes.
"""

from __future__ import annotations

from datetime import datetime

import dns.exception
import dns.message
import dns.rcode

from arret.probes.verdict import Observation

#: The rcode of an answer that matched its question but cannot be parsed: it is no
#: evidence either way (the verdict knows only NOERROR and NXDOMAIN as evidence).
UNREADABLE = "unreadable"

_RCODES = {code: dns.rcode.to_text(dns.rcode.Rcode(code)) for code in range(16)}


def observe(
    wire: bytes | None,
    resolver: str,
    at: datetime,
    latency: float,
    name: str,
    rdtype: str = "A",
) -> Observation:
    """The evidence in a response (None: no response at all, a timeout) to `name`."""
    if wire is None:
        return Observation.from_message(None, resolver, at, latency, name=name, rdtype=rdtype)
    truncated = len(wire) >= 12 and bool(wire[2] & 0x02)
    if len(wire) >= 12 and wire[6:8] == wire[10:12] == b"\0\0":
        return Observation(resolver, at, latency, rcode=_RCODES[wire[3] & 0x0F],
                           truncated=truncated, name=name, rdtype=rdtype)  # fmt: skip
    try:
        message = dns.message.from_wire(wire)
    except dns.exception.DNSException:
        # A message cut short may not parse; its TC bit still says why it is no evidence.
        rcode = _RCODES[wire[3] & 0x0F] if truncated else UNREADABLE
        return Observation(resolver, at, latency, rcode=rcode, truncated=truncated, name=name,
                           rdtype=rdtype)  # fmt: skip
    return Observation.from_message(message, resolver, at, latency, name=name, rdtype=rdtype)
