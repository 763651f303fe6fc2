"""Contests through the API and the web form: received whole or refused with every
reason and nothing stored; followed by their secret link; reviewed and decided by the
authority; counted in public — and nothing a claimant wrote in any public answer or log
leaf."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from support.website import Site, assert_error, make_site, order_body

from arret.domain.contests import Limits, leading_zero_bits, solve
from arret.store.schema import contest_attachments, contests, log_leaves

AUTH, AUDIT, ORANGE = "authority", "auditor", "operator:orange"
BITS = 8
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
#: What a claimant writes that must never reach a public answer or a log leaf.
MARK_REASON = "reason-marker-5b1e"
MARK_CONTACT = "contact-marker-77@claimant.example"
MARK_FILE = "file-marker-91c.pdf"


@pytest.fixture
def site(database_url: str) -> Iterator[Site]:
    """On each backend."""
    site = make_site(database_url, contests=Limits(pow_bits=BITS))
    r = site.post("/api/orders", AUTH, json=order_body())
    assert r.status_code == 201, r.text
    yield site


def proof(site: Site) -> dict[str, str]:
    r = site.get("/api/contests/challenge")
    assert r.status_code == 200, r.text
    found = r.json()
    assert found["bits"] == BITS
    return {"challenge": found["challenge"], "answer": solve(found["challenge"], BITS)}


def body(site: Site, **overrides: Any) -> dict[str, Any]:
    sent: dict[str, Any] = {
        "name": "leak.example",
        "standing": "owner",
        "reason": f"My site is a lawful archive. {MARK_REASON}",
        "contact": MARK_CONTACT,
        "attachments": [
            {"filename": MARK_FILE, "media_type": "application/pdf",
             "content": base64.b64encode(PDF).decode()},
        ],
        "proof": proof(site),
    }  # fmt: skip
    return sent | overrides


def stored(site: Site) -> tuple[int, int, int]:
    """Contests, attachments and log leaves held."""
    with site.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            int(conn.scalar(select(func.count()).select_from(t)) or 0)
            for t in (contests, contest_attachments, log_leaves)
        )


def leaves(site: Site) -> list[dict[str, Any]]:
    with site.engine.connect() as conn:
        return [json.loads(d) for d in conn.scalars(select(log_leaves.c.data))]


def test_a_contest_is_received_followed_decided_and_counted(site: Site) -> None:
    r = site.post("/api/contests", json=body(site))
    assert r.status_code == 201, r.text
    receipt = r.json()
    assert r.headers["cache-control"] == "no-store"
    assert receipt["orders"] == [2] and receipt["name"] == "leak.example"
    assert receipt["follow_up"].endswith(f"/contests/follow/{receipt['id']}/{receipt['secret']}")
    # An owner's claim is due in 15 days.
    assert receipt["due_at"] == "2026-12-13T12:00:00Z"
    follow = f"/api/contests/follow/{receipt['id']}/{receipt['secret']}"
    state = site.get(follow).json()
    assert state["state"] == "pending" and state["decision"] is None
    assert state["attachments"][0]["media_type"] == "application/pdf"
    # A wrong secret is answered as a missing contest.
    assert_error(site.get(f"/api/contests/follow/{receipt['id']}/nope"), 404, "not_found")

    site.clock.advance(timedelta(hours=5))
    queue = site.get("/api/contests", AUTH).json()
    assert [c["id"] for c in queue] == [receipt["id"]]
    item = queue[0]
    assert item["orders"][0]["reference"] == "RG 26/00042"
    assert item["age_hours"] == 5 and item["hours_left"] == 15 * 24 - 5
    assert not item["bystander"] and not item["overdue"]
    assert MARK_REASON in item["reason"] and item["contact"] == MARK_CONTACT
    assert site.get("/api/contests", AUDIT).status_code == 200

    r = site.post(f"/api/contests/{receipt['id']}/decision", AUTH,
                  json={"outcome": "removed", "reason": "The archive is lawful."})  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["changes"] == ["leak.example removed from order 2"]
    assert site.get("/api/notice?name=leak.example").json()["blocked"] is False
    state = site.get(follow).json()
    assert state["state"] == "removed" and state["decision"] == "The archive is lawful."
    # Decided once.
    again = site.post(f"/api/contests/{receipt['id']}/decision", AUTH,
                      json={"outcome": "upheld", "reason": "no"})  # fmt: skip
    assert_error(again, 422, "invalid_contest")
    assert site.get("/api/contests", AUTH).json() == []

    counts = site.get("/api/public/contests").json()
    assert counts["received"] == 1 and counts["pending"] == 0
    assert counts["outcomes"]["removed"] == 1 and counts["median_hours_to_decision"] == 5
    assert counts["per_order"]["2"]["contests"] == 1
    register = site.get("/register").text
    assert '<strong id="contests-received">1</strong>' in register
    assert '<span id="contests-median">5.0</span>' in register
    order_page = site.get("/register/2").text
    assert '<strong id="order-contests">1</strong>' in order_page
    assert '<span data-outcome="removed">1</span>' in order_page
    assert "No contest of this order." in site.get("/register/1").text


def test_a_bystander_claim_is_due_in_48_hours_and_can_be_allow_listed(site: Site) -> None:
    r = site.post("/api/contests", json=body(site, name="shop.leak.example", standing="host"))
    assert r.status_code == 201, r.text
    contest = r.json()
    assert contest["due_at"] == "2026-11-30T12:00:00Z"
    site.clock.advance(timedelta(hours=49))
    item = site.get(f"/api/contests/{contest['id']}", AUTH).json()
    assert item["bystander"] and item["overdue"]
    # Blocked through leak.example's subtree: removing would unblock every name under it.
    refused = site.post(f"/api/contests/{contest['id']}/decision", AUTH,
                        json={"outcome": "removed", "reason": "r"})  # fmt: skip
    error = assert_error(refused, 422, "invalid_contest")
    assert "allow-list the name instead" in error["reasons"][0]
    assert site.get("/api/notice?name=shop.leak.example").json()["blocked"] is True
    r = site.post(f"/api/contests/{contest['id']}/decision", AUTH,
                  json={"outcome": "allowed", "reason": "A shop of its own."})  # fmt: skip
    assert r.status_code == 200, r.text
    assert site.get("/api/notice?name=shop.leak.example").json()["blocked"] is False
    assert site.get("/api/notice?name=leak.example").json()["blocked"] is True
    allowed = site.get("/api/allow", AUTH).json()
    assert [a["name"] for a in allowed] == ["shop.leak.example"]


@pytest.mark.parametrize("outcome", ["upheld", "referred"])
def test_uphold_and_refer_change_nothing_blocked(site: Site, outcome: str) -> None:
    contest = site.post("/api/contests", json=body(site)).json()
    r = site.post(f"/api/contests/{contest['id']}/decision", AUTH,
                  json={"outcome": outcome, "reason": "Reasons."})  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["changes"] == []
    assert site.get("/api/notice?name=leak.example").json()["blocked"] is True
    follow = site.get(f"/api/contests/follow/{contest['id']}/{contest['secret']}").json()
    assert follow["state"] == outcome


def test_the_last_name_of_an_order_is_removed_by_lifting_it(site: Site) -> None:
    one = order_body(reference="RG 26/1", targets=[{"name": "alone.example"}])
    assert site.post("/api/orders", AUTH, json=one).status_code == 201
    contest = site.post("/api/contests", json=body(site, name="alone.example")).json()
    r = site.post(f"/api/contests/{contest['id']}/decision", AUTH,
                  json={"outcome": "removed", "reason": "Lawful."})  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["changes"] == ["order 3 lifted (alone.example was its last name)"]
    assert site.get("/api/notice?name=alone.example").json()["blocked"] is False


def _file(filename: str, content: bytes, media_type: str = "") -> dict[str, str]:
    return {"filename": filename, "media_type": media_type,
            "content": base64.b64encode(content).decode()}  # fmt: skip


BIG = b"%PDF-" + b"x" * (2 * 2**20)


def wrong(challenge: str) -> str:
    """An answer that surely lacks the bits (a fixed one has a 1 in 2**BITS chance of
    having them: CI drew such a challenge once, and the contest was taken)."""
    for counter in range(10**12, 10**12 + 10_000):
        digest = hashlib.sha256(f"{challenge}:{counter}".encode()).digest()
        if leading_zero_bits(digest) < BITS:
            return str(counter)
    raise AssertionError("no wrong answer in 10,000 tries")


def bad_bodies(site: Site) -> list[tuple[str, dict[str, Any], int, str]]:
    """(what, body, status, a phrase of the reason)."""
    ok = body(site)
    forged = dict(ok["proof"], challenge=ok["proof"]["challenge"][:-4] + "0000")
    return [
        ("not a name", ok | {"name": "not a name!"}, 422, "name:"),
        ("a URL", ok | {"name": "http://leak.example/x"}, 422, "name:"),
        ("not blocked", ok | {"name": "unrelated.example"}, 422, "is not blocked now"),
        ("empty reason", ok | {"reason": "  "}, 422, "reason: say why"),
        ("control character", ok | {"reason": "a\x00b"}, 422, "control character"),
        ("bad contact", ok | {"contact": "not-an-address"}, 422, "not an e-mail address"),
        ("unknown standing", ok | {"standing": "judge"}, 422, "standing"),
        ("HTML as PDF", ok | {"attachments": [_file("x.pdf", b"<html><script>1</script>",
                                                    "application/pdf")]}, 422,
         "HTML or other markup"),
        ("SVG", ok | {"attachments": [_file("x.png", b"<?xml version='1.0'?><svg/>")]}, 422,
         "HTML or other markup"),
        ("any tag, after a BOM", ok | {"attachments": [_file("x.txt", b"\xef\xbb\xbf <b>hi</b>",
                                                              "text/plain")]}, 422,
         "HTML or other markup"),
        ("a control character", ok | {"attachments": [_file("x.txt", b"ls\x1b[2J", "text/plain")]},
         422, "it holds the control character U+001B"),
        ("mislabelled", ok | {"attachments": [_file("x.pdf", PNG, "application/pdf")]}, 422,
         "declared application/pdf, but its content is image/png"),
        ("oversized", ok | {"attachments": [_file("x.pdf", BIG)]}, 422, "bytes, more than"),
        ("too many", ok | {"attachments": [_file(f"{i}.txt", b"hello") for i in range(4)]},
         422, "at most 3"),
        ("empty file", ok | {"attachments": [_file("x.txt", b"")]}, 422, "empty"),
        ("not base64", ok | {"attachments": [{"filename": "x", "content": "%%%"}]}, 422,
         "not base64"),
        ("no answer", ok | {"proof": {"challenge": ok["proof"]["challenge"], "answer": ""}},
         422, "decimal counter"),
        ("wrong answer", ok | {"proof": dict(ok["proof"], answer=wrong(ok["proof"]["challenge"]))},
         422, "leading zero bits"),
        ("forged challenge", ok | {"proof": forged}, 422, "not a challenge of this server"),
        ("non-ASCII challenge", ok | {"proof": {"challenge": "v1.1.16.\u00e9.ab", "answer": "1"}},
         422, "not a challenge of this server"),
        ("non-ASCII digits", ok | {"proof": dict(ok["proof"], answer="\u0661\u0662")}, 422,
         "decimal counter"),
        ("unknown field", ok | {"ip": "203.0.113.7"}, 422, "ip"),
    ]  # fmt: skip


def test_every_bad_contest_is_refused_with_its_reason_and_nothing_stored(site: Site) -> None:
    before = stored(site)
    for what, sent, status, phrase in bad_bodies(site):
        r = site.post("/api/contests", json=sent)
        assert r.status_code == status, (what, r.text)
        assert phrase in json.dumps(r.json()), (what, r.text)
        assert stored(site) == before, what


def test_a_challenge_buys_one_contest_and_expires(site: Site) -> None:
    sent = body(site)
    assert site.post("/api/contests", json=sent).status_code == 201
    before = stored(site)
    again = site.post("/api/contests", json=sent)
    assert "answered already" in assert_error(again, 422, "invalid_contest")["reasons"][0]
    late = body(site)
    site.clock.advance(timedelta(hours=1, seconds=1))
    expired = site.post("/api/contests", json=late)
    assert "expired" in assert_error(expired, 422, "invalid_contest")["reasons"][0]
    assert stored(site) == before


def test_rate_limits_per_name_and_overall(database_url: str) -> None:
    limits = Limits(pow_bits=BITS, per_name=2, overall=3)
    site = make_site(database_url, contests=limits)
    targets = [{"name": "a.example"}, {"name": "b.example"}]
    assert site.post("/api/orders", AUTH, json=order_body(targets=targets)).status_code == 201
    for _ in range(2):
        assert site.post("/api/contests", json=body(site, name="a.example")).status_code == 201
    before = stored(site)
    r = site.post("/api/contests", json=body(site, name="a.example"))
    assert_error(r, 429, "too_many_contests")
    assert int(r.headers["Retry-After"]) == 3601
    assert stored(site) == before
    assert site.post("/api/contests", json=body(site, name="b.example")).status_code == 201
    r = site.post("/api/contests", json=body(site, name="b.example"))
    assert (
        "this registry received 3 contests" in assert_error(r, 429, "too_many_contests")["message"]
    )
    site.clock.advance(timedelta(hours=1, seconds=1))
    assert site.post("/api/contests", json=body(site, name="a.example")).status_code == 201


def test_a_contest_body_is_bounded(site: Site) -> None:
    huge = "A" * (8 * 2**20 + 1)
    r = site.client.post("/api/contests", content=huge,
                         headers={"Content-Type": "application/json"})  # fmt: skip
    assert_error(r, 413, "content_too_large")


def test_attachments_are_downloads_for_overseers_only(site: Site) -> None:
    contest = site.post("/api/contests", json=body(site)).json()
    item = site.get(f"/api/contests/{contest['id']}", AUTH).json()
    path = f"/api/contests/{contest['id']}/attachments/{item['attachments'][0]['id']}"
    r = site.get(path, AUTH)
    assert r.status_code == 200 and r.content == PDF
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith("attachment;")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in r.headers["content-security-policy"]
    assert_error(site.get(path), 401, "not_authenticated")
    assert_error(site.get(path, ORANGE), 403, "forbidden")
    assert_error(site.get("/api/contests", ORANGE), 403, "forbidden")
    refused = site.post(f"/api/contests/{contest['id']}/decision", AUDIT,
                        json={"outcome": "upheld", "reason": "r"})  # fmt: skip
    assert_error(refused, 403, "forbidden")


def test_no_claimant_data_in_any_public_answer_or_log_leaf(site: Site) -> None:
    contest = site.post("/api/contests", json=body(site, name="shop.leak.example")).json()
    site.post(f"/api/contests/{contest['id']}/decision", AUTH,
              json={"outcome": "allowed", "reason": "decision-marker"})  # fmt: skip
    public = [
        "/api/public/orders", "/api/public/orders/2", "/api/public/contests",
        "/register", "/register/2", "/notice?name=leak.example",
        "/api/notice?name=leak.example", "/api/log/leaves?start=0&end=1000",
    ]  # fmt: skip
    for path in public:
        text = site.get(path).text
        for mark in (MARK_REASON, MARK_CONTACT, MARK_FILE, contest["secret"]):
            assert mark not in text, (path, mark)
    contest_leaves = [leaf for leaf in leaves(site) if leaf.get("type") == "contest"]
    assert [leaf["state"] for leaf in contest_leaves] == ["received", "decided"]
    for leaf in contest_leaves:
        text = json.dumps(leaf)
        for mark in (MARK_REASON, MARK_CONTACT, MARK_FILE, "owner", "shop.leak.example",
                     "decision-marker", contest["secret"]):  # fmt: skip
            assert mark not in text, (leaf, mark)
        assert set(leaf["name"]) == {"commitment"}
        assert leaf["orders"] == [2]


def test_the_web_form_receipt_follow_up_and_refusal(site: Site) -> None:
    page = site.get("/notice?name=leak.example")
    assert page.status_code == 200
    assert "script-src 'sha256-" in page.headers["content-security-policy"]
    challenge = re.search(r'name="challenge" value="([^"]+)"', page.text)
    assert challenge is not None
    fields = {"name": "leak.example", "standing": "user", "reason": "", "contact": "",
              "challenge": challenge[1], "answer": solve(challenge[1], BITS)}  # fmt: skip
    before = stored(site)
    html_as_pdf = {"attachments": ("x.pdf", b"<!DOCTYPE html><p>hi", "application/pdf")}
    refused = site.post("/contest", data=fields, files=html_as_pdf)
    assert refused.status_code == 422
    assert "The contest was refused; nothing was stored." in refused.text
    assert "reason: say why" in refused.text and "HTML or other markup" in refused.text
    assert stored(site) == before
    fields["reason"] = "I read this site daily."
    sent = site.post("/contest", data=fields,
                     files={"attachments": ("note.txt", b"plain words", "text/plain")})  # fmt: skip
    assert sent.status_code == 200, sent.text
    assert sent.headers["cache-control"] == "no-store"
    link = re.search(r'id="follow-link" href="http://127.0.0.1:8080(/contests/follow/[^"]+)"',
                     sent.text)  # fmt: skip
    assert link is not None
    follow = site.get(link[1])
    assert follow.status_code == 200 and 'data-state="pending"' in follow.text
    assert follow.headers["cache-control"] == "no-store"


def _login(site: Site, role: str) -> str:
    site.client.cookies.clear()
    page = site.client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    r = site.client.post("/login", data={"token": site.tokens[role], "csrf": csrf[1]})
    assert r.status_code == 303, r.text
    again = re.search(r'name="csrf" value="([^"]+)"', site.client.get("/contests").text)
    assert again is not None
    return again[1]


def test_the_authority_decides_through_the_web_ui(site: Site) -> None:
    contest = site.post("/api/contests", json=body(site)).json()
    csrf = _login(site, AUDIT)
    queue = site.client.get("/contests")
    assert queue.status_code == 200 and f'data-contest="{contest["id"]}"' in queue.text
    page = site.client.get(f"/contests/{contest['id']}")
    assert MARK_REASON in page.text and 'id="decision-form"' not in page.text  # reads only
    refused = site.client.post(f"/contests/{contest['id']}/decision",
                               data={"outcome": "upheld", "reason": "r", "csrf": csrf})  # fmt: skip
    assert refused.status_code == 403

    csrf = _login(site, AUTH)
    path = f"/contests/{contest['id']}/decision"
    empty = site.client.post(path, data={"outcome": "removed", "reason": " ", "csrf": csrf})
    assert empty.status_code == 422
    assert "The decision was refused; nothing was changed." in empty.text
    assert 'data-state="pending"' in empty.text
    assert site.get("/api/notice?name=leak.example").json()["blocked"] is True
    no_csrf = site.client.post(path, data={"outcome": "removed", "reason": "ok"})
    assert no_csrf.status_code == 403
    done = site.client.post(path, data={"outcome": "removed", "reason": "ok", "csrf": csrf})
    assert done.status_code == 303 and done.headers["location"] == f"/contests/{contest['id']}"
    assert 'data-state="removed"' in site.client.get(done.headers["location"]).text
    assert site.get("/api/notice?name=leak.example").json()["blocked"] is False
    # An attachment from the review page: a download, never a page.
    item = site.get(f"/api/contests/{contest['id']}", AUTH).json()
    file = site.client.get(f"/contests/{contest['id']}/attachments/{item['attachments'][0]['id']}")
    assert file.status_code == 200 and file.headers["content-disposition"].startswith("attachment")


def test_the_review_shows_what_probing_saw_of_the_name(site: Site) -> None:
    from arret.domain.model import Action
    from arret.probes.records import Result
    from arret.probes.verdict import Kind, Purpose
    from arret.store import probes as store_probes

    t = site.clock.now() - timedelta(minutes=10)

    def result(minute: int, resolver: str, name: str, verdict: Kind) -> Result:
        return Result("orange", resolver, name, name, Purpose.IN_FORCE, (2,), t,
                      Action.NXDOMAIN, verdict,
                      Action.NXDOMAIN if verdict is Kind.BLOCKED else None,
                      t + timedelta(minutes=minute), 0.004, "NXDOMAIN")  # fmt: skip

    with site.engine.begin() as conn:
        store_probes.save(conn, [
            result(0, "127.0.0.1:5301", "leak.example", Kind.NOT_BLOCKED),
            result(1, "127.0.0.1:5301", "leak.example", Kind.BLOCKED),
            result(2, "127.0.0.1:5302", "leak-mirror.example", Kind.BLOCKED),
        ])  # fmt: skip
    contest = site.post("/api/contests", json=body(site)).json()
    item = site.get(f"/api/contests/{contest['id']}", AUTH).json()
    assert [(e["resolver"], e["verdict"]) for e in item["evidence"]] == [
        ("127.0.0.1:5301", "blocked"), ("127.0.0.1:5301", "not_blocked"),
    ]  # fmt: skip
    _login(site, AUTH)
    page = site.client.get(f"/contests/{contest['id']}").text
    evidence = page.split('id="evidence"', 1)[1]
    assert "127.0.0.1:5301" in evidence and "127.0.0.1:5302" not in evidence
