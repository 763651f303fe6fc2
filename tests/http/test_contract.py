"""The document covers the whole API and nothing answers outside it: every JSON route is in
the OpenAPI document, once, under its handler's name, with the errors its route implies;
every path, page or API, `/healthz` included, answers an undeclared method with 405 and
`Allow` listing exactly the methods it serves (RFC 9110 §15.5.6). Generic over the routes:
an endpoint added later is held to the same."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import jsonschema
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Route
from support import openapi
from support.authority import free_port
from support.website import NOW, SECRET, Site, make_site

from arret.api.contract import api_routes, every_route
from arret.domain.instants import FixedClock
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
        assert r.headers["Allow"] == ", ".join(sorted(methods)), (method, path)
        if path.startswith("/api/") or is_api(path):
            assert r.json()["error"]["code"] == "method_not_allowed"
        else:
            assert r.headers["content-type"].startswith("text/html")


def test_the_routes_of_one_path_share_their_allow(site: Site) -> None:
    """GET and POST of /api/orders are two routes: a 405 names both, whichever the router
    tried first."""
    r = site.client.request("DELETE", "/api/orders")
    assert r.headers["Allow"] == "GET, POST"
    assert isinstance(next(iter(api_routes(site.client.app.routes))), APIRoute)


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
            answer = operation["responses"].get(str(r.status_code))
            assert answer is not None, (where, r.text[:200])
            media = r.headers["content-type"].split(";")[0]
            assert media in answer["content"], where
            if media == "application/json":
                schema = answer["content"][media]["schema"]
                jsonschema.validate(r.json(), {**schema, "components": document["components"]})
            for header, spec in (answer.get("headers") or {}).items():
                assert header in r.headers or not spec.get("required"), (where, header)
            code = r.json()["error"]["code"] if r.status_code == 503 else ""
            if code in ("database_busy", "database_full", "database_unreachable"):
                # Trying again helps: the database is busy, full or unreachable.
                assert int(r.headers.get("Retry-After", "0")) > 0, (where, r.text[:300])
            statuses.add((r.status_code, code))
    assert (503, "database_unreachable") in statuses
