"""What one resolver's answer proves about one name: the verdicts of compliance probing.

An `Expectation` (what the registry says of a name at an instant) and an `Observation`
(a resolver's answer, kept whole as evidence) go in, with an optional second
observation from a *control* resolver, one that answers without any policy; a `Verdict`
comes out. Nothing here opens a socket or reads a clock: `arret.probes.runner` asks,
this module judges.

An action is recognised by the answer the feed makes a resolver give (`arret.rpz.zone`,
after draft-vixie-dnsop-dns-rpz):

- `nxdomain`: rcode NXDOMAIN (RFC 2308 §2.1);
- `nodata`: rcode NOERROR, no record of the type asked and no CNAME (RFC 2308 §2.2);
- `notice`: the asked name is a CNAME to the notice host, whatever follows: the
  resolver may add the notice host's own address, or answer NXDOMAIN if the notice host
  does not resolve, since with a CNAME chain the rcode speaks of the chain's last name
  (RFC 6604 §3).

Anything else is a real answer. An answer that is no evidence either way (no answer,
SERVFAIL, REFUSED, a truncated message) is an `error`, never counted as blocked nor as
not blocked, so a dead resolver is not mistaken for a blocking one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.CNAME

import arret.dnstypes  # noqa: F401 - every record type loaded before threads read any
from arret.domain.model import Action


class Purpose(StrEnum):
    #: The name is blocked now: the answer must show the order's action.
    IN_FORCE = "in-force"
    #: The order covering the name ended or was lifted: blocking it still is over-blocking.
    ENDED = "ended"
    #: A name no order covers, which must resolve (a resolver that blocks it, or cannot
    #: answer it, proves nothing about the orders).
    CANARY = "canary"


@dataclass(frozen=True)
class Expectation:
    """What Arrêt expects of a probed name at an instant."""

    #: An A-label, without the trailing dot.
    name: str
    purpose: Purpose
    #: The host the `notice` action points to (the feed's `FeedSettings.notice_host`).
    notice_host: str
    #: The action as published for the name (strongest action wins: it may differ from
    #: one order's own action); given exactly when the name is in force.
    action: Action | None = None

    def __post_init__(self) -> None:
        if (self.purpose is Purpose.IN_FORCE) != (self.action is not None):
            raise ValueError(
                f"{self.name}: an expectation has an action exactly when it is in force"
                f" (purpose {self.purpose}, action {self.action})"
            )

    @classmethod
    def in_force(cls, name: str, action: Action, notice_host: str) -> Expectation:
        return cls(name, Purpose.IN_FORCE, notice_host, action)

    @classmethod
    def ended(cls, name: str, notice_host: str) -> Expectation:
        return cls(name, Purpose.ENDED, notice_host)

    @classmethod
    def canary(cls, name: str, notice_host: str) -> Expectation:
        return cls(name, Purpose.CANARY, notice_host)

    @property
    def blocked(self) -> bool:
        return self.purpose is Purpose.IN_FORCE


@dataclass(frozen=True)
class Observation:
    """One resolver's answer to one question, as evidence: what it said, when, how fast."""

    #: HOST:PORT.
    resolver: str
    #: When the question was asked (the caller's clock).
    at: datetime
    #: Seconds from asking to the answer, or to giving up.
    latency: float
    #: "" when there was no answer.
    rcode: str = "NOERROR"
    #: The answer section, one record per line as dnspython writes it:
    #: "x.example. 60 IN CNAME notice.arret.localhost.".
    answers: tuple[str, ...] = ()
    #: Extended DNS Errors (RFC 8914) as (info code, extra text).
    ede: tuple[tuple[int, str], ...] = ()
    #: The TC bit (RFC 1035 §4.1.1): the message is cut short.
    truncated: bool = False
    timeout: bool = False
    #: The question, without the trailing dot; None when unknown (no answer).
    name: str | None = None
    rdtype: str = "A"

    @classmethod
    def from_message(
        cls,
        message: dns.message.Message | None,
        resolver: str,
        at: datetime,
        latency: float,
        *,
        name: str | None = None,
        rdtype: str = "A",
    ) -> Observation:
        """The evidence in a response; `None` is no response at all (a timeout). `name`
        and `rdtype` say what was asked when the message does not (no response)."""
        if message is None:
            return cls(resolver, at, latency, rcode="", timeout=True, name=name, rdtype=rdtype)
        if message.question:
            question = message.question[0]
            name = question.name.to_text(omit_final_dot=True)
            rdtype = dns.rdatatype.to_text(question.rdtype)
        return cls(
            resolver,
            at,
            latency,
            rcode=dns.rcode.to_text(message.rcode()),
            answers=tuple(line for rrset in message.answer for line in rrset.to_text().split("\n")),
            ede=tuple(
                (int(option.code), option.text or "")
                for option in message.options
                if isinstance(option, dns.edns.EDEOption)
            ),
            truncated=bool(message.flags & dns.flags.TC),
            name=name,
            rdtype=rdtype,
        )


class Kind(StrEnum):
    #: The answer blocks the name (for an ended name or a canary: over-blocking).
    BLOCKED = "blocked"
    #: A real answer.
    NOT_BLOCKED = "not_blocked"
    #: Blocked, but not with the action published for the name.
    WRONG_ACTION = "wrong_action"
    #: The answer the order asks for, but the control resolver gives it too: the name
    #: does not exist upstream, and its absence cannot show whether the order is applied.
    INCONCLUSIVE = "inconclusive"
    #: No evidence either way (timeout, SERVFAIL, REFUSED, truncated).
    ERROR = "error"


@dataclass(frozen=True)
class Verdict:
    kind: Kind
    #: The action observed, for `blocked` and `wrong_action`.
    how: Action | None
    #: One sentence for people.
    reason: str
    #: The probed resolver's observation, then the control's if there was one.
    evidence: tuple[Observation, ...]


#: RFC 8914 §4.16-4.18: the resolver says it blocked the answer (Blocked: by its own
#: operator's policy; Censored: because of an external requirement, such as a court
#: order; Filtered: at the client's request).
BLOCKING_EDE = frozenset({15, 16, 17})

_EVIDENCE_RCODES = ("NOERROR", "NXDOMAIN")


@dataclass(frozen=True)
class _Reading:
    """What an answer shows: a blocking action, or None for a real answer."""

    how: Action | None
    #: The answer in words: "NXDOMAIN", "a CNAME to the notice host …".
    said: str


def classify(
    expectation: Expectation, observation: Observation, control: Observation | None = None
) -> Verdict:
    """The verdict on `observation`, a probed resolver's answer for `expectation.name`.

    Without a control, NXDOMAIN and NODATA count as blocking even for a name that does
    not exist at all: only a control can tell "blocked" from "absent". With one, an
    answer the control gives too is no evidence of a block, unless the probed answer
    carries a blocking EDE, which is the resolver's own word that it blocked.
    """
    _check_question(expectation, observation)
    evidence: tuple[Observation, ...] = (observation,)
    if control is not None:
        _check_question(expectation, control)
        if control.rdtype != observation.rdtype:
            raise ValueError(f"control asked {control.rdtype}, probe asked {observation.rdtype}")
        evidence = (observation, control)
    reading = _read(expectation, observation)
    if isinstance(reading, str):
        return Verdict(Kind.ERROR, None, f"{reading}: no evidence either way", evidence)

    notes = [_ede_text(code, text) for code, text in observation.ede]
    upstream = None  # the control resolver, when it shows the name absent upstream
    if control is not None:
        controlled = _read(expectation, control)
        if isinstance(controlled, str):
            notes.append(f"the control {control.resolver} gave {controlled}")
        elif reading.how in (Action.NXDOMAIN, Action.NODATA) and controlled.how == reading.how:
            if any(code in BLOCKING_EDE for code, _ in observation.ede):
                notes.append(f"the control answers {controlled.said} too, but the EDE is a block")
            else:
                upstream = control.resolver
        else:
            notes.append(f"the control answers {controlled.said}")
    kind, text = _judge(expectation, reading, upstream)
    how = reading.how if kind in (Kind.BLOCKED, Kind.WRONG_ACTION) else None
    return Verdict(kind, how, "; ".join([text, *notes]), evidence)


def _judge(expectation: Expectation, reading: _Reading, upstream: str | None) -> tuple[Kind, str]:
    said, seen, expected = reading.said, reading.how, expectation.action
    if upstream is not None:
        absent = "does not exist" if seen is Action.NXDOMAIN else "has no such record"
        agreed = f"answers {said}, as the control {upstream} does: the name {absent} upstream"
        if expected is None:
            return Kind.NOT_BLOCKED, f"{agreed}, not a block"
        if seen == expected:
            return Kind.INCONCLUSIVE, f"{agreed}, so it cannot show the order applied"
        # A compliant resolver rewrites the answer whether or not the name exists.
        return Kind.NOT_BLOCKED, f"{agreed}; the order says {expected}"
    if seen is None:
        if expected is not None:
            return Kind.NOT_BLOCKED, f"answers {said}, where the order says {expected}"
        if expectation.purpose is Purpose.ENDED:
            return Kind.NOT_BLOCKED, f"no longer blocked: answers {said}"
        return Kind.NOT_BLOCKED, f"the canary resolves: answers {said}"
    if expected is None:
        if expectation.purpose is Purpose.ENDED:
            return (
                Kind.BLOCKED,
                f"still blocked by {seen} though its order has ended: answers {said}",
            )
        return (
            Kind.BLOCKED,
            f"the canary, which no order covers, is blocked by {seen}: answers {said}",
        )
    if seen == expected:
        return Kind.BLOCKED, f"answers {said}, as the order says ({expected})"
    return Kind.WRONG_ACTION, f"blocked by {seen} (answers {said}), but the order says {expected}"


def _check_question(expectation: Expectation, evidence: Observation | None) -> None:
    """Evidence for another question is a caller's mistake, not a resolver's answer."""
    if evidence is None or evidence.name is None or evidence.name == expectation.name:
        return
    if dns.name.from_text(evidence.name) != dns.name.from_text(expectation.name):
        raise ValueError(f"an answer for {evidence.name} is no evidence about {expectation.name}")


def _read(expectation: Expectation, observation: Observation) -> _Reading | str:
    """The reading of an answer, or why it is no evidence (a phrase)."""
    if observation.timeout:
        return f"no answer within {observation.latency:.3g} s"
    if observation.truncated:
        # A truncated message may lack the very records that decide (RFC 1035 §4.1.1).
        return f"a truncated answer (TC, rcode {observation.rcode})"
    if observation.rcode not in _EVIDENCE_RCODES:
        notes = "".join(f", {_ede_text(code, text)}" for code, text in observation.ede)
        return f"{observation.rcode or 'no rcode'}{notes}"
    try:
        records = [_parse(text) for text in observation.answers]
    except (ValueError, dns.exception.DNSException) as exc:
        return f"an answer that cannot be read ({exc})"

    # Follow the CNAME chain from the asked name (RFC 1034 §3.6.2), guarding loops.
    aliases = {
        owner: rdata.target
        for owner, rdata in records
        if isinstance(rdata, dns.rdtypes.ANY.CNAME.CNAME)
    }
    if not records:  # no record at all: no alias, no data (most blocked names)
        if observation.rcode == "NXDOMAIN":
            return _Reading(Action.NXDOMAIN, "NXDOMAIN")
        return _Reading(Action.NODATA, f"NODATA (NOERROR without {observation.rdtype} record)")
    chain = [dns.name.from_text(expectation.name)]
    while chain[-1] in aliases and aliases[chain[-1]] not in chain:
        chain.append(aliases[chain[-1]])
    notice = dns.name.from_text(expectation.notice_host)
    if notice in chain[1:]:
        return _Reading(Action.NOTICE, f"a CNAME to the notice host {notice}")
    if len(chain) > 1:
        # The asked name exists: it is an alias, whatever its target holds (RFC 6604 §3).
        return _Reading(None, f"an alias of {chain[-1]} ({observation.rcode})")
    if observation.rcode == "NXDOMAIN":
        return _Reading(Action.NXDOMAIN, "NXDOMAIN")
    asked = dns.rdatatype.from_text(observation.rdtype)
    data = [
        text
        for text, (owner, rdata) in zip(observation.answers, records, strict=True)
        if owner == chain[-1] and rdata.rdtype == asked
    ]
    if not data:
        return _Reading(Action.NODATA, f"NODATA (NOERROR without {observation.rdtype} record)")
    more = f" and {len(data) - 1} more" if len(data) > 1 else ""
    return _Reading(None, f"{data[0]}{more}")


def _parse(text: str) -> tuple[dns.name.Name, dns.rdata.Rdata]:
    """A record as dnspython writes it: owner, TTL, class, type, data."""
    owner, _ttl, rdclass, rdtype, rdata = text.split(None, 4)
    return dns.name.from_text(owner), dns.rdata.from_text(
        dns.rdataclass.from_text(rdclass),
        dns.rdatatype.from_text(rdtype),
        rdata,
        # Absolute even when written without the final dot ("notice.arret.localhost").
        origin=dns.name.root,
        relativize=False,
    )


def _ede_text(code: int, text: str) -> str:
    """As dnspython writes it: "EDE 16 (Censored): <extra text>"."""
    try:
        return dns.edns.EDEOption(dns.edns.EDECode.make(code), text or None).to_text()
    except ValueError:  # a code outside 0-65535, from evidence built by hand
        return f"EDE {code}: {text}"
