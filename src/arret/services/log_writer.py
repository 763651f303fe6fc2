"""Appending to the transparency log: the one place that holds the log's signing key.

A `LogWriter` is attached to an engine (`attach`); the store's append functions
(`arret.store.log.append_many` and the two built on it), called where a change is
written, hand it their records. In the caller's transaction it takes the log's lock,
reads the size and frontier, checks that its key signed the last head, computes each
leaf's canonical octets and hash, the new frontier and the tiles (`arret.tlog`), signs
a head after each leaf, and gives the rows to `arret.store.log.write`.

The key: the writer holds the log's key, and may hold the next one (`--log-next-key`),
for a rotation without a gap (`arret.tlog.keys`): after a hand-over leaf it signs with
the new key; before, with the key that signed the last head. A process given the next key
ahead of the hand-over goes on writing across it.

The invariant "no change without its leaf" holds so: an engine without a writer has no
key, and its transactions fail at their first append (`arret.store.log.writer_of`
raises `LogKeyError`) — before they commit, so nothing of the change is written. A
writer whose key did not sign the log's last head refuses too, before writing anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, Engine

from arret.errors import LogKeyError
from arret.keyfile import KeyFile
from arret.store import log as store_log
from arret.store.log import Record
from arret.tlog import frontier as edge
from arret.tlog import keys, tiles
from arret.tlog.leaves import canonical
from arret.tlog.merkle import leaf_hash
from arret.tlog.signing import TreeHead, key_id, verify_head


def attach(engine: Engine, key: KeyFile, next_key: KeyFile | None = None) -> Engine:
    """The same engine (same pool), whose transactions append to the log and sign its
    heads with `key` — or with `next_key` once the log has been handed over to it."""
    return engine.execution_options(**{store_log.OPTION: LogWriter(key, next_key)})


class LogWriter:
    """Appends leaves and signs the tree heads with `key` (`arret.store.log.Writer`), or
    with `next_key` after a hand-over to it."""

    def __init__(self, key: KeyFile, next_key: KeyFile | None = None) -> None:
        self.key = key
        self.next_key = next_key

    def __repr__(self) -> str:
        return f"LogWriter({self.key!r}, next_key={self.next_key!r})"

    def public_key(self) -> bytes:
        if self.next_key is not None:
            self.next_key.public_key()  # readable now, not at the first write after a hand-over
        return self.key.public_key()

    def held(self) -> list[KeyFile]:
        return [self.key] + ([] if self.next_key is None else [self.next_key])

    def signer(self, conn: Connection, size: int) -> KeyFile:
        """The key the next head must be signed with, among those held (the caller holds
        the log's lock); LogKeyError, before anything is written, when none is."""
        if size == 0:
            return self.key
        handover = store_log.handover_at(conn, size - 1)
        if handover is not None:
            for key in self.held():
                if key.public_key() == handover.new:
                    return key
            raise LogKeyError(
                f"the log's signing key was handed over to key {key_id(handover.new)} at leaf "
                f"{size - 1}, and this process holds {self._named()}: give it that key "
                "(--log-key, or --log-next-key); nothing was changed"
            )
        last = store_log.head(conn, size)
        if last is None:
            return self.key
        for key in self.held():
            if verify_head(key.public_key(), last):
                return key
        raise LogKeyError(
            f"the log signing key {self._named()} did not sign this log's tree heads (or the "
            f"head of size {size} was altered); nothing was changed"
        )

    def _named(self) -> str:
        return " and ".join(f"{k.path} ({key_id(k.public_key())[:16]}…)" for k in self.held())

    def hand_over(self, conn: Connection, new: KeyFile, at: datetime) -> keys.Handover:
        """Append the hand-over of signing to `new` (its own leaf and head, signed by the
        key in force), in `conn`'s transaction: every later head must be signed by `new`."""
        store_log.lock(conn)
        found = store_log.state(conn)
        size = 0 if found is None else found[0]
        old = self.signer(conn, size).public_key()
        if new.public_key() == old:
            raise LogKeyError(f"{new.path} is the key already in force; nothing was changed")
        proof = new.sign_bytes(keys.handover_bytes(size, old, new.public_key()))
        handover = keys.Handover(size, old, new.public_key(), proof)
        self.append(conn, [Record(handover.record(), serial=handover.first_size)], at, 1)
        return handover

    def append(
        self, conn: Connection, records: Sequence[Record], at: datetime, every: int
    ) -> TreeHead:
        store_log.lock(conn)
        found = store_log.state(conn)
        size, frontier = found if found is not None else (0, [])
        signer = self.signer(conn, size)
        builder = tiles.Builder(size, store_log.partial_tiles(conn, size))
        leaves = []
        for item in records:
            data = canonical(item.record) if item.data is None else item.data
            digest = leaf_hash(data)
            builder.push(digest)
            leaves.append((data, digest))
        frontier, roots = edge.extend(frontier, size, (d for _, d in leaves), every)
        heads = [signer.sign(n, at, root) for n, root in roots]
        store_log.write(conn, size, records, leaves, heads, frontier, builder.dirty)
        return heads[-1]
