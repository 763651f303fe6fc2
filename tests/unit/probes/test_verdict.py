"""What a resolver's answer proves about a blocking order: the verdicts of compliance
probing, each shown on a recorded response written as text.

The feed tells resolvers how to answer for a blocked name (`arret.rpz.zone`): NXDOMAIN,
NODATA, or a CNAME to the notice host. A probe asks a resolver the name and reads the
answer back: `blocked` (with the action seen), `wrong_action`, `not_blocked`, or `error`
when the answer proves nothing. A control resolver, one without any policy, tells a
blocked name from a name that simply does not exist.
"""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime

import dns.edns
import dns.message
import pytest
from hypothesis import given
from hypothesis import strategies as st

from arret.domain.model import Action
from arret.probes.verdict import Expectation, Kind, Observation, Purpose, classify

AT = datetime(2026, 11, 28, 12, tzinfo=UTC)
PROBED = "192.0.2.53:53"
CONTROL = "198.51.100.53:53"
NOTICE_HOST = "notice.arret.localhost"

IN_FORCE_NXDOMAIN = Expectation.in_force("leak.example", Action.NXDOMAIN, NOTICE_HOST)
IN_FORCE_NODATA = Expectation.in_force("leak.example", Action.NODATA, NOTICE_HOST)
IN_FORCE_NOTICE = Expectation.in_force("leak.example", Action.NOTICE, NOTICE_HOST)
ENDED = Expectation.ended("leak.example", NOTICE_HOST)
CANARY = Expectation.canary("canary.example", NOTICE_HOST)


def response(text: str, ede: tuple[tuple[int, str], ...] = ()) -> dns.message.Message:
    """A recorded response. Message text has no syntax for EDNS options, so Extended DNS
    Errors are attached to the parsed message and sent through the wire format, where a
    probe finds them."""
    message = dns.message.from_text(textwrap.dedent(text))
    if ede:
        message.use_edns(
            0,
            options=[dns.edns.EDEOption(dns.edns.EDECode.make(code), extra) for code, extra in ede],
        )
        message = dns.message.from_wire(message.to_wire())
    return message


def seen(text: str, resolver: str = PROBED, ede: tuple[tuple[int, str], ...] = ()) -> Observation:
    return Observation.from_message(response(text, ede), resolver, AT, 0.004)


NXDOMAIN = """\
    id 4011
    opcode QUERY
    rcode NXDOMAIN
    flags QR RD RA
    ;QUESTION
    leak.example. IN A
    ;ANSWER
    ;AUTHORITY
    orange.rpz.arret. 60 IN SOA localhost. hostmaster.localhost. 30 60 30 1209600 60
"""

NODATA = """\
    id 4012
    opcode QUERY
    rcode NOERROR
    flags QR RD RA
    ;QUESTION
    leak.example. IN A
    ;ANSWER
    ;AUTHORITY
    orange.rpz.arret. 60 IN SOA localhost. hostmaster.localhost. 30 60 30 1209600 60
"""

NOTICE = """\
    id 4013
    opcode QUERY
    rcode NOERROR
    flags QR RD RA
    ;QUESTION
    leak.example. IN A
    ;ANSWER
    leak.example. 60 IN CNAME notice.arret.localhost.
"""

REAL = """\
    id 4014
    opcode QUERY
    rcode NOERROR
    flags QR RD RA
    ;QUESTION
    leak.example. IN A
    ;ANSWER
    leak.example. 300 IN A 203.0.113.80
"""


# --- How each action shows in an answer ----------------------------------------------


def test_nxdomain_is_the_nxdomain_action() -> None:
    verdict = classify(IN_FORCE_NXDOMAIN, seen(NXDOMAIN))
    assert (verdict.kind, verdict.how) == (Kind.BLOCKED, Action.NXDOMAIN)
    assert verdict.reason == "answers NXDOMAIN, as the order says (nxdomain)"


def test_an_empty_noerror_answer_is_the_nodata_action() -> None:
    # RFC 2308 §2.2: NODATA is NOERROR with no record of the type asked.
    verdict = classify(IN_FORCE_NODATA, seen(NODATA))
    assert (verdict.kind, verdict.how) == (Kind.BLOCKED, Action.NODATA)
    assert "NODATA (NOERROR without A record)" in verdict.reason


def test_a_cname_to_the_notice_host_is_the_notice_action() -> None:
    verdict = classify(IN_FORCE_NOTICE, seen(NOTICE))
    assert (verdict.kind, verdict.how) == (Kind.BLOCKED, Action.NOTICE)
    assert verdict.reason == (
        "answers a CNAME to the notice host notice.arret.localhost., as the order says (notice)"
    )


def test_the_resolver_may_follow_the_notice_cname_to_the_notice_hosts_address() -> None:
    followed = seen("""\
        id 4015
        opcode QUERY
        rcode NOERROR
        flags QR RD RA
        ;QUESTION
        leak.example. IN A
        ;ANSWER
        leak.example. 60 IN CNAME notice.arret.localhost.
        notice.arret.localhost. 60 IN A 127.0.0.1
    """)
    verdict = classify(IN_FORCE_NOTICE, followed)
    assert (verdict.kind, verdict.how) == (Kind.BLOCKED, Action.NOTICE)


def test_the_notice_cname_counts_even_when_the_notice_host_does_not_resolve() -> None:
    # RFC 6604 §3: after a CNAME, the rcode speaks of the chain's last name, here the
    # notice host; the probed name itself was rewritten.
    dangling = seen("""\
        id 4016
        opcode QUERY
        rcode NXDOMAIN
        flags QR RD RA
        ;QUESTION
        www.leak.example. IN A
        ;ANSWER
        www.leak.example. 60 IN CNAME notice.arret.localhost.
    """)
    expectation = Expectation.in_force("www.leak.example", Action.NOTICE, NOTICE_HOST)
    verdict = classify(expectation, dangling)
    assert (verdict.kind, verdict.how) == (Kind.BLOCKED, Action.NOTICE)


def test_the_notice_host_matches_in_any_case_with_or_without_the_final_dot() -> None:
    shouting = seen("""\
        id 4017
        opcode QUERY
        rcode NOERROR
        flags QR RD RA
        ;QUESTION
        LEAK.example. IN A
        ;ANSWER
        LEAK.example. 60 IN CNAME NOTICE.Arret.Localhost.
    """)
    dotted = Expectation.in_force("leak.example", Action.NOTICE, "notice.arret.localhost.")
    assert classify(dotted, shouting).kind is Kind.BLOCKED
    assert classify(IN_FORCE_NOTICE, shouting).kind is Kind.BLOCKED
    # Evidence written by hand (or read back from storage) may drop the final dots.
    stored = Observation(
        PROBED, AT, 0.004, answers=("leak.example 60 IN CNAME notice.arret.localhost",)
    )
    assert classify(IN_FORCE_NOTICE, stored).kind is Kind.BLOCKED


def test_another_blocking_action_than_the_orders_is_a_wrong_action() -> None:
    verdict = classify(IN_FORCE_NXDOMAIN, seen(NOTICE))
    assert (verdict.kind, verdict.how) == (Kind.WRONG_ACTION, Action.NOTICE)
    assert verdict.reason == (
        "blocked by notice (answers a CNAME to the notice host notice.arret.localhost.),"
        " but the order says nxdomain"
    )


def test_an_address_for_a_name_in_force_is_not_blocked() -> None:
    verdict = classify(IN_FORCE_NXDOMAIN, seen(REAL))
    assert (verdict.kind, verdict.how) == (Kind.NOT_BLOCKED, None)
    assert verdict.reason == (
        "answers leak.example. 300 IN A 203.0.113.80, where the order says nxdomain"
    )


def test_an_alias_to_another_host_is_a_real_answer() -> None:
    # A CDN alias: the name exists and resolves, through a CNAME that is not the notice.
    aliased = seen("""\
        id 4018
        opcode QUERY
        rcode NOERROR
        flags QR RD RA
        ;QUESTION
        leak.example. IN A
        ;ANSWER
        leak.example. 300 IN CNAME leak.cdn.example.
        leak.cdn.example. 60 IN A 203.0.113.81
        leak.cdn.example. 60 IN A 203.0.113.82
    """)
    verdict = classify(IN_FORCE_NOTICE, aliased)
    assert verdict.kind is Kind.NOT_BLOCKED
    assert "an alias of leak.cdn.example." in verdict.reason


# --- Answers that prove nothing -------------------------------------------------------


def test_a_resolver_that_does_not_answer_gives_an_error_not_a_block() -> None:
    silence = Observation.from_message(None, PROBED, AT, 2.0, name="leak.example")
    assert silence.timeout
    verdict = classify(IN_FORCE_NXDOMAIN, silence)
    assert (verdict.kind, verdict.how) == (Kind.ERROR, None)
    assert verdict.reason == "no answer within 2 s: no evidence either way"


def test_servfail_is_an_error_and_keeps_its_extended_error() -> None:
    servfail = seen(
        """\
        id 4019
        opcode QUERY
        rcode SERVFAIL
        flags QR RD RA
        ;QUESTION
        leak.example. IN A
        """,
        ede=((22, "no reachable authority"),),
    )
    verdict = classify(IN_FORCE_NXDOMAIN, servfail)
    assert verdict.kind is Kind.ERROR
    assert verdict.reason == (
        "SERVFAIL, EDE 22 (No Reachable Authority): no reachable authority: no evidence either way"
    )


def test_refused_is_an_error() -> None:
    refused = seen("""\
        id 4020
        opcode QUERY
        rcode REFUSED
        flags QR RD
        ;QUESTION
        leak.example. IN A
    """)
    assert classify(ENDED, refused).kind is Kind.ERROR


def test_a_truncated_answer_is_an_error_not_nodata() -> None:
    # Cut short (TC, RFC 1035 §4.1.1), an empty NOERROR is not NODATA: the records that
    # would decide may be the ones left out.
    truncated = seen("""\
        id 4021
        opcode QUERY
        rcode NOERROR
        flags QR TC RD RA
        ;QUESTION
        leak.example. IN A
    """)
    assert truncated.truncated
    verdict = classify(IN_FORCE_NODATA, truncated)
    assert verdict.kind is Kind.ERROR
    assert "truncated" in verdict.reason


def test_a_blocking_extended_error_never_turns_a_failure_into_a_block() -> None:
    censored_failure = seen(
        """\
        id 4022
        opcode QUERY
        rcode SERVFAIL
        flags QR RD RA
        ;QUESTION
        leak.example. IN A
        """,
        ede=((16, "blocked"),),
    )
    assert classify(IN_FORCE_NXDOMAIN, censored_failure).kind is Kind.ERROR


# --- Extended DNS Errors (RFC 8914) -----------------------------------------------------


def test_a_censored_extended_error_is_kept_as_evidence_and_shown() -> None:
    # PowerDNS Recursor can attach an EDE to the answers of an RPZ: here 16 "Censored"
    # (RFC 8914 §4.17, blocked "because of an external requirement") with its text.
    censored = seen(
        NXDOMAIN, ede=((16, "blocked by a legal order: see http://notice.arret.localhost/"),)
    )
    assert censored.ede == ((16, "blocked by a legal order: see http://notice.arret.localhost/"),)
    verdict = classify(IN_FORCE_NXDOMAIN, censored)
    assert (verdict.kind, verdict.how) == (Kind.BLOCKED, Action.NXDOMAIN)
    assert verdict.reason == (
        "answers NXDOMAIN, as the order says (nxdomain);"
        " EDE 16 (Censored): blocked by a legal order: see http://notice.arret.localhost/"
    )


def test_an_extended_error_on_a_notice_answer_is_shown_too() -> None:
    verdict = classify(IN_FORCE_NOTICE, seen(NOTICE, ede=((15, ""),)))
    assert verdict.kind is Kind.BLOCKED
    assert verdict.reason.endswith("; EDE 15 (Blocked)")


# --- Names no longer in force, and canaries ---------------------------------------------


def test_an_ended_name_still_blocked_is_blocked_which_is_over_blocking() -> None:
    verdict = classify(ENDED, seen(NXDOMAIN))
    assert (verdict.kind, verdict.how) == (Kind.BLOCKED, Action.NXDOMAIN)
    assert (
        verdict.reason == "still blocked by nxdomain though its order has ended: answers NXDOMAIN"
    )


def test_an_ended_name_that_resolves_is_no_longer_blocked() -> None:
    verdict = classify(ENDED, seen(REAL))
    assert verdict.kind is Kind.NOT_BLOCKED
    assert verdict.reason == "no longer blocked: answers leak.example. 300 IN A 203.0.113.80"


def test_a_canary_that_resolves_shows_the_resolver_answers() -> None:
    answered = seen("""\
        id 4023
        opcode QUERY
        rcode NOERROR
        flags QR RD RA
        ;QUESTION
        canary.example. IN A
        ;ANSWER
        canary.example. 300 IN A 192.0.2.10
    """)
    verdict = classify(CANARY, answered)
    assert verdict.kind is Kind.NOT_BLOCKED
    assert verdict.reason.startswith("the canary resolves")


def test_a_blocked_canary_is_blocked() -> None:
    # Without a control, the canary's NXDOMAIN reads as a block: either the resolver
    # blocks what no order covers, or the canary name is gone.
    gone = seen(NXDOMAIN.replace("leak.example.", "canary.example."))
    verdict = classify(CANARY, gone)
    assert (verdict.kind, verdict.how) == (Kind.BLOCKED, Action.NXDOMAIN)
    assert "no order covers" in verdict.reason


# --- The control resolver ----------------------------------------------------------------


def test_nxdomain_from_the_control_too_means_the_name_is_gone_not_blocked() -> None:
    verdict = classify(ENDED, seen(NXDOMAIN), seen(NXDOMAIN, CONTROL))
    assert (verdict.kind, verdict.how) == (Kind.NOT_BLOCKED, None)
    assert verdict.reason == (
        "answers NXDOMAIN, as the control 198.51.100.53:53 does:"
        " the name does not exist upstream, not a block"
    )


def test_nodata_from_the_control_too_is_no_block_either() -> None:
    verdict = classify(ENDED, seen(NODATA), seen(NODATA, CONTROL))
    assert verdict.kind is Kind.NOT_BLOCKED
    assert "the name has no such record upstream" in verdict.reason


def test_the_orders_nxdomain_on_a_name_gone_upstream_is_inconclusive() -> None:
    # A compliant resolver and a non-compliant one give the same answer for a pirate site
    # that no longer exists: neither compliance nor its absence is shown.
    verdict = classify(IN_FORCE_NXDOMAIN, seen(NXDOMAIN), seen(NXDOMAIN, CONTROL))
    assert (verdict.kind, verdict.how) == (Kind.INCONCLUSIVE, None)
    assert verdict.reason == (
        "answers NXDOMAIN, as the control 198.51.100.53:53 does:"
        " the name does not exist upstream, so it cannot show the order applied"
    )


def test_a_name_gone_upstream_still_shows_a_missing_notice() -> None:
    # The feed rewrites the name whether or not it exists: a compliant resolver answers
    # the notice CNAME; this one passed the upstream NXDOMAIN through.
    verdict = classify(IN_FORCE_NOTICE, seen(NXDOMAIN), seen(NXDOMAIN, CONTROL))
    assert verdict.kind is Kind.NOT_BLOCKED
    assert verdict.reason.endswith("; the order says notice")


def test_nxdomain_where_the_control_has_an_address_is_a_block() -> None:
    verdict = classify(IN_FORCE_NXDOMAIN, seen(NXDOMAIN), seen(REAL, CONTROL))
    assert (verdict.kind, verdict.how) == (Kind.BLOCKED, Action.NXDOMAIN)
    assert verdict.reason == (
        "answers NXDOMAIN, as the order says (nxdomain);"
        " the control answers leak.example. 300 IN A 203.0.113.80"
    )


def test_a_blocking_extended_error_is_a_block_whatever_the_control_says() -> None:
    censored = seen(NXDOMAIN, ede=((16, "blocked by a legal order"),))
    verdict = classify(ENDED, censored, seen(NXDOMAIN, CONTROL))
    assert (verdict.kind, verdict.how) == (Kind.BLOCKED, Action.NXDOMAIN)
    assert "the control answers NXDOMAIN too, but the EDE is a block" in verdict.reason


def test_a_dead_control_leaves_the_verdict_as_without_control() -> None:
    dead = Observation.from_message(None, CONTROL, AT, 2.0, name="leak.example")
    verdict = classify(IN_FORCE_NXDOMAIN, seen(NXDOMAIN), dead)
    assert verdict.kind is Kind.BLOCKED
    assert verdict.reason.endswith("; the control 198.51.100.53:53 gave no answer within 2 s")


def test_the_evidence_keeps_both_answers_probed_first() -> None:
    probed, control = seen(NXDOMAIN), seen(REAL, CONTROL)
    assert classify(IN_FORCE_NXDOMAIN, probed, control).evidence == (probed, control)
    assert classify(IN_FORCE_NXDOMAIN, probed).evidence == (probed,)


# --- Evidence and expectations -------------------------------------------------------------


def test_an_observation_keeps_the_whole_answer() -> None:
    observation = Observation.from_message(
        response(NOTICE, ede=((16, "court order"),)), PROBED, AT, 0.004
    )
    assert observation == Observation(
        resolver=PROBED,
        at=AT,
        latency=0.004,
        rcode="NOERROR",
        answers=("leak.example. 60 IN CNAME notice.arret.localhost.",),
        ede=((16, "court order"),),
        truncated=False,
        timeout=False,
        name="leak.example",
        rdtype="A",
    )


def test_an_answer_to_another_question_is_a_mistake_of_the_caller() -> None:
    with pytest.raises(ValueError, match=r"no evidence about canary\.example"):
        classify(CANARY, seen(REAL))


def test_an_expectation_has_an_action_exactly_when_it_is_in_force() -> None:
    with pytest.raises(ValueError, match="exactly when it is in force"):
        Expectation("leak.example", Purpose.IN_FORCE, NOTICE_HOST)
    with pytest.raises(ValueError, match="exactly when it is in force"):
        Expectation("leak.example", Purpose.ENDED, NOTICE_HOST, Action.NXDOMAIN)
    assert IN_FORCE_NXDOMAIN.blocked and not ENDED.blocked and not CANARY.blocked


# --- Properties ----------------------------------------------------------------------------

RECORDS = [
    "leak.example. 60 IN A 203.0.113.80",
    "leak.example. 60 IN AAAA 2001:db8::80",
    "leak.example. 60 IN CNAME notice.arret.localhost.",
    "leak.example. 60 IN CNAME leak.cdn.example.",
    "leak.example. 60 IN CNAME leak.example.",  # a loop, as a broken resolver might send
    "leak.cdn.example. 60 IN CNAME leak.example.",
    "leak.cdn.example. 60 IN A 203.0.113.81",
    "notice.arret.localhost. 60 IN A 127.0.0.1",
    "not a record",
]
RCODES = ["NOERROR", "NXDOMAIN", "SERVFAIL", "REFUSED", "FORMERR", "NOTIMP", "YXDOMAIN", ""]

observations = st.builds(
    Observation,
    resolver=st.sampled_from([PROBED, CONTROL]),
    at=st.just(AT),
    latency=st.floats(0, 10),
    rcode=st.sampled_from(RCODES),
    answers=st.lists(st.sampled_from(RECORDS), max_size=4).map(tuple),
    ede=st.lists(st.tuples(st.integers(0, 30), st.text(max_size=8)), max_size=2).map(tuple),
    truncated=st.booleans(),
    timeout=st.booleans(),
    name=st.sampled_from([None, "leak.example", "LEAK.example."]),
)
expectations = st.sampled_from([IN_FORCE_NXDOMAIN, IN_FORCE_NODATA, IN_FORCE_NOTICE, ENDED])


def is_failure(observation: Observation) -> bool:
    return (
        observation.timeout
        or observation.truncated
        or observation.rcode not in ("NOERROR", "NXDOMAIN")
        or "not a record" in observation.answers
    )


@given(expectations, observations, st.none() | observations)
def test_every_answer_gets_a_verdict_and_a_failure_is_always_an_error(
    expectation: Expectation, observation: Observation, control: Observation | None
) -> None:
    verdict = classify(expectation, observation, control)
    assert verdict.reason
    assert (verdict.how is not None) == (verdict.kind in (Kind.BLOCKED, Kind.WRONG_ACTION))
    assert (verdict.kind is Kind.ERROR) == is_failure(observation)
    if not expectation.blocked:
        assert verdict.kind in (Kind.BLOCKED, Kind.NOT_BLOCKED, Kind.ERROR)
