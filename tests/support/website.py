"""An Arrêt HTTP application in-process, on a fresh database, at a clock the test moves,
with one token per role."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2 as httpx
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, make_url

from arret.domain.access import Kind, Role
from arret.domain.instants import FixedClock
from arret.http.app import create_app
from arret.http.runtime import HttpSettings, Runtime
from arret.services import demo, tokens
from arret.store.db import migrate
from support import postgres
from support.signed import open_engine
from support.templates import snapshot

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
SECRET = "test-session-secret-" + "x" * 32
ROLES = ("authority", "auditor", "operator:orange", "operator:sfr")


@dataclass
class Site:
    engine: Engine
    clock: FixedClock
    client: TestClient
    tokens: dict[str, str] = field(default_factory=dict)
    token_ids: dict[str, int] = field(default_factory=dict)

    def headers(self, role: str | None) -> dict[str, str]:
        return {} if role is None else {"Authorization": f"Bearer {self.tokens[role]}"}

    def get(self, path: str, role: str | None = None, **kw: Any) -> httpx.Response:
        return self.client.get(path, headers=self.headers(role) | kw.pop("headers", {}), **kw)

    def post(self, path: str, role: str | None = None, **kw: Any) -> httpx.Response:
        return self.client.post(path, headers=self.headers(role) | kw.pop("headers", {}), **kw)


def _seed(engine: Engine) -> dict[str, tuple[str, Any]]:
    """Migrate, load the demo and make a token per role: (token, its record) by role."""
    migrate(engine)
    with engine.begin() as conn:
        demo.load(conn, NOW, "demo", moving=False)
        return {
            role: tokens.create(conn, Role.parse(role), NOW, "test", f"test {role}")
            for role in ROLES
        }


#: A SQLite database seeded once per test process, and its tokens: every SQLite site is
#: a copy (seeding takes about a second; a copy, a millisecond).
_template: tuple[Path, dict[str, tuple[str, Any]]] | None = None


def _seeded_copy(path: Path) -> dict[str, tuple[str, Any]]:
    global _template
    if _template is None:
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='arret-test-site-')) / 'arret.db'}"
        engine = open_engine(url)
        made = _seed(engine)
        engine.dispose()
        _template = (snapshot(url), made)
    shutil.copyfile(_template[0], path)
    return _template[1]


#: The same in the PostgreSQL server of this process: a template database's name.
_pg_template: tuple[str, dict[str, tuple[str, Any]]] | None = None


def _seeded_pg_copy(server: postgres.PostgresServer, url: str) -> dict[str, tuple[str, Any]]:
    global _pg_template
    if _pg_template is None:
        template = server.create_database()
        engine = open_engine(template)
        made = _seed(engine)
        engine.dispose()
        name = make_url(template).database
        assert name is not None
        _pg_template = (name, made)
    server.recreate_from(url, _pg_template[0])
    return _pg_template[1]


def _empty(url: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return not conn.exec_driver_sql(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = 'public'"
            ).first()
    finally:
        engine.dispose()


def make_site(url: str, confirm_above: int = 100, **settings: Any) -> Site:
    file = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None
    server = postgres.ACTIVE
    if file is not None and not file.exists():
        made = _seeded_copy(file)
        engine = open_engine(url)
    elif file is None and server is not None and server.owns(url) and _empty(url):
        made = _seeded_pg_copy(server, url)
        engine = open_engine(url)
    else:
        engine = open_engine(url)
        made = _seed(engine)
    clock = FixedClock(NOW)
    settings = HttpSettings(
        session_secret=SECRET,
        confirm_above=confirm_above,
        own_hosts=frozenset({"localhost", "testserver"}),
        **settings,
    )
    app = create_app(Runtime(engine, clock, settings))
    client = TestClient(app, base_url="http://testserver", follow_redirects=False)
    site = Site(engine, clock, client)
    for role, (token, info) in made.items():
        site.tokens[role] = token
        site.token_ids[role] = info.id
    assert {Role.parse(r).kind for r in ROLES} == set(Kind)
    return site


def order_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reference": "RG 26/00042",
        "authority": "Tribunal judiciaire de Paris",
        "decided_on": "2026-11-27",
        "targets": [{"name": "leak.example"}, {"name": "leak-mirror.example"}],
        "operators": ["orange"],
        "duration": "18mo",
        "action": "nxdomain",
        "legal_basis": "Article 6-3 LCEN",
        "notice": "Blocked by order RG 26/00042.",
    }
    return body | overrides


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Every error of the API has the one shape, with its stable code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert set(error) == {"status", "code", "message", "reasons"}
    assert error["status"] == status
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["reasons"], list)
    return error
