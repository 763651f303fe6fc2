"""A web UI session ends when it should, for every copy of its cookie: at logout, at the
end of its lifetime, when its token is revoked. Its cookie is Secure when people reach
the server over https. (The session is kept on the server; the cookie holds its key.)"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from support.website import Site, make_site

from arret.store.schema import orders, web_sessions


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None
    return found[1]


def login(site: Site, role: str) -> str:
    csrf = csrf_of(site.client.get("/login").text)
    r = site.client.post("/login", data={"token": site.tokens[role], "csrf": csrf})
    assert r.status_code == 303, r.text
    return csrf_of(site.client.get("/orders/new" if role == "authority" else "/orders").text)


FORM = {
    "reference": "RG 26/00099", "authority": "Tribunal judiciaire de Paris",
    "decided_on": "2026-11-27", "duration": "18mo", "operators": "orange",
    "targets": "replayed.example",
}  # fmt: skip


def count_orders(site: Site) -> int:
    with site.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(orders)).scalar_one())


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return make_site(f"sqlite:///{tmp_path / 'arret.db'}")


def test_a_cookie_captured_before_logout_no_longer_lists_or_registers(site: Site) -> None:
    csrf = login(site, "authority")
    captured = dict(site.client.cookies)
    assert site.client.get("/orders").status_code == 200
    r = site.client.post("/logout", data={"csrf": csrf})
    assert r.status_code == 303
    # Whoever kept a copy of the cookie replays it.
    site.client.cookies.clear()
    site.client.cookies.update(captured)
    r = site.client.get("/orders")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    before = count_orders(site)
    site.client.cookies.update(captured)
    r = site.client.post("/orders/new", data=FORM | {"csrf": csrf})
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert count_orders(site) == before
    with site.engine.connect() as conn:
        ended = conn.execute(select(web_sessions.c.revoked_at)).scalars().all()
    assert ended == [site.clock.now()]


def test_a_session_lasts_its_configured_lifetime(tmp_path: Path) -> None:
    site = make_site(f"sqlite:///{tmp_path / 'arret.db'}", session_lifetime=timedelta(hours=1))
    csrf = csrf_of(site.client.get("/login").text)
    r = site.client.post("/login", data={"token": site.tokens["auditor"], "csrf": csrf})
    assert "max-age=3600" in r.headers["set-cookie"].lower()
    site.clock.advance(timedelta(minutes=59))
    assert site.client.get("/orders").status_code == 200
    site.clock.advance(timedelta(minutes=2))
    r = site.client.get("/orders")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_revoking_the_token_ends_its_sessions(site: Site) -> None:
    from arret.services import tokens

    login(site, "auditor")
    other = dict(site.client.cookies)
    login(site, "auditor")
    with site.engine.begin() as conn:
        tokens.revoke(conn, site.token_ids["auditor"], site.clock.now())
        still_open = conn.execute(
            select(func.count())
            .select_from(web_sessions)
            .where(web_sessions.c.revoked_at.is_(None))
        ).scalar_one()
    assert still_open == 0
    for cookies in (dict(site.client.cookies), other):
        site.client.cookies.clear()
        site.client.cookies.update(cookies)
        assert site.client.get("/orders").status_code == 303


@pytest.mark.parametrize(("url", "secure"), [("https://arret.example", True),
                                             ("http://127.0.0.1:8080", False)])  # fmt: skip
def test_cookies_are_secure_when_the_public_url_is_https(
    tmp_path: Path, url: str, secure: bool
) -> None:
    site = make_site(f"sqlite:///{tmp_path / 'arret.db'}", public_url=url)
    # Behind its TLS proxy: the client sends a Secure cookie back only over https.
    site.client = TestClient(site.client.app, base_url=url.replace("arret.example", "testserver"),
                             follow_redirects=False)  # fmt: skip
    csrf = csrf_of(site.client.get("/login").text)
    r = site.client.post("/login", data={"token": site.tokens["auditor"], "csrf": csrf})
    assert r.status_code == 303
    assert ("secure" in r.headers["set-cookie"].lower()) is secure
    r = site.client.get("/lang/fr")
    assert ("secure" in r.headers["set-cookie"].lower()) is secure
