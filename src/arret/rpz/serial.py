"""SOA serial numbers and their arithmetic (RFC 1982, SERIAL_BITS = 32).

A secondary that sees a serial that is not greater than the one it holds ignores the
zone silently (measured here on Unbound, BIND and PowerDNS), so an operator's serial must
never repeat and never go backwards — across restarts, and across a restore of an older
copy of the database. Serials are therefore taken from the clock: the next serial is the
current Unix time in seconds, or the previous serial plus one if that is not greater.
A restored database has an older last serial, but the clock has moved on, so the next
serial is still greater than any served before — `after_restore` takes the clock's next
second, since a serial may have been published in the current one; a registry that
published more than one change per second for a sustained time before the restore is
given the serial a resolver holds.
Unix seconds stay below 2**32 until 2106; comparison is modular anyway.
"""

from __future__ import annotations

from datetime import datetime

MODULUS = 2**32
HALF = 2**31


def add(serial: int, n: int) -> int:
    """RFC 1982 §3.1: n in [0, 2**31 - 1]."""
    if not 0 <= n < HALF:
        raise ValueError(f"cannot add {n} to a serial (RFC 1982 allows 0..2**31-1)")
    return (serial + n) % MODULUS


def greater(a: int, b: int) -> bool:
    """RFC 1982 §3.2: is `a` after `b`? (Undefined at exactly 2**31 apart: False.)"""
    return a != b and ((a < b and b - a > HALF) or (a > b and a - b < HALF))


def next_serial(previous: int | None, now: datetime) -> int:
    """The serial to publish at `now`, strictly after `previous`."""
    candidate = int(now.timestamp()) % MODULUS
    if previous is None or greater(candidate, previous):
        return candidate
    return add(previous, 1)


def after_restore(previous: int | None, now: datetime, above: int | None = None) -> int:
    """The serial to publish at `now` after a restore of the database, when resolvers may
    hold serials the restored registry never saw. Any publication before `now` took at
    most the clock's current second (a publication in this very second did), so the
    answer is the next second, or after `previous`, or after `above` — the highest serial
    the operator knows a resolver holds, for a registry that published faster than one
    change per second before the restore."""
    candidate = add(int(now.timestamp()) % MODULUS, 1)
    for floor in (previous, above):
        if floor is not None and not greater(candidate, floor):
            candidate = add(floor, 1)
    return candidate
