"""The log's signing keys over its life: a hand-over leaf passes signing from one key to
the next, so the key can be replaced without a gap and without a second log. Pure.

A hand-over is one leaf, appended alone at index `size` (the tree had `size` leaves):

    {"handover": {"new_key": B64, "old_key": B64, "proof": B64, "size": N}, "type": "key"}

- the old key signs the tree head that includes it (size N + 1): the old key vouches for
  the new one, as it vouched for every leaf before;
- `proof` is the new key's signature over `handover_bytes(N, old, new)`: whoever holds
  the new key accepted the history up to there (a key nobody holds cannot be handed over
  to, and a hand-over cannot be replayed into another log position);
- every head from size N + 2 on is signed by the new key, and only by it.

A verifier follows the chain from the first key (`KeyChain`): each head is checked with
the key in force at its size. The log's first key is the one that signed head 1; an
auditor who pinned any key of the chain accepts the chain (each link is signed by both
keys).

The key of the leaf is "handover", which sorts before every key of the other leaves
("part", "seq", "type", …), so a hand-over leaf's data starts with `PREFIX` and nothing
else's does: the writer tells one from the last leaf's first octets.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from arret.tlog.leaves import canonical
from arret.tlog.signing import key_id

#: Names what the proof signs, so that it means nothing else.
DOMAIN = "arret log key handover v1"
#: How every hand-over leaf's data begins.
PREFIX = '{"handover":'


@dataclass(frozen=True)
class Handover:
    #: The tree's size before the hand-over leaf (which is leaf `size`).
    size: int
    old: bytes
    new: bytes
    proof: bytes

    @property
    def first_size(self) -> int:
        """The first head size the new key signs."""
        return self.size + 2

    def record(self) -> dict[str, Any]:
        return {
            "type": "key",
            "handover": {
                "size": self.size,
                "old_key": _b64(self.old),
                "new_key": _b64(self.new),
                "proof": _b64(self.proof),
            },
        }

    def proof_verifies(self) -> bool:
        return verify_raw(self.new, self.proof, handover_bytes(self.size, self.old, self.new))


def handover_bytes(size: int, old: bytes, new: bytes) -> bytes:
    """What the new key signs to accept the log: this log position, both keys."""
    return canonical({"log": DOMAIN, "size": size, "old_key": _b64(old), "new_key": _b64(new)})


def parse(record: dict[str, Any]) -> Handover | None:
    """The hand-over a leaf records; None when it is another kind of leaf. ValueError
    when it claims to be one and is malformed."""
    if record.get("type") != "key":
        return None
    body = record.get("handover")
    if not isinstance(body, dict) or set(record) != {"type", "handover"}:
        raise ValueError("a key leaf must be exactly {type, handover}")
    if set(body) != {"size", "old_key", "new_key", "proof"}:
        raise ValueError("a hand-over must name size, old_key, new_key and proof")
    size = body["size"]
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ValueError("a hand-over's size must be a whole number")
    try:
        old, new, proof = (base64.b64decode(body[k], validate=True)
                           for k in ("old_key", "new_key", "proof"))  # fmt: skip
    except (TypeError, ValueError):
        raise ValueError("a hand-over's keys and proof must be base64") from None
    if len(old) != 32 or len(new) != 32 or len(proof) != 64:
        raise ValueError("a hand-over names two 32-octet Ed25519 keys and a 64-octet proof")
    return Handover(size, old, new, proof)


@dataclass(frozen=True)
class KeyChain:
    """The keys of a log: (first head size it signs, raw public key), by size."""

    spans: tuple[tuple[int, bytes], ...]

    @classmethod
    def of(cls, first: bytes, handovers: Iterable[Handover] = ()) -> KeyChain:
        spans = [(1, first)]
        for h in sorted(handovers, key=lambda h: h.size):
            spans.append((h.first_size, h.new))
        return cls(tuple(spans))

    def key_for(self, size: int) -> bytes:
        """The key that must have signed the head of `size` leaves."""
        found = self.spans[0][1]
        for first, key in self.spans:
            if first > size:
                break
            found = key
        return found

    @property
    def current(self) -> bytes:
        return self.spans[-1][1]

    def ids(self) -> list[str]:
        return [key_id(k) for _, k in self.spans]

    def as_json(self) -> list[dict[str, Any]]:
        return [{"from_size": first, "public_key": _b64(key), "key_id": key_id(key)}
                for first, key in self.spans]  # fmt: skip


def chain_from_json(items: Any) -> KeyChain:
    """A chain as `KeyChain.as_json` wrote it (a server's `/api/log/key` history)."""
    if not isinstance(items, list) or not items:
        raise ValueError("a key history is a non-empty list")
    spans = []
    for item in items:
        key = base64.b64decode(item["public_key"], validate=True)
        if len(key) != 32:
            raise ValueError("a key in the history is not a 32-octet Ed25519 key")
        spans.append((int(item["from_size"]), key))
    if spans[0][0] != 1 or any(b[0] <= a[0] for a, b in pairwise(spans)):
        raise ValueError("a key history starts at size 1 and moves forward")
    return KeyChain(tuple(spans))


def verify_raw(public_key: bytes, signature: bytes, data: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
