"""The REST API, endpoint by endpoint: each answers its success, and refuses bad input
with the one error shape and changes nothing. (Which role may call what: test_roles.py.)"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from support.website import Site, assert_error, make_site, order_body


@pytest.fixture
def site(database_url: str) -> Site:
    """On SQLite and on a real PostgreSQL (tests/conftest.py)."""
    return make_site(database_url)


def count_orders(site: Site) -> int:
    return len(site.get("/api/public/orders").json())


# --- orders ---------------------------------------------------------------------------


def test_registering_an_order_answers_it_with_its_plan_and_history(site: Site) -> None:
    r = site.post("/api/orders", "authority", json=order_body())
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["reference"] == "RG 26/00042"
    assert order["status"] == "in-force"
    assert order["expires_at"] == "2028-05-28T12:00:00Z"  # 18 months after NOW
    assert order["plan"]["adds"] == ["leak-mirror.example", "leak.example"]
    assert [h["kind"] for h in order["history"]] == ["order.registered"]
    assert order["history"][0]["actor"] == "test authority (token 1, authority)"
    assert site.get("/api/operators/orange/policy?format=list", "auditor").text.split() == [
        "leak-mirror.example",
        "leak.example",
    ]


def test_a_refused_order_lists_every_reason_and_registers_nothing(site: Site) -> None:
    before = count_orders(site)
    body = order_body(
        targets=[{"name": "co.uk"}, {"name": "bad..name"}, {"name": "ok.example"}],
        operators=["orange", "nosuchisp"],
    )
    error = assert_error(site.post("/api/orders", "authority", json=body), 422, "invalid_order")
    text = " ".join(error["reasons"])
    assert "'co.uk'" in text and "public suffix" in text
    assert "bad..name" in text
    assert "nosuchisp" in text
    assert count_orders(site) == before


def test_malformed_requests_name_each_bad_field(site: Site) -> None:
    body = order_body()
    del body["reference"]
    body["action"] = "explode"
    body["surprise"] = 1
    error = assert_error(site.post("/api/orders", "authority", json=body), 422, "invalid_request")
    text = " ".join(error["reasons"])
    assert "reference" in text and "action" in text and "surprise" in text
    error = assert_error(
        site.post("/api/orders", "authority", content=b"{not json", headers={
            "content-type": "application/json"}), 422, "invalid_request",
    )  # fmt: skip
    bad_dates = order_body(decided_on="yesterday", duration="forever", effective_at="soon")
    error = assert_error(
        site.post("/api/orders", "authority", json=bad_dates), 422, "invalid_order"
    )
    assert len(error["reasons"]) == 3, error


def test_a_dry_run_plans_and_writes_nothing(site: Site) -> None:
    before = count_orders(site)
    r = site.post("/api/orders?dry_run=true", "authority", json=order_body())
    assert r.status_code == 200, r.text
    assert r.json()["dry_run"] is True
    assert r.json()["plan"]["adds"] == ["leak-mirror.example", "leak.example"]
    assert count_orders(site) == before
    assert site.get("/api/operators/orange/policy?format=list", "auditor").text == ""


def test_the_same_idempotency_key_gives_the_first_answer_not_a_second_order(site: Site) -> None:
    before = count_orders(site)
    key = {"Idempotency-Key": "clerk-2026-11-28-001"}
    first = site.post("/api/orders", "authority", json=order_body(), headers=key)
    again = site.post("/api/orders", "authority", json=order_body(), headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotency-Replayed"] == "true"
    assert count_orders(site) == before + 1
    other = order_body(reference="another")
    assert_error(site.post("/api/orders", "authority", json=other, headers=key), 409, "conflict")
    assert count_orders(site) == before + 1
    bad_key = {"Idempotency-Key": "has space"}
    assert_error(
        site.post("/api/orders", "authority", json=order_body(), headers=bad_key),
        422,
        "invalid_request",
    )


def test_listing_orders_filters_by_status_operator_and_instant(site: Site) -> None:
    site.post("/api/orders", "authority", json=order_body(operators=["sfr"]))
    everything = site.get("/api/orders", "auditor").json()
    assert [o["reference"] for o in everything] == ["21-51823", "RG 26/00042"]
    in_force = site.get("/api/orders?status=in-force", "auditor").json()
    assert [o["reference"] for o in in_force] == ["RG 26/00042"]
    in_2021 = site.get("/api/orders?at=2021-04-01&status=in-force", "auditor").json()
    assert [(o["reference"], o["names"]) for o in in_2021] == [("21-51823", 2)]
    assert [o["reference"] for o in site.get("/api/orders?operator=sfr", "auditor").json()] == [
        "21-51823",
        "RG 26/00042",
    ]
    assert_error(site.get("/api/orders?at=someday", "auditor"), 422, "invalid_order")
    assert_error(site.get("/api/orders?status=paused", "auditor"), 422, "invalid_request")
    assert_error(site.get("/api/orders?operator=nosuchisp", "auditor"), 404, "not_found")


def test_showing_an_order_gives_its_targets_and_history(site: Site) -> None:
    order = site.get("/api/orders/1?at=2021-04-01", "auditor").json()
    assert order["status"] == "in-force"
    assert [t["name"] for t in order["targets"]] == [
        "dossiers-labos.example",
        "dossiers-labos-miroir.example",
    ]
    assert [h["kind"] for h in order["history"]] == ["order.registered", "order.amended"]
    assert_error(site.get("/api/orders/999", "auditor"), 404, "not_found")
    assert_error(site.get("/api/orders/abc", "auditor"), 422, "invalid_request")


def test_amending_adds_a_mirror_and_refuses_bad_names(site: Site) -> None:
    order_id = site.post("/api/orders", "authority", json=order_body()).json()["id"]
    site.clock.advance(timedelta(days=3))
    r = site.post(f"/api/orders/{order_id}/amend", "authority", json={
        "add": [{"name": "leak-third.example"}]})  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["plan"] == {
        "adds": ["leak-third.example"],
        "removes": [],
        "expires_at": "2028-05-28T12:00:00Z",
        "operators": ["orange"],
    }
    # The answer costs what the amendment changed: its own event and counts, with links
    # to the targets (paginated) rather than all of them.
    assert r.json()["amendment"]["kind"] == "order.amended"
    assert r.json()["amendment"]["added"] == [
        {"name": "leak-third.example", "scope": "subtree", "action": None}
    ]
    assert r.json()["targets_total"] == 3 and r.json()["names"] == 3
    assert "targets" not in r.json() and "history" not in r.json()
    listed = site.get(r.json()["targets_url"], "auditor").json()
    assert [t["name"] for t in listed["targets"]][-1] == "leak-third.example"
    bad = {"add": [{"name": "com"}], "remove": ["x..y"]}
    error = assert_error(
        site.post(f"/api/orders/{order_id}/amend", "authority", json=bad), 422, "invalid_targets"
    )
    assert len(error["reasons"]) == 2
    assert_error(site.post("/api/orders/999/amend", "authority", json={"add": []}), 404,
                 "not_found")  # fmt: skip
    names = site.get("/api/operators/orange/policy?format=list", "auditor").text.split()
    assert names == ["leak-mirror.example", "leak-third.example", "leak.example"]


def test_an_orders_targets_are_read_a_page_at_a_time(site: Site) -> None:
    body = order_body() | {"targets": [{"name": f"m{i:02d}.leak.example"} for i in range(25)]}
    order_id = site.post("/api/orders", "authority", json=body).json()["id"]
    site.clock.advance(timedelta(days=1))
    site.post(f"/api/orders/{order_id}/amend", "authority", json={"remove": ["m03.leak.example"]})
    seen: list[tuple[str, str | None]] = []
    url: str | None = f"/api/orders/{order_id}/targets?limit=10"
    pages = 0
    while url:
        page = site.get(url, "auditor").json()
        assert page["targets_total"] == 25 and len(page["targets"]) <= 10
        seen += [(t["name"], t["removed_at"]) for t in page["targets"]]
        url, pages = page["targets_next"], pages + 1
    assert pages == 3 and [n for n, _ in seen] == [f"m{i:02d}.leak.example" for i in range(25)]
    assert [n for n, removed in seen if removed] == ["m03.leak.example"]
    # The detail holds the first page and says where the next one is.
    shown = site.get(f"/api/orders/{order_id}", "auditor").json()
    assert len(shown["targets"]) == 25 and shown["targets_next"] is None
    assert shown["names"] == 24
    # Bad paging is a 422 naming the parameter; another operator's order stays hidden.
    for query in ("limit=0", "limit=10001", "after=-1", "after=x"):
        assert_error(site.get(f"/api/orders/{order_id}/targets?{query}", "auditor"), 422,
                     "invalid_request")  # fmt: skip
    assert_error(site.get("/api/orders/999/targets", "auditor"), 404, "not_found")


def test_lifting_needs_a_reason_and_happens_once(site: Site) -> None:
    order_id = site.post("/api/orders", "authority", json=order_body()).json()["id"]
    assert_error(site.post(f"/api/orders/{order_id}/lift", "authority", json={}), 422,
                 "invalid_request")  # fmt: skip
    site.clock.advance(timedelta(hours=1))
    r = site.post(f"/api/orders/{order_id}/lift", "authority", json={"reason": "appeal won"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "lifted"
    assert r.json()["plan"]["removes"] == []  # names stay in the order; the order ended
    assert r.json()["lift"]["kind"] == "order.lifted"
    assert r.json()["lift"]["reason"] == "appeal won"
    assert r.json()["targets_total"] == 2
    again = site.post(f"/api/orders/{order_id}/lift", "authority", json={"reason": "again"})
    assert_error(again, 422, "invalid_order")
    assert site.get("/api/operators/orange/policy?format=list", "auditor").text == ""


# --- operators, feed, allow-list, events ---------------------------------------------------


def test_adding_an_operator_gives_its_key_once(site: Site) -> None:
    r = site.post("/api/operators", "authority", json={
        "name": "netcom", "notify": ["127.0.0.1:5300"], "allow_from": ["127.0.0.0/8"]})  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.json()["key"]["name"].startswith("netcom-1.")
    assert len(r.json()["key"]["secret"]) >= 40
    shown = site.get("/api/operators/netcom", "auditor").json()
    assert "key" not in shown and shown["notify"] == ["127.0.0.1:5300"]
    assert_error(site.post("/api/operators", "authority", json={"name": "netcom"}), 409,
                 "already_exists")  # fmt: skip
    error = assert_error(
        site.post("/api/operators", "authority", json={"name": "Net Com", "notify": ["nowhere"]}),
        422,
        "invalid_operator",
    )
    assert "Net Com" in error["message"]


def test_an_operator_and_its_feed_status(site: Site) -> None:
    shown = site.get("/api/operators/orange", "operator:orange").json()
    assert shown["name"] == "orange"
    assert shown["feed"]["zone"] == "orange.rpz.arret."
    assert shown["feed"]["serial"] > 0
    assert shown["feed"]["last_transfer"] is None  # no feed server in this process
    site.post("/api/orders", "authority", json=order_body())
    feed = site.get("/api/operators/orange/feed", "operator:orange").json()
    assert feed["names"] == 2 and feed["records"] == 4
    assert feed["serial"] > shown["feed"]["serial"]
    assert_error(site.get("/api/operators/nosuchisp", "auditor"), 404, "not_found")
    assert_error(site.get("/api/operators/nosuchisp/feed", "auditor"), 404, "not_found")


def test_changes_since_a_serial(site: Site) -> None:
    serial = site.get("/api/operators/orange/feed", "auditor").json()["serial"]
    site.post("/api/orders", "authority", json=order_body())
    changes = site.get(f"/api/operators/orange/changes?since={serial}", "auditor").json()
    assert len(changes) == 1
    assert sorted(a["owner"] for a in changes[0]["added"]) == [
        "*.leak-mirror.example",
        "*.leak.example",
        "leak-mirror.example",
        "leak.example",
    ]
    assert changes[0]["removed"] == []
    assert_error(site.get("/api/operators/orange/changes?since=12345", "auditor"), 404,
                 "not_found")  # fmt: skip
    assert_error(site.get("/api/operators/orange/changes?since=-1", "auditor"), 422,
                 "invalid_request")  # fmt: skip


@pytest.mark.parametrize(
    ("format", "media", "expect"),
    [
        ("json", "application/json", '"name": "dossiers-labos.example"'),
        ("list", "text/plain", "dossiers-labos.example\n"),
        ("csv", "text/csv", "name,scope,action,orders"),
        ("rpz", "text/dns", "*.dossiers-labos.example"),
        ("hosts", "text/plain", "dossiers-labos.example"),
        ("unbound", "text/plain", "local-zone:"),
        ("dnsmasq", "text/plain", "dossiers-labos.example"),
    ],
)
def test_the_policy_in_every_format(site: Site, format: str, media: str, expect: str) -> None:
    r = site.get(f"/api/operators/orange/policy?format={format}&at=2021-04-01", "auditor")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media)
    assert expect in r.text


def test_policy_refuses_an_unknown_format_or_instant(site: Site) -> None:
    assert_error(site.get("/api/operators/orange/policy?format=pdf", "auditor"), 422,
                 "invalid_request")  # fmt: skip
    assert_error(site.get("/api/operators/orange/policy?at=tomorrowish", "auditor"), 422,
                 "invalid_order")  # fmt: skip


def test_resolver_configuration_carries_the_operators_key(site: Site) -> None:
    r = site.get("/api/operators/orange/config?resolver=bind&server=127.0.0.1:5353", "auditor")
    assert r.status_code == 200
    assert "orange.rpz.arret" in r.text and "hmac-sha256" in r.text
    error = assert_error(site.get("/api/operators/orange/config?resolver=dnsmasq", "auditor"),
                         422, "invalid_request")  # fmt: skip
    assert all(
        f"'{kind}'" in str(error["reasons"])
        for kind in (
            "unbound",
            "bind",
            "powerdns",
            "knot-resolver",
            "knot",
            "nsd",
            "bind-secondary",
        )
    )
    for kind in ("knot", "nsd", "bind-secondary"):
        r = site.get(f"/api/operators/orange/config?resolver={kind}", "auditor")
        assert r.status_code == 200 and "Arrêt bound: 1 s" in r.text, r.text
        assert "REDACTED" in r.text  # an auditor does not get the secret
    # The directory lands inside configuration files: plain characters only.
    error = assert_error(
        site.get('/api/operators/orange/config?resolver=bind&directory=/var/x";evil', "auditor"),
        422,
        "invalid_config",
    )
    assert "not safe in a configuration file" in error["message"]
    r = site.get("/api/operators/orange/config?resolver=knot-resolver&notice_address=192.0.2.80"
                 "&notice_address=2001:db8::80", "auditor")  # fmt: skip
    assert "--notice-address 192.0.2.80 --notice-address 2001:db8::80" in r.text, r.text
    error = assert_error(
        site.get("/api/operators/orange/config?resolver=knot-resolver&notice_address=x", "auditor"),
        422,
        "invalid_config",
    )
    assert "'x' is not an IP address" in error["message"]
    assert_error(
        site.get("/api/operators/orange/config?resolver=bind&server=ns.example", "auditor"),
        422,
        "invalid_operator",
    )


def test_allow_list(site: Site) -> None:
    r = site.post("/api/allow", "authority", json={"name": "cdn.example", "reason": "a CDN"})
    assert r.status_code == 201, r.text
    assert [a["name"] for a in site.get("/api/allow", "operator:sfr").json()] == ["cdn.example"]
    error = assert_error(
        site.post("/api/allow", "authority", json={"name": "co.uk", "reason": "x"}),
        422,
        "invalid_name",
    )
    assert "public suffix" in error["message"]
    assert_error(site.post("/api/allow", "authority", json={"name": "x.example"}), 422,
                 "invalid_request")  # fmt: skip


def test_targets_that_are_no_site_are_refused_with_every_reason(site: Site) -> None:
    """RPZ's own triggers, special-use names and the feed's own names: 422, nothing made."""
    before = count_orders(site)
    policy = site.get("/api/operators/orange/policy?format=rpz", "auditor").text
    bad = ["32.1.2.0.192.rpz-ip", "leak.onion", "notice.arret.localhost", "orange.rpz.arret"]
    targets = [{"name": n} for n in bad] + [
        {"name": "32.1.0.0.127.rpz-client-ip", "scope": "exact"}
    ]
    error = assert_error(
        site.post("/api/orders", "authority", json=order_body(targets=targets)),
        422,
        "invalid_targets",
    )
    assert len(error["reasons"]) == 5
    for name, says in zip(
        [*bad, "32.1.0.0.127.rpz-client-ip"],
        ["rpz-", "special-use", "notice host", "origin of the policy feeds", "rpz-"],
        strict=True,
    ):
        assert any(repr(name) in r and says in r for r in error["reasons"]), (name, error)
    assert count_orders(site) == before
    assert site.get("/api/operators/orange/policy?format=rpz", "auditor").text == policy


def test_an_allow_list_entry_too_long_for_the_feed_is_refused(site: Site) -> None:
    long_name = ".".join(["a" * 60] * 3 + ["b" * 44]) + ".leak9.example"
    error = assert_error(
        site.post("/api/allow", "authority", json={"name": long_name, "reason": "x"}),
        422,
        "invalid_name",
    )
    assert "255 octets" in error["message"]
    error = assert_error(
        site.post("/api/allow", "authority", json={"name": "a.rpz-ip", "reason": "x"}),
        422,
        "invalid_name",
    )
    assert "rpz-" in error["message"]
    assert site.get("/api/allow", "auditor").json() == []


def test_removing_an_allow_list_entry_blocks_the_name_again(site: Site) -> None:
    assert site.post("/api/orders", "authority", json=order_body()).status_code == 201
    entry = {"name": "cdn.leak.example", "reason": "a CDN"}
    assert site.post("/api/allow", "authority", json=entry).status_code == 201
    rpz = site.get("/api/operators/orange/policy?format=rpz", "auditor").text
    assert "cdn.leak.example IN CNAME rpz-passthru." in rpz
    r = site.post("/api/allow/remove", "authority", json=entry | {"reason": "CDN moved"})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "cdn.leak.example"
    assert site.get("/api/allow", "auditor").json() == []
    rpz = site.get("/api/operators/orange/policy?format=rpz", "auditor").text
    assert "cdn.leak.example" not in rpz and "*.leak.example IN CNAME ." in rpz
    kinds = [e["kind"] for e in site.get("/api/events", "auditor").json()]
    assert kinds[-2:] == ["allow.added", "allow.removed"]
    # Not on the list (any more): 404, and nothing is logged.
    error = assert_error(site.post("/api/allow/remove", "authority", json=entry), 404,
                         "not_found")  # fmt: skip
    assert "not on the allow-list" in error["message"]
    assert len(site.get("/api/events", "auditor").json()) == len(kinds)
    assert_error(site.post("/api/allow/remove", "authority", json={"name": "x.example"}), 422,
                 "invalid_request")  # fmt: skip
    # And it may come back.
    assert site.post("/api/allow", "authority", json=entry).status_code == 201


def test_events_page_through_the_history(site: Site) -> None:
    everything = site.get("/api/events", "auditor").json()
    assert [e["kind"] for e in everything][-2:] == ["order.registered", "order.amended"]
    assert [e["seq"] for e in everything] == sorted(e["seq"] for e in everything)
    later = site.get(f"/api/events?after={everything[-2]['seq']}", "auditor").json()
    assert [e["kind"] for e in later] == ["order.amended"]
    assert len(site.get("/api/events?limit=1", "auditor").json()) == 1
    assert_error(site.get("/api/events?limit=0", "auditor"), 422, "invalid_request")


# --- public ------------------------------------------------------------------------------


def test_the_public_register_never_shows_a_confidential_orders_names(site: Site) -> None:
    secret = order_body(
        reference="RG secret",
        targets=[{"name": "hidden-one.example"}, {"name": "hidden-two.example"}],
        confidential=True,
    )
    order_id = site.post("/api/orders", "authority", json=secret).json()["id"]
    site.clock.advance(timedelta(days=1))
    site.post(f"/api/orders/{order_id}/amend", "authority", json={
        "add": [{"name": "hidden-three.example"}]})  # fmt: skip
    listed = site.get("/api/public/orders").json()
    shown = next(o for o in listed if o["id"] == order_id)
    assert shown["targets"] is None and shown["names"] == 3
    one = site.get(f"/api/public/orders/{order_id}")
    assert one.status_code == 200
    assert [m["kind"] for m in one.json()["timeline"]] == ["registered", "in-force", "amended"]
    for response in (site.get("/api/public/orders"), one):
        assert "hidden-" not in response.text
    demo = site.get("/api/public/orders/1").json()
    assert demo["targets"] == ["dossiers-labos.example", "dossiers-labos-miroir.example"]
    assert [m["kind"] for m in demo["timeline"]] == [
        "registered", "in-force", "amended", "expired"]  # fmt: skip
    assert_error(site.get("/api/public/orders/999"), 404, "not_found")


def test_the_public_register_pages_a_long_orders_names(site: Site) -> None:
    body = order_body(targets=[{"name": f"q{i:04d}.example"} for i in range(1203)])
    order_id = site.post("/api/orders?confirm=true", "authority", json=body).json()["id"]
    one = site.get(f"/api/public/orders/{order_id}").json()
    assert one["names"] == 1203 and len(one["targets"]) == 1000
    registered = one["timeline"][0]
    assert registered["added_count"] == 1203 and len(registered["added"]) == 100
    rest = site.get(one["targets_next"]).json()
    assert rest["targets"] == [f"q{i:04d}.example" for i in range(1000, 1203)]
    assert rest["targets_next"] is None and rest["names"] == 1203
    small = site.get(f"/api/public/orders/{order_id}/names?limit=2").json()
    assert small["targets"] == ["q0000.example", "q0001.example"]
    for query in ("limit=0", "limit=10001", "after=-1"):
        assert_error(site.get(f"/api/public/orders/{order_id}/names?{query}"), 422,
                     "invalid_request")  # fmt: skip
    assert_error(site.get("/api/public/orders/999/names"), 404, "not_found")
    secret = order_body(targets=[{"name": "hidden-page.example"}], confidential=True)
    hidden = site.post("/api/orders", "authority", json=secret).json()["id"]
    answer = site.get(f"/api/public/orders/{hidden}/names")
    assert answer.json()["targets"] is None and "hidden-page" not in answer.text


def test_the_notice_lookup(site: Site) -> None:
    site.post("/api/orders", "authority", json=order_body())
    blocked = site.get("/api/notice?name=www.LEAK.example.").json()
    assert blocked["blocked"] is True
    assert blocked["name"] == "www.leak.example"
    assert [(o["reference"], o["target"], o["ends_at"]) for o in blocked["orders"]] == [
        ("RG 26/00042", "leak.example", "2028-05-28T12:00:00Z")
    ]
    assert site.get("/api/notice?name=unrelated.example").json()["blocked"] is False
    assert_error(site.get("/api/notice?name=a..b"), 422, "invalid_name")
    assert_error(site.get("/api/notice"), 422, "invalid_request")


def test_health_and_metrics(site: Site) -> None:
    health = site.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    site.post("/api/orders", "authority", json=order_body())
    metrics = site.get("/metrics").text
    assert "arret_orders_in_force 1.0" in metrics
    assert 'arret_feed_names{operator="orange"} 2.0' in metrics
    assert 'arret_feed_names{operator="sfr"} 0.0' in metrics
    assert 'arret_feed_serial{operator="orange"}' in metrics
    assert_error(site.client.post("/healthz"), 405, "method_not_allowed")
    assert_error(site.get("/api/no/such/thing", "auditor"), 404, "not_found")


def test_health_is_degraded_on_a_database_without_schema(tmp_path: Path) -> None:
    site = make_site(f"sqlite:///{tmp_path / 'arret.db'}")
    with site.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
    r = site.get("/healthz")
    assert r.status_code == 503 and r.json()["status"] == "degraded"


# --- tokens --------------------------------------------------------------------------------


def test_requests_without_a_valid_token_are_refused(site: Site) -> None:
    error = assert_error(site.get("/api/orders"), 401, "not_authenticated")
    assert "Bearer" in error["message"]
    assert site.get("/api/orders").headers["WWW-Authenticate"].startswith("Bearer")
    assert_error(site.get("/api/orders", headers={"Authorization": "Basic dXNlcjpwYXNz"}), 401,
                 "not_authenticated")  # fmt: skip
    assert_error(site.get("/api/orders", headers={"Authorization": "Bearer arret_forged"}), 401,
                 "not_authenticated")  # fmt: skip


def test_a_revoked_or_expired_token_is_refused(site: Site) -> None:
    from arret.domain.access import Role
    from arret.services import tokens

    assert site.get("/api/orders", "auditor").status_code == 200
    with site.engine.begin() as conn:
        tokens.revoke(conn, site.token_ids["auditor"], site.clock.now())
    error = assert_error(site.get("/api/orders", "auditor"), 401, "not_authenticated")
    assert "revoked" in error["message"]
    with site.engine.begin() as conn:
        token, _ = tokens.create(conn, Role.parse("auditor"), site.clock.now(), "t", "",
                                 site.clock.now() + timedelta(days=1))  # fmt: skip
    bearer = {"Authorization": f"Bearer {token}"}
    assert site.get("/api/orders", headers=bearer).status_code == 200
    site.clock.advance(timedelta(days=1))
    error = assert_error(site.get("/api/orders", headers=bearer), 401, "not_authenticated")
    assert "expired" in error["message"]


def test_two_first_requests_with_one_key_register_one_order(site: Site) -> None:
    """The race: another request with the same key commits between this one's check and
    its own record. Played for real: a second connection writes that other answer as soon
    as this request has looked the key up."""
    from sqlalchemy import event

    from arret.store import tokens as store_tokens

    before = count_orders(site)
    key = "race-1"
    first = site.post("/api/orders", "authority", json=order_body(reference="R-A"),
                      headers={"Idempotency-Key": "warm-up"})  # fmt: skip
    assert first.status_code == 201
    fired = []

    def after(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "FROM idempotency_keys" in statement and not fired:
            fired.append(True)
            with site.engine.connect() as other, other.begin():
                store_tokens.remember(other, site.token_ids["authority"], key, "d" * 64, 201,
                                      {"id": 424242}, site.clock.now())  # fmt: skip

    event.listen(site.engine, "after_cursor_execute", after)
    try:
        r = site.post("/api/orders", "authority", json=order_body(reference="R-B"),
                      headers={"Idempotency-Key": key})  # fmt: skip
    finally:
        event.remove(site.engine, "after_cursor_execute", after)
    assert fired
    # The other request's body differs ("d"*64 is not this request's digest): a conflict,
    # and this request's order was rolled back with the failed record.
    assert_error(r, 409, "conflict")
    assert count_orders(site) == before + 1
