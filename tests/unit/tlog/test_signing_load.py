"""The log's key as `arret init` writes it is read without `cryptography`'s serialization
module (a command that writes pays 0.04 s less at its start); the key read must be the one
that module reads, and any other form still goes through it, refusals included."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from arret import keyfile
from arret.errors import LogKeyError


def raw(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())  # fmt: skip


def written(path: Path, pem: bytes) -> Path:
    path.write_bytes(pem)
    path.chmod(0o600)
    return path


def test_keys_made_by_create_are_read_as_the_serialization_module_reads_them(
    tmp_path: Path,
) -> None:
    for i in range(20):
        path = tmp_path / f"k{i}"
        assert keyfile.create(path)
        assert keyfile._seed(path.read_bytes()) is not None  # the short way is taken
        expected = serialization.load_pem_private_key(path.read_bytes(), password=None)
        assert isinstance(expected, Ed25519PrivateKey)
        assert raw(keyfile.load(path)) == raw(expected)
        assert keyfile.KeyFile(path).public_key() == expected.public_key().public_bytes_raw()


def test_other_forms_go_through_the_serialization_module(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())  # fmt: skip
    crlf = written(tmp_path / "crlf", pem.replace(b"\n", b"\r\n"))
    assert raw(keyfile.load(crlf)) == raw(key)
    openssh = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                serialization.NoEncryption())  # fmt: skip
    with pytest.raises(LogKeyError, match="not a PEM private key"):
        keyfile.load(written(tmp_path / "ssh", openssh))
    # An X25519 key has the same length and layout, another algorithm.
    x = X25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())  # fmt: skip
    assert keyfile._seed(x) is None
    with pytest.raises(LogKeyError, match="not an Ed25519 key"):
        keyfile.load(written(tmp_path / "x", x))


def test_signing_with_the_key_of_create_does_not_import_the_serialization_module(
    tmp_path: Path,
) -> None:
    assert keyfile.create(tmp_path / "key")
    probe = ("import sys; from pathlib import Path; from arret.keyfile import KeyFile; "
             f"k = KeyFile(Path({str(tmp_path / 'key')!r})); k.public_key(); "
             "print('cryptography.hazmat.primitives.serialization' in sys.modules)")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)  # fmt: skip
    assert done.stdout.strip() == "False"
