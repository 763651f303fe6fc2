"""The log's signed tree heads, and its key's public forms. Pure: the private key's
file is `arret.keyfile`'s.

A tree head is signed over canonical bytes (`signed_bytes`): the domain tag, the size,
the root hash and the timestamp, so a signature over one cannot be replayed as another.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from arret.domain.instants import format_instant
from arret.tlog.leaves import canonical

#: Names what the bytes signed are, so a signature of a tree head means nothing else.
DOMAIN = "arret tree head v1"


@dataclass(frozen=True)
class TreeHead:
    size: int
    timestamp: datetime
    root_hash: bytes
    signature: bytes

    def as_json(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "timestamp": format_instant(self.timestamp),
            "root_hash": self.root_hash.hex(),
            "signature": base64.b64encode(self.signature).decode("ascii"),
        }


def signed_bytes(size: int, timestamp: datetime, root_hash: bytes) -> bytes:
    return canonical({"log": DOMAIN, "size": size, "timestamp": format_instant(timestamp),
                      "root_hash": root_hash.hex()})  # fmt: skip


def key_id(public_key: bytes) -> str:
    """The SHA-256 of the raw 32-octet public key, in hex: how a verifier pins a key."""
    return hashlib.sha256(public_key).hexdigest()


def verify_head(public_key: bytes, head: TreeHead) -> bool:
    """Does `head` carry a valid signature by `public_key` (raw, 32 octets)?"""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            head.signature, signed_bytes(head.size, head.timestamp, head.root_hash)
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def public_pem(public_key: bytes) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = Ed25519PublicKey.from_public_bytes(public_key)
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")
