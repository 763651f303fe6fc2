"""Appending to the transparency log: the one place that holds the log's signing key.

A `LogWriter` is attached to an engine (`attach`); the store's append functions
(`arret.store.log.append_many` and the two built on it), called where a change is
written, hand it their records. In the caller's transaction it takes the log's lock,
reads the size and frontier, checks that its key signed the last head, computes each
leaf's canonical octets and hash, the new frontier and the tiles (`arret.tlog`), signs
a head after each leaf, and gives the rows to `arret.store.log.write`.

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
from arret.tlog import tiles
from arret.tlog.leaves import canonical
from arret.tlog.merkle import leaf_hash
from arret.tlog.signing import TreeHead, verify_head


def attach(engine: Engine, key: KeyFile) -> Engine:
    """The same engine (same pool), whose transactions append to the log and sign its
    heads with `key`."""
    return engine.execution_options(**{store_log.OPTION: LogWriter(key)})


class LogWriter:
    """Appends leaves and signs the tree heads with `key` (`arret.store.log.Writer`)."""

    def __init__(self, key: KeyFile) -> None:
        self.key = key

    def __repr__(self) -> str:
        return f"LogWriter({self.key!r})"

    def public_key(self) -> bytes:
        return self.key.public_key()

    def append(
        self, conn: Connection, records: Sequence[Record], at: datetime, every: int
    ) -> TreeHead:
        store_log.lock(conn)
        found = store_log.state(conn)
        size, frontier = found if found is not None else (0, [])
        if found is not None:
            last = store_log.head(conn, size)
            if last is not None and not verify_head(self.key.public_key(), last):
                raise LogKeyError(
                    f"the log signing key {self.key.path} did not sign this log's tree heads "
                    f"(or the head of size {size} was altered); nothing was changed"
                )
        builder = tiles.Builder(size, store_log.partial_tiles(conn, size))
        leaves = []
        for item in records:
            data = canonical(item.record) if item.data is None else item.data
            digest = leaf_hash(data)
            builder.push(digest)
            leaves.append((data, digest))
        frontier, roots = edge.extend(frontier, size, (d for _, d in leaves), every)
        heads = [self.key.sign(n, at, root) for n, root in roots]
        store_log.write(conn, size, records, leaves, heads, frontier, builder.dirty)
        return heads[-1]
