"""The two incremental root computations — the log's frontier (`arret.tlog.frontier`, used to
sign heads at each append) and the verifier's prefix roots (`arret.tlog.verify`) — give
the recursive RFC 9162 root at every size, on the reference leaves and on random ones;
and the verifier reads a log from any `Source`, naming the leaf that was changed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arret import keyfile
from arret.keyfile import KeyFile
from arret.tlog import frontier
from arret.tlog.merkle import consistency_proof, leaf_hash, root
from arret.tlog.signing import TreeHead
from arret.tlog.verify import _PrefixRoots, verify

REFERENCE = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243")]
T = datetime(2026, 11, 29, 12, tzinfo=UTC)


def frontier_roots(hashes: list[bytes]) -> list[bytes]:
    edge: list[bytes] = []
    out = []
    for size, h in enumerate(hashes):
        edge = frontier.push(edge, size, h)
        out.append(frontier.root(edge))
    return out


def prefix_roots(hashes: list[bytes]) -> list[bytes]:
    prefix = _PrefixRoots()
    out = []
    for h in hashes:
        prefix.push(h)
        out.append(prefix.root())
    return out


def test_both_give_the_reference_roots() -> None:
    hashes = [leaf_hash(x) for x in REFERENCE]
    expected = [root(hashes[:k]) for k in range(1, len(hashes) + 1)]
    assert frontier_roots(hashes) == expected == prefix_roots(hashes)
    # The CT reference root of the first six leaves.
    assert expected[-1].hex() == "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=8), min_size=1, max_size=70))
def test_both_agree_with_the_recursive_root_at_every_size(leaves: list[bytes]) -> None:
    hashes = [leaf_hash(x) for x in leaves]
    expected = [root(hashes[:k]) for k in range(1, len(hashes) + 1)]
    assert frontier_roots(hashes) == expected
    assert prefix_roots(hashes) == expected


class MemoryLog:
    """A log held in memory, signed like Arrêt's, that a test can tamper with."""

    def __init__(self, key: KeyFile, records: list[str]) -> None:
        self.key = key
        self.data = list(records)
        self.hashes = [leaf_hash(d.encode()) for d in records]
        self.signed = [key.sign(k, T, root(self.hashes[:k])) for k in range(1, len(records) + 1)]

    def public_key(self) -> bytes:
        return self.key.public_key()

    def head(self, size: int | None = None) -> TreeHead | None:
        if not self.signed:
            return None
        return self.signed[-1] if size is None else self.signed[size - 1]

    def leaves(self, start: int, end: int) -> list[tuple[int, str, bytes]]:
        return [(i, self.data[i], self.hashes[i]) for i in range(start, min(end, len(self.data)))]

    def consistency(self, first: int, second: int) -> list[bytes]:
        return consistency_proof(first, self.hashes[:second])

    def heads(self, start: int, end: int) -> list[TreeHead]:
        return self.signed[start - 1 : end - 1]


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=2, max_value=40), st.data())
def test_the_verifier_names_the_changed_leaf(
    tmp_path_factory: pytest.TempPathFactory, size: int, data: st.DataObject
) -> None:
    path = tmp_path_factory.mktemp("key") / "log.key"
    keyfile.create(path)
    log = MemoryLog(KeyFile(path), [f'{{"n":{i}}}' for i in range(size)])
    assert verify(log).ok
    saved = log.head(data.draw(st.integers(min_value=1, max_value=size)))
    assert verify(log, saved).ok
    bad = data.draw(st.integers(min_value=0, max_value=size - 1))
    # The forger rewrites the leaf and its hash, but cannot sign.
    log.data[bad] = f'{{"n":{bad},"x":1}}'
    log.hashes[bad] = leaf_hash(log.data[bad].encode())
    report = verify(log)
    assert not report.ok and report.first_bad_leaf() == bad, report.problems
