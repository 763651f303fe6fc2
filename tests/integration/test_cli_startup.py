"""What `arret order amend` loads: a command that runs once per court decision on a
registry of millions of names starts in a fresh process, so it must not import the web
server, the DNS client, the probes or the table printer it never uses, nor pydantic (which
Typer would use to convert its options) or PostgreSQL's dialect on SQLite (bench/startup.py
measures the time)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

#: Top-level packages the amend path has no use for.
UNUSED = ("fastapi", "starlette", "uvicorn", "jinja2", "alembic", "dns", "prometheus_client",
          "multipart", "itsdangerous", "rich", "pydantic", "pydantic_core",
          "annotated_types", "numpy")  # fmt: skip
#: Modules of packages it does use that it has no use for on SQLite.
UNUSED_MODULES = ("sqlalchemy.dialects.postgresql",)

#: Runs the `arret` command as its console script does, then prints which of UNUSED it
#: loaded, as the last line of stdout.
PROBE = f"""
import json, sys
from arret.cli.main import main
sys.argv = ["arret", *sys.argv[1:]]
try:
    main()
except SystemExit as exit:
    code = exit.code
loaded = sorted({{m.split(".")[0] for m in sys.modules}} & set({UNUSED!r})
                | set(sys.modules) & set({UNUSED_MODULES!r}))
print(json.dumps({{"code": code, "loaded": loaded}}))
"""


def run(env: dict[str, str], *args: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], env=env, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_order_amend_imports_neither_the_web_stack_nor_the_dns_client(tmp_path: Path) -> None:
    env = {**os.environ, "ARRET_DB": f"sqlite:///{tmp_path / 'arret.db'}",
           "ARRET_LOG_KEY": str(tmp_path / "log.key")}  # fmt: skip
    order = ("order", "add", "--reference", "R", "--authority", "court", "--decided",
             "2026-01-01", "--duration", "90d", "--operator", "orange", "leak.example")  # fmt: skip
    for args in (("init",), ("operator", "add", "orange"), order):
        assert run(env, *args)["code"] in (0, None), args
    amended = run(env, "order", "amend", "1", "--add", "leak-mirror.example")
    assert amended == {"code": 0, "loaded": []}
    # The probe sees what a command that needs them loads: it can tell.
    assert "dns" in run(env, "feed", "--help")["loaded"]  # type: ignore[operator]
    # A number Typer itself must convert ("1e-1") brings pydantic back; so does PostgreSQL.
    spelled = run(env, "--lock-wait", "1e-1", "order", "amend", "1", "--add", "x.example")
    assert spelled["code"] == 0 and "pydantic" in spelled["loaded"]  # type: ignore[operator]
    elsewhere = run(env, "--db", "postgresql://127.0.0.1:1/nothing", "order", "list")
    assert "sqlalchemy.dialects.postgresql" in elsewhere["loaded"]  # type: ignore[operator]
