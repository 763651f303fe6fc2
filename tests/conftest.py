"""Shared fixtures: every storage test runs against SQLite and a real PostgreSQL."""

import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # makes tests/support importable

import pytest
from sqlalchemy import Engine
from support.postgres import PostgresServer, PostgresUnavailable, is_root, start_server

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
    try:
        yield server
    finally:
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


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a fresh database of each backend, migrated to the current schema."""
    engine = attach(open_engine(database_url), log_key())
    migrate(engine)
    yield engine
    engine.dispose()
