"""A policy's whole zone is read at every start of `arret serve` (two million entries at a
million names). On SQLite it is read as one text of owners per kind; whatever the kinds,
their order or their number, it must equal the rows themselves, sorted — and an owner
the text cannot carry falls back to reading the rows."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import Engine, select

from arret.store import feed as store_feed
from arret.store.schema import feed_entries

KINDS = ["nxdomain", "nodata", "passthru", "notice", "drop"]


def stored(engine: Engine, policy_id: int, entries: list[tuple[str, str]]) -> None:
    with engine.begin() as conn:
        values = [{"policy_id": policy_id, "owner": o, "kind": k} for o, k in entries]
        conn.execute(feed_entries.insert(), values)


def rows(engine: Engine, policy_id: int) -> list[tuple[str, str]]:
    query = select(feed_entries.c.owner, feed_entries.c.kind).where(
        feed_entries.c.policy_id == policy_id
    )
    with engine.connect() as conn:
        return sorted((o, k) for o, k in conn.execute(query))


@pytest.mark.parametrize("seed", range(6))
def test_the_whole_zone_read_equals_its_rows_sorted(engine: Engine, seed: int) -> None:
    rng = random.Random(seed)
    kinds = rng.sample(KINDS, rng.randint(1, len(KINDS)))
    names = {f"{rng.choice(['', '*.'])}n{rng.randrange(10**6)}.example" for _ in range(500)}
    entries = [(name, rng.choice(kinds)) for name in names]
    stored(engine, 7, entries)
    stored(engine, 8, [("other.example", "nxdomain")])  # another policy is not read
    with engine.connect() as conn:
        read = store_feed.policy_entries(conn, 7)
        assert read == rows(engine, 7) == sorted(entries)
        assert len({id(kind) for _, kind in read}) == len(kinds)  # one string per kind
        assert store_feed.policy_entries(conn, 9) == []


def test_an_owner_holding_the_separator_is_read_from_its_rows(engine: Engine) -> None:
    entries = [("a.example", "nxdomain"), ("b\nc.example", "nxdomain"), ("d.example", "notice")]
    stored(engine, 7, entries)
    with engine.connect() as conn:
        assert store_feed.policy_entries(conn, 7) == sorted(entries)
