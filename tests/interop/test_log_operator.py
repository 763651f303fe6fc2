"""The log seen from outside a running `arret serve`: `arret log verify --server` (with an
operator's feed fetched by AXFR), and the operator's check-before-load script in front
of a real Unbound that reads its RPZ from the file the script verified — the resolver
keeps the last verified policy when a serial is published behind the log's back."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.authority import Authority, free_port
from support.debian import require_program
from support.processes import Process, rcode, start_on_free_ports, wait_until
from support.signed import open_engine
from support.unbound import unbound_conf

from arret.keyfile import KeyFile
from arret.services import keys

ARRET = str(Path(sys.executable).parent / "arret")
SCRIPT = Path(__file__).parents[2] / "contrib" / "check-before-load.sh"


class Served:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.db = folder / "arret.db"
        self.env = {**os.environ, "ARRET_DB": f"sqlite:///{self.db}"}
        self.arret("demo", "--no-tokens", "--no-moving")
        self.arret("order", "add", "--reference", "RG 26/1", "--authority", "TJ Paris",
                   "--decided", "2026-11-27", "--duration", "90d", "--operator", "orange",
                   "leak.example")  # fmt: skip
        self.token = self.arret("token", "create", "--role", "operator:orange").split()[-1]
        self.process, (self.dns, self.http) = start_on_free_ports(
            2, lambda p: Process([ARRET, "serve", "--dns", f"127.0.0.1:{p[0]}", "--http",
                                  f"127.0.0.1:{p[1]}"], folder / "serve.log", env=self.env),
            lambda p: rcode(p[0], "orange.rpz.arret.", "SOA") == "NOERROR", 20,
            "arret serve to answer",
        )  # fmt: skip
        self.url = f"http://127.0.0.1:{self.http}"
        engine = open_engine(f"sqlite:///{self.db}")
        with engine.connect() as conn:
            key = keys.current_key(conn, "orange", datetime.now(UTC))
        engine.dispose()
        assert key is not None
        self.key_name, self.key_secret = key.name, key.secret

    def arret(self, *args: str, ok: bool = True) -> str:
        run = subprocess.run([ARRET, *args], env=self.env, capture_output=True, text=True)
        if ok:
            assert run.returncode == 0, (args, run.stdout, run.stderr)
        return run.stdout + run.stderr

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([ARRET, *args], env=self.env, capture_output=True, text=True)

    def serial(self) -> int:
        from support.processes import query

        answer = query(self.dns, "orange.rpz.arret.", "SOA")
        return int(answer.answer[0][0].serial)  # type: ignore[attr-defined]

    def publish_behind_the_logs_back(self, name: str) -> int:
        """What someone with write access to the database, but not the log key, can do:
        a new serial for orange holding one more name — and no leaf."""
        serial = self.serial() + 1
        with sqlite3.connect(self.db) as db:
            (op_id, policy, rev) = db.execute(
                "SELECT o.id, p.id, p.rev FROM operators o JOIN feed_members m ON "
                "m.operator_id = o.id JOIN feed_policies p ON p.id = m.policy_id "
                "WHERE o.name = 'orange'").fetchone()  # fmt: skip
            db.execute("INSERT INTO feed_policy_entries (policy_id, owner, kind) VALUES (?, ?, "
                       "'nxdomain')", (policy, name))  # fmt: skip
            db.execute("INSERT INTO feed_policy_changes (policy_id, rev, added, owner, kind) "
                       "VALUES (?, ?, 1, ?, 'nxdomain')", (policy, rev + 1, name))  # fmt: skip
            db.execute("UPDATE feed_policies SET rev = ? WHERE id = ?", (rev + 1, policy))
            db.execute("INSERT INTO feed_versions (operator_id, serial, published_at, entries, "
                       "added, removed, rewrite, policy_id, rev) SELECT ?, ?, ?, entries + 1, "
                       "1, 0, 0, ?, ? FROM feed_versions WHERE operator_id = ? ORDER BY "
                       "published_at DESC LIMIT 1",
                       (op_id, serial, datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),
                        policy, rev + 1, op_id))  # fmt: skip
        wait_until(lambda: self.serial() == serial, 20, "the forged serial to be served")
        return serial


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    s = Served(tmp_path)
    yield s
    s.process.stop()


def test_verify_from_the_server_with_the_operators_feed(served: Served, tmp_path: Path) -> None:
    head = tmp_path / "head.json"
    feed = ["--operator", "orange", "--token", served.token, "--feed", f"127.0.0.1:{served.dns}",
            "--key-name", served.key_name, "--key-secret", served.key_secret]  # fmt: skip
    run = served.run("log", "verify", "--server", served.url, "--save", str(head), *feed)
    assert run.returncode == 0, run.stderr
    # From the database, with the operator's key taken from it.
    local = served.run("log", "verify", "--operator", "orange", "--feed", f"127.0.0.1:{served.dns}")
    assert local.returncode == 0 and "orange's feed matches the digest" in local.stdout, local
    assert "log verified" in run.stdout and "orange's feed matches the digest logged" in run.stdout
    # The log grows (an amendment, through the CLI: its serial reaches the server too).
    before = served.serial()
    served.arret("order", "amend", "2", "--add", "leak-mirror.example")
    wait_until(lambda: served.serial() > before, 20, "the amendment to be served")
    run = served.run("log", "verify", "--server", served.url, "--head", str(head), *feed)
    assert run.returncode == 0, run.stderr
    assert "extends your saved head" in run.stdout
    # A pinned key that is not the log's: refused.
    run = served.run("log", "verify", "--server", served.url, "--key-id", "ab" * 32)
    assert run.returncode == 5 and "not by the pinned" in run.stderr
    # A serial published behind the log's back: the operator's feed no longer matches.
    forged = served.publish_behind_the_logs_back("innocent.example")
    run = served.run("log", "verify", "--server", served.url, "--head", str(head), *feed)
    assert run.returncode == 5, run.stdout
    assert f"serial {forged}, which the log does not hold" in run.stderr
    # Raw SQL on a leaf: the server's own log names it.
    with sqlite3.connect(served.db) as db:
        for verb in ("update", "delete"):  # what an administrator can do, first
            db.execute(f"DROP TRIGGER log_leaves_append_only_{verb}")
        db.execute("UPDATE log_leaves SET data = replace(data, 'RG 26/1', 'RG 26/2') "
                   "WHERE data LIKE '%RG 26/1%'")  # fmt: skip
        (bad,) = db.execute("SELECT idx FROM log_leaves WHERE data LIKE '%RG 26/2%'").fetchone()
    run = served.run("log", "verify", "--server", served.url)
    assert run.returncode == 5 and f"the first bad leaf is {bad}" in run.stderr, run.stderr
    # An unreachable server is its own, clear error.
    run = served.run("log", "verify", "--server", f"http://127.0.0.1:{free_port()}")
    assert run.returncode == 6 and "cannot read" in run.stderr


def test_serve_refuses_a_missing_or_exposed_log_key(served: Served, tmp_path: Path) -> None:
    exposed = tmp_path / "exposed.key"
    exposed.write_bytes(Path(os.environ["ARRET_LOG_KEY"]).read_bytes())
    exposed.chmod(0o640)
    for key, says in [(exposed, "chmod 600"), (tmp_path / "none.key", "arret init")]:
        run = subprocess.run(
            [ARRET, "--log-key", str(key), "serve", "--dns", f"127.0.0.1:{free_port()}",
             "--http", f"127.0.0.1:{free_port()}"],
            env=served.env, capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        assert run.returncode == 4 and says in run.stderr, run.stderr


def test_the_check_before_load_script_keeps_the_resolver_on_the_last_verified_policy(
    served: Served, tmp_path: Path
) -> None:
    unbound = require_program("unbound", "unbound")
    control = require_program("unbound-control", "unbound")
    authority = Authority()
    live = tmp_path / "orange.rpz"

    def configure(ports: tuple[int, ...]) -> Path:
        return unbound_conf(tmp_path, "unbound", ports[0], authority.port,
                            server="    module-config: \"respip iterator\"\n", rest=f"""
remote-control:
    control-enable: yes
    control-interface: 127.0.0.1
    control-port: {ports[1]}
    control-use-cert: no
rpz:
    name: "orange.rpz.arret."
    zonefile: "{live}"
""")  # fmt: skip

    conf = tmp_path / "unbound.conf"  # written with its ports when Unbound starts
    reloads = tmp_path / "reloads"
    env = {
        **served.env, "ARRET": ARRET, "ARRET_URL": served.url, "ARRET_OPERATOR": "orange",
        "ARRET_TOKEN": served.token, "ARRET_FEED": f"127.0.0.1:{served.dns}",
        "TSIG_NAME": served.key_name, "TSIG_SECRET": served.key_secret, "LIVE": str(live),
        "RELOAD": f"{control} -c {conf} auth_zone_reload orange.rpz.arret. && echo ok >> {reloads}",
    }  # fmt: skip

    def script() -> subprocess.CompletedProcess[str]:
        return subprocess.run(["sh", str(SCRIPT)], env=env, capture_output=True, text=True,
                              timeout=60)  # fmt: skip

    # The first verified file is there before the resolver starts (nothing to reload yet).
    first = subprocess.run(["sh", str(SCRIPT)], env=env | {"RELOAD": f"echo ok >> {reloads}"},
                           capture_output=True, text=True, timeout=60)  # fmt: skip
    assert first.returncode == 0, first.stdout + first.stderr
    assert "is the policy logged in leaf" in first.stdout
    good = live.read_text()
    resolver, (port, _) = start_on_free_ports(
        2,
        lambda p: Process([unbound, "-d", "-c", str(configure(p))], tmp_path / "unbound.log"),
        lambda p: rcode(p[0], "leak.example") == "NXDOMAIN",
        30,
        "Unbound to block",
    )
    try:
        assert rcode(port, "innocent.example") == "NOERROR"
        # Nothing new: nothing checked, nothing reloaded.
        assert script().returncode == 0 and reloads.read_text().count("ok") == 1
        # A mirror added by amendment: verified, loaded, blocked.
        served.arret("order", "amend", "2", "--add", "leak-mirror.example")
        wait_until(lambda: script().returncode == 0 and "leak-mirror" in live.read_text(), 20,
                   "the amendment to be verified and loaded")  # fmt: skip
        wait_until(lambda: rcode(port, "leak-mirror.example") == "NXDOMAIN", 10,
                   "Unbound to block the mirror")  # fmt: skip
        good = live.read_text()
        # A serial published behind the log's back: refused; the resolver keeps the last
        # verified policy and the innocent name resolves.
        forged = served.publish_behind_the_logs_back("innocent.example")
        refused = script()
        assert refused.returncode == 5, refused.stdout + refused.stderr
        assert "do NOT load" in refused.stderr and f"serial {forged}" in refused.stderr
        assert live.read_text() == good
        assert reloads.read_text().count("ok") == 2
        assert rcode(port, "innocent.example") == "NOERROR"
        assert rcode(port, "leak.example") == "NXDOMAIN"
        # The script keeps the newest head it accepted; a log that does not extend it —
        # here a head the log's key signed but the log never had: a split view — is
        # refused, even for a serial that is in the log.
        saved_head = Path(f"{live}.head.json")
        kept = json.loads(saved_head.read_text())
        newest = json.loads(urllib.request.urlopen(f"{served.url}/api/log/head").read())
        assert kept["size"] <= newest["size"] and kept["key_id"]
        other = KeyFile(Path(os.environ["ARRET_LOG_KEY"])).sign(
            newest["size"], datetime.now(UTC), b"\x07" * 32
        )
        saved_head.write_text(json.dumps(other.as_json()))
        live.unlink()  # as if a new serial arrived: the script must check it
        split = script()
        assert split.returncode == 5 and "history was rewritten" in split.stderr, split.stderr
        assert not live.exists()
    finally:
        resolver.stop()
        authority.close()
