"""The document covers the whole API and nothing answers outside it: every JSON route is in
the OpenAPI document, once, under its handler's name, with the errors its route implies;
every path, page or API, `/healthz` included, answers an undeclared method with 405 and
`Allow` listing exactly the methods it serves (RFC 9110 §15.5.6). Generic over the routes:
an endpoint added later is held to the same."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Route
from support import openapi, raises
from support.authority import free_port
from support.website import NOW, SECRET, Site, assert_error, make_site, order_body

from arret.api.contract import _walk, api_routes, every_route
from arret.domain import names
from arret.domain.contests import Limits, solve
from arret.domain.instants import FixedClock
from arret.http import errors
from arret.http.app import create_app
from arret.http.runtime import HttpSettings, Runtime
from arret.store.db import open_engine

#: A value for each path parameter of the application, so every route can be called.
SAMPLES = {"order_id": "1", "name": "orange", "operator": "orange", "serial": "1",
           "level": "0", "address": "000", "code": "fr"}  # fmt: skip
#: Served by the application but not part of the JSON API: the document itself, its
#: rendering, and the pages of the web UI.
NOT_API = ("/api/openapi.json", "/api/docs")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    folder = tmp_path_factory.mktemp("contract")
    return make_site(f"sqlite:///{folder / 'arret.db'}")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return openapi.document()


def routes(site: Site) -> list[Route]:
    return [r for r in every_route(site.client.app.routes) if isinstance(r, Route)]


def concrete(path: str) -> str:
    # A parameter not named here (a new endpoint's) is given "1".
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: SAMPLES.get(m[1], "1"), path)


def is_api(path: str) -> bool:
    return (path.startswith("/api/") and path not in NOT_API) or path in ("/healthz", "/metrics")


def test_every_api_route_is_in_the_document_under_its_handlers_name(
    site: Site, document: dict[str, Any]
) -> None:
    listed = {
        (method.upper(), path): operation["operationId"]
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }
    expected = {}
    for route in api_routes(site.client.app.routes):
        if is_api(route.path):
            for method in route.methods - {"HEAD"}:
                expected[method, route.path_format] = route.name
    assert listed == expected
    names = list(listed.values())
    assert len(names) == len(set(names)), "two operations share a name"


def test_every_operation_states_the_errors_its_route_implies(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            answers = operation["responses"]
            assert "503" in answers, where
            if operation.get("security"):
                assert "401" in answers and "WWW-Authenticate" in answers["401"]["headers"]
            if "{" in path:
                assert "404" in answers, where
            if operation.get("parameters") or operation.get("requestBody"):
                assert "422" in answers, where
            for status, answer in answers.items():
                if int(status) >= 400:
                    assert list(answer["content"]) == ["application/json"], (where, status)
                    assert "ErrorOut" in str(answer["content"]), (where, status)
    assert "HTTPValidationError" not in document["components"]["schemas"]


#: Errors a function raises in its code but never as Arrêt calls it; what the reading of
#: the source cannot see. Each is still raised there (a test below), so the list stays exact.
NEVER: dict[str, set[str]] = {
    # It loads the order of an order's event, which the same transaction just recorded
    # (an operator's or the allow-list's event has no order, and returns before).
    "arret.services.feed.publish_event": {"NotFound"},
    # It loads the orders that the same read found naming the name.
    "arret.services.notice.lookup": {"NotFound"},
    # A stored token's role is read back: it was checked when the token was made.
    "arret.domain.access.Role.parse": {"InvalidRole", "InvalidOperator"},
}
#: Errors a route's calls can raise only for an argument that route never gives:
#: (METHOD, path) → errors.
NOT_FROM: dict[tuple[str, str], set[str]] = {
    # `queries.order_head` without a reader checks nobody's role.
    ("GET", "/api/public/orders/{order_id}/names"): {"Forbidden"},
    ("GET", "/api/public/orders/{order_id}/documents/{sha256}"): {"Forbidden"},
}


def _qualified(call: Any) -> str:
    return f"{call.__module__}.{call.__qualname__}"


def raised_by_routes(
    app: Any,
    never: dict[str, set[str]] = NEVER,
    not_from: dict[tuple[str, str], set[str]] = NOT_FROM,
) -> dict[tuple[str, str], dict[int, set[str]]]:
    """(METHOD, path) → each status the route's handler and dependencies can answer by an
    error they raise (`arret.http.errors.STATUS`), with the errors behind it."""
    reach = raises.reachable(raises.graph(), never)
    found: dict[tuple[str, str], dict[int, set[str]]] = {}
    for route in api_routes(app.routes):
        # Arrêt's own (not FastAPI's `HTTPBearer`, which answers nothing itself here).
        calls = {
            _qualified(d.call)
            for d in _walk(route.dependant)
            if getattr(d.call, "__module__", "").startswith("arret.")
        }
        for method in route.methods - {"HEAD"}:
            statuses: dict[int, set[str]] = defaultdict(set)
            for call in calls:
                assert call in reach, f"{call} is not found in the source"
                for error in reach[call] - not_from.get((method, route.path_format), set()):
                    statuses[errors.status_of(raises.ERRORS[error])].add(error)
            found[method, route.path_format] = statuses
    return found


def test_every_error_a_route_can_raise_is_a_documented_status(
    site: Site, document: dict[str, Any]
) -> None:
    """Follows each handler's calls, through the services, the domain and the store, to the
    errors they raise: each one's status (a 429 for too many contests, a 413 for a document
    too large) is one its operation documents, with the one error shape."""
    by_route = raised_by_routes(site.client.app)
    missing = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, behind in sorted(by_route[method.upper(), path].items()):
                answer = operation["responses"].get(str(status))
                if answer is None:
                    why = ", ".join(sorted(behind))
                    missing.append(f"{method.upper()} {path}: {status} ({why})")
                else:
                    assert "ErrorOut" in str(answer["content"]["application/json"])
    assert not missing, "undocumented statuses:\n" + "\n".join(missing)


def test_what_the_reading_is_told_to_ignore_is_still_there(site: Site) -> None:
    """Each function of NEVER raises its errors in its code, and each route of NOT_FROM
    reaches its errors: an entry no longer needed fails here."""
    reach = raises.reachable(raises.graph())
    for function, errors_there in NEVER.items():
        assert errors_there <= reach[function], function
    everything = raised_by_routes(site.client.app, not_from={})
    for route, errors_there in NOT_FROM.items():
        assert errors_there <= set().union(*everything[route].values()), route


def test_the_raised_errors_are_found(site: Site) -> None:
    """The check above can fail: it sees the errors these routes are known to raise."""
    by_route = raised_by_routes(site.client.app)
    assert "TooManyContests" in by_route["POST", "/api/contests"][429]
    assert "DocumentTooLarge" in by_route["POST", "/api/orders/{order_id}/documents"][413]
    assert "InvalidRange" in by_route["GET", "/api/log/heads"][400]
    # Through a dependency: the token's role.
    assert "Forbidden" in by_route["POST", "/api/orders"][403]
    # A `try` that catches an error hides it from what the calls in it raise.
    graph = {
        "m.caller": raises.Function(calls=[("m.callee", frozenset({"ArretError"}))]),
        "m.callee": raises.Function(raises={"NotFound"}),
        "m.open": raises.Function(calls=[("m.callee", frozenset({"Conflict"}))]),
    }
    reach = raises.reachable(graph)
    assert reach["m.caller"] == set() and reach["m.open"] == {"NotFound"}


def assert_as_documented(
    document: dict[str, Any], method: str, path: str, r: httpx.Response
) -> dict[str, Any]:
    """`r` is an answer the operation documents: its status, its media type, its body (when
    JSON) and its required headers, each valid by its schema. Returns the answer's entry."""
    where = f"{method} {path} → {r.status_code}"
    answer = document["paths"][path][method.lower()]["responses"].get(str(r.status_code))
    assert answer is not None, (where, r.text[:200])
    media = r.headers["content-type"].split(";")[0]
    assert media in answer["content"], where
    if media == "application/json":
        schema = answer["content"][media]["schema"]
        jsonschema.validate(r.json(), {**schema, "components": document["components"]})
    for header, spec in (answer.get("headers") or {}).items():
        if header in r.headers and spec["schema"].get("type") == "integer":
            jsonschema.validate(int(r.headers[header]), spec["schema"])
        assert header in r.headers or not spec.get("required"), (where, header)
    return dict(answer)


def test_a_rate_limit_and_a_document_too_large_answer_as_documented(
    tmp_path: Path, document: dict[str, Any]
) -> None:
    """The two errors the document once left out, as the server answers them: a contest
    past the rate limit (429, `Retry-After`), a document larger than kept (413)."""
    site = make_site(f"sqlite:///{tmp_path / 'arret.db'}",
                     contests=Limits(pow_bits=4, per_name=1), max_document=100)  # fmt: skip
    assert site.post("/api/orders", "authority", json=order_body()).status_code == 201

    def contest() -> httpx.Response:
        challenge = site.get("/api/contests/challenge").json()["challenge"]
        proof = {"challenge": challenge, "answer": solve(challenge, 4)}
        sent = {"name": "leak.example", "standing": "owner", "reason": "A lawful archive.",
                "proof": proof}  # fmt: skip
        return site.post("/api/contests", json=sent)

    assert contest().status_code == 201
    r = contest()
    assert_error(r, 429, "too_many_contests")
    answer = assert_as_documented(document, "POST", "/api/contests", r)
    assert answer["headers"]["Retry-After"]["required"]

    path = "/api/orders/{order_id}/documents"
    r = site.client.post(
        "/api/orders/1/documents?kind=decision",
        content=b"%PDF-1.4\n" + b"0" * 100,
        headers={**site.headers("authority"), "Content-Type": "application/pdf"},
    )
    assert_error(r, 413, "document_too_large")
    assert "document_too_large" in assert_as_documented(document, "POST", path, r)["description"]
    # The kind is one the document lists: another is refused by the registry, in its words.
    kinds = document["paths"][path]["post"]["parameters"]
    assert next(p for p in kinds if p["name"] == "kind")["schema"]["enum"] == [
        "decision", "evidence"
    ]  # fmt: skip
    r = site.client.post(
        "/api/orders/1/documents?kind=ruling",
        content=b"%PDF-1.4\n",
        headers={**site.headers("authority"), "Content-Type": "application/pdf"},
    )
    assert "kind 'ruling'" in assert_error(r, 422, "invalid_document")["reasons"][0]


def test_a_name_s_documented_length_is_the_registry_s(site: Site, document: dict[str, Any]) -> None:
    """A DNS name may be as long as the registry reads (Unicode, with code points UTS #46
    maps to nothing, or padded with blanks, reads as a far shorter name): every input up to
    the documented `maxLength` reaches the registry, every longer one is refused as
    malformed; nothing is registered either way (a dry run)."""
    schema = document["components"]["schemas"]["TargetIn"]["properties"]["name"]
    longest = schema["maxLength"]
    assert longest == names.MAX_INPUT
    before = site.get("/api/orders", "authority").json()
    soft = "b" + "\u00ad" * (longest - 14) + "ücher.example"  # U+00AD: a soft hyphen
    padded = "leak-padded.example".center(longest)
    for name, read in ((soft, "xn--bcher-kva.example"), (padded, "leak-padded.example")):
        assert len(name) == longest
        r = site.post("/api/orders?dry_run=true", "authority",
                      json=order_body(targets=[{"name": name}]))  # fmt: skip
        assert r.status_code == 200, r.text[:300]
        assert read in r.text
        r = site.post("/api/orders?dry_run=true", "authority",
                      json=order_body(targets=[{"name": name + " "}]))  # fmt: skip
        assert "targets.0.name" in assert_error(r, 422, "invalid_request")["reasons"][0]
    assert site.get("/api/orders", "authority").json() == before


@pytest.mark.parametrize("method", ["TRACE", "PUT", "DELETE", "PATCH"])
def test_every_path_answers_an_undeclared_method_with_405_and_allow(
    site: Site, method: str
) -> None:
    served: dict[str, set[str]] = defaultdict(set)
    for route in routes(site):
        served[concrete(route.path_format)] |= route.methods or set()
    assert "/healthz" in served and "/api/orders" in served and "/orders/new" in served
    for path, methods in served.items():
        if method in methods:
            continue
        r = site.client.request(method, path, headers=site.headers("authority"))
        assert r.status_code == 405, (method, path, r.status_code, r.text[:200])
        expected = methods | {"HEAD"} if "GET" in methods else methods
        assert r.headers["Allow"] == ", ".join(sorted(expected)), (method, path)
        if path.startswith("/api/") or is_api(path):
            assert r.json()["error"]["code"] == "method_not_allowed"
        else:
            assert r.headers["content-type"].startswith("text/html")


def test_the_routes_of_one_path_share_their_allow(site: Site) -> None:
    """GET and POST of /api/orders are two routes: a 405 names both, whichever the router
    tried first."""
    r = site.client.request("DELETE", "/api/orders")
    assert r.headers["Allow"] == "GET, HEAD, POST"
    assert isinstance(next(iter(api_routes(site.client.app.routes))), APIRoute)


def test_every_path_answers_head_as_its_get_without_the_body(site: Site) -> None:
    """RFC 9110 §9.3.2: the status and header fields GET would give (`Content-Length`
    the length of GET's body), no body; a path without GET answers HEAD 405, as GET."""
    served: dict[str, set[str]] = defaultdict(set)
    for route in routes(site):
        served[concrete(route.path_format)] |= route.methods or set()
    for path, methods in served.items():
        got = site.client.get(path, headers=site.headers("authority"))
        r = site.client.head(path, headers=site.headers("authority"))
        assert (r.status_code, r.content) == (got.status_code, b""), path
        assert r.headers.get("content-type") == got.headers.get("content-type"), path
        if "GET" not in methods:
            assert r.status_code == 405 and r.headers["Allow"] == got.headers["Allow"], path
    # The length GET sends, where its body is the same from one request to the next.
    for path in ("/api/orders", "/api/log/head", "/healthz", "/"):
        got = site.client.get(path, headers=site.headers("authority"))
        r = site.client.head(path, headers=site.headers("authority"))
        assert (
            r.headers["content-length"] == got.headers["content-length"] == str(len(got.content))
        ), path


def test_with_the_database_gone_every_operation_answers_as_documented(
    document: dict[str, Any],
) -> None:
    """Nothing listens at the database's address: each operation still answers a status
    its document lists, with the body and headers it states (503 with Retry-After for most;
    /metrics says the database is down)."""
    engine = open_engine(f"postgresql+psycopg://arret@127.0.0.1:{free_port()}/gone")
    settings = HttpSettings(session_secret=SECRET)
    client = TestClient(create_app(Runtime(engine, FixedClock(NOW), settings)),
                        raise_server_exceptions=False)  # fmt: skip
    statuses = set()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            body = {} if "requestBody" in operation else None
            r = client.request(method.upper(), concrete(path), json=body,
                               headers={"Authorization": "Bearer abc"})  # fmt: skip
            where = f"{method.upper()} {path} → {r.status_code}"
            assert_as_documented(document, method.upper(), path, r)
            code = r.json()["error"]["code"] if r.status_code == 503 else ""
            if code in ("database_busy", "database_full", "database_unreachable"):
                # Trying again helps: the database is busy, full or unreachable.
                assert int(r.headers.get("Retry-After", "0")) > 0, (where, r.text[:300])
            statuses.add((r.status_code, code))
    assert (503, "database_unreachable") in statuses
