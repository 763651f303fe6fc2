"""Rotating the log's signing key without a gap, as docs/deployment.md says: every process
is given the new key beforehand (`--log-next-key` / ARRET_LOG_NEXT_KEY), `arret log
rotate-key` appends the hand-over, and writes go on — through a running `arret serve`
(the API, and the publication time brings) and through the CLI — with no refusal in
between. A process that holds only the old key is refused afterwards, clearly, with
nothing changed. The log verifies from the database and from the server's endpoints,
against a head saved before the hand-over and against either key pinned; a head after
the hand-over signed by the old key does not verify."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine
from support.authority import free_port
from support.processes import Process, wait_until
from support.tamper import drop_guards

from arret.keyfile import KeyFile
from arret.store import log as store_log
from arret.store.schema import log_heads
from arret.tlog.signing import key_id

ARRET = str(Path(sys.executable).parent / "arret")


def run(env: dict[str, str], *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([ARRET, *args], env=env, capture_output=True, text=True)
    if ok:
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done


def get(url: str, token: str | None = None) -> dict[str, object]:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as answer:
        found: dict[str, object] = json.loads(answer.read())
        return found


def post_order(http: int, token: str, reference: str, name: str, starts: datetime) -> int:
    body = {"reference": reference, "authority": "TJ Paris", "decided_on": "2026-11-01",
            "effective_at": starts.isoformat(), "duration": "30d", "operators": ["unb"],
            "targets": [{"name": name}]}  # fmt: skip
    request = urllib.request.Request(
        f"http://127.0.0.1:{http}/api/orders", json.dumps(body).encode(),
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 201
        return int(json.loads(answer.read())["id"])


def test_a_key_rotation_leaves_no_gap_and_the_log_verifies_across_it(tmp_path: Path) -> None:
    db = tmp_path / "arret.db"
    old, new = tmp_path / "old.key", tmp_path / "new.key"
    base = {**os.environ, "ARRET_DB": f"sqlite:///{db}", "ARRET_LOG_KEY": str(old)}
    base.pop("ARRET_LOG_NEXT_KEY", None)
    run(base, "init")
    run(base, "operator", "add", "unb", "--allow-from", "127.0.0.0/8")
    order = ["order", "add", "--authority", "TJ Paris", "--decided", "2026-11-01",
             "--duration", "30d", "--operator", "unb"]  # fmt: skip
    run(base, *order, "--reference", "R1", "before.example")
    token = run(base, "token", "create", "--role", "authority").stdout.split()[-1]
    saved = tmp_path / "saved-head.json"
    run(base, "log", "verify", "--save", str(saved))

    # The new key is created ahead and given to every process as the next key.
    from arret import keyfile

    assert keyfile.create(new)
    both = {**base, "ARRET_LOG_NEXT_KEY": str(new)}
    dns, http = free_port(), free_port()
    serve = Process([ARRET, "serve", "--dns", f"127.0.0.1:{dns}", "--http",
                     f"127.0.0.1:{http}", "--probe-every", "off"],
                    tmp_path / "serve.log", env=both)  # fmt: skip
    try:
        wait_until(lambda: _answers(http), 30, "arret serve to answer")
        # An order through the API that starts a few seconds after the hand-over: the
        # server publishes its start itself, signing with the new key.
        starts = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=6)
        said = run(both, "log", "rotate-key", "--new-key", str(new)).stdout
        assert f"the log's key is now {key_id(KeyFile(new).public_key())[:16]}" in said
        post_order(http, token, "R2", "through-api.example", starts)
        run(both, *order, "--reference", "R3", "through-cli.example")
        wait_until(lambda: "through-api.example" in _policy(base), 30,
                   "the server to publish the order's start itself")  # fmt: skip

        # A process with the old key alone is refused, saying which key it needs.
        refused = run(base, *order, "--reference", "R4", "refused.example", ok=False)
        assert refused.returncode == 4
        assert "handed over" in refused.stderr or "did not sign" in refused.stderr
        assert "nothing was changed" in refused.stderr
        assert "refused.example" not in run(base, "order", "list").stdout

        # From the database (the process's key, old or new) and from the server.
        for key in (old, new):
            verified = run({**base, "ARRET_LOG_KEY": str(key)}, "log", "verify").stdout
            assert verified.startswith("log verified")
        url = f"http://127.0.0.1:{http}"
        for pinned in (KeyFile(old).public_key(), KeyFile(new).public_key()):
            remote = run(base, "log", "verify", "--server", url, "--head", str(saved),
                         "--key-id", key_id(pinned)).stdout  # fmt: skip
            assert "log verified" in remote and "extends your saved head" in remote
        published = get(f"{url}/api/log/key")
        history = published["history"]
        assert isinstance(history, list) and len(history) == 2
        assert [h["key_id"] for h in history] == [key_id(KeyFile(old).public_key()),
                                                  key_id(KeyFile(new).public_key())]  # fmt: skip
        assert published["public_key"] == base64.b64encode(KeyFile(new).public_key()).decode()
    finally:
        serve.stop()

    # A head after the hand-over re-signed by the old key: the key history says it must be
    # the new key's, so the log does not verify, and names the head.
    size = history[1]["from_size"]  # type: ignore[index]
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        genuine = store_log.head(conn, size)
        assert genuine is not None
        forged = KeyFile(old).sign(size, genuine.timestamp, genuine.root_hash)
        drop_guards(conn)  # what an administrator with the old key could do
        conn.execute(log_heads.update().where(log_heads.c.size == size)
                     .values(signature=forged.signature.hex()))  # fmt: skip
    engine.dispose()
    broken = run({**base, "ARRET_LOG_KEY": str(new)}, "log", "verify", ok=False)
    assert broken.returncode == 5
    assert f"tree head of size {size}" in broken.stdout + broken.stderr


def _answers(http: int) -> bool:
    try:
        get(f"http://127.0.0.1:{http}/healthz")
    except OSError:
        return False
    return True


def _policy(env: dict[str, str]) -> str:
    return run(env, "policy", "--operator", "unb").stdout
