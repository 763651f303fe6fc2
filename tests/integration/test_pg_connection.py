"""Every connection to PostgreSQL notices a dead link within seconds, on both sides: libpq
is given TCP keepalives and a TCP user timeout, and the session asks the server for the
same, so that a publisher cut off from the database (not killed) loses its advisory lock
in seconds rather than hours. A setting the URL gives is kept; read back from a real
server."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from support.postgres import PostgresServer

from arret.store.db import CLIENT_TCP, open_engine, postgres_connect_args

SERVER_SIDE = ["tcp_keepalives_idle", "tcp_keepalives_interval", "tcp_keepalives_count",
               "tcp_user_timeout", "lock_timeout"]  # fmt: skip


def seen(engine: Engine) -> tuple[dict[str, str], dict[str, str]]:
    """(libpq's parameters of a pooled connection, the session's server settings)."""
    with engine.connect() as conn:
        server = dict(
            conn.execute(
                text("SELECT name, setting FROM pg_settings WHERE name = ANY(:names)"),
                {"names": SERVER_SIDE},
            ).all()
        )
        client = conn.connection.dbapi_connection.info.get_parameters()  # type: ignore[union-attr]
    return dict(client), server


@pytest.mark.postgres
def test_keepalives_on_both_sides_of_every_connection(pg_cluster: PostgresServer) -> None:
    engine = open_engine(pg_cluster.create_database(), lock_wait=3.0)
    try:
        client, server = seen(engine)
    finally:
        engine.dispose()
    assert {k: client.get(k) for k in CLIENT_TCP} == CLIENT_TCP
    # Dead after 5 s of silence and 3 unanswered probes 2 s apart, or 10 s unacknowledged.
    assert server == {"tcp_keepalives_idle": "5", "tcp_keepalives_interval": "2",
                      "tcp_keepalives_count": "3", "tcp_user_timeout": "10000",
                      "lock_timeout": "3000"}  # fmt: skip


@pytest.mark.postgres
def test_what_the_url_says_is_kept(pg_cluster: PostgresServer) -> None:
    options = quote("-c tcp_keepalives_idle=60 -c lock_timeout=500")
    url = f"{pg_cluster.create_database()}?keepalives_idle=30&options={options}"
    engine = open_engine(url)
    try:
        client, server = seen(engine)
    finally:
        engine.dispose()
    assert client["keepalives_idle"] == "30" and client["keepalives_count"] == "3"
    assert server["tcp_keepalives_idle"] == "60" and server["lock_timeout"] == "500"
    assert server["tcp_keepalives_count"] == "3"


def test_the_connect_arguments_leave_the_urls_own_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PGOPTIONS", raising=False)
    monkeypatch.delenv("PGCONNECT_TIMEOUT", raising=False)
    url = make_url("postgresql+psycopg://arret@db1,db2/arret?target_session_attrs=read-write"
                   "&tcp_user_timeout=0")  # fmt: skip
    args = postgres_connect_args(url, 10_000)
    assert "tcp_user_timeout" not in args and "target_session_attrs" not in args
    assert args["keepalives_idle"] == "5" and args["connect_timeout"] == "10"
    assert args["options"].startswith("-c lock_timeout=10000 -c tcp_keepalives_idle=5 ")
    # PGOPTIONS, which libpq reads only when `options` is not given, comes last: it wins.
    monkeypatch.setenv("PGOPTIONS", "-c tcp_keepalives_count=9")
    monkeypatch.setenv("PGCONNECT_TIMEOUT", "3")
    args = postgres_connect_args(url, 10_000)
    assert args["options"].endswith("-c tcp_user_timeout=10000 -c tcp_keepalives_count=9")
    assert "connect_timeout" not in args
