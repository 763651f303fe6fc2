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


def test_a_restore_in_the_second_of_the_last_publication_still_goes_above_it() -> None:
    # What CI hit: the registry published at NOW (serial = the clock's second), was
    # restored from an older backup and republished within that same second.
    served = serial.next_serial(None, NOW + timedelta(milliseconds=100))
    restored_last = serial.next_serial(None, NOW - timedelta(days=3))
    republished = serial.after_restore(restored_last, NOW + timedelta(milliseconds=900))
    assert serial.greater(republished, served)
    assert serial.after_restore(None, NOW) == int(NOW.timestamp()) + 1


def test_a_restore_goes_above_a_serial_the_operator_says_a_resolver_holds() -> None:
    # A burst before the restore pushed serials ahead of the clock: the clock alone is
    # not enough, the serial read at a resolver is.
    held = int(NOW.timestamp()) + 500
    assert serial.after_restore(None, NOW, above=held) == held + 1
    assert serial.after_restore(held + 7, NOW, above=held) == held + 8
    assert serial.after_restore(None, NOW, above=5) == int(NOW.timestamp()) + 1


near = st.integers(min_value=-(2**20), max_value=2**20)


@given(near, near, st.integers(min_value=0, max_value=10**6))
def test_a_restored_serial_is_after_both_floors(previous: int, above: int, ms: int) -> None:
    # Floors within a few days of the clock (a restore from an older backup, a burst
    # ahead of it), so that RFC 1982's "after" is defined between all of them.
    clock = int(NOW.timestamp())
    at = NOW + timedelta(milliseconds=ms)
    got = serial.after_restore(clock + previous, at, clock + above)
    assert serial.greater(got, clock + previous) and serial.greater(got, clock + above)
    assert serial.greater(got, int(at.timestamp()))
