"""RFC 1982 serial arithmetic and the clock-based serial that survives restores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arret.rpz import serial

serials = st.integers(min_value=0, max_value=2**32 - 1)
NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


def test_rfc_1982_examples() -> None:
    assert serial.greater(1, 0)
    assert serial.greater(0, 2**32 - 1)  # wraps around
    assert not serial.greater(2**32 - 1, 0)
    assert serial.greater(2**31 - 1, 0)
    assert not serial.greater(2**31, 0) and not serial.greater(0, 2**31)  # undefined pair
    assert serial.add(2**32 - 1, 1) == 0
    with pytest.raises(ValueError):
        serial.add(5, 2**31)


@given(serials, st.integers(min_value=1, max_value=2**31 - 1))
def test_adding_moves_forward(s: int, n: int) -> None:
    assert serial.greater(serial.add(s, n), s)
    assert not serial.greater(s, serial.add(s, n))


def test_next_serial_is_the_clock_when_it_can_be() -> None:
    assert serial.next_serial(None, NOW) == int(NOW.timestamp())
    assert serial.next_serial(5, NOW) == int(NOW.timestamp())


def test_several_changes_in_one_second_still_move_forward() -> None:
    first = serial.next_serial(None, NOW)
    second = serial.next_serial(first, NOW)
    third = serial.next_serial(second, NOW + timedelta(milliseconds=10))
    assert [second - first, third - second] == [1, 1]


def test_a_restored_older_database_still_publishes_a_greater_serial() -> None:
    served = serial.next_serial(None, NOW)
    restored_last = serial.next_serial(None, NOW - timedelta(days=3))
    after_restore = serial.next_serial(restored_last, NOW + timedelta(minutes=5))
    assert serial.greater(after_restore, served)


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=50))
def test_serials_never_repeat_nor_go_back(steps_ms: list[int]) -> None:
    at, last, seen = NOW, None, []
    for step in steps_ms:
        at += timedelta(milliseconds=step)
        last = serial.next_serial(last, at)
        seen.append(last)
    assert all(serial.greater(b, a) for a, b in pairwise(seen))
