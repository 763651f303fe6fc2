"""The line a registration ends with (`arret.cli.summary`): what was written, whom it
reaches, the serials that carry it now, how long it took — and the id first, for scripts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from arret.cli.summary import registered, serials
from arret.domain.events import OrderRegistered
from arret.domain.model import OrderTerms, TargetSpec
from arret.services.feed import Published
from arret.services.registry import Registration

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
