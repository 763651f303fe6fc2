"""The transparency log on a real database (SQLite and PostgreSQL), as `arret log verify`
sees it: an untampered log verifies from nothing and from any saved head; every kind of
tampering done with raw SQL — a leaf, its hash, an event, a tree head, a salt, the
journal, the zone served — fails and names the first bad leaf; a rewritten past is
caught by a head saved before; the key is required, private, and the log's own."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import dns.query
import dns.zone
import pytest
import support.livefeed
from sqlalchemy import Connection, text
from support.cli import Arret
from support.signed import open_engine
from support.tamper import drop_guards

from arret import keyfile
from arret.keyfile import KeyFile
from arret.rpz.zone import FeedSettings
from arret.services import log as log_service
from arret.services import registry as registry_service
from arret.services.log import HeldZone, check_held, entries_of
from arret.store import log as store_log
from arret.tlog import merkle

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
SECRETS = ("secret-one.example", "secret-two.example", "secret-three.example")


def register(arret: Arret, *extra: str) -> str:
    out = arret(
        "order",
        "add",
        "--reference",
        "RG 26/77",
        "--authority",
        "TJ Paris",
        "--decided",
        "2026-11-27",
        *(() if "--expires" in extra else ("--duration", "90d")),
        *extra,
    )[1]
    return out.split()[1]  # `order ID registered: …`


@pytest.fixture
def logged(database_url: str, tmp_path: Path) -> Arret:
    """The demo, a public order, a confidential one amended, an allow-list entry: every
    kind of leaf, with feeds published for each change."""
    arret = Arret(tmp_path, database_url, NOW)
    arret("demo", "--no-tokens", "--no-moving")
    register(arret, "--operator", "orange", "leak.example")
    secret = register(
        arret, "--operator", "orange", "--operator", "sfr", "--confidential", SECRETS[0], SECRETS[1]
    )
    arret.clock.advance(timedelta(hours=1))
    arret("order", "amend", secret, "--add", SECRETS[2], "--remove", SECRETS[1])
    arret("allow", "add", "cdn.example", "--reason", "shared CDN")
    return arret


def verify(arret: Arret, *args: str) -> tuple[int, str]:
    code, out, err = arret("log", "verify", *args, ok=False)
    return code, out + err


def leaf_of_event(conn: Connection, kind: str) -> int:
    return int(
        conn.execute(
            text(
                "SELECT l.idx FROM log_leaves l JOIN events e ON e.id = l.event_id "
                "WHERE e.kind = :k ORDER BY l.idx DESC LIMIT 1"
            ),
            {"k": kind},
        ).scalar_one()
    )


def last_feed_leaf(conn: Connection, operator: str) -> int:
    return int(
        conn.execute(
            text(
                "SELECT max(l.idx) FROM log_leaves l JOIN operators o ON o.id = l.operator_id "
                "WHERE o.name = :op"
            ),
            {"op": operator},
        ).scalar_one()
    )


def test_an_untampered_log_verifies_from_nothing_and_from_every_saved_head(
    logged: Arret, tmp_path: Path
) -> None:
    code, out = verify(logged, "--save", str(tmp_path / "head.json"))
    assert code == 0, out
    saved = json.loads((tmp_path / "head.json").read_text())
    engine = open_engine(logged.url)
    with engine.connect() as conn:
        size = store_log.size(conn)
        assert saved["size"] == size and f"log verified: {size} leaves" in out
        heads = [store_log.head(conn, k) for k in range(1, size + 1)]
    # A head of every earlier size, saved as a verifier would have saved it then.
    for head in heads:
        assert head is not None
        path = tmp_path / f"head-{head.size}.json"
        path.write_text(json.dumps(head.as_json()))
        code, out = verify(logged, "--head", str(path))
        assert code == 0 and f"extends your saved head of size {head.size}" in out, out
    # The log grows; the head saved before still verifies against it.
    logged("allow", "add", "cdn2.example", "--reason", "shared CDN")
    code, out = verify(logged, "--head", str(tmp_path / "head.json"))
    assert code == 0 and f"{size + 1} leaves" in out, out
    engine.dispose()


def _leaf_data(conn: Connection) -> int:
    leaf = leaf_of_event(conn, "order.registered")
    conn.execute(
        text("UPDATE log_leaves SET data = replace(data, 'TJ Paris', 'TJ Lyon') WHERE idx = :i"),
        {"i": leaf},
    )
    return leaf


def _leaf_data_and_hash(conn: Connection) -> int:
    """The forger recomputes the leaf hash too: only the signed roots catch it."""
    leaf = leaf_of_event(conn, "allow.added")
    data = conn.execute(text("SELECT data FROM log_leaves WHERE idx = :i"), {"i": leaf}).scalar()
    forged = str(data).replace("cdn.example", "cdx.example")
    conn.execute(
        text("UPDATE log_leaves SET data = :d, hash = :h WHERE idx = :i"),
        {"d": forged, "h": merkle.leaf_hash(forged.encode()).hex(), "i": leaf},
    )
    return leaf


def _event(conn: Connection) -> int:
    """The registry's own history rewritten, its leaf left alone."""
    conn.execute(
        text(
            "UPDATE events SET actor = 'someone else' WHERE kind = 'order.lifted' "
            "OR kind = 'allow.added'"
        )
    )
    return leaf_of_event(conn, "allow.added")


def _newest_head(conn: Connection) -> int:
    size = int(conn.execute(text("SELECT max(size) FROM log_heads")).scalar_one())
    conn.execute(
        text("UPDATE log_heads SET root_hash = :r WHERE size = :s"), {"r": "00" * 32, "s": size}
    )
    return size - 1


def _middle_head_signature(conn: Connection) -> int:
    row = conn.execute(text("SELECT signature FROM log_heads WHERE size = 5")).scalar()
    flipped = ("0" if str(row)[0] != "0" else "1") + str(row)[1:]
    conn.execute(text("UPDATE log_heads SET signature = :s WHERE size = 5"), {"s": flipped})
    return 4


def _deleted_leaf(conn: Connection) -> int:
    leaf = leaf_of_event(conn, "order.amended")
    conn.execute(text("DELETE FROM log_leaves WHERE idx = :i"), {"i": leaf})
    return leaf


def _salt(conn: Connection) -> int:
    """An auditor's salt replaced: the commitment in the leaf no longer matches it."""
    conn.execute(
        text("UPDATE name_salts SET salt = :s WHERE name = :n"), {"s": "ab" * 16, "n": SECRETS[2]}
    )
    return leaf_of_event(conn, "order.amended")


def _served_zone(conn: Connection) -> int:
    """A name slipped into orange's zone behind the log's back. The entries stand for
    every revision since the policy was last filled from nothing (that revision's journal
    is derived from them): the first serial of those is the first the registry no longer
    backs, or, with no such revision, the latest."""
    conn.execute(
        text(
            "INSERT INTO feed_policy_entries (policy_id, owner, kind) SELECT m.policy_id, "
            "'innocent.example', 'nxdomain' FROM feed_members m JOIN operators o ON "
            "o.id = m.operator_id WHERE o.name = 'orange'"
        )
    )
    first = conn.execute(
        text(
            "SELECT min(l.idx) FROM log_leaves l JOIN operators o ON o.id = l.operator_id "
            "JOIN feed_members m ON m.operator_id = o.id JOIN feed_versions v ON "
            "v.operator_id = o.id AND v.serial = l.serial AND v.policy_id = m.policy_id "
            "WHERE o.name = 'orange' AND v.rev >= (SELECT max(s.rev) FROM "
            "feed_policy_snapshots s WHERE s.policy_id = m.policy_id)"
        )
    ).scalar()
    return last_feed_leaf(conn, "orange") if first is None else int(first)


def _journal(conn: Connection) -> int:
    """The journal of a past serial changed: that serial's leaf no longer matches."""
    serial, op_id, policy, rev = conn.execute(
        text(
            "SELECT v.serial, v.operator_id, c.policy_id, c.rev FROM feed_policy_changes c "
            "JOIN feed_versions v ON v.policy_id = c.policy_id AND v.rev = c.rev "
            "JOIN operators o ON o.id = v.operator_id WHERE o.name = 'sfr' AND c.added "
            "ORDER BY c.id LIMIT 1"
        )
    ).one()
    conn.execute(
        text(
            "UPDATE feed_policy_changes SET kind = 'nodata' WHERE policy_id = :p AND "
            "rev = :r AND added"
        ),
        {"p": policy, "r": rev},
    )
    return int(
        conn.execute(
            text("SELECT idx FROM log_leaves WHERE serial = :s AND operator_id = :o"),
            {"s": serial, "o": op_id},
        ).scalar_one()
    )


def _event_payload(conn: Connection) -> int:
    """The registration's recorded terms rewritten (written as the application would)."""
    from sqlalchemy import select, update

    from arret.store.schema import events

    seq, payload = conn.execute(
        select(events.c.id, events.c.payload).where(events.c.kind == "order.registered")
    ).all()[-1]
    payload = payload | {"expires_at": "2030-01-01T00:00:00Z"}
    conn.execute(update(events).where(events.c.id == seq).values(payload=payload))
    return leaf_of_event(conn, "order.registered")


TAMPERING: dict[str, Callable[[Connection], int]] = {
    "a leaf's data": _leaf_data,
    "an event's payload": _event_payload,
    "a leaf's data and hash": _leaf_data_and_hash,
    "an event": _event,
    "the newest tree head": _newest_head,
    "an earlier head's signature": _middle_head_signature,
    "a deleted leaf": _deleted_leaf,
    "a confidential name's salt": _salt,
    "the zone served": _served_zone,
    "the journal of a past serial": _journal,
}


@pytest.mark.parametrize("what", list(TAMPERING))
def test_tampering_with_raw_sql_fails_verification_naming_the_first_bad_leaf(
    logged: Arret, what: str
) -> None:
    assert verify(logged)[0] == 0
    engine = open_engine(logged.url)
    with engine.begin() as conn:
        drop_guards(conn)
        bad = TAMPERING[what](conn)
    engine.dispose()
    code, out = verify(logged)
    assert code == 5, out
    assert f"the first bad leaf is {bad}\n" in out or f"first bad leaf is {bad}" in out, out
    assert f"leaf {bad}:" in out


def test_a_rewritten_past_is_caught_by_a_head_saved_before(logged: Arret, tmp_path: Path) -> None:
    assert verify(logged, "--save", str(tmp_path / "before.json"))[0] == 0
    engine = open_engine(logged.url)
    with engine.begin() as conn:
        drop_guards(conn)
        size = store_log.size(conn)
        # Whoever holds the key rebuilds the whole log with one event left out, then
        # pads it past its old size: every leaf hash and every signature is valid.
        rows = conn.execute(
            text("SELECT data, event_id, operator_id, serial FROM log_leaves ORDER BY idx")
        ).all()
        for table in ("log_heads", "log_leaves", "log_state", "log_tiles"):
            conn.execute(text(f"DELETE FROM {table}"))
        for data, event_id, operator_id, serial in rows[1:]:
            store_log.append(
                conn,
                json.loads(data),
                NOW,
                event_id=event_id,
                operator_id=operator_id,
                serial=serial,
            )
        for n in range(3):
            store_log.append(conn, {"type": "padding", "n": n}, NOW)
        assert store_log.size(conn) == size + 2
    engine.dispose()
    # Without the saved head the forged log is self-consistent (the registry check finds
    # the event without a leaf); with it, the rewrite shows at once.
    code, out = verify(logged, "--head", str(tmp_path / "before.json"))
    assert code == 5 and "history was rewritten" in out, out
    code, out = verify(logged)
    assert code == 5 and "has no leaf in the log" in out, out


def test_the_log_proves_the_inclusion_and_the_consistency_it_claims(logged: Arret) -> None:
    engine = open_engine(logged.url)
    with engine.connect() as conn:
        newest = log_service.head(conn)
        hashes = [leaf.hash for leaf in store_log.leaves(conn, 0, newest.size)]
        for index in range(newest.size):
            proof = log_service.inclusion(conn, index)
            path = [bytes.fromhex(h) for h in proof["audit_path"]]
            assert merkle.verify_inclusion(
                hashes[index], index, newest.size, path, newest.root_hash
            )
            assert (
                not merkle.verify_inclusion(
                    hashes[index - 1], index, newest.size, path, newest.root_hash
                )
                or newest.size == 1
            )
        for first in range(1, newest.size + 1):
            old = log_service.head(conn, first)
            proof_c = log_service.consistency(conn, first, newest.size)
            assert merkle.verify_consistency(
                first, newest.size, old.root_hash, newest.root_hash, proof_c
            )
    engine.dispose()


def test_an_auditor_proves_which_names_a_confidential_order_holds(logged: Arret) -> None:
    engine = open_engine(logged.url)
    with engine.connect() as conn:
        leaf = leaf_of_event(conn, "order.registered")
        data = conn.execute(
            text("SELECT data FROM log_leaves WHERE idx = :i"), {"i": leaf}
        ).scalar_one()
        salts = store_log.known_salts(conn, list(SECRETS))
    engine.dispose()
    for name in SECRETS:
        assert name not in data
    committed = [t["name"]["commitment"] for t in json.loads(data)["event"]["targets"]]
    from arret.tlog.leaves import commitment

    assert commitment(salts[SECRETS[0]], SECRETS[0]) in committed
    assert commitment(salts[SECRETS[2]], SECRETS[2]) not in committed  # added later
    assert commitment(salts[SECRETS[0]], "innocent.example") not in committed


def test_writes_need_the_log_key_private_and_the_logs_own(logged: Arret, tmp_path: Path) -> None:
    key = Path(os.environ["ARRET_LOG_KEY"])
    before = logged.json("order", "list")
    engine = open_engine(logged.url)
    with engine.connect() as conn:
        size = store_log.size(conn)
    # A key anybody can read: refused, nothing changed.
    exposed = tmp_path / "exposed.key"
    exposed.write_bytes(key.read_bytes())
    exposed.chmod(0o644)
    for path, says in [
        (exposed, "chmod 600"),
        (tmp_path / "missing.key", "arret init"),
    ]:
        code, _, err = logged(
            "--log-key", str(path), "allow", "add", "x.example", "--reason", "r", ok=False
        )
        assert code == 4 and says in err, err
    # Another key: it did not sign this log.
    other = tmp_path / "other.key"
    code, out, _ = logged("--log-key", str(other), "init")
    assert code == 0 and "created the log signing key" in out
    assert other.stat().st_mode & 0o777 == 0o600
    code, _, err = logged(
        "--log-key", str(other), "allow", "add", "x.example", "--reason", "r", ok=False
    )
    assert code == 4 and "did not sign this log" in err, err
    assert logged.json("order", "list") == before
    with engine.connect() as conn:
        assert store_log.size(conn) == size
        assert (
            conn.execute(text("SELECT count(*) FROM allow_list WHERE name = 'x.example'")).scalar()
            == 0
        )
    engine.dispose()
    # `init` keeps an existing key and says which one it is.
    code, out, _ = logged("--log-key", str(other), "init")
    assert "using the log signing key" in out
    assert KeyFile(other).public_key() != KeyFile(key).public_key()


class LiveFeed(support.livefeed.LiveFeed):
    def held(self, operator: str) -> HeldZone:
        """The zone as a resolver of `operator` transfers it (AXFR, from loopback)."""
        zone = dns.zone.from_xfr(
            dns.query.xfr("127.0.0.1", FeedSettings().zone(operator), port=self.port)
        )
        return entries_of(zone)


def check_served(feed: LiveFeed, operator: str) -> tuple[int, int]:
    """The zone served to `operator` is the one logged for its serial: (serial, leaf)."""
    held = feed.held(operator)
    with feed.engine.connect() as conn:
        leaf = store_log.feed_leaf(conn, operator, held.serial)
        assert leaf is not None, f"serial {held.serial} of {operator} is not in the log"
        salt = log_service.digest_secret(conn, operator)
    assert check_held(salt, held, json.loads(leaf.data)) is None
    # And the check can fail: one entry more, or one kind changed, is another digest.
    assert check_held(salt, HeldZone(held.serial, [*held.entries, ("x.example", "nxdomain")]),
                      json.loads(leaf.data)) is not None  # fmt: skip
    return held.serial, leaf.index


def test_the_feed_served_at_each_serial_is_the_one_logged_across_time(
    database_url: str, tmp_path: Path
) -> None:
    arret = Arret(tmp_path, database_url, NOW)
    arret("demo", "--no-tokens", "--no-moving")
    hour = timedelta(hours=1)
    register(arret, "--operator", "orange", "--expires", "2026-11-29T14:00:00Z", "first.example")
    register(arret, "--operator", "orange", "--effective", "2026-11-29T13:00:00Z", "--expires",
             "2026-11-29T15:00:00Z", "--action", "notice", "second.example")  # fmt: skip
    register(arret, "--operator", "orange", "--confidential", "--exact", SECRETS[0])
    feed = LiveFeed(arret.url, arret.clock)
    try:
        seen: list[tuple[int, int]] = []
        expected_names = [3, 5, 3, 1, 1]  # entries: subtree = 2 (name, *.name), exact = 1
        for step in range(5):
            feed.tick()
            serial, leaf = check_served(feed, "orange")
            assert len(feed.held("orange").entries) == expected_names[step], step
            seen.append((serial, leaf))
            if step == 1:  # an amendment between two instants
                arret("order", "amend", "2", "--add", "second-mirror.example")
                feed.tick()
                seen.append(check_served(feed, "orange"))
                arret("order", "amend", "2", "--remove", "second-mirror.example")
            arret.clock.advance(hour)  # 13:00 effective, 14:00 and 15:00 expiries
        # Every instant gave a new serial, each with its own leaf.
        assert len({s for s, _ in seen}) == len(seen) - 1  # 16:00 changes nothing
    finally:
        feed.close()
    assert verify(arret)[0] == 0


def test_init_logs_the_history_of_a_database_from_before_the_log(logged: Arret) -> None:
    engine = open_engine(logged.url)
    with engine.begin() as conn:
        drop_guards(conn)
        events = int(conn.execute(text("SELECT count(*) FROM events")).scalar_one())
        serials = int(conn.execute(text("SELECT count(*) FROM feed_versions")).scalar_one())
        # What a database migrated to revision 0007 holds: a history, no log.
        for table in (
            "log_heads", "log_leaves", "log_state", "log_tiles", "feed_digests", "name_salts"
        ):  # fmt: skip
            conn.execute(text(f"DELETE FROM {table}"))
    code, out = verify(logged)
    assert code == 5 and "has no leaf in the log" in out
    _, out, _ = logged("init")
    assert f"appended {events + serials} leaves" in out
    code, out = verify(logged)
    assert code == 0 and f"{events + serials} leaves" in out, out
    # Twice changes nothing; new writes go on from there.
    _, out, _ = logged("init")
    assert "appended" not in out
    logged("allow", "add", "later.example", "--reason", "r")
    assert verify(logged)[0] == 0
    engine.dispose()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE log_leaves SET data = 'x' WHERE idx = 0",
        "DELETE FROM log_leaves WHERE idx = (SELECT max(idx) FROM log_leaves)",
        "UPDATE log_heads SET root_hash = 'x'",
        "DELETE FROM log_heads",
    ],
)
def test_the_database_refuses_to_change_or_delete_leaves_and_heads(
    logged: Arret, statement: str
) -> None:
    from sqlalchemy.exc import DatabaseError

    engine = open_engine(logged.url)
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))
    if engine.dialect.name == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
            conn.execute(text("TRUNCATE log_heads"))
    engine.dispose()
    assert verify(logged)[0] == 0


def test_two_writers_at_once_take_consecutive_leaves(logged: Arret) -> None:
    """Two transactions appending at the same time (two connections, as two API workers
    or the CLI next to `arret serve`), each registering an order for orange — an event and
    a feed serial each: the second waits for the first's lock on the tree's edge, so no
    index is taken twice, every head signs the tree it names, and orange's policy digest
    loses neither change (the verification replays it)."""

    def draft(name: str) -> Any:
        from arret.domain.lifecycle import OrderDraft
        from arret.domain.model import TargetSpec

        return OrderDraft("RG 26/2", "TJ Paris", NOW.date(), (TargetSpec(name),),
                          operators=("orange",), duration=None,
                          expires_at=NOW + timedelta(days=30))  # fmt: skip

    engine = open_engine(logged.url)
    with engine.connect() as conn:
        size = store_log.size(conn)
    first = engine.connect()
    tx = first.begin()
    later = NOW + timedelta(hours=2)
    registry_service.register_order(first, draft("one.example"), later, "a")
    outcome: list[object] = []

    def second() -> None:
        try:
            with engine.begin() as conn:
                registry_service.register_order(conn, draft("two.example"), later, "b")
            outcome.append("ok")
        except Exception as exc:  # reported below
            outcome.append(exc)

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(1.0)
    assert thread.is_alive() and not outcome  # waiting for the first writer
    tx.commit()
    first.close()
    thread.join(30)
    assert outcome == ["ok"], outcome
    with engine.connect() as conn:
        data = [leaf.data for leaf in store_log.leaves(conn, size, store_log.size(conn))]
    # Each writer's event leaf, then its feed leaf: the first writer's leaves all come first.
    assert len(data) == 4 and "one.example" in data[0] and "two.example" in data[2]
    assert '"orange"' in data[1] and '"orange"' in data[3]
    engine.dispose()
    assert verify(logged)[0] == 0


def test_the_scheduler_publishing_while_an_order_is_registered_loses_no_digest_change(
    logged: Arret,
) -> None:
    """The feed server publishing what time brought (no event of its own) while a
    registration is open for the same operator: the publisher takes the log's lock before
    it reads orange's digest, so it waits, then builds on the registration's digest —
    rather than deadlocking with it or overwriting it."""
    from arret.domain.lifecycle import OrderDraft
    from arret.domain.model import TargetSpec
    from arret.services import feed as feed_service

    def draft(name: str, effective: datetime | None = None) -> OrderDraft:
        return OrderDraft("RG 26/3", "TJ Paris", NOW.date(), (TargetSpec(name),),
                          operators=("orange",), effective_at=effective,
                          expires_at=NOW + timedelta(days=30))  # fmt: skip

    engine = open_engine(logged.url)
    soon = NOW + timedelta(hours=3)
    with engine.begin() as conn:
        registry_service.register_order(conn, draft("later.example", soon), NOW, "a")
    first = engine.connect()
    tx = first.begin()
    registry_service.register_order(first, draft("now.example"), NOW + timedelta(hours=2), "b")
    outcome: list[object] = []

    def scheduler() -> None:
        try:
            with engine.begin() as conn:
                outcome.append(feed_service.publish_due(conn, soon + timedelta(seconds=1)))
        except Exception as exc:  # reported below
            outcome.append(exc)

    thread = threading.Thread(target=scheduler)
    thread.start()
    thread.join(1.0)
    tx.commit()
    first.close()
    thread.join(30)
    assert len(outcome) == 1 and isinstance(outcome[0], list), outcome
    assert [p.operator for p in outcome[0]] == ["orange"]
    engine.dispose()
    code, out = verify(logged)
    assert code == 0, out


def test_an_auditor_verifies_a_database_with_the_public_key_alone(
    logged: Arret, tmp_path: Path
) -> None:
    from arret.tlog.signing import public_pem

    pem = tmp_path / "log.pub"
    pem.write_text(public_pem(KeyFile(Path(os.environ["ARRET_LOG_KEY"])).public_key()))
    no_key = ("--log-key", str(tmp_path / "absent.key"))
    code, out, err = logged(*no_key, "log", "verify", "--public-key", str(pem), ok=False)
    assert code == 0 and "log verified" in out, err
    # Another key's public half: every head fails its signature.
    other = tmp_path / "other.key"
    keyfile.create(other)
    pem.write_text(public_pem(KeyFile(other).public_key()))
    code, _, err = logged(*no_key, "log", "verify", "--public-key", str(pem), ok=False)
    assert code == 5 and "signature that does not verify" in err, err
    pem.write_text("not a key")
    code, _, err = logged(*no_key, "log", "verify", "--public-key", str(pem), ok=False)
    assert code == 1 and "cannot read a public key" in err, err


def test_allow_remove_is_logged_and_the_log_still_verifies(logged: Arret) -> None:
    register(logged, "--operator", "orange", "example-cdn.example")
    logged("allow", "add", "img.example-cdn.example", "--reason", "shared images")
    assert "img.example-cdn.example" in logged("policy", "--operator", "orange",
                                               "--format", "rpz")[1]  # fmt: skip
    logged.clock.advance(timedelta(minutes=5))
    logged("allow", "remove", "img.example-cdn.example", "--reason", "no longer shared")
    assert "img.example-cdn.example" not in logged("policy", "--operator", "orange",
                                                   "--format", "rpz")[1]  # fmt: skip
    code, out = verify(logged)
    assert code == 0, out
    engine = open_engine(logged.url)
    with engine.connect() as conn:
        leaf = leaf_of_event(conn, "allow.removed")
        data = json.loads(store_log.leaves(conn, leaf, leaf + 1)[0].data)
        # The removal's own leaf, then the feed serial it published for orange.
        assert data["event"]["kind"] == "allow.removed"
        assert data["event"]["name"] == "img.example-cdn.example"
        assert data["event"]["reason"] == "no longer shared"
        assert last_feed_leaf(conn, "orange") == leaf + 1
    engine.dispose()


def test_an_owner_written_by_hand_that_is_no_trigger_is_left_out_of_the_transfer(
    database_url: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Rows no check let in (raw SQL; a database from before the checks): the AXFR a
    resolver receives still parses, and holds every owner but those."""
    arret = Arret(tmp_path, database_url, NOW)
    arret("demo", "--no-tokens", "--no-moving")
    order = register(arret, "--operator", "orange", "leak9.example")
    later = NOW + timedelta(minutes=1)
    long_name = ".".join(["a" * 60] * 3 + ["b" * 44]) + ".leak9.example"
    engine = open_engine(arret.url)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO targets (order_id, name, scope, added_at) VALUES "
                 "(:o, '32.1.2.0.192.rpz-ip', 'subtree', :at)"), {"o": int(order), "at": later},
        )  # fmt: skip
        conn.execute(
            text("INSERT INTO allow_list (name, reason, added_at) VALUES (:n, 'x', :at)"),
            {"n": long_name, "at": later},
        )
    engine.dispose()
    feed = LiveFeed(arret.url, arret.clock)
    try:
        feed.tick()
        refusals = feed.server.feed.refusals.by_zone
        before = refusals["orange.rpz.arret."]
        arret.clock.advance(timedelta(minutes=1))
        with caplog.at_level(logging.ERROR, logger="arret.feed"):
            feed.tick()  # publishes the rows above, as it would any due change
            held = feed.held("orange")  # dnspython parses the whole transfer
    finally:
        feed.close()
    owners = {owner for owner, _ in held.entries}
    assert {"leak9.example", "*.leak9.example"} <= owners
    assert not any("rpz-ip" in o or o.endswith(long_name) for o in owners), owners
    refused = [r.getMessage() for r in caplog.records if "left out" in r.getMessage()]
    assert any("32.1.2.0.192.rpz-ip" in m and "rpz-" in m for m in refused), refused
    assert any(long_name in m and "255 octets" in m for m in refused), refused
    assert refusals["orange.rpz.arret."] - before == 4  # name and *.name each
