"""The life of an order: registered, amended with mirrors, lifted or expired.

An order is in force on the half-open interval [effective_at, end): the end instant
itself is outside it. History is never rewritten: changes are dated, never before the
order's last change, and an ended order is not changed again.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from builders import OPERATORS, T0, day, draft, registered, spec

from arret.domain import lifecycle
from arret.domain.instants import parse_duration, parse_instant
from arret.domain.model import Status
from arret.errors import InvalidOrder


def test_an_order_is_in_force_from_its_effective_instant_to_just_before_its_end() -> None:
    order = registered()
    assert order.status_at(T0 - timedelta(microseconds=1)) is Status.SCHEDULED
    assert order.status_at(T0) is Status.IN_FORCE
    assert order.status_at(day(30) - timedelta(microseconds=1)) is Status.IN_FORCE
    assert order.status_at(day(30)) is Status.EXPIRED
    assert not order.in_force_at(day(30))


def test_eighteen_months_from_august_31st_ends_on_february_28th() -> None:
    start = parse_instant("2021-08-31T12:00:00Z")
    order = registered(
        effective_at=start,
        expires_at=None,
        duration=parse_duration("18mo"),
        decided_on=start.date(),
    )
    assert order.expires_at == parse_instant("2023-02-28T12:00:00Z")
    assert order.in_force_at(parse_instant("2023-02-28T11:59:59Z"))
    assert not order.in_force_at(order.expires_at)


def test_effective_defaults_to_now_without_delay() -> None:
    now = day(2)
    order = registered(effective_at=None, expires_at=None, duration=parse_duration("90d"), now=now)
    assert order.effective_at == now
    assert order.expires_at == now + timedelta(days=90)


def test_a_late_registration_binds_from_the_effective_instant() -> None:
    # Registered a year later, the order still says what had to be blocked in 2021.
    order = registered(now=day(365))
    assert order.registered_at == T0
    assert order.targets[0].added_at == T0


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"expires_at": None}, "an order without an end is refused"),
        ({"duration": parse_duration("18mo")}, "not both"),
        ({"expires_at": T0}, "at or before it takes effect"),
        ({"expires_at": day(-1)}, "at or before it takes effect"),
        ({"operators": ()}, "address at least one operator"),
        ({"operators": ("orange",), "all_operators": True}, "not both"),
        ({"operators": ("orange", "telecom-x")}, "unknown operator 'telecom-x'"),
        ({"reference": " "}, "reference"),
        ({"authority": ""}, "authority"),
        ({"targets": ()}, "at least one target"),
        ({"decided_on": day(3).date()}, "before it was decided"),
        ({"reference": "RG\x0021/51823"}, "reference: a control character U+0000"),
        ({"requester": "x" * 201}, "requester: 201 characters"),
        ({"notice": "see \u202eregister"}, "notice: a bidirectional formatting character"),
        ({"legal_basis": "L" * 4001}, "legal_basis: 4001 characters"),
    ],
)
def test_registration_refusals_say_why(changes: dict[str, object], reason: str) -> None:
    with pytest.raises(InvalidOrder) as caught:
        lifecycle.plan_registration(draft(**changes), T0, OPERATORS, "clerk")
    assert reason in caught.value.diagnostics()


def test_every_reason_is_given_at_once() -> None:
    bad = draft(expires_at=None, operators=("nope",), reference="")
    with pytest.raises(InvalidOrder) as caught:
        lifecycle.plan_registration(bad, T0, OPERATORS, "clerk")
    assert len(caught.value.reasons) == 3


def test_a_lift_reason_is_one_line_of_plain_text() -> None:
    with pytest.raises(InvalidOrder) as caught:
        lifecycle.plan_lift(registered(), day(2), "clerk", "appeal\x00granted")
    assert "reason: a control character U+0000" in caught.value.diagnostics()


def test_a_mirror_added_by_amendment_is_dated() -> None:
    order = registered()
    event = lifecycle.plan_amendment(order, day(21), "clerk", added=[spec("mirror.example")])
    amended = lifecycle.apply(order, event)
    mirror = amended.targets[-1]
    assert (mirror.name, mirror.added_at) == ("mirror.example", day(21))
    assert not mirror.present_at(day(20))
    assert mirror.present_at(day(21))


def test_removing_a_target_ends_its_presence_at_that_instant() -> None:
    order = registered(1, "a.example", "b.example")
    amended = lifecycle.apply(
        order, lifecycle.plan_amendment(order, day(5), "c", removed=["a.example"])
    )
    a = amended.targets[0]
    assert a.present_at(day(5) - timedelta(seconds=1)) and not a.present_at(day(5))
    assert [t.name for t in amended.current_targets()] == ["b.example"]


def test_a_removed_name_can_come_back_as_a_new_dated_target() -> None:
    order = registered(1, "a.example", "b.example")
    order = lifecycle.apply(
        order, lifecycle.plan_amendment(order, day(5), "c", removed=["a.example"])
    )
    order = lifecycle.apply(
        order, lifecycle.plan_amendment(order, day(9), "c", added=[spec("a.example")])
    )
    present = [(t.name, t.present_at(day(7))) for t in order.targets if t.name == "a.example"]
    assert present == [("a.example", False), ("a.example", False)]
    assert [t.name for t in order.targets_at(day(10))] == ["b.example", "a.example"]


def test_extending_the_expiry() -> None:
    order = registered()
    amended = lifecycle.apply(
        order, lifecycle.plan_amendment(order, day(10), "c", expires_at=day(60))
    )
    assert amended.in_force_at(day(45))
    assert amended.status_at(day(60)) is Status.EXPIRED


@pytest.mark.parametrize(
    ("kwargs", "at", "reason"),
    [
        ({}, day(1), "nothing to amend"),
        ({"added": [spec("leak.example")]}, day(1), "already a target"),
        ({"removed": ["other.example"]}, day(1), "is not a target"),
        ({"removed": ["leak.example"]}, day(1), "lift it instead"),
        ({"expires_at": day(1)}, day(1), "not after the amendment"),
        ({"expires_at": day(0.5)}, day(1), "not after the amendment"),
        ({"added": [spec("m.example")]}, day(30), "expired at"),
        ({"added": [spec("m.example")]}, day(-1), "before order 1's last change"),
    ],
)
def test_amendment_refusals_say_why(kwargs: dict[str, object], at: object, reason: str) -> None:
    order = registered()
    with pytest.raises(InvalidOrder) as caught:
        lifecycle.plan_amendment(order, at, "clerk", **kwargs)  # type: ignore[arg-type]
    assert reason in caught.value.diagnostics()


def test_a_lift_ends_the_order_at_its_instant() -> None:
    order = registered()
    lifted = lifecycle.apply(order, lifecycle.plan_lift(order, day(10), "clerk", "appeal won"))
    assert lifted.status_at(day(10) - timedelta(seconds=1)) is Status.IN_FORCE
    assert lifted.status_at(day(10)) is Status.LIFTED
    assert lifted.ends_at == day(10)
    assert lifted.lift_reason == "appeal won"


def test_a_scheduled_order_can_be_lifted_before_it_ever_takes_effect() -> None:
    order = registered(effective_at=day(10), expires_at=day(20), now=day(1))
    lifted = lifecycle.apply(order, lifecycle.plan_lift(order, day(2), "clerk", "withdrawn"))
    assert not any(lifted.in_force_at(day(x)) for x in range(0, 25))


def test_an_ended_order_is_not_lifted_again_nor_amended() -> None:
    order = registered()
    lifted = lifecycle.apply(order, lifecycle.plan_lift(order, day(10), "clerk", "appeal"))
    with pytest.raises(InvalidOrder) as again:
        lifecycle.plan_lift(lifted, day(11), "clerk", "again")
    assert "was lifted at 2021-03-14T00:00:00Z" in again.value.diagnostics()
    with pytest.raises(InvalidOrder) as amended:
        lifecycle.plan_amendment(lifted, day(11), "clerk", expires_at=day(50))
    assert "register a new order instead" in amended.value.diagnostics()
    with pytest.raises(InvalidOrder) as late:
        lifecycle.plan_lift(order, day(31), "clerk", "too late")
    assert "expired at 2021-04-03T00:00:00Z" in late.value.diagnostics()


def test_a_lift_needs_a_reason() -> None:
    with pytest.raises(InvalidOrder) as caught:
        lifecycle.plan_lift(registered(), day(1), "clerk", "  ")
    assert "needs a reason" in caught.value.diagnostics()


def test_one_parser_reads_a_typed_order_and_names_every_problem_as_its_edge_does() -> None:
    from arret.domain.lifecycle import TypedOrder, parse_draft
    from arret.errors import InvalidOrder

    typed = TypedOrder(reference="R", authority="court", decided_on="2021-03-04",
                       expires_at="2022-09-04", action="NoData")  # fmt: skip
    draft = parse_draft(typed)
    assert (draft.decided_on.isoformat(), draft.action.value) == ("2021-03-04", "nodata")
    assert draft.expires_at is not None and draft.effective_at is None
    wrong = TypedOrder(decided_on="yesterday-ish", duration="18 moons", action="drop")
    with pytest.raises(InvalidOrder) as refused:
        parse_draft(wrong, {"decided_on": "--decided"}, ["line 3: bad"])
    reasons = refused.value.reasons
    assert reasons[0] == "line 3: bad" and len(reasons) == 6, reasons
    assert {r.split(":")[0] for r in reasons[1:]} == {
        "reference", "authority", "--decided", "duration", "action"}  # fmt: skip
