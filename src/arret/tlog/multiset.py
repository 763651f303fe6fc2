"""The digest of an operator's policy, updatable by a change.

The feed leaf of a serial commits to the whole policy of that serial. Hashing the
sorted zone would cost a pass over every entry at every publication — seconds at a
million names, on the path between an order and its NOTIFY. So the digest is a
*multiset hash*, AdHash (Bellare and Micciancio, EUROCRYPT 1997): each entry maps to a
4096-bit number, SHAKE-256(salt ‖ "owner kind\\n") read little-endian, and the policy's
value is their sum modulo 2^4096. Adding or removing an entry adds or subtracts its
number, so a publication costs what its change costs. Order does not matter (a set is a
set) and, at this modulus, Wagner's generalised-birthday attack needs about 2^128 work.

The digest logged is SHA-256 of the sum's 512 octets (little-endian), in hex.

The salt is per operator and not public: without it nobody can test a guessed list of
names against the digest (a confidential order's names stay unguessable); the operator
gets it with its token, to check the zone it holds (`arret log check-zone`).

**Keyed digests.** Operators addressed by the same orders share one policy; salting per
operator would make every publication hash every entry once per operator (300 operators
of a million names: 300 million SHAKE-256 outputs). Since shared policies, the sum is
kept once per policy *unsalted* (`element(b"", ...)`) and each operator has a secret key
K, a random odd 4096-bit number: its digest is SHA-256 of (K x sum mod 2^4096). K is
invertible modulo 2^4096, so two policies give the same keyed value only if their sums
are equal (the multiset hash's collision resistance is unchanged); without K the logged
digest lets nobody test a guessed list, and one operator's K says nothing of another's
digests. An operator's serials from before its key keep their salted digest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

OCTETS = 512
MODULUS = 1 << (8 * OCTETS)


def element(salt: bytes, owner: str, kind: str) -> int:
    line = f"{owner} {kind}\n".encode()
    return int.from_bytes(hashlib.shake_256(salt + line).digest(OCTETS), "little")


def add(state: int, salt: bytes, entries: Iterable[tuple[str, str]]) -> int:
    # `element` inlined: a million names are two million entries to hash.
    total = state
    shake, number = hashlib.shake_256, int.from_bytes
    for owner, kind in entries:
        total += number(shake(salt + f"{owner} {kind}\n".encode()).digest(OCTETS), "little")
    return total % MODULUS


def remove(state: int, salt: bytes, entries: Iterable[tuple[str, str]]) -> int:
    total = state
    for owner, kind in entries:
        total -= element(salt, owner, kind)
    return total % MODULUS


def digest(state: int) -> str:
    return hashlib.sha256(state.to_bytes(OCTETS, "little")).hexdigest()


def policy_digest(salt: bytes, entries: Iterable[tuple[str, str]]) -> str:
    """The digest of a whole policy (what an operator computes over the zone it holds)."""
    return digest(add(0, salt, entries))


def to_text(state: int) -> str:
    return state.to_bytes(OCTETS, "little").hex()


def from_text(text: str) -> int:
    return int.from_bytes(bytes.fromhex(text), "little")


def new_key(random: bytes) -> int:
    """An operator's digest key from `OCTETS` random octets: odd, hence invertible."""
    assert len(random) == OCTETS
    return int.from_bytes(random, "little") | 1


def keyed_digest(key: int, total: int) -> str:
    """The digest logged for a policy whose unsalted sum is `total`, under `key`."""
    return digest((key * total) % MODULUS)


def keyed_policy_digest(key: int, entries: Iterable[tuple[str, str]]) -> str:
    """The keyed digest of a whole policy (what an operator computes over its zone)."""
    return keyed_digest(key, add(0, b"", entries))
