"""The JSON API's write endpoints under generated bodies: valid ones, valid ones with a
field replaced by any JSON (wrong types, huge numbers, deep nesting, odd text), and any
JSON at all; plus any Authorization header. Never a 500: every refusal is a 4xx in the
one error shape (http/errors.py), every success a JSON object."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.website import Site, make_site, order_body

FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# NUL and other control characters included: on SQLite they are stored (refusing them is
# a matter of field validation), never a 500. Lone surrogates cannot be sent as UTF-8.
text_chars = st.characters(codec="utf-8", exclude_categories=["Cs"])
texts = st.one_of(
    st.text(text_chars, max_size=40),
    st.sampled_from(["", " ", "leak.example", "co.uk", "1.2.3.4", "*.x.example", "xn--",
                     "2026-11-27", "18mo", "0s", "-1d", "9999999999y", "9999-12-31T23:59:59Z",
                     "orange", "sfr", "nxdomain", "notice", "exact", "a" * 300]),
)  # fmt: skip
# Ids of any size: beyond the database's integers they are refused (422), never a 500.
ids = st.one_of(st.integers(), st.sampled_from([0, 1, 2, 3, 2**63, 10**30, -(2**63) - 1]))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([10**30, -(10**30), 2**63, 2**64, 10**400]),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
)
any_json = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(texts, inner, max_size=4)),
    max_leaves=12,
)
targets = st.lists(
    st.fixed_dictionaries(
        {"name": texts},
        optional={"scope": st.sampled_from(["exact", "subtree", "EXACT", 1]),
                  "action": st.sampled_from(["nxdomain", "nodata", "notice", None, "x"])},
    ),
    max_size=4,
)  # fmt: skip


def with_changes(base: dict[str, Any], fields: dict[str, st.SearchStrategy[Any]]) -> Any:
    """`base`, with some fields replaced by generated values (or any JSON), some dropped."""
    keys = sorted(base.keys() | fields.keys())
    return st.builds(
        lambda replaced, dropped: {k: v for k, v in (base | replaced).items() if k not in dropped},
        st.dictionaries(st.sampled_from(keys), st.one_of(any_json, *fields.values()),
                        max_size=3),
        st.sets(st.sampled_from(keys), max_size=2),
    )  # fmt: skip


ORDER = order_body(duration="18mo")
bodies = {
    "/api/orders": with_changes(ORDER, {"targets": targets, "reference": texts}),
    "amend": with_changes({"add": [{"name": "new.example"}], "remove": [], "expires_at": None},
                          {"add": targets, "remove": st.lists(texts, max_size=3)}),
    "lift": with_changes({"reason": "fuzz", "at": None}, {"reason": texts, "at": texts}),
    "/api/allow": with_changes({"name": "allowed.example", "reason": "fuzz"}, {"name": texts}),
    "/api/operators": with_changes(
        {"name": "isp", "notify": [], "probe": [], "allow_from": []},
        {"name": texts, "notify": st.lists(texts, max_size=2),
         "allow_from": st.lists(texts, max_size=2)},
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with tempfile.TemporaryDirectory() as folder:
        yield make_site(f"sqlite:///{Path(folder) / 'arret.db'}")


def assert_sound(response: Any) -> None:
    assert response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/json"), response.text
    body = response.json()
    if response.status_code >= 400:
        assert set(body) == {"error"}, body
        error = body["error"]
        assert set(error) == {"status", "code", "message", "reasons"}
        assert error["status"] == response.status_code
        assert isinstance(error["code"], str) and error["code"]
        assert isinstance(error["message"], str) and error["message"]
        assert all(isinstance(r, str) for r in error["reasons"])
    else:
        assert isinstance(body, dict)


def post(site: Site, path: str, body: Any, dry_run: bool, key: str | None) -> Any:
    headers = site.headers("authority") | ({"Idempotency-Key": key} if key else {})
    params = {"dry_run": "true"} if dry_run else {}
    return site.client.post(path, json=body, headers=headers, params=params)


def test_the_bodies_fuzzing_starts_from_are_accepted(site: Site) -> None:
    """Runs first: the generators start from requests that succeed, so the fuzz reaches
    past validation into the registry."""
    assert post(site, "/api/orders", ORDER, True, None).status_code == 200
    registered = post(site, "/api/orders", ORDER, False, None)
    assert registered.status_code == 201, registered.text
    order = registered.json()["id"]
    amend = {"add": [{"name": "new.example"}], "remove": [], "expires_at": None}
    assert post(site, f"/api/orders/{order}/amend", amend, True, None).status_code == 200
    assert post(site, f"/api/orders/{order}/lift", {"reason": "x"}, True, None).status_code == 200
    assert post(site, "/api/allow", {"name": "allowed.example", "reason": "x"}, False,
                None).status_code == 201  # fmt: skip
    assert post(site, "/api/operators", {"name": "isp"}, False, None).status_code == 201


@FUZZ
@given(
    st.sampled_from(sorted(bodies)).flatmap(lambda path: st.tuples(st.just(path), bodies[path])),
    ids,
    st.booleans(),
    # Idempotency-Key: what an HTTP client can send (no CR, LF or NUL), space included.
    st.one_of(
        st.none(),
        st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=8),
    ),
)
def test_generated_bodies_are_answered_or_refused_never_a_500(
    site: Site, case: tuple[str, Any], order_id: int, dry_run: bool, key: str | None
) -> None:
    path, body = case
    if not path.startswith("/"):
        path = f"/api/orders/{order_id}/{path}"
    assert_sound(post(site, path, body, dry_run, key))


@FUZZ
@given(st.sampled_from(["/api/orders", "/api/orders/1/amend", "/api/orders/1/lift",
                        "/api/allow", "/api/operators"]), any_json)  # fmt: skip
def test_any_json_is_refused_in_the_error_shape(site: Site, path: str, body: Any) -> None:
    response = post(site, path, body, dry_run=False, key=None)
    assert_sound(response)
    if not isinstance(body, dict):
        assert response.status_code == 422


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000 + b"]" * 100_000,  # deeper than Python's json recursion limit
        b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        b'{"reference": "\xff\xfe"}',  # not UTF-8
        b"1" * 5000,  # one huge number
        b'{"reference": 1e999}',
        b"",
        b"\x00",
    ],
    ids=["deep-list", "deep-object", "not-utf8", "huge-number", "inf", "empty", "nul"],
)
def test_hostile_raw_bodies_are_refused_in_the_error_shape(site: Site, raw: bytes) -> None:
    for path in ("/api/orders", "/api/orders/1/amend", "/api/allow", "/api/operators"):
        response = site.client.post(
            path, content=raw, headers=site.headers("authority") | {
                "content-type": "application/json"}
        )  # fmt: skip
        assert_sound(response)
        # Nesting beyond the JSON parser's recursion limit is FastAPI's own 400 ("error
        # parsing the body"); every other unreadable body is a 422 invalid_request.
        assert response.status_code in (400, 422), (path, response.text)


header_text = st.text(st.characters(codec="latin-1", exclude_characters="\r\n"), max_size=80)


@FUZZ
@given(st.one_of(header_text, st.builds("Bearer {}".format, header_text),
                 st.builds("Bearer arret_{}".format, header_text)))  # fmt: skip
def test_any_authorization_header_is_a_401_never_a_500(site: Site, header: str) -> None:
    raw = header.encode("latin-1")  # as it arrives on the wire, not as a client would encode
    response = site.client.post("/api/orders", json=ORDER, headers={"Authorization": raw})
    assert_sound(response)
    assert response.status_code in (401, 403), response.text
