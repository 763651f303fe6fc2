"""The log's public endpoints (no token), on SQLite and PostgreSQL: what they prove, how
they refuse bad input, and — scanning every public answer after a confidential order was
registered, amended and lifted — that its names and every salt never appear."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from support.website import Site, assert_error, make_site, order_body

from arret.cli.log import head_from
from arret.store import log as store_log
from arret.store.schema import feed_digests, name_salts
from arret.tlog import merkle
from arret.tlog.leaves import commitment
from arret.tlog.signing import TreeHead, key_id, verify_head
from arret.tlog.verify import verify

SECRETS = ["hidden-one.example", "hidden-two.example", "hidden-three.example"]


@pytest.fixture
def site(database_url: str) -> Site:
    site = make_site(database_url)
    secret = order_body(reference="RG secret", targets=[{"name": n} for n in SECRETS[:2]],
                        operators=["orange", "sfr"], confidential=True)  # fmt: skip
    order_id = site.post("/api/orders", "authority", json=secret).json()["id"]
    site.clock.advance(timedelta(days=1))
    r = site.post(f"/api/orders/{order_id}/amend", "authority",
                  json={"add": [{"name": SECRETS[2]}], "remove": [SECRETS[1]]})  # fmt: skip
    assert r.status_code == 200, r.text
    site.post("/api/orders", "authority", json=order_body())
    site.clock.advance(timedelta(days=1))
    r = site.post(f"/api/orders/{order_id}/lift", "authority", json={"reason": "appeal"})
    assert r.status_code == 200, r.text
    return site


def test_the_newest_head_is_signed_by_the_published_key_and_covers_every_leaf(
    site: Site,
) -> None:
    key = site.get("/api/log/key").json()
    raw = base64.b64decode(key["public_key"])
    assert key["algorithm"] == "Ed25519" and key["key_id"] == key_id(raw)
    assert key["pem"].startswith("-----BEGIN PUBLIC KEY-----")
    head = site.get("/api/log/head").json()
    from arret.cli.log import head_from

    signed = head_from(head)
    assert verify_head(raw, signed)
    leaves = site.get(f"/api/log/leaves?start=0&end={signed.size}").json()["leaves"]
    assert [x["index"] for x in leaves] == list(range(signed.size))
    hashes = [merkle.leaf_hash(x["data"].encode()) for x in leaves]
    assert [h.hex() for h in hashes] == [x["hash"] for x in leaves]
    assert merkle.root(hashes) == signed.root_hash
    # Every leaf is proven in the newest tree; every older head is a prefix of it.
    for index in range(signed.size):
        proof = site.get(f"/api/log/proof/inclusion?index={index}").json()
        path = [bytes.fromhex(h) for h in proof["audit_path"]]
        assert merkle.verify_inclusion(hashes[index], index, signed.size, path, signed.root_hash)
    for first in (1, signed.size // 2, signed.size):
        old = head_from(site.get(f"/api/log/head?size={first}").json())
        proof = site.get(f"/api/log/proof/consistency?first={first}").json()
        assert proof["second"] == signed.size
        path = [bytes.fromhex(h) for h in proof["proof"]]
        assert merkle.verify_consistency(first, signed.size, old.root_hash, signed.root_hash,
                                         path)  # fmt: skip
    heads = site.get(f"/api/log/heads?start=1&end={signed.size + 1}").json()["heads"]
    assert [h["size"] for h in heads] == list(range(1, signed.size + 1))
    assert all(verify_head(raw, head_from(h)) for h in heads)


def test_a_feed_serial_has_its_leaf_and_the_operator_its_salt(site: Site) -> None:
    serial = site.get("/api/operators/orange/feed", "operator:orange").json()["serial"]
    leaf = site.get(f"/api/log/feeds/orange/{serial}").json()
    data = json.loads(leaf["data"])
    assert data["type"] == "feed" and data["operator"] == "orange" and data["serial"] == serial
    assert leaf["hash"] == merkle.leaf_hash(leaf["data"].encode()).hex()
    secret = site.get("/api/operators/orange/feed/digest-salt", "operator:orange").json()
    # A registry born with shared policies: a key from the first serial, no salted serial.
    assert len(bytes.fromhex(secret["key"])) == 512 and secret["salt"] is None
    assert isinstance(secret["keyed_since"], int)
    assert site.get("/api/operators/orange/feed/digest-salt", "operator:sfr").status_code == 403
    assert site.get("/api/operators/orange/feed/digest-salt").status_code == 401


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/log/head?size=0", 400, "invalid_range"),
        ("/api/log/head?size=100000", 400, "invalid_range"),
        ("/api/log/head?size=abc", 422, "invalid_request"),
        ("/api/log/leaves?start=5&end=2", 400, "invalid_range"),
        ("/api/log/leaves?start=-1&end=2", 400, "invalid_range"),
        ("/api/log/leaves?start=0&end=1001", 400, "invalid_range"),
        ("/api/log/heads?start=0&end=2", 400, "invalid_range"),
        ("/api/log/proof/inclusion?index=100000", 400, "invalid_range"),
        ("/api/log/proof/inclusion?index=-1", 400, "invalid_range"),
        ("/api/log/proof/inclusion", 422, "invalid_request"),
        ("/api/log/proof/consistency?first=0", 400, "invalid_range"),
        ("/api/log/proof/consistency?first=5&second=3", 400, "invalid_range"),
        ("/api/log/feeds/orange/1", 404, "not_found"),
        ("/api/log/feeds/nobody/1", 404, "not_found"),
        ("/api/operators/nobody/feed/digest-salt", 404, "not_found"),
    ],
)
def test_bad_log_requests_get_a_clear_error(site: Site, path: str, status: int, code: str) -> None:
    role = "authority" if "digest-salt" in path else None
    error = assert_error(site.get(path, role), status, code)
    assert error["message"]


def test_an_empty_log_says_so(tmp_path: object) -> None:
    from pathlib import Path

    from fastapi.testclient import TestClient
    from support.signed import open_engine
    from support.website import NOW, SECRET

    from arret.domain.instants import FixedClock
    from arret.http.app import create_app
    from arret.http.runtime import HttpSettings, Runtime
    from arret.store.db import migrate

    engine = open_engine(f"sqlite:///{Path(str(tmp_path)) / 'empty.db'}")
    migrate(engine)
    app = create_app(Runtime(engine, FixedClock(NOW), HttpSettings(session_secret=SECRET)))
    client = TestClient(app, base_url="http://testserver")
    assert_error(client.get("/api/log/head"), 404, "not_found")
    assert client.get("/api/log/leaves").json()["leaves"] == []
    assert client.get("/api/log/key").status_code == 200


def test_no_public_answer_holds_a_confidential_name_or_a_salt(site: Site) -> None:
    with site.engine.connect() as conn:
        size = store_log.size(conn)
        salts = [s for (s,) in conn.execute(name_salts.select().with_only_columns(
            name_salts.c.salt))] + [s for (s,) in conn.execute(
            feed_digests.select().with_only_columns(feed_digests.c.key))]  # fmt: skip
        serials = [(json.loads(leaf.data)["operator"], json.loads(leaf.data)["serial"])
                   for leaf in store_log.leaves(conn, 0, size)
                   if json.loads(leaf.data)["type"] == "feed"]  # fmt: skip
    assert len(salts) >= 3 + 4 and serials
    paths = [
        "/api/public/orders", "/register", "/metrics", "/healthz", "/api/openapi.json",
        "/api/docs", "/notice?name=unrelated.example", "/api/notice?name=unrelated.example",
        "/api/log/key", "/api/log/head", f"/api/log/leaves?start=0&end={size}",
        f"/api/log/heads?start=1&end={size + 1}",
    ]  # fmt: skip
    orders = [o["id"] for o in site.get("/api/public/orders").json()]
    paths += [f"/api/public/orders/{i}" for i in orders] + [f"/register/{i}" for i in orders]
    paths += [f"/api/log/head?size={k}" for k in range(1, size + 1)]
    paths += [f"/api/log/proof/inclusion?index={i}" for i in range(size)]
    paths += [f"/api/log/proof/consistency?first={k}" for k in range(1, size + 1)]
    paths += [f"/api/log/feeds/{op}/{serial}" for op, serial in serials]
    scanned = 0
    for path in paths:
        response = site.get(path)
        assert response.status_code == 200, (path, response.text[:300])
        for secret in SECRETS:
            assert secret not in response.text, (path, secret)
        for salt in salts:
            assert salt not in response.text, (path, "a salt")
        scanned += 1
    assert scanned == len(paths) > 50
    # The leaves do record the confidential order: as many commitments as names.
    leaves = site.get(f"/api/log/leaves?start=0&end={size}").json()["leaves"]
    registered = [json.loads(x["data"])["event"] for x in leaves
                  if '"order.registered"' in x["data"] and '"RG secret"' in x["data"]]  # fmt: skip
    assert [len(e["targets"]) for e in registered] == [2]
    assert all(set(t["name"]) == {"commitment"} for t in registered[0]["targets"])


def test_the_public_register_shows_the_newest_signed_head(site: Site) -> None:
    head = site.get("/api/log/head").json()
    key = site.get("/api/log/key").json()
    page = site.client.get("/register")
    assert f'id="log-size">{head["size"]}<' in page.text
    assert head["root_hash"][:16] in page.text and key["key_id"][:16] in page.text
    assert "arret log verify --server http://127.0.0.1:8080" in page.text
    french = site.client.get("/register", headers={"Accept-Language": "fr"})
    assert "Journal de transparence" in french.text and "Vérifiez-le vous-même" in french.text


def test_an_auditor_proves_a_name_was_ordered_and_another_was_not(site: Site) -> None:
    proof = site.get(f"/api/log/commitments/{SECRETS[2].upper()}", "auditor").json()
    assert proof["name"] == SECRETS[2]
    assert proof["commitment"] == commitment(bytes.fromhex(proof["salt"]), SECRETS[2])
    size = site.get("/api/log/head").json()["size"]
    leaves = site.get(f"/api/log/leaves?start=0&end={size}").json()["leaves"]
    holding = [x["index"] for x in leaves if proof["commitment"] in x["data"]]
    assert proof["leaves"] == holding and len(holding) == 1  # the amendment that added it
    removed = site.get(f"/api/log/commitments/{SECRETS[1]}", "auditor").json()
    assert len(removed["leaves"]) == 2  # registered, then removed by the amendment
    assert_error(site.get("/api/log/commitments/never.example", "auditor"), 404, "not_found")
    assert_error(site.get("/api/log/commitments/not..a.name", "auditor"), 422, "invalid_name")
    assert site.get(f"/api/log/commitments/{SECRETS[2]}").status_code == 401
    assert site.get(f"/api/log/commitments/{SECRETS[2]}", "operator:orange").status_code == 403


class ApiSource:
    """The verifier's `Source` over the API of the in-process site."""

    def __init__(self, site: Site) -> None:
        self.site = site

    def public_key(self) -> bytes:
        return base64.b64decode(self.site.get("/api/log/key").json()["public_key"])

    def head(self, size: int | None = None) -> TreeHead | None:
        query = "" if size is None else f"?size={size}"
        return head_from(self.site.get(f"/api/log/head{query}").json())

    def leaves(self, start: int, end: int) -> list[tuple[int, str, bytes]]:
        page = self.site.get(f"/api/log/leaves?start={start}&end={end}").json()
        assert page["end"] == start + len(page["leaves"])
        return [(x["index"], x["data"], bytes.fromhex(x["hash"])) for x in page["leaves"]]

    def consistency(self, first: int, second: int) -> list[bytes]:
        proof = self.site.get(f"/api/log/proof/consistency?first={first}&second={second}")
        return [bytes.fromhex(h) for h in proof.json()["proof"]]

    def heads(self, start: int, end: int) -> list[TreeHead]:
        found = self.site.get(f"/api/log/heads?start={start}&end={end}").json()["heads"]
        return [head_from(h) for h in found]


def test_pages_of_leaves_stay_bounded_and_the_verifier_follows_them(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from arret.services import log as log_service

    size = site.get("/api/log/head").json()["size"]
    whole = site.get(f"/api/log/leaves?start=0&end={size}").json()
    assert whole["end"] == size == len(whole["leaves"])
    assert verify(ApiSource(site)).ok
    largest = max(len(x["data"]) for x in whole["leaves"])
    monkeypatch.setattr(log_service, "MAX_PAGE_CHARS", largest)
    page = site.get(f"/api/log/leaves?start=0&end={size}").json()
    assert 1 <= len(page["leaves"]) < size and page["end"] == len(page["leaves"])
    assert sum(len(x["data"]) for x in page["leaves"]) <= largest
    # One leaf larger than a page still comes, alone.
    monkeypatch.setattr(log_service, "MAX_PAGE_CHARS", 1)
    assert len(site.get("/api/log/leaves?start=0&end=5").json()["leaves"]) == 1
    report = verify(ApiSource(site))
    assert report.ok and report.head is not None and report.head.size == size
    assert len(report.data) == size


def test_tiles_are_served_at_their_c2sp_paths_and_give_the_proofs(site: Site) -> None:
    """Enough leaves for full level-0 tiles: each tile served is the naive computation
    from the leaves (read from /api/log/leaves), cacheable for good; a partial tile is a
    prefix of the next; the entry bundles give the leaves back."""
    from arret.tlog import tiles

    with site.engine.begin() as conn:
        store_log.append_many(
            conn,
            [store_log.Record({"type": "padding", "n": n}) for n in range(600)],
            site.clock.now(),
        )
    size = site.get("/api/log/head").json()["size"]
    data: list[str] = []
    while len(data) < size:
        data += [x["data"] for x in site.get(f"/api/log/leaves?start={len(data)}").json()["leaves"]]
    hashes = [merkle.leaf_hash(d.encode()) for d in data]
    expected = tiles.build(hashes)
    full, width = tiles.widths(size, 0)
    assert full == 2 and width > 0
    for index in range(full):
        r = site.get(f"/api/log/tile/0/{tiles.encode_index(index)}")
        assert r.status_code == 200 and r.content == expected[(0, index)]
        assert r.headers["content-type"] == "application/octet-stream"
        assert "immutable" in r.headers["cache-control"] and "public" in r.headers["cache-control"]
        assert "set-cookie" not in r.headers
        bundle = site.get(f"/api/log/tile/entries/{tiles.encode_index(index)}").content
        entries, at = [], 0
        while at < len(bundle):
            length = int.from_bytes(bundle[at : at + 2], "big")
            entries.append(bundle[at + 2 : at + 2 + length].decode())
            at += 2 + length
        assert entries == data[index * 256 : (index + 1) * 256]
    partial = site.get(f"/api/log/tile/0/{tiles.path(0, full, width)[len('tile/0/') :]}")
    assert partial.status_code == 200 and partial.content == expected[(0, full)]
    shorter = site.get(f"/api/log/tile/0/002.p/{width - 1}")
    assert shorter.content == expected[(0, full)][: (width - 1) * 32]
    level1 = site.get(f"/api/log/tile/1/000.p/{full}")
    assert level1.content == expected[(1, 0)]
    # What the tree has not (yet): a wider partial tile, a partial tile where the full one
    # is, a tile beyond the edge, a malformed path.
    for path in (f"0/002.p/{width + 1}", "0/000.p/5", "0/003", "1/000", "0/2", "0/x000/002",
                 "0/002.p/0", "0/002.p/256", "x/000"):  # fmt: skip
        assert site.get(f"/api/log/tile/{path}").status_code in (404, 422), path
    # The proofs the API answers from the tiles are those computed from every leaf.
    for index in (0, 255, 256, 511, 512, size - 1):
        proof = site.get(f"/api/log/proof/inclusion?index={index}").json()["audit_path"]
        assert proof == [h.hex() for h in merkle.inclusion_proof(index, hashes)]
    for first in (1, 256, 300, size - 1):
        proof = site.get(f"/api/log/proof/consistency?first={first}").json()["proof"]
        assert proof == [h.hex() for h in merkle.consistency_proof(first, hashes)]


def test_the_verifier_goes_on_from_a_checkpoint_over_the_api(site: Site) -> None:
    from arret.tlog.verify import Checkpoint

    first = verify(ApiSource(site))
    assert first.ok and first.head is not None and first.start == 0
    saved = Checkpoint(first.head, first.frontier)
    site.post("/api/orders", "authority", json=order_body(reference="RG later"))
    later = verify(ApiSource(site), checkpoint=saved)
    assert later.ok, later.problems
    assert later.head is not None and later.head.size > saved.head.size
    assert later.start == saved.head.size and len(later.data) == later.head.size - later.start
    # An edge that does not give the checkpoint's root is refused before anything is read.
    forged = Checkpoint(saved.head, [bytes(32)] * len(saved.frontier))
    report = verify(ApiSource(site), checkpoint=forged)
    assert not report.ok and "does not give its head's root" in str(report.problems[0])
