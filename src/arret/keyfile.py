"""The transparency log's private signing key, in a file outside the database.

`arret init` creates it (mode 0600, PKCS#8 PEM so that `openssl pkey -in KEY -pubout`
reads it), so that a copy of the database — a backup, a replica, a leak — cannot sign a
rewritten history. A missing key, or one that anybody but its owner can read, is refused:
a key others can read signs nothing they could not have signed. The heads it signs, and
their checking, are `arret.tlog.signing`'s (pure).
"""

from __future__ import annotations

import base64
import os
import stat
from datetime import datetime
from pathlib import Path
from typing import Any

from arret.errors import LogKeyError
from arret.tlog.signing import TreeHead, signed_bytes

#: The key's file name in the current folder unless told otherwise.
DEFAULT_KEY = "arret-log.key"


class KeyFile:
    """The signing key at `path`, read on first use (commands that write nothing never
    touch it), checked for its permissions every time it is read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._key: Any = None

    def __repr__(self) -> str:
        return f"KeyFile({str(self.path)!r})"

    def _private(self) -> Any:
        if self._key is None:
            self._key = load(self.path)
        return self._key

    def public_key(self) -> bytes:
        raw: bytes = self._private().public_key().public_bytes_raw()
        return raw

    def sign(self, size: int, timestamp: datetime, root_hash: bytes) -> TreeHead:
        signature = self._private().sign(signed_bytes(size, timestamp, root_hash))
        return TreeHead(size, timestamp, root_hash, signature)

    def sign_bytes(self, data: bytes) -> bytes:
        """A signature over `data`, which must carry its own domain tag (a key hand-over:
        `arret.tlog.keys.handover_bytes`)."""
        signature: bytes = self._private().sign(data)
        return signature


#: An unencrypted Ed25519 key in PKCS#8 as `create` writes it, before its 32-octet seed
#: (RFC 8410 §7: version 0, algorithm id-Ed25519, the seed as an OCTET STRING).
_PKCS8_ED25519 = bytes.fromhex("302e020100300506032b657004220420")


def _seed(pem: bytes) -> bytes | None:
    """The seed of a PEM key of exactly `create`'s form, else None: such a key is read
    without `cryptography`'s serialization module, which costs every command that writes
    0.04 s to import; any other form is left to it."""
    lines = pem.strip().split(b"\n")
    if len(lines) != 3 or lines[0] != b"-----BEGIN PRIVATE KEY-----":
        return None
    if lines[2] != b"-----END PRIVATE KEY-----":
        return None
    try:
        der = base64.b64decode(lines[1], validate=True)
    except ValueError:
        return None
    if len(der) != 48 or not der.startswith(_PKCS8_ED25519):
        return None
    return der[len(_PKCS8_ED25519) :]


def load(path: Path) -> Any:
    """The Ed25519 private key in `path`; a clear error when it is missing, readable by
    others, or not an Ed25519 key."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise LogKeyError(
            f"no log signing key at {path}: create it with `arret init` "
            "(or name another with --log-key / ARRET_LOG_KEY)"
        ) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise LogKeyError(
            f"the log signing key {path} is readable or writable by others "
            f"(mode {stat.S_IMODE(mode):04o}); make it private with: chmod 600 {path}"
        )
    pem = path.read_bytes()
    seed = _seed(pem)
    if seed is not None:
        return Ed25519PrivateKey.from_private_bytes(seed)
    from cryptography.hazmat.primitives import serialization

    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise LogKeyError(f"{path} is not a PEM private key without password: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise LogKeyError(f"{path} holds a {type(key).__name__}, not an Ed25519 key")
    return key


def create(path: Path) -> bool:
    """Create a new key at `path` (mode 0600) unless one is there; True when created."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        load(path)  # an existing key must still be a usable one
        return False
    except OSError as exc:
        raise LogKeyError(f"cannot create the log signing key {path}: {exc.strerror}") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return True
