"""Operators' TSIG keys, source networks and resolver configuration snippets."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta

import pytest
from test_cli import Arret

from arret.rpz.resolvers import Resolver


@pytest.fixture
def arret(tmp_path: object) -> Arret:
    a = Arret(tmp_path)  # type: ignore[arg-type]
    a("init")
    return a


def secret_of(output: str) -> str:
    found = re.search(r"secret:\s+(\S+)", output)
    assert found, output
    return found.group(1)


def test_adding_an_operator_prints_its_key_once(arret: Arret) -> None:
    out = arret("operator", "add", "orange")[1]
    secret = secret_of(out)
    assert len(base64.b64decode(secret)) == 32
    assert "orange-1.tsig.arret." in out
    shown = (
        arret("operator", "show", "orange")[1] + arret("operator", "show", "orange", "--json")[1]
    )
    assert secret not in shown
    assert "orange-1.tsig.arret." in shown


def test_each_operator_gets_its_own_key(arret: Arret) -> None:
    a = secret_of(arret("operator", "add", "orange")[1])
    b = secret_of(arret("operator", "add", "free")[1])
    assert a != b


def test_rotation_keeps_the_old_key_during_the_overlap(arret: Arret) -> None:
    first = secret_of(arret("operator", "add", "orange")[1])
    out = arret("operator", "rotate-key", "orange", "--overlap", "2d")[1]
    second = secret_of(out)
    assert second != first
    assert "orange-1.tsig.arret. still works until 2026-11-30T12:00:00Z" in out
    keys = arret.json("operator", "show", "orange")["keys"]  # type: ignore[index]
    assert [k["valid"] for k in keys] == [True, True]
    later = arret.json("operator", "show", "orange", "--at", "2026-11-30T12:00:00Z")
    assert [k["valid"] for k in later["keys"]] == [False, True]  # type: ignore[index]
    # The configuration always carries the newest key.
    bind = arret("operator", "config", "orange", "--resolver", "bind", "--server", "127.0.0.1:5353")
    assert second in bind[1] and first not in bind[1]


def test_allow_from_networks_are_checked(arret: Arret) -> None:
    arret("operator", "add", "orange", "--allow-from", "127.0.0.1", "--allow-from", "::1")
    assert arret.json("operator", "show", "orange")["allow_from"] == [  # type: ignore[index]
        "127.0.0.1/32",
        "::1/128",
    ]
    code, _, err = arret("operator", "add", "free", "--allow-from", "10.1.2.3/8", ok=False)
    assert code != 0 and "'10.0.0.0/8'" in err
    code, _, err = arret("operator", "add", "free", "--allow-from", "everyone", ok=False)
    assert code != 0 and "'everyone' is not a network" in err
    assert [o["name"] for o in arret.json("operator", "list")] == ["orange"]  # type: ignore[index,union-attr]


@pytest.mark.parametrize("resolver", list(Resolver))
def test_every_resolver_gets_a_snippet_naming_the_zone_and_the_server(
    arret: Arret, resolver: Resolver
) -> None:
    secret = secret_of(arret("operator", "add", "orange")[1])
    out = arret(
        "operator", "config", "orange", "--resolver", resolver.value, "--server", "[::1]:5353"
    )[1]
    assert "orange.rpz.arret" in out
    assert "::1" in out and "5353" in out
    assert (secret in out) == (resolver is not Resolver.UNBOUND)


def test_config_refuses_a_bad_server_and_an_unknown_operator(arret: Arret) -> None:
    arret("operator", "add", "orange")
    code, _, err = arret(
        "operator", "config", "orange", "--resolver", "bind", "--server", "feed.example", ok=False
    )
    assert code != 0 and "not an IP address" in err
    code, _, err = arret("operator", "config", "nobody", "--resolver", "bind", ok=False)
    assert code != 0 and "no operator named 'nobody'" in err


def test_keys_are_never_in_the_event_history(arret: Arret) -> None:
    from sqlalchemy import select
    from support.signed import open_engine

    from arret.store.schema import events

    secret = secret_of(arret("operator", "add", "orange")[1])
    arret.clock.instant += timedelta(hours=1)
    secret2 = secret_of(arret("operator", "rotate-key", "orange")[1])
    engine = open_engine(arret.url)
    with engine.connect() as conn:
        payloads = [str(p) for p in conn.scalars(select(events.c.payload))]
    engine.dispose()
    assert any("orange-2.tsig.arret." in p for p in payloads)
    assert not any(secret in p or secret2 in p for p in payloads)
    assert datetime(2026, 11, 28, 13, tzinfo=UTC) == arret.clock.instant


def test_editing_an_operator_replaces_its_lists(arret: Arret) -> None:
    arret("operator", "add", "orange", "--notify", "192.0.2.53")
    arret("operator", "edit", "orange", "--allow-from", "192.0.2.0/24")
    shown = arret.json("operator", "show", "orange")
    assert shown["allow_from"] == ["192.0.2.0/24"]  # type: ignore[index]
    assert shown["notify"] == ["192.0.2.53:53"]  # untouched  # type: ignore[index]
    arret("operator", "edit", "orange", "--clear", "notify")
    assert arret.json("operator", "show", "orange")["notify"] == []  # type: ignore[index]
    for args, says in (
        (["--allow-from", "nonsense"], "'nonsense' is not a network"),
        (["--clear", "keys"], "--clear takes"),
        (["--allow-from", "192.0.2.0/24"], "nothing to change"),
    ):
        code, _, err = arret("operator", "edit", "orange", *args, ok=False)
        assert code != 0 and says in err, err
    code, _, err = arret("operator", "edit", "nobody", "--clear", "notify", ok=False)
    assert code != 0 and "no operator named 'nobody'" in err
