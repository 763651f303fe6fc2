"""Shared fixtures: every storage test runs against SQLite and a real PostgreSQL."""

import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # makes tests/support importable

import pytest
from sqlalchemy import Engine, make_url
from support import postgres
from support.postgres import PostgresServer, PostgresUnavailable, is_root, start_server
from support.templates import migrated_sqlite

from arret import keyfile
from arret.keyfile import KeyFile
from arret.services.log_writer import attach
from arret.store.db import migrate, open_engine


def pytest_configure(config: pytest.Config) -> None:
    """One log signing key for the session, given to every `arret` the tests start (in
    process or as a subprocess) through ARRET_LOG_KEY — never a key in the work tree."""
    folder = Path(tempfile.mkdtemp(prefix="arret-test-key-"))
    path = folder / "log.key"
    keyfile.create(path)
    os.environ["ARRET_LOG_KEY"] = str(path)


def log_key() -> KeyFile:
    return KeyFile(Path(os.environ["ARRET_LOG_KEY"]))


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole session, started on first use.

    ``ARRET_TEST_PG_URL`` names an existing server to use instead. Missing PostgreSQL skips
    only when we are not root; as root (CI) it is installed, and any failure is an error.
    """
    try:
        server = start_server()
    except PostgresUnavailable as exc:
        if is_root():
            raise
        pytest.skip(str(exc))
    postgres.ACTIVE = server
    try:
        yield server
    finally:
        postgres.ACTIVE = None
        server.stop()


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """SQLAlchemy URL of a fresh, empty database, once per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'arret.db'}"
    server: PostgresServer = request.getfixturevalue("pg_cluster")
    return server.create_database()


@pytest.fixture(scope="session")
def migrated_postgres(pg_cluster: PostgresServer) -> str:
    """The name of a PostgreSQL database migrated once, the template of every test's."""
    url = pg_cluster.create_database()
    engine = open_engine(url)
    migrate(engine)
    engine.dispose()
    name = make_url(url).database
    assert name is not None
    return name


@pytest.fixture
def engine(request: pytest.FixtureRequest, database_url: str) -> Iterator[Engine]:
    """An engine on a fresh database of each backend, at the current schema: a copy of
    one migrated once (`tests/integration/test_upgrades.py` migrates step by step)."""
    if database_url.startswith("sqlite:///"):
        migrated_sqlite(Path(database_url.removeprefix("sqlite:///")))
    else:
        server: PostgresServer = request.getfixturevalue("pg_cluster")
        server.recreate_from(database_url, request.getfixturevalue("migrated_postgres"))
    engine = attach(open_engine(database_url), log_key())
    migrate(engine)  # nothing to do: checks the copy is at the current schema
    yield engine
    engine.dispose()
