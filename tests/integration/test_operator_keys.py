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
    if resolver is not Resolver.UNBOUND:  # the knot-resolver snippet names its key file
        assert "--key-secret" not in out


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


@pytest.mark.parametrize("resolver", list(Resolver))
def test_every_snippet_states_its_bound_and_writes_where_its_resolver_may(
    arret: Arret, resolver: Resolver
) -> None:
    from arret.rpz.resolvers import DEFAULT_DIRECTORY, TIMING

    arret("operator", "add", "orange")
    out = arret("operator", "config", "orange", "--resolver", resolver.value)[1]
    bound = re.search(r"Arrêt bound: (\d+) s", out)
    assert bound and int(bound.group(1)) == TIMING.bound(resolver)
    # A directory the resolver's Debian package (and AppArmor profile) lets it write, and
    # a file name of its own, so that two resolvers on one host keep separate copies.
    assert f"{DEFAULT_DIRECTORY[resolver]}/orange.rpz.arret.{resolver.value}.zone" in out
    assert "/var/lib/arret" not in out


def test_snippets_carry_the_settings_that_bound_them(arret: Arret) -> None:
    arret("operator", "add", "orange")

    def config(kind: str) -> str:
        return arret("operator", "config", "orange", "--resolver", kind)[1]

    for kind in ("bind", "bind-secondary"):  # BIND's 300 s / 500 s minimums are lowered
        assert "max-refresh-time 10;" in config(kind) and "max-retry-time 10;" in config(kind)
    assert "min-update-interval 0" in config("bind")
    assert "refresh-max-interval: 10" in config("knot")
    assert "max-refresh-time: 10" in config("nsd")
    pdns = config("powerdns")
    assert "refresh = 4," in pdns and "--   packetcache-ttl=2" in pdns
    assert "extendedErrorCode" not in pdns  # it would be attached to passthru answers too
    kresd = config("knot-resolver")
    assert "--key-secret" not in kresd and "--key-file /etc/arret/orange.tsig" in kresd
    assert "policy.DENY" not in kresd.split("-- policy.DENY answers")[1]  # its 10800 s TTL


def test_config_refuses_an_unknown_kind_and_a_directory_it_cannot_use(
    arret: Arret, tmp_path: object
) -> None:
    import os
    from pathlib import Path

    arret("operator", "add", "orange")
    code, out, err = arret("operator", "config", "orange", "--resolver", "dnsmasq", ok=False)
    assert code != 0 and not out
    assert "'dnsmasq' is not one of" in err and "'knot-resolver'" in err and "'nsd'" in err
    folder = Path(str(tmp_path))
    for bad, reason in ((folder / "missing", "no such directory"),
                        (folder / "arret.db", "not a directory"),
                        (Path("relative"), "no such directory")):  # fmt: skip
        code, out, err = arret("operator", "config", "orange", "--resolver", "bind", "--dir",
                               str(bad), ok=False)  # fmt: skip
        assert code != 0 and not out and reason in err, (bad, err)
    unsafe = folder / 'quote"d'
    unsafe.mkdir()
    code, out, err = arret("operator", "config", "orange", "--resolver", "bind", "--dir",
                           str(unsafe), ok=False)  # fmt: skip
    assert code != 0 and not out and "not safe in a configuration file" in err
    # Not writable: a directory without write permission, or as root (who writes through
    # permissions) a process directory of /proc, which nobody may write.
    locked = folder / "locked"
    locked.mkdir(mode=0o500)
    if os.access(locked, os.W_OK):
        locked = Path("/proc/1")
    assert locked.is_dir() and not os.access(locked, os.W_OK)
    code, out, err = arret("operator", "config", "orange", "--resolver", "bind", "--dir",
                           str(locked), ok=False)  # fmt: skip
    assert code != 0 and not out and "not writable" in err


def test_knot_resolvers_sync_command_carries_the_notice_hosts_addresses(arret: Arret) -> None:
    arret("operator", "add", "orange")
    addresses = ["--notice-address", "192.0.2.80", "--notice-address", "2001:db8::80"]
    out = arret("operator", "config", "orange", "--resolver", "knot-resolver", *addresses)[1]
    assert "--notice-address 192.0.2.80 --notice-address 2001:db8::80" in out
    without = arret("operator", "config", "orange", "--resolver", "knot-resolver")[1]
    assert "--notice-address IP" in without and "as NXDOMAIN" in without
    code, out, err = arret("operator", "config", "orange", "--resolver", "knot-resolver",
                           "--notice-address", "notice.example", ok=False)  # fmt: skip
    assert code != 0 and not out and "'notice.example' is not an IP address" in err
