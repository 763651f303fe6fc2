"""Documents kept in a directory and served by a real `arret serve` (SQLite): the
directory is given once in the environment (`ARRET_DOCUMENTS`) to the CLI and the server;
`arret log verify --server URL --fetch-documents` downloads every public order's document
the log records and checks its digest, from outside, without a token."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.processes import Process, start_on_free_ports

ARRET = str(Path(sys.executable).parent / "arret")
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n%%EOF\n"
TEXT = b"The site listed the patients' names and results.\n"


class Served:
    def __init__(self, folder: Path) -> None:
        self.documents = folder / "documents"
        self.env = {**os.environ, "ARRET_DB": f"sqlite:///{folder / 'arret.db'}",
                    "ARRET_DOCUMENTS": str(self.documents)}  # fmt: skip
        self.run("demo", "--no-tokens", "--no-moving")
        self.run("order", "add", "--reference", "RG 26/2", "--authority", "TJ Paris",
                 "--decided", "2026-11-27", "--duration", "90d", "--operator", "orange",
                 "--confidential", "secret.example")  # fmt: skip
        (folder / "decision.pdf").write_bytes(PDF)
        (folder / "capture.txt").write_bytes(TEXT)
        self.run("order", "attach", "1", str(folder / "decision.pdf"), "--kind", "decision")
        self.run("order", "attach", "1", str(folder / "capture.txt"), "--kind", "evidence",
                 "--target", "dossiers-labos.example")  # fmt: skip
        self.run("order", "attach", "2", str(folder / "decision.pdf"), "--kind", "decision")

        def launch(ports: tuple[int, ...]) -> Process:
            dns, http = (f"127.0.0.1:{port}" for port in ports)
            command = [ARRET, "serve", "--dns", dns, "--http", http]
            return Process(command, folder / "serve.log", env=self.env)

        self.process, (_dns, http) = start_on_free_ports(
            2, launch, lambda p: self.answers(f"http://127.0.0.1:{p[1]}/healthz"), 30,
            "arret serve to answer on /healthz",
        )  # fmt: skip
        self.url = f"http://127.0.0.1:{http}"

    @staticmethod
    def answers(url: str) -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([ARRET, *args], env=self.env, capture_output=True, text=True)
        if ok:
            assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    s = Served(tmp_path)
    yield s
    s.process.stop()


def test_documents_in_a_directory_are_served_and_checked_from_outside(served: Served) -> None:
    digest = hashlib.sha256(TEXT).hexdigest()
    kept = served.documents / digest[:2] / digest
    assert kept.read_bytes() == TEXT
    with urllib.request.urlopen(f"{served.url}/register/1/documents/{digest}") as response:
        assert response.read() == TEXT
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"

    # Without a token: two public documents checked; the confidential order's is not
    # public, and its leaf names no file.
    verified = served.run("log", "verify", "--server", served.url, "--fetch-documents")
    assert "2 public document(s) downloaded hash to their logged digests" in verified.stdout

    # A file swapped in the directory: the server refuses to serve it, and the check from
    # outside names the leaf that records it.
    kept.write_bytes(b"The site showed nothing at all.\n")
    refused = served.run("log", "verify", "--server", served.url, "--fetch-documents", ok=False)
    assert refused.returncode == 5, refused.stdout + refused.stderr
    assert f"document {digest}:" in refused.stderr and "HTTP 503" in refused.stderr
    assert "the first bad leaf is" in refused.stderr
    # And from the database, with the same directory.
    local = served.run("log", "verify", ok=False)
    assert local.returncode == 5 and "it was swapped" in local.stderr
