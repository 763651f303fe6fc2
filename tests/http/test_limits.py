"""Request bodies are bounded before they are read, and a refused token is refused before
its body is read: a 413 (or 401) in the API's error shape, a plain page for the web UI."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.website import Site, assert_error, make_site, order_body

KIB = 1024


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return make_site(f"sqlite:///{tmp_path / 'arret.db'}", max_body=256 * KIB)


class Body:
    """A body sent in chunks (no Content-Length), counting how much of it was asked for."""

    def __init__(self, chunks: int, size: int = 16 * KIB) -> None:
        self.chunks, self.size, self.pulled = chunks, size, 0

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(self.chunks):
            self.pulled += 1
            yield b" " * self.size


def test_an_anonymous_body_above_the_small_limit_is_refused_by_its_length(site: Site) -> None:
    big = b"x" * (65 * KIB)
    r = site.client.post("/api/orders", content=big, headers={"Content-Type": "application/json"})
    error = assert_error(r, 413, "content_too_large")
    assert "64 KiB" in error["message"]
    # A small one goes through, to the check of the token.
    assert_error(site.post("/api/orders", json=order_body()), 401, "not_authenticated")


def test_an_anonymous_body_in_chunks_is_cut_at_the_limit(site: Site) -> None:
    body = Body(chunks=1000)
    r = site.client.post("/api/orders", content=body,
                         headers={"Content-Type": "application/json"})  # fmt: skip
    assert "content-length" not in r.request.headers
    assert_error(r, 413, "content_too_large")


def test_a_refused_token_is_answered_before_its_body_is_read(site: Site) -> None:
    body = Body(chunks=1000)
    r = site.client.post("/api/orders", content=body, headers={
        "Authorization": "Bearer arret_not-a-token", "Content-Type": "application/json",
    })  # fmt: skip
    assert_error(r, 401, "not_authenticated")
    assert body.pulled == 0
    assert r.headers["www-authenticate"].startswith("Bearer")
    r = site.client.post("/api/orders", content=b"x" * (1024 * KIB),
                         headers={"Authorization": "Basic dXNlcjpwdw=="})  # fmt: skip
    assert_error(r, 401, "not_authenticated")


def test_an_authority_sends_large_bodies_up_to_the_configured_limit(site: Site) -> None:
    targets = [{"name": f"n{i:05d}-leak.example"} for i in range(5000)]
    payload = json.dumps(order_body(targets=targets)).encode()
    assert 64 * KIB < len(payload) < 256 * KIB
    r = site.post("/api/orders?confirm=true", "authority", content=payload,
                  headers={"Content-Type": "application/json"})  # fmt: skip
    assert r.status_code == 201, r.text[:300]
    # A reader's token may not write: it gets the anonymous limit.
    r = site.post("/api/orders", "auditor", content=payload,
                  headers={"Content-Type": "application/json"})  # fmt: skip
    assert_error(r, 413, "content_too_large")
    r = site.post("/api/orders?confirm=true", "authority", content=b" " * (257 * KIB),
                  headers={"Content-Type": "application/json"})  # fmt: skip
    error = assert_error(r, 413, "content_too_large")
    assert "256 KiB" in error["message"] and "--max-body" in error["message"]
    r = site.post("/api/orders?confirm=true", "authority", content=Body(chunks=100),
                  headers={"Content-Type": "application/json"})  # fmt: skip
    assert_error(r, 413, "content_too_large")


def _csrf(site: Site, path: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', site.client.get(path).text)
    assert found is not None
    return found[1]


def test_the_web_ui_bounds_forms_by_who_sends_them(site: Site) -> None:
    csrf = _csrf(site, "/login")
    r = site.client.post("/login", data={"token": "x" * (70 * KIB), "csrf": csrf})
    assert r.status_code == 413 and r.headers["content-type"].startswith("text/html")
    assert "64 KiB" in r.text
    r = site.client.post("/login", data={"token": site.tokens["authority"], "csrf": csrf})
    assert r.status_code == 303
    csrf = _csrf(site, "/orders/new")
    names = "\n".join(f"n{i:05d}-leak.example" for i in range(5000))
    form = {"csrf": csrf, "reference": "RG 1", "authority": "court", "decided_on": "2026-11-27",
            "duration": "18mo", "operators": "orange", "targets": names}  # fmt: skip
    r = site.client.post("/orders/new", data=form)
    assert r.status_code != 413, r.text[:300]
    r = site.client.post("/orders/new", data=form | {"targets": names * 3})
    assert r.status_code == 413 and "256 KiB" in r.text


def test_a_database_that_cannot_say_who_calls_leaves_the_answer_to_the_handler(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The token lookup before the body fails (a lost database): no error escapes the
    limit; the request goes on with the small limit and its handler answers for it."""
    from arret.services import tokens

    def broken(*_args: object) -> None:
        raise OSError("database went away")

    monkeypatch.setattr(tokens, "authenticate", broken)
    r = site.post("/api/orders?confirm=true", "authority", content=b"x" * (65 * KIB),
                  headers={"Content-Type": "application/json"})  # fmt: skip
    assert_error(r, 413, "content_too_large")
