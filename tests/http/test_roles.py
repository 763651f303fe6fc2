"""Who may call what: every endpoint of the API and every page of the web UI, for every
role. `authority` writes; `auditor` reads everything; `operator:NAME` reads its own feed
and the orders addressed to it; anonymous callers reach only the public register, the
notice page, health and metrics. Forbidden means 401 without a token, 403 with one."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate
from support.website import Site, make_site, order_body

from arret.domain.contests import Limits, solve

#: A document order 2 carries (attached by the fixture), and its digest.
PDF = b"%PDF-1.4\n%%EOF\n"
PDF_SHA = hashlib.sha256(PDF).hexdigest()

ANON, AUTH, AUDIT, ORANGE, SFR = None, "authority", "auditor", "operator:orange", "operator:sfr"
EVERYONE = {ANON, AUTH, AUDIT, ORANGE, SFR}
SIGNED_IN = {AUTH, AUDIT, ORANGE, SFR}
OVERSEERS = {AUTH, AUDIT}
ORANGE_SIDE = {AUTH, AUDIT, ORANGE}

#: Order 1 is the demo (addressed to every operator); order 2 only to orange.
API: list[tuple[str, str, Any, set[str | None]]] = [
    ("GET", "/api/orders", None, SIGNED_IN),
    ("POST", "/api/orders?dry_run=true", order_body(), {AUTH}),
    ("GET", "/api/orders/1", None, SIGNED_IN),
    ("GET", "/api/orders/2", None, ORANGE_SIDE),
    ("GET", "/api/orders/2/targets", None, ORANGE_SIDE),
    ("POST", "/api/orders/2/amend?dry_run=true", {"add": [{"name": "m.example"}]}, {AUTH}),
    ("POST", "/api/orders/2/lift?dry_run=true", {"reason": "r"}, {AUTH}),
    ("POST", "/api/orders/2/documents?kind=evidence&target=leak.example&dry_run=true", PDF, {AUTH}),
    ("GET", "/api/orders/2/documents", None, ORANGE_SIDE),
    ("GET", f"/api/orders/2/documents/{PDF_SHA}", None, ORANGE_SIDE),
    ("GET", f"/api/public/orders/2/documents/{PDF_SHA}", None, EVERYONE),
    ("GET", "/api/operators", None, SIGNED_IN),
    ("POST", "/api/operators", {"name": "matrixop"}, {AUTH}),
    ("GET", "/api/operators/orange", None, ORANGE_SIDE),
    ("GET", "/api/operators/orange/feed", None, ORANGE_SIDE),
    ("GET", "/api/operators/orange/changes", None, ORANGE_SIDE),
    ("GET", "/api/operators/orange/policy", None, ORANGE_SIDE),
    ("GET", "/api/operators/orange/config?resolver=unbound", None, ORANGE_SIDE),
    ("GET", "/api/allow", None, SIGNED_IN),
    ("POST", "/api/allow", {"name": "matrix.example", "reason": "test"}, {AUTH}),
    # After the line above (in the authority's run): the entry it made is there to remove.
    ("POST", "/api/allow/remove", {"name": "matrix.example", "reason": "test"}, {AUTH}),
    ("GET", "/api/events", None, OVERSEERS),
    ("GET", "/api/public/orders", None, EVERYONE),
    ("GET", "/api/public/orders/2", None, EVERYONE),
    ("GET", "/api/public/orders/2/names", None, EVERYONE),
    ("GET", "/api/notice?name=leak.example", None, EVERYONE),
    ("GET", "/api/operators/orange/feed/digest-salt", None, ORANGE_SIDE),
    ("GET", "/api/log/key", None, EVERYONE),
    ("GET", "/api/log/head", None, EVERYONE),
    ("GET", "/api/log/leaves?start=0&end=5", None, EVERYONE),
    ("GET", "/api/log/heads?start=1&end=5", None, EVERYONE),
    ("GET", "/api/log/proof/inclusion?index=0", None, EVERYONE),
    ("GET", "/api/log/proof/consistency?first=1", None, EVERYONE),
    ("GET", "/api/log/feeds/orange/{serial}", None, EVERYONE),
    ("GET", "/api/log/tile/0/000.p/1", None, EVERYONE),
    ("GET", "/api/log/tile/entries/000.p/1", None, EVERYONE),
    ("GET", "/api/log/commitments/secret.example", None, OVERSEERS),
    ("GET", "/healthz", None, EVERYONE),
    ("GET", "/metrics", None, EVERYONE),
    ("GET", "/api/contests/challenge", None, EVERYONE),
    # A new proof of work for each caller (a challenge buys one contest).
    ("POST", "/api/contests", lambda site: contest_body(site), EVERYONE),
    ("GET", "/api/contests/follow/1/{secret}", None, EVERYONE),
    ("GET", "/api/public/contests", None, EVERYONE),
    ("GET", "/api/contests", None, OVERSEERS),
    ("GET", "/api/contests/1", None, OVERSEERS),
    ("GET", "/api/contests/1/attachments/1", None, OVERSEERS),
    ("POST", "/api/contests/1/decision", {"outcome": "upheld", "reason": "r"}, {AUTH}),
]

#: Contests' proof of work, made light for these tests.
BITS = 4


def contest_body(site: Site) -> dict[str, Any]:
    challenge = site.get("/api/contests/challenge").json()["challenge"]
    return {
        "name": "leak.example", "standing": "owner", "reason": "wrong",
        "attachments": [{"filename": "a.txt", "content": "aGVsbG8="}],
        "proof": {"challenge": challenge, "answer": solve(challenge, BITS)},
    }  # fmt: skip


WEB: list[tuple[str, set[str | None]]] = [
    ("/register", EVERYONE),
    ("/register/2", EVERYONE),
    ("/notice?name=leak.example", EVERYONE),
    ("/login", EVERYONE),
    ("/orders", SIGNED_IN),
    ("/orders/new", {AUTH}),
    ("/orders/1", SIGNED_IN),
    ("/orders/2", ORANGE_SIDE),
    (f"/orders/2/documents/{PDF_SHA}", ORANGE_SIDE),
    (f"/register/2/documents/{PDF_SHA}", EVERYONE),
    ("/operators/orange", ORANGE_SIDE),
    ("/operators/sfr", {AUTH, AUDIT, SFR}),
    ("/operators/orange/compliance", ORANGE_SIDE),
    ("/contests", OVERSEERS),
    ("/contests/1", OVERSEERS),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = make_site(
        f"sqlite:///{tmp_path_factory.mktemp('roles') / 'arret.db'}",
        contests=Limits(pow_bits=BITS),
    )
    r = site.post("/api/orders", AUTH, json=order_body())
    assert r.status_code == 201 and r.json()["id"] == 2
    secret = order_body(targets=[{"name": "secret.example"}], confidential=True)
    r = site.post("/api/orders", AUTH, json=secret)
    assert r.status_code == 201 and r.json()["id"] == 3
    r = site.post("/api/contests", json=contest_body(site))
    assert r.status_code == 201 and r.json()["id"] == 1
    site.contest_secret = r.json()["secret"]  # type: ignore[attr-defined]
    r = site.post("/api/orders/2/documents?kind=decision", AUTH, content=PDF,
                  headers={"Content-Type": "application/pdf"})  # fmt: skip
    assert r.status_code == 201, r.text
    return site


def send(site: Site, method: str, path: str, body: dict[str, Any] | bytes | None,
         role: str | None) -> Any:  # fmt: skip
    """The request of a line of the matrix: a JSON body, or a document's bytes."""
    if isinstance(body, bytes):
        headers = site.headers(role) | {"Content-Type": "application/pdf"}
        return site.client.request(method, path, content=body, headers=headers)
    return site.client.request(method, path, json=body, headers=site.headers(role))


@pytest.mark.parametrize("role", sorted(EVERYONE, key=str), ids=str)
def test_every_api_endpoint_for_every_role(site: Site, role: str | None) -> None:
    serial = site.get("/api/operators/orange/feed", AUTH).json()["serial"]
    for method, template, body, allowed in API:
        path = template.replace("{serial}", str(serial))
        path = path.replace("{secret}", site.contest_secret)  # type: ignore[attr-defined]
        sent = body(site) if callable(body) else body
        response = send(site, method, path, sent, role)
        if role in allowed:
            assert response.status_code < 400, (method, path, role, response.text)
        else:
            expected = 401 if role is None else 403
            assert response.status_code == expected, (method, path, role, response.text)
            assert response.json()["error"]["status"] == expected


def login(site: Site, role: str) -> None:
    site.client.cookies.clear()
    page = site.client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    r = site.client.post("/login", data={"token": site.tokens[role], "csrf": csrf.group(1)})
    assert r.status_code == 303, r.text


@pytest.mark.parametrize("role", sorted(EVERYONE, key=str), ids=str)
def test_every_web_page_for_every_role(site: Site, role: str | None) -> None:
    if role is None:
        site.client.cookies.clear()
    else:
        login(site, role)
    for path, allowed in WEB:
        response = site.client.get(path)
        if role in allowed:
            assert response.status_code == 200, (path, role, response.text[:500])
        elif role is None:
            assert response.status_code == 303, (path, response.status_code)
            assert response.headers["location"].startswith("/login?next=")
        else:
            assert response.status_code == 403, (path, role, response.status_code)
    site.client.cookies.clear()


def test_an_operator_sees_only_itself_and_the_orders_addressed_to_it(site: Site) -> None:
    assert [op["name"] for op in site.get("/api/operators", SFR).json()] == ["sfr"]
    assert [o["id"] for o in site.get("/api/orders", SFR).json()] == [1]
    assert [o["id"] for o in site.get("/api/orders", ORANGE).json()] == [1, 2, 3]
    assert site.get("/api/orders?operator=orange", SFR).status_code == 403
    assert site.get("/api/operators/orange/policy?format=rpz", SFR).status_code == 403


def test_the_matrix_covers_every_endpoint_and_the_openapi_document_validates(site: Site) -> None:
    document = site.get("/api/openapi.json").json()
    validate(document)
    declared = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    tested = {
        (
            method,
            _template(path),
        )
        for method, path, _body, _allowed in API
    }
    assert declared == tested


def _template(path: str) -> str:
    if path.startswith("/api/contests/follow/"):
        return "/api/contests/follow/{contest_id}/{secret}"
    if path.startswith("/api/contests/1/attachments/"):
        return "/api/contests/{contest_id}/attachments/{attachment_id}"
    if path.startswith("/api/contests/1"):
        return path.replace("/1", "/{contest_id}", 1)
    if path.startswith("/api/log/feeds/"):
        return "/api/log/feeds/{operator}/{serial}"
    if path.startswith("/api/log/commitments/"):
        return "/api/log/commitments/{name}"
    if path.startswith("/api/log/tile/entries/"):
        return "/api/log/tile/entries/{address}"
    if path.startswith("/api/log/tile/"):
        return "/api/log/tile/{level}/{address}"
    path = path.replace(PDF_SHA, "{sha256}")
    return re.sub(r"/(\d+|orange)(?=/|$)", lambda m: "/{" + _param(m) + "}", path.split("?")[0])


def _param(match: re.Match[str]) -> str:
    return "order_id" if match.group(1).isdigit() else "name"


def test_the_api_docs_page_is_served(site: Site) -> None:
    r = site.get("/api/docs")
    assert r.status_code == 200
    assert "POST /api/orders" in r.text and "OrderIn" in r.text
    assert "<script" not in r.text and "cdn" not in r.text.lower()


def test_a_revoked_token_ends_the_web_session(site: Site, tmp_path: Path) -> None:
    from arret.services import tokens

    fresh = make_site(f"sqlite:///{tmp_path / 'arret.db'}")
    login(fresh, AUDIT)
    assert fresh.client.get("/orders").status_code == 200
    with fresh.engine.begin() as conn:
        tokens.revoke(conn, fresh.token_ids[AUDIT], fresh.clock.now())
    r = fresh.client.get("/orders")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


@pytest.mark.parametrize(("role", "sees"), [(AUTH, True), (ORANGE, True), (AUDIT, False)], ids=str)
def test_only_the_operator_and_the_authority_see_its_tsig_secret(
    site: Site, role: str, sees: bool
) -> None:
    """An auditor reads every operator's feed and configuration, but a TSIG secret would
    let it pull any feed as that operator: the snippets it gets have the secret redacted,
    in the API and on the operator's page."""
    from arret.services import keys

    with site.engine.connect() as conn:
        key = keys.current_key(conn, "orange", site.clock.now())
    assert key is not None
    # Unbound's snippet carries no key (Unbound cannot sign transfers).
    for resolver in ("bind", "powerdns", "knot-resolver", "knot", "nsd", "bind-secondary"):
        r = site.get(f"/api/operators/orange/config?resolver={resolver}", role)
        assert r.status_code == 200, r.text
        assert (key.secret in r.text) is sees, (resolver, role)
        assert (keys.REDACTED in r.text) is not sees, (resolver, role)
    login(site, role)
    page = site.client.get("/operators/orange")
    site.client.cookies.clear()
    assert page.status_code == 200
    assert (key.secret in page.text) is sees
    assert (keys.REDACTED in page.text) is not sees


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with a `$ref` followed (also one wrapped in allOf/anyOf of one)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return {"title": name, **document["components"]["schemas"][name]}
    return schema


def _success(operation: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    code = next(c for c in ("200", "201") if c in operation["responses"])
    return code, operation["responses"][code].get("content", {})


def test_every_json_answer_is_described_in_the_openapi_document(site: Site) -> None:
    """`/api/docs` shows what each endpoint answers: an object with its fields (or a list of
    them), not an anonymous dict."""
    document = site.get("/api/openapi.json").json()
    bare: list[str] = []
    other: set[str] = set()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            code, content = _success(operation)
            if "application/json" not in content:
                other.add(f"{method.upper()} {path}")
                continue
            schema = _resolve(document, content["application/json"].get("schema", {}))
            if schema.get("type") == "array":
                schema = _resolve(document, schema.get("items", {}))
            if not schema.get("properties"):
                bare.append(f"{method.upper()} {path} ({code})")
    assert bare == []
    # The only answers that are not JSON: text (a resolver's configuration), bytes (tiles)
    # and Prometheus metrics. (A policy is JSON by default, and text in the other formats.)
    assert other == {
        "GET /api/operators/{name}/config",
        "GET /api/log/tile/entries/{address}",
        "GET /api/log/tile/{level}/{address}",
        "GET /api/contests/{contest_id}/attachments/{attachment_id}",
        "GET /api/orders/{order_id}/documents/{sha256}",
        "GET /api/public/orders/{order_id}/documents/{sha256}",
        "GET /metrics",
    }


def _check(document: dict[str, Any], schema: dict[str, Any], value: Any, where: str) -> None:
    """`value` has every field `schema` requires and, but for an event's own fields, no
    field it does not list; recursively."""
    schema = _resolve(document, schema)
    for option in schema.get("anyOf", []):
        option = _resolve(document, option)
        if (
            (value is None) == (option.get("type") == "null")
            and (not isinstance(value, dict) or "properties" in option)
            and (not isinstance(value, list) or option.get("type") == "array")
        ):
            _check(document, option, value, where)
            return
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            _check(document, schema["items"], item, f"{where}[{i}]")
    elif isinstance(value, dict) and "properties" in schema:
        fields = schema["properties"]
        missing = set(schema.get("required", [])) - set(value)
        unlisted = set() if schema.get("title") == "EventOut" else set(value) - set(fields)
        assert not missing and not unlisted, (where, schema.get("title"), missing, unlisted)
        for key, item in value.items():
            if key in fields:
                _check(document, fields[key], item, f"{where}.{key}")


def test_every_json_answer_has_the_fields_its_schema_lists(site: Site) -> None:
    """What the documents say is what comes back: each endpoint of the matrix, called by a
    role that may, answers an object with exactly the documented fields."""
    document = site.get("/api/openapi.json").json()
    serial = site.get("/api/operators/orange/feed", AUTH).json()["serial"]
    checked = 0
    for method, path, body, allowed in API:
        role = AUTH if AUTH in allowed else None
        url = path.replace("{serial}", str(serial))
        url = url.replace("{secret}", site.contest_secret)  # type: ignore[attr-defined]
        body = body(site) if callable(body) else body
        if path.endswith("/decision"):  # contest 1 may be decided already: a new one
            fresh = site.post("/api/contests", json=contest_body(site)).json()["id"]
            url = url.replace("/1/", f"/{fresh}/")
        # What the matrix wrote is there already (the site is the module's): new names.
        if isinstance(body, dict) and path == "/api/operators":
            body = {**body, "name": "schemaop"}
        elif isinstance(body, dict) and path.startswith("/api/allow"):
            body = {**body, "name": "schema.example"}
        r = send(site, method, url, body, role)
        assert r.status_code in (200, 201), (url, r.text)
        operation = document["paths"][_template(path)][method.lower()]
        _code, content = _success(operation)
        if "application/json" not in content or not r.headers["content-type"].startswith(
            "application/json"
        ):
            continue
        _check(document, content["application/json"]["schema"], r.json(), f"{method} {url}")
        checked += 1
    assert checked == len(API) - 7  # all but the seven answers that are not JSON
