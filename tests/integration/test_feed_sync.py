"""`arret feed sync` against a feed server on loopback: the file it keeps starts with the
SOA, is replaced atomically, writes `notice` rules in a form Knot Resolver enforces
(local data, or NXDOMAIN), and takes its TSIG secret from a file or the environment —
never from the command line."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.livefeed import LiveFeed
from test_cli import Arret

from arret.feed.sync import REWRITTEN

ZONE = "orange.rpz.arret."


@pytest.fixture
def arret(tmp_path: Path) -> Arret:
    a = Arret(tmp_path, now=datetime.now(UTC))  # TSIG checks the time (RFC 8945 §5.2.3)
    a("init")
    return a


@pytest.fixture
def feed(arret: Arret) -> Iterator[tuple[LiveFeed, str]]:
    out = arret("operator", "add", "orange")[1]
    secret = re.search(r"secret:\s+(\S+)", out)
    assert secret
    order = ["order", "add", "--authority", "TJ Paris", "--decided", "2026-11-01",
             "--duration", "30d", "--operator", "orange"]  # fmt: skip
    arret(*order, "--reference", "R1", "blocked.example")
    arret(*order, "--reference", "R2", "--action", "nodata", "quiet.example")
    arret(*order, "--reference", "R3", "--action", "notice", "--exact", "explained.example")
    arret("allow", "add", "press.blocked.example", "--reason", "a newspaper")
    live = LiveFeed(arret.url, arret.clock)
    live.tick()
    try:
        yield live, secret.group(1)
    finally:
        live.close()


def sync(arret: Arret, live: LiveFeed, out: Path, *extra: str, ok: bool = True) -> str:
    code, stdout, stderr = arret("feed", "sync", "--server", f"127.0.0.1:{live.port}", "--zone",
                                 ZONE, "--out", str(out), "--key-name", "orange-1.tsig.arret.",
                                 "--once", *extra, ok=ok)  # fmt: skip
    assert (code == 0) == ok
    return stdout + stderr


def records(text: str) -> list[list[str]]:
    return [line.split() for line in text.splitlines() if line and not line.startswith(";")]


def test_secret_from_a_file_soa_first_and_notice_as_local_data(
    arret: Arret, feed: tuple[LiveFeed, str], tmp_path: Path
) -> None:
    live, secret = feed
    key_file = tmp_path / "orange.tsig"
    key_file.write_text(secret + "\n")
    out = tmp_path / "kresd" / "orange.zone"
    sync(arret, live, out, "--key-file", str(key_file), "--notice-address", "192.0.2.80",
         "--notice-address", "2001:db8::80")  # fmt: skip
    text = out.read_text()
    assert text.startswith(REWRITTEN)
    rows = records(text)
    assert [r[3] for r in rows[:2]] == ["SOA", "NS"], rows[:3]  # kresd detects the zone by it
    by_owner = {(r[0], r[3]): r[4] for r in rows}
    assert by_owner[(f"blocked.example.{ZONE}", "CNAME")] == "."
    assert by_owner[(f"*.blocked.example.{ZONE}", "CNAME")] == "."
    assert by_owner[(f"quiet.example.{ZONE}", "CNAME")] == "*."
    assert by_owner[(f"press.blocked.example.{ZONE}", "CNAME")] == "rpz-passthru."
    # The CNAME to the notice host, which kresd 5.6 ignores, is its addresses instead.
    assert (f"explained.example.{ZONE}", "CNAME") not in by_owner
    assert by_owner[(f"explained.example.{ZONE}", "A")] == "192.0.2.80"
    assert by_owner[(f"explained.example.{ZONE}", "AAAA")] == "2001:db8::80"
    # Replaced by rename: no temporary file stays behind.
    assert [p.name for p in out.parent.iterdir()] == ["orange.zone"]


def test_without_an_address_notice_is_nxdomain_and_verbatim_keeps_the_cname(
    arret: Arret, feed: tuple[LiveFeed, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live, secret = feed
    monkeypatch.setenv("ARRET_TSIG_SECRET", secret)
    out = tmp_path / "orange.zone"
    sync(arret, live, out)
    by_owner = {(r[0], r[3]): r[4] for r in records(out.read_text())}
    assert by_owner[(f"explained.example.{ZONE}", "CNAME")] == "."  # stronger, never weaker
    # A restart does not resume from a rewritten file: it transfers the zone again.
    sync(arret, live, out)
    assert by_owner == {(r[0], r[3]): r[4] for r in records(out.read_text())}
    plain = tmp_path / "verbatim.zone"
    sync(arret, live, plain, "--verbatim")
    text = plain.read_text()
    assert not text.startswith(";")
    verbatim = {(r[0], r[3]): r[4] for r in records(text)}
    assert verbatim[(f"explained.example.{ZONE}", "CNAME")] == "notice.arret.localhost."
    assert records(text)[0][3] == "SOA"


def test_a_secret_on_the_command_line_is_refused(
    arret: Arret, feed: tuple[LiveFeed, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live, secret = feed
    monkeypatch.delenv("ARRET_TSIG_SECRET", raising=False)
    out = tmp_path / "orange.zone"
    said = sync(arret, live, out, "--key-secret", secret, ok=False)
    assert "--key-secret is refused" in said and "ARRET_TSIG_SECRET" in said
    assert not out.exists()
    # A key name without any secret, an empty key file, a bad notice address: refused.
    said = sync(arret, live, out, ok=False)
    assert "give --key-name with its secret" in said
    empty = tmp_path / "empty.tsig"
    empty.write_text("\n")
    said = sync(arret, live, out, "--key-file", str(empty), ok=False)
    assert "is empty" in said
    said = sync(arret, live, out, "--key-file", str(tmp_path / "missing"), ok=False)
    assert "cannot read the TSIG secret" in said
    monkeypatch.setenv("ARRET_TSIG_SECRET", secret)
    said = sync(arret, live, out, "--notice-address", "notice.example", ok=False)
    assert "is not an IP address" in said
    assert not out.exists()
    # A wrong secret is a failed transfer, reported.
    monkeypatch.setenv("ARRET_TSIG_SECRET", "c2VjcmV0" * 4)
    said = sync(arret, live, out, ok=False)
    assert "cannot transfer" in said and not out.exists()


def test_a_dead_instance_is_passed_over_and_the_live_one_kept(
    arret: Arret, feed: tuple[LiveFeed, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several `--server`s: the first, where nothing listens any more, is passed over; the
    sync keeps to the one that answered; with none answering it fails, naming them all."""
    from support.processes import free_port

    from arret.feed.sync import ZoneFile

    live, secret = feed
    monkeypatch.setenv("ARRET_TSIG_SECRET", secret)
    dead = f"127.0.0.1:{free_port()}"
    out = tmp_path / "orange.zone"
    code, stdout, stderr = arret("feed", "sync", "--server", dead, "--server",
                                 f"127.0.0.1:{live.port}", "--zone", ZONE, "--out", str(out),
                                 "--key-name", "orange-1.tsig.arret.", "--once")  # fmt: skip
    assert code == 0, stdout + stderr
    assert (f"blocked.example.{ZONE}", "CNAME") in {(r[0], r[3]) for r in records(out.read_text())}
    host, port = dead.split(":")
    zone = ZoneFile([(host, int(port)), ("127.0.0.1", live.port)], ZONE, tmp_path / "z.zone",
                    "orange-1.tsig.arret.", secret)  # fmt: skip
    assert zone.sync(timeout=5).changed and zone.current == 1
    assert not zone.sync(timeout=5).changed and zone.current == 1  # kept to, no retry of dead
    other = f"127.0.0.1:{free_port()}"
    code, stdout, stderr = arret("feed", "sync", "--server", dead, "--server", other, "--zone",
                                 ZONE, "--out", str(tmp_path / "none.zone"), "--key-name",
                                 "orange-1.tsig.arret.", "--once", ok=False)  # fmt: skip
    assert code != 0 and f"from {dead}, {other}" in stdout + stderr
    assert not (tmp_path / "none.zone").exists()
