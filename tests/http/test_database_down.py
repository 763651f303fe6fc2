"""With its database unreachable (a PostgreSQL address where nothing listens), every kind
of page answers 503 with `Retry-After` — the notice page served by `Host` included, which
runs outside the exception handlers — and `/metrics` still answers, saying so. Never a
500 with a traceback."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from support.authority import free_port
from support.website import NOW, SECRET, make_site

from arret.domain.instants import FixedClock
from arret.http.app import create_app
from arret.http.runtime import HttpSettings, Runtime
from arret.store.db import open_engine


@pytest.fixture
def client() -> TestClient:
    engine = open_engine(f"postgresql+psycopg://arret@127.0.0.1:{free_port()}/gone")
    settings = HttpSettings(session_secret=SECRET, own_hosts=frozenset({"testserver"}))
    app = create_app(Runtime(engine, FixedClock(NOW), settings))
    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("path", "host"),
    [
        ("/register", "testserver"),
        ("/notice?name=leak.example", "testserver"),
        ("/", "leak.example"),  # the notice page for a redirected visitor
        ("/api/public/orders", "testserver"),
        ("/api/orders", "testserver"),
    ],
)
def test_pages_answer_503_with_retry_after(
    client: TestClient, path: str, host: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        response = client.get(path, headers={"Host": host, "Authorization": "Bearer abc"})
    assert response.status_code == 503, response.text
    assert int(response.headers["Retry-After"]) > 0
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


def test_metrics_still_answer_and_say_the_database_is_down(client: TestClient) -> None:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert "arret_database_up 0.0" in response.text


def test_a_request_that_gets_no_connection_in_time_is_a_503(tmp_path: Path) -> None:
    """Every pooled connection taken (a burst larger than the pool): the request waits
    the pool's timeout, then answers 503 with Retry-After — before, a 500."""
    url = f"sqlite:///{tmp_path / 'arret.db'}"
    make_site(url)
    engine = create_engine(url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    settings = HttpSettings(session_secret=SECRET, own_hosts=frozenset({"testserver"}))
    client = TestClient(create_app(Runtime(engine, FixedClock(NOW), settings)),
                        raise_server_exceptions=False)  # fmt: skip
    assert client.get("/api/public/orders").status_code == 200
    with engine.connect():  # the pool's only connection, held
        response = client.get("/api/public/orders")
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "database_busy"
    assert int(response.headers["Retry-After"]) > 0
    assert client.get("/api/public/orders").status_code == 200
