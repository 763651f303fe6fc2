"""The line a registration ends with (`arret.cli.summary`): what was written, whom it
reaches, the serials that carry it now, how long it took — and the id first, for scripts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from arret.cli.summary import lifted, registered, serials
from arret.domain.events import OrderLifted, OrderRegistered
from arret.domain.model import Order, OrderTerms, TargetSpec
from arret.services.feed import Published
from arret.services.registry import Lifted, Registration

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)


def registration(effective: datetime, operators: list[str], *published: Published) -> Registration:
    terms = OrderTerms("RG 26/19", "TJ Paris", date(2026, 12, 1), effective,
                       effective + timedelta(days=90), frozenset(operators))  # fmt: skip
    targets = tuple(TargetSpec(f"site{i}.example") for i in range(1_234))
    return Registration(OrderRegistered(3, NOW, "clerk", terms, targets), published)


def test_a_registration_in_force_names_its_serials_and_its_time() -> None:
    done = registration(NOW, ["orange", "sfr"], Published("orange", 2026120601, 10, 0),
                        Published("sfr", 2026120601, 10, 0))  # fmt: skip
    line, data = registered(done, 61.2)
    assert line == ("order 3 registered: 1,234 names for orange and sfr; serial "
                    "2026120601 for orange and sfr; in 61 s")  # fmt: skip
    assert line.split()[1] == str(data["id"]) == "3"
    assert data["serials"] == {"orange": 2026120601, "sfr": 2026120601}
    assert data["names"] == 1_234 and data["operators"] == ["orange", "sfr"]
    assert data["effective_at"] == "2026-12-06T12:00:00Z" and data["seconds"] == 61.2


def test_a_scheduled_order_says_when_its_serials_will_come() -> None:
    line, data = registered(registration(NOW + timedelta(days=1), ["orange"]), 0.42)
    assert line == ("order 3 registered: 1,234 names for orange; takes effect "
                    "2026-12-07T12:00:00Z (no serial before then); in 0.4 s")  # fmt: skip
    assert data["serials"] == {}


def test_many_operators_are_counted_not_named() -> None:
    same = [Published(f"op{i}", 2026120601, 1, 0) for i in range(300)]
    assert serials(same) == "serial 2026120601 for 300 operators"
    spread = [Published(f"op{i}", 2026120601 + i % 3, 1, 0) for i in range(300)]
    assert serials(spread) == "serials 2026120601 to 2026120603 for 300 operators"
    two = [Published("orange", 5, 1, 0), Published("sfr", 7, 1, 0)]
    assert serials(two) == "serials orange 5 and sfr 7"
    assert serials([]) == "no zone changes now"


def lift(at: datetime, operators: list[str], *published: Published) -> Lifted:
    terms = OrderTerms("RG 26/19", "TJ Paris", date(2026, 12, 1), NOW - timedelta(days=5),
                       NOW + timedelta(days=85), frozenset(operators), not operators)  # fmt: skip
    order = Order(3, terms, NOW - timedelta(days=5), (), at, "appeal granted")
    return Lifted(order, OrderLifted(3, at, "clerk", "appeal granted"), 9, published)


def test_a_lift_now_says_when_the_order_ended_and_the_serials_that_stop_it() -> None:
    done = lift(NOW, ["orange", "sfr"], Published("orange", 2026120602, 0, 10),
                Published("sfr", 2026120602, 0, 10))  # fmt: skip
    line, data = lifted(done, NOW, 0.31)
    assert line == ("order 3 lifted at 2026-12-06T12:00:00Z (addressed to orange and sfr); "
                    "serial 2026120602 for orange and sfr; in 0.3 s")  # fmt: skip
    assert line.split()[1] == str(data["id"]) == "3"
    assert data == {"id": 3, "lifted_at": "2026-12-06T12:00:00Z",
                    "reason": "appeal granted", "operators": ["orange", "sfr"],
                    "serials": {"orange": 2026120602, "sfr": 2026120602},
                    "seconds": 0.31}  # fmt: skip


def test_a_lift_dated_later_has_no_serial_yet_and_one_changing_nothing_says_so() -> None:
    later = NOW + timedelta(days=2)
    line, data = lifted(lift(later, []), NOW, 12.5)
    assert line == ("order 3 lifted at 2026-12-08T12:00:00Z (addressed to every operator); "
                    "no serial before then; in 12 s")  # fmt: skip
    assert data["serials"] == {} and data["operators"] == "all"
    # Lifted now, but no zone carried it (e.g. every name also in another order in force).
    line, _ = lifted(lift(NOW, ["orange"]), NOW, 0.05)
    assert line.endswith("(addressed to orange); no zone changes now; in 0.1 s"), line
