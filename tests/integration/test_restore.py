"""Serials never go back after a restore. A backup is taken while `arret serve` runs; an
order registered afterwards is published (serial S1, which resolvers then hold); the
database is restored from the backup — that order is gone from the registry — and
`arret feed republish` run, as docs/deployment.md says. Every instance started on the
restored database then serves a serial above S1 (resolvers, which ignore a serial not
above theirs, fetch again), with the restored names only; an IXFR from S1, a serial the
restored registry never saw, is answered with the whole zone; the log verifies.

On SQLite with one instance (backup by SQLite's online backup); on PostgreSQL with two
(pg_dump / pg_restore into a new database)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import dns.message
import dns.query
import dns.rdatatype
import dns.zone
import pytest
from sqlalchemy.engine import make_url
from support.authority import free_port
from support.postgres import SUPERUSER, PostgresServer
from support.processes import Process, wait_until

ARRET = str(Path(sys.executable).parent / "arret")
ZONE = "unb.rpz.arret."


class Lab:
    def __init__(self, folder: Path, url: str) -> None:
        self.folder = folder
        self.env = {**os.environ, "ARRET_DB": url, "ARRET_LOG_KEY": str(folder / "log.key")}
        self.serves: list[tuple[Process, int]] = []

    def arret(self, *args: str) -> str:
        run = subprocess.run([ARRET, *args], env=self.env, capture_output=True, text=True)
        assert run.returncode == 0, (args, run.stdout, run.stderr)
        return run.stdout

    def serve(self) -> int:
        port, http = free_port(), free_port()
        process = Process([ARRET, "serve", "--dns", f"127.0.0.1:{port}", "--http",
                           f"127.0.0.1:{http}", "--probe-every", "off"],
                          self.folder / f"serve-{len(self.serves)}.log", env=self.env)  # fmt: skip
        self.serves.append((process, port))
        wait_until(lambda: serial(port) > 0, 30, "arret serve to answer")
        return port

    def stop(self) -> None:
        for process, _ in self.serves:
            process.stop()
        self.serves.clear()


def serial(port: int) -> int:
    answer = dns.query.udp(dns.message.make_query(ZONE, "SOA"), "127.0.0.1", port=port,
                           timeout=1)  # fmt: skip
    return int(answer.answer[0][0].serial)  # type: ignore[attr-defined]


def names(port: int) -> set[str]:
    transfer = dns.query.xfr("127.0.0.1", ZONE, port=port, timeout=5, relativize=False)
    zone = dns.zone.from_xfr(transfer, relativize=False)
    return {str(n) for n in zone.nodes}


def ixfr_from(port: int, held: int) -> list[dns.message.Message]:
    return list(dns.query.xfr("127.0.0.1", ZONE, rdtype=dns.rdatatype.IXFR, serial=held,
                              port=port, timeout=5, relativize=False))  # fmt: skip


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_after_a_restore_and_republish_every_instance_serves_a_higher_serial(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'arret.db'}"
    else:
        pg: PostgresServer = request.getfixturevalue("pg_cluster")
        url = pg.create_database()
    lab = Lab(tmp_path, url)
    lab.arret("init")
    lab.arret("operator", "add", "unb", "--allow-from", "127.0.0.0/8")
    order = ["order", "add", "--authority", "TJ Paris", "--decided", "2026-11-01",
             "--duration", "30d", "--operator", "unb"]  # fmt: skip
    lab.arret(*order, "--reference", "R1", "kept.example")
    port = lab.serve()
    backup = _backup(url, tmp_path)
    lab.arret(*order, "--reference", "R2", "after-backup.example")
    wait_until(lambda: "after-backup.example.unb.rpz.arret." in names(port), 15,
               "the order after the backup in the feed")  # fmt: skip
    held = serial(port)  # what resolvers now hold
    lab.stop()

    restored = _restore(url, backup, tmp_path, request)
    lab.env["ARRET_DB"] = restored
    said = lab.arret("feed", "republish")
    assert said.startswith("unb: serial ") and "(whole zone)" in said
    republished = int(said.split()[2])
    assert republished > held
    ports = [lab.serve() for _ in range(1 if backend == "sqlite" else 2)]
    try:
        for p in ports:
            assert serial(p) == republished
            zone = names(p)
            assert "kept.example.unb.rpz.arret." in zone
            assert "after-backup.example.unb.rpz.arret." not in zone
            # IXFR from the serial resolvers hold: the whole zone (RFC 1995 §4), whose
            # SOA is the new serial, not a journal the restored registry cannot have.
            messages = ixfr_from(p, held)
            records = [rrset for m in messages for rrset in m.answer]
            assert records[0].rdtype == dns.rdatatype.SOA
            assert int(records[0][0].serial) == republished  # type: ignore[attr-defined]
            owners = {str(r.name) for r in records}
            assert "kept.example.unb.rpz.arret." in owners
            assert "after-backup.example.unb.rpz.arret." not in owners
        lab.arret("log", "verify")
    finally:
        lab.stop()


def _backup(url: str, folder: Path) -> Path:
    """A consistent copy while the server runs, each backend's own way."""
    target = folder / "backup"
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        assert parsed.database is not None
        source = sqlite3.connect(parsed.database)
        copy = sqlite3.connect(target)
        with copy:
            source.backup(copy)
        source.close()
        copy.close()
        return target
    dump = _pg_program("pg_dump")
    subprocess.run([dump, "-Fc", "-h", "127.0.0.1", "-p", str(parsed.port), "-U", SUPERUSER,
                    "-f", str(target), str(parsed.database)], check=True)  # fmt: skip
    return target


def _restore(url: str, backup: Path, folder: Path, request: pytest.FixtureRequest) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        assert parsed.database is not None
        for suffix in ("-wal", "-shm"):
            Path(parsed.database + suffix).unlink(missing_ok=True)
        Path(parsed.database).write_bytes(backup.read_bytes())
        return url
    pg: PostgresServer = request.getfixturevalue("pg_cluster")
    fresh = pg.create_database()
    subprocess.run([_pg_program("pg_restore"), "-h", "127.0.0.1", "-p", str(parsed.port), "-U",
                    SUPERUSER, "-d", str(make_url(fresh).database), str(backup)],
                   check=True)  # fmt: skip
    return fresh


def _pg_program(name: str) -> str:
    from support.postgres import ensure_installed

    return str(ensure_installed() / name)


def test_republish_goes_above_a_serial_given_and_refuses_a_bad_one(tmp_path: Path) -> None:
    """`--above`: a registry that published faster than the clock before its restore
    (serials ahead of the clock) — the operator reads the serial at a resolver and gives
    it. A negative, too large or non-numeric value changes nothing."""
    lab = Lab(tmp_path, f"sqlite:///{tmp_path / 'arret.db'}")
    lab.arret("init")
    lab.arret("operator", "add", "unb", "--allow-from", "127.0.0.0/8")
    held = int(time.time()) + 1_000_000  # eleven days ahead of the clock
    said = lab.arret("feed", "republish", "--above", str(held))
    assert said == f"unb: serial {held + 1} (whole zone)\n"
    for bad in ("-1", "4294967296", "soon"):
        run = subprocess.run([ARRET, "feed", "republish", "--above", bad], env=lab.env,
                             capture_output=True, text=True)  # fmt: skip
        assert run.returncode != 0 and "--above" in run.stderr, (bad, run.stderr)
    again = lab.arret("feed", "republish")  # nothing changed by the refusals
    assert again == f"unb: serial {held + 2} (whole zone)\n"
