"""The log at scale, on a real database (SQLite and PostgreSQL): the tiles appends write
are the tiles computed naively from every leaf, also when a migration builds them for a
log that had none; proofs answered from them are the proofs computed from every leaf; an
order too large for one leaf is logged over bounded names leaves that verify, that an
auditor finds a name in, and whose tampering is caught; `arret log verify --checkpoint`
goes on from where it stopped, reads only what came after, and still catches a leaf
changed after the checkpoint or a history rewritten before it."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from support.cli import Arret
from support.signed import open_engine
from support.tamper import drop_guards

from arret.services import log as log_service
from arret.store import log as store_log
from arret.store.db import _alembic_config, migrate
from arret.store.schema import log_tiles
from arret.tlog import merkle, tiles
from arret.tlog.leaves import MAX_LEAF, canonical

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)


def stored_tiles(engine: Engine) -> dict[tuple[int, int], bytes]:
    with engine.connect() as conn:
        return {
            (int(r.level), int(r.idx)): bytes(r.hashes) for r in conn.execute(select(log_tiles))
        }


def leaf_hashes(engine: Engine) -> list[bytes]:
    with engine.connect() as conn:
        return [leaf.hash for leaf in store_log.leaves(conn, 0, store_log.size(conn))]


def append(engine: Engine, count: int, every: int = 1) -> None:
    with engine.begin() as conn:
        start = store_log.size(conn)
        records = [store_log.Record({"type": "test", "n": n}) for n in range(start, start + count)]
        store_log.append_many(conn, records, NOW, every=every)


def test_appends_write_the_naive_tiles_and_proofs_are_those_from_every_leaf(
    database_url: str,
) -> None:
    engine = open_engine(database_url)
    migrate(engine)
    rng = random.Random(3)
    # Batches of every size around a tile's edge, and single appends.
    for count in (1, 1, 254, 1, 255, 256, 3, 600, 1, 1):
        append(engine, count)
    append(engine, 65_536 - 1379 + 5, every=4096)  # the first level-1 tile fills
    for _ in range(3):
        append(engine, rng.randrange(1, 400))
    hashes = leaf_hashes(engine)
    assert len(hashes) > 65_536
    assert stored_tiles(engine) == tiles.build(hashes)
    with engine.connect() as conn:
        newest = log_service.head(conn)
        assert merkle.root(hashes) == newest.root_hash
        for index in [
            0,
            255,
            256,
            65_535,
            65_536,
            newest.size - 1,
            *rng.sample(range(newest.size), 4),
        ]:
            proof = log_service.inclusion(conn, index)
            assert proof["leaf_hash"] == hashes[index].hex()
            assert proof["audit_path"] == [h.hex() for h in merkle.inclusion_proof(index, hashes)]
        for first in [1, 256, 65_536, *rng.sample(range(1, newest.size), 4)]:
            assert log_service.consistency(conn, first, newest.size) == merkle.consistency_proof(
                first, hashes
            )
        # A proof for an older signed size, from today's tiles.
        older = 1 + 1 + 254 + 1
        assert log_service.consistency(conn, 2, older) == merkle.consistency_proof(
            2, hashes[:older]
        )
    engine.dispose()


def test_the_migration_builds_the_tiles_of_a_log_that_has_none(database_url: str) -> None:
    from alembic import command

    engine = open_engine(database_url)
    migrate(engine)
    append(engine, 20_700, every=1000)  # more than the migration's page of leaves
    before = stored_tiles(engine)
    config = _alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0010")
    migrate(engine)
    assert stored_tiles(engine) == before == tiles.build(leaf_hashes(engine))
    append(engine, 300)  # and appends go on from them
    assert stored_tiles(engine) == tiles.build(leaf_hashes(engine))
    engine.dispose()


def verify(arret: Arret, *args: str) -> tuple[int, str]:
    code, out, err = arret("log", "verify", *args, ok=False)
    return code, out + err


def order(arret: Arret, reference: str, *names: str, confidential: bool = False) -> None:
    arret("order", "add", "--yes", "--reference", reference, "--authority", "TJ Paris", "--decided",
          "2026-11-27", "--duration", "90d", "--operator", "orange",
          *(["--confidential"] if confidential else []), *names)  # fmt: skip


BIG = [f"name-{i:05d}.big.example" for i in range(2500)]


@pytest.fixture
def big(database_url: str, tmp_path: Path) -> Arret:
    """The demo and a confidential order of 2,500 names: more than one leaf holds."""
    arret = Arret(tmp_path, database_url, NOW)
    arret("demo", "--no-tokens", "--no-moving")
    order(arret, "RG big", *BIG, confidential=True)
    return arret


def test_a_large_order_is_logged_over_bounded_leaves_that_verify(big: Arret) -> None:
    engine = open_engine(big.url)
    with engine.connect() as conn:
        found = store_log.leaves(conn, 0, store_log.size(conn))
        records = [json.loads(leaf.data) for leaf in found]
        parts = [(leaf.index, r) for leaf, r in zip(found, records, strict=True)
                 if r["type"] == "names"]  # fmt: skip
        heads = [(leaf.index, r) for leaf, r in zip(found, records, strict=True) if "names" in r]
        assert len(heads) == 1 and len(parts) >= 3
        [(at, head)] = heads
        assert [i for i, _ in parts] == list(range(at + 1, at + 1 + len(parts)))
        assert head["names"]["count"] == len(BIG) and head["event"]["targets"] == []
        assert max(len(leaf.data.encode()) for leaf in found) <= MAX_LEAF
        assert not any("big.example" in leaf.data for leaf in found)  # commitments only
        # An auditor proves a name was in the order: its salt, its commitment, the names
        # leaf holding it, which names the event of the order's leaf.
        proof = log_service.commitment_proof(conn, BIG[1234])
        [where] = proof["leaves"]
        assert where in [i for i, _ in parts]
        assert proof["commitment"] in found[where].data
        assert json.loads(found[where].data)["seq"] == head["seq"]
    engine.dispose()
    code, out = verify(big)
    assert code == 0, out


def _rewrite(engine: Engine, index: int, change: str) -> None:
    """Leaf `index` rewritten by hand, its hash recomputed (a careful forger)."""
    with engine.begin() as conn:
        drop_guards(conn)
        data = conn.execute(text("SELECT data FROM log_leaves WHERE idx = :i"), {"i": index})
        record = json.loads(data.scalar_one())
        if change == "drop a name":
            field = "targets" if "targets" in record else "added"
            record[field] = record[field][1:]
        else:
            record["event"]["actor"] = "someone else"
        raw = canonical(record)
        conn.execute(
            text("UPDATE log_leaves SET data = :d, hash = :h WHERE idx = :i"),
            {"d": raw.decode(), "h": merkle.leaf_hash(raw).hex(), "i": index},
        )


def _names_leaf(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(
            text("SELECT max(idx) FROM log_leaves WHERE data LIKE '{\"part\":%' OR data LIKE "
                 "'{\"of\":%' OR data LIKE '%\"type\":\"names\"%'")).scalar_one())  # fmt: skip


def test_a_names_leaf_changed_is_caught(big: Arret) -> None:
    engine = open_engine(big.url)
    index = _names_leaf(engine)
    _rewrite(engine, index, "drop a name")
    engine.dispose()
    code, out = verify(big)
    # The signed roots name the leaf; its event's leaf no longer gets the digest it
    # announced (the check that still holds against a forger who signs again).
    assert code == 5 and f"leaf {index}: the leaves no longer give the root" in out, out
    assert "names leaves do not give the count and digest it announces" in out


def test_verify_goes_on_from_its_checkpoint(big: Arret, tmp_path: Path) -> None:
    checkpoint = tmp_path / "checkpoint.json"
    code, out = verify(big, "--checkpoint", str(checkpoint))
    assert code == 0 and "saved the checkpoint" in out and "after the checkpoint" not in out
    saved = json.loads(checkpoint.read_text())
    assert saved["registry"]["feeds"]["orange"]["serial"] > 0
    size = saved["head"]["size"]
    order(big, "RG later", "later.example", "also-later.example")
    big("allow", "add", "cdn.example", "--reason", "shared CDN")
    code, out = verify(big, "--checkpoint", str(checkpoint))
    assert code == 0, out
    engine = open_engine(big.url)
    with engine.connect() as conn:
        newest = store_log.size(conn)
    said = " ".join(out.split())
    assert f"read the {newest - size} leaves after the checkpoint of size {size}" in said
    assert json.loads(checkpoint.read_text())["head"]["size"] == newest
    # Nothing new: still verifies, from the same size.
    assert verify(big, "--checkpoint", str(checkpoint))[0] == 0
    # A leaf changed after the checkpoint (hash recomputed, so only the signed roots and
    # the registry's own record can tell).
    order(big, "RG tampered", "tampered.example")
    with engine.connect() as conn:
        leaf = int(conn.execute(text("SELECT max(idx) FROM log_leaves WHERE event_id IS NOT "
                                     "NULL")).scalar_one())  # fmt: skip
    _rewrite(engine, leaf, "actor")
    before = checkpoint.read_text()
    code, out = verify(big, "--checkpoint", str(checkpoint))
    assert code == 5 and f"first bad leaf is {leaf}" in out, out
    assert checkpoint.read_text() == before  # a failed run does not move the checkpoint
    engine.dispose()


def test_a_history_rewritten_before_the_checkpoint_is_caught(big: Arret, tmp_path: Path) -> None:
    checkpoint = tmp_path / "checkpoint.json"
    assert verify(big, "--checkpoint", str(checkpoint))[0] == 0
    engine = open_engine(big.url)
    with engine.begin() as conn:
        drop_guards(conn)
        rows = conn.execute(
            text("SELECT data, event_id, operator_id, serial FROM log_leaves ORDER BY idx")
        ).all()
        for table in ("log_heads", "log_leaves", "log_state", "log_tiles"):
            conn.execute(text(f"DELETE FROM {table}"))
        # The key holder rebuilds the log without its first leaf, padded past its size.
        store_log.append_many(
            conn, [store_log.Record(json.loads(d), e, o, s) for d, e, o, s in rows[1:]], NOW
        )
        for n in range(3):
            store_log.append(conn, {"type": "padding", "n": n}, NOW)
    engine.dispose()
    code, out = verify(big, "--checkpoint", str(checkpoint))
    assert code == 5 and "history was rewritten" in out, out


def test_a_journal_changed_after_the_checkpoint_is_caught(big: Arret, tmp_path: Path) -> None:
    checkpoint = tmp_path / "checkpoint.json"
    assert verify(big, "--checkpoint", str(checkpoint))[0] == 0
    big.clock.advance(timedelta(minutes=5))
    order(big, "RG after", "after.example")
    engine = open_engine(big.url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE feed_policy_changes SET owner = 'other.example' WHERE owner = "
                          "'after.example'"))  # fmt: skip
    engine.dispose()
    code, out = verify(big, "--checkpoint", str(checkpoint))
    assert code == 5 and "does not give the policy digest" in out, out
