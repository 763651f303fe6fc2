"""Key hand-overs (`arret.tlog.keys`): the chain gives each head size its key; a log
handed over verifies with either key as the anchor, pinned or not; and a verifier
refuses a hand-over it cannot trust — a proof the new key did not sign, a hand-over from
a key not in force, one the server's history hides or adds, a head after it signed by
the old key."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from arret import keyfile
from arret.keyfile import KeyFile
from arret.tlog import keys
from arret.tlog.keys import Handover, KeyChain, chain_from_json
from arret.tlog.leaves import canonical
from arret.tlog.merkle import leaf_hash, root
from arret.tlog.signing import TreeHead, key_id
from arret.tlog.verify import verify

T = datetime(2026, 12, 6, 12, tzinfo=UTC)


def new_key(folder: Path, name: str) -> KeyFile:
    path = folder / name
    keyfile.create(path)
    return KeyFile(path)


def handover(size: int, old: KeyFile, new: KeyFile, signer: KeyFile | None = None) -> Handover:
    proof = (signer or new).sign_bytes(
        keys.handover_bytes(size, old.public_key(), new.public_key())
    )
    return Handover(size, old.public_key(), new.public_key(), proof)


class HandedOverLog:
    """A log of `before` leaves, a hand-over leaf, then `after` leaves; heads signed by
    `old` up to the hand-over's, by `late` (the new key, unless a test says otherwise)
    after it; `history` is what the source says the chain is."""

    def __init__(self, old: KeyFile, new: KeyFile, before: int, after: int,
                 link: Handover | None = None, late: KeyFile | None = None) -> None:  # fmt: skip
        self.link = link or handover(before, old, new)
        records = [canonical({"n": i}).decode() for i in range(before)]
        records.append(canonical(self.link.record()).decode())
        records += [canonical({"n": before + 1 + i}).decode() for i in range(after)]
        self.data = records
        self.hashes = [leaf_hash(d.encode()) for d in records]
        self.signed = [
            (old if k <= before + 1 else (late or new)).sign(k, T, root(self.hashes[:k]))
            for k in range(1, len(records) + 1)
        ]
        self.anchor = new.public_key()
        self.history = KeyChain.of(old.public_key(), [self.link])

    def public_key(self) -> bytes:
        return self.anchor

    def keys(self) -> KeyChain:
        return self.history

    def head(self, size: int | None = None) -> TreeHead | None:
        return self.signed[-1] if size is None else self.signed[size - 1]

    def leaves(self, start: int, end: int) -> list[tuple[int, str, bytes]]:
        return [(i, self.data[i], self.hashes[i]) for i in range(start, min(end, len(self.data)))]

    def consistency(self, first: int, second: int) -> list[bytes]:
        from arret.tlog.merkle import consistency_proof

        return consistency_proof(first, self.hashes[:second])

    def heads(self, start: int, end: int) -> list[TreeHead]:
        return self.signed[start - 1 : end - 1]


def test_the_chain_gives_each_size_its_key(tmp_path: Path) -> None:
    a, b, c = (new_key(tmp_path, n).public_key() for n in "abc")
    fake = b"\0" * 64
    chain = KeyChain.of(a, [Handover(9, b, c, fake), Handover(4, a, b, fake)])
    # Leaf 4 hands a over to b: head 5 (which includes it) is a's, head 6 b's.
    assert [chain.key_for(s) for s in (1, 5, 6, 10, 11, 10**9)] == [a, a, b, b, c, c]
    assert chain.current == c and chain.ids() == [key_id(a), key_id(b), key_id(c)]
    assert chain_from_json(chain.as_json()) == chain


@pytest.mark.parametrize("history", [
    [],                                                     # no key at all
    [{"from_size": 2, "public_key": base64.b64encode(b"k" * 32).decode()}],  # not from 1
    [{"from_size": 1, "public_key": base64.b64encode(b"k" * 31).decode()}],  # short key
    [{"from_size": 1, "public_key": "not base64!"}],
    [{"from_size": 1, "public_key": base64.b64encode(b"k" * 32).decode()},
     {"from_size": 1, "public_key": base64.b64encode(b"l" * 32).decode()}],  # not forward
])  # fmt: skip
def test_a_malformed_history_is_refused(history: list[dict[str, object]]) -> None:
    with pytest.raises((ValueError, KeyError)):
        chain_from_json(history)


def test_a_hand_over_leaf_round_trips_and_a_malformed_one_is_named(tmp_path: Path) -> None:
    link = handover(3, new_key(tmp_path, "a"), new_key(tmp_path, "b"))
    data = canonical(link.record()).decode()
    assert data.startswith(keys.PREFIX)
    assert keys.parse(json.loads(data)) == link and link.proof_verifies()
    assert keys.parse({"type": "event", "seq": 1}) is None
    body = link.record()["handover"]
    for bad in ({"type": "key"}, {"type": "key", "handover": {"size": 3}},
                {"type": "key", "handover": {**body, "size": -1}},
                {"type": "key", "handover": {**body, "proof": "%%"}}):  # fmt: skip
        with pytest.raises(ValueError):
            keys.parse(bad)


def test_a_handed_over_log_verifies_with_either_key_pinned(tmp_path: Path) -> None:
    old, new = new_key(tmp_path, "old"), new_key(tmp_path, "new")
    log = HandedOverLog(old, new, before=5, after=7)
    for pinned in (None, key_id(old.public_key()), key_id(new.public_key())):
        report = verify(log, pinned=pinned)
        assert report.ok, report.problems
        assert report.key_id == key_id(new.public_key())
    saved = log.head(3)  # saved by an auditor before the hand-over
    assert verify(log, saved).ok
    stranger = key_id(new_key(tmp_path, "stranger").public_key())
    assert not verify(log, pinned=stranger).ok


def test_a_hand_over_the_new_key_did_not_sign_is_refused(tmp_path: Path) -> None:
    old, new, other = (new_key(tmp_path, n) for n in ("old", "new", "other"))
    log = HandedOverLog(old, new, before=4, after=3, link=handover(4, old, new, signer=other))
    report = verify(log)
    assert not report.ok and report.first_bad_leaf() == 4, report.problems
    assert "did not sign it" in str(report.problems[0])


def test_a_hand_over_from_a_key_not_in_force_is_refused(tmp_path: Path) -> None:
    old, new, other = (new_key(tmp_path, n) for n in ("old", "new", "other"))
    log = HandedOverLog(old, new, before=4, after=3, link=handover(4, other, new))
    report = verify(log)
    assert not report.ok and report.first_bad_leaf() == 4, report.problems


def test_a_head_after_the_hand_over_signed_by_the_old_key_is_refused(tmp_path: Path) -> None:
    old, new = new_key(tmp_path, "old"), new_key(tmp_path, "new")
    log = HandedOverLog(old, new, before=4, after=3, late=old)
    log.anchor = old.public_key()
    report = verify(log)
    # Heads from 6 on (after the hand-over leaf, 4) must be the new key's: the newest is
    # refused first.
    assert not report.ok, report.problems
    assert "signature that does not verify" in str(report.problems[0])


def test_a_history_that_hides_or_adds_a_hand_over_is_refused(tmp_path: Path) -> None:
    old, new, extra = (new_key(tmp_path, n) for n in ("old", "new", "extra"))
    hidden = HandedOverLog(old, new, before=4, after=3)
    hidden.history = KeyChain.of(old.public_key())  # the server hides the hand-over
    hidden.anchor = old.public_key()
    assert not verify(hidden).ok
    added = HandedOverLog(old, new, before=4, after=3)
    fake = handover(1, old, extra)
    added.history = KeyChain(((1, old.public_key()), (fake.first_size, extra.public_key()),
                              (6, new.public_key())))  # fmt: skip
    assert not verify(added).ok
