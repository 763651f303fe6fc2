"""Reading a response from its wire form (`arret.probes.wire.observe`) gives the same
evidence as parsing it whole with dnspython (`Observation.from_message`), the
independent reference, for every kind of answer a resolver gives a probe."""

from __future__ import annotations

from datetime import UTC, datetime

import dns.edns
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from arret.probes.verdict import Observation
from arret.probes.wire import UNREADABLE, observe

AT = datetime(2026, 12, 6, 12, tzinfo=UTC)
R = "127.0.0.1:53"


def response(name: str = "leak.example", rdtype: str = "A") -> dns.message.Message:
    return dns.message.make_response(dns.message.make_query(name, rdtype))


def nxdomain() -> dns.message.Message:
    m = response()
    m.set_rcode(dns.rcode.NXDOMAIN)
    m.authority.append(dns.rrset.from_text("example.", 60, "IN", "SOA",
                                           "ns.example. h.example. 1 60 60 60 60"))  # fmt: skip
    return m


def nodata() -> dns.message.Message:
    return response("leak.example", "AAAA")


def notice() -> dns.message.Message:
    m = response()
    m.answer.append(dns.rrset.from_text("leak.example.", 60, "IN", "CNAME", "notice.arret."))
    m.answer.append(dns.rrset.from_text("notice.arret.", 60, "IN", "A", "192.0.2.9"))
    return m


def address() -> dns.message.Message:
    m = response()
    m.answer.append(dns.rrset.from_text("leak.example.", 60, "IN", "A", "192.0.2.1"))
    return m


def refused() -> dns.message.Message:
    m = response()
    m.set_rcode(dns.rcode.REFUSED)
    return m


def truncated() -> dns.message.Message:
    m = address()
    m.flags |= dns.flags.TC
    return m


def censored() -> dns.message.Message:
    m = response()
    m.use_edns(0, options=[dns.edns.EDEOption(dns.edns.EDECode.CENSORED, "court order")])
    m.set_rcode(dns.rcode.NXDOMAIN)
    return m


def badvers() -> dns.message.Message:
    m = response()
    m.use_edns(0)
    m.set_rcode(dns.rcode.BADVERS)  # an extended rcode: in the OPT record
    return m


@pytest.mark.parametrize(
    "make", [nxdomain, nodata, notice, address, refused, truncated, censored, badvers]
)
def test_the_wire_reading_agrees_with_dnspython(make: object) -> None:
    message = make()  # type: ignore[operator]
    wire = message.to_wire()
    name = message.question[0].name.to_text(omit_final_dot=True)
    rdtype = dns.rdatatype.to_text(message.question[0].rdtype)
    reference = Observation.from_message(dns.message.from_wire(wire), R, AT, 0.01)
    assert observe(wire, R, AT, 0.01, name, rdtype) == reference


def test_no_answer_and_unreadable_answers() -> None:
    assert observe(None, R, AT, 2.0, "leak.example") == Observation.from_message(
        None, R, AT, 2.0, name="leak.example"
    )
    cut = notice().to_wire()[:-7]  # records announced, bytes missing
    seen = observe(cut, R, AT, 0.01, "leak.example")
    assert seen.rcode == UNREADABLE and not seen.truncated and not seen.timeout
    tc = bytearray(cut)
    tc[2] |= 0x02
    seen = observe(bytes(tc), R, AT, 0.01, "leak.example")
    assert seen.truncated and seen.rcode == "NOERROR"
