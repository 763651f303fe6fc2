"""Free text through the API, the web UI and the CLI, on SQLite and PostgreSQL: a NUL or
another control character is refused with a reason naming the field (it was stored raw on
SQLite and a 500 on PostgreSQL), lengths are bounded, and no page shows a bidirectional
override, even one stored before these checks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from support.cli import Arret
from support.website import Site, assert_error, make_site, order_body

from arret.store.schema import allow_list, orders


@pytest.fixture
def site(database_url: str) -> Site:
    return make_site(database_url)


def count(site: Site, table: object = orders) -> int:
    with site.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


@pytest.mark.parametrize("field", ["reference", "authority", "requester", "legal_basis", "notice"])
@pytest.mark.parametrize("bad", ["a\x00b", "a\x1bb", "a\u202eb"], ids=["nul", "esc", "rlo"])
def test_an_order_field_with_a_control_character_is_refused(
    site: Site, field: str, bad: str
) -> None:
    before = count(site)
    r = site.post("/api/orders", "authority", json=order_body(**{field: bad}))
    error = assert_error(r, 422, "invalid_order")
    assert any(reason.startswith(f"{field}: ") for reason in error["reasons"]), error
    assert count(site) == before


def test_multi_line_fields_keep_their_lines(site: Site) -> None:
    body = order_body(notice="Bloqué.\r\n\tVoir le registre.", legal_basis="Art. 6-3\nLCEN")
    r = site.post("/api/orders", "authority", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["legal_basis"] == "Art. 6-3\nLCEN"


def test_lengths_are_bounded_for_every_free_text_field(site: Site) -> None:
    for field, limit in [("reference", 200), ("authority", 200), ("requester", 200),
                         ("legal_basis", 4000), ("notice", 4000)]:  # fmt: skip
        r = site.post("/api/orders", "authority", json=order_body(**{field: "x" * (limit + 1)}))
        error = assert_error(r, 422, "invalid_request")
        assert error["reasons"][0].startswith(field), error
    r = site.post("/api/orders/1/lift", "authority", json={"reason": "r" * 1001})
    assert_error(r, 422, "invalid_request")
    r = site.post("/api/allow", "authority", json={"name": "cdn.example", "reason": "r" * 1001})
    assert_error(r, 422, "invalid_request")


def test_reasons_and_names_with_a_nul_are_refused(site: Site) -> None:
    order_id = site.post("/api/orders", "authority", json=order_body()).json()["id"]
    r = site.post(f"/api/orders/{order_id}/lift", "authority", json={"reason": "appeal\x00"})
    error = assert_error(r, 422, "invalid_order")
    assert error["reasons"] == ["reason: a control character U+0000 (control character) at "
                                "character 7 (it is one line of text); remove it"]  # fmt: skip
    before = count(site, allow_list)
    r = site.post("/api/allow", "authority", json={"name": "cdn.example", "reason": "a\x00"})
    assert_error(r, 422, "invalid_order")
    r = site.post("/api/allow", "authority", json={"name": "cdn\x00.example", "reason": "a"})
    assert 400 <= r.status_code < 500 and r.json()["error"]["status"] == r.status_code
    assert count(site, allow_list) == before
    r = site.post("/api/operators", "authority", json={"name": "op\x00x"})
    assert 400 <= r.status_code < 500, r.text
    r = site.post("/api/orders", "authority",
                  json=order_body(targets=[{"name": "leak\x00.example"}]))  # fmt: skip
    assert 400 <= r.status_code < 500, r.text
    r = site.get("/api/notice?name=leak%00.example")
    assert 400 <= r.status_code < 500, r.text
    r = site.get("/notice?name=leak%00.example")
    assert r.status_code < 500


def test_the_web_form_refuses_a_control_character_and_shows_why(site: Site) -> None:
    page = site.client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    site.client.post("/login", data={"token": site.tokens["authority"], "csrf": csrf[1]})
    csrf = re.search(r'name="csrf" value="([^"]+)"', site.client.get("/orders/new").text)
    assert csrf is not None
    before = count(site)
    form = {"csrf": csrf[1], "reference": "RG\x0012", "authority": "court",
            "decided_on": "2026-11-27", "duration": "18mo", "operators": "orange",
            "targets": "leak.example"}  # fmt: skip
    r = site.client.post("/orders/new", data=form)
    assert r.status_code == 422
    assert "reference: a control character U+0000" in r.text
    assert count(site) == before


def test_no_page_shows_a_bidirectional_override_stored_before_the_checks(site: Site) -> None:
    r = site.post("/api/orders", "authority", json=order_body())
    order_id = r.json()["id"]
    with site.engine.begin() as conn:
        conn.execute(update(orders).where(orders.c.id == order_id).values(
            reference="RG \u202e24/00042", notice="Bloqué \u2067par\u2069 ordre"))  # fmt: skip
    for path in ("/register", f"/register/{order_id}", "/notice?name=leak.example"):
        page = site.get(path)
        assert page.status_code == 200
        assert "RG 24/00042" in page.text or path.startswith("/notice"), path
        assert not re.search("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]", page.text), path


def test_the_cli_refuses_a_control_character_in_an_actor_or_a_label(tmp_path: Path) -> None:
    arret = Arret(tmp_path)
    arret("demo", "--no-tokens", "--no-moving")
    code, _out, err = arret("token", "create", "--role", "auditor", "--label", "ops\x1b[31m",
                            ok=False)  # fmt: skip
    assert code == 1 and "label: a control character U+001B" in err
    code, _out, err = arret("allow", "add", "cdn.example", "--reason", "a CDN",
                            "--actor", "clerk\x07", ok=False)  # fmt: skip
    assert code == 1 and "actor: a control character U+0007" in err
