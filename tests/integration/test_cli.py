"""The `arret` command line, as a new user meets it (SQLite, in-process with a fixed
clock), plus one run of the installed console script in a real subprocess."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from support.cli import Arret
from typer.testing import CliRunner

from arret.cli.main import app


@pytest.fixture
def arret(tmp_path: Path) -> Arret:
    return Arret(tmp_path)


@pytest.fixture
def demo(arret: Arret) -> Arret:
    arret("demo", "--no-moving")
    return arret


def names(arret: Arret, operator: str, at: str) -> list[str]:
    out = arret("policy", "--operator", operator, "--at", at, "--format", "list")[1]
    return out.split()


def test_the_demo_blocks_for_18_months_and_the_mirror_from_its_amendment(demo: Arret) -> None:
    leak, mirror = "dossiers-labos.example", "dossiers-labos-miroir.example"
    assert names(demo, "orange", "2021-03-03T23:59:59Z") == []
    assert names(demo, "orange", "2021-03-04T00:00:00Z") == [leak]
    assert names(demo, "orange", "2021-03-25T09:29:59Z") == [leak]
    assert names(demo, "orange", "2021-03-25T09:30:00Z") == [mirror, leak]
    assert names(demo, "sfr", "2022-09-03T23:59:59Z") == [mirror, leak]
    # The end instant is outside the order (half-open), and so is one second after it.
    assert names(demo, "free", "2022-09-04T00:00:00Z") == []
    assert names(demo, "bouygues", "2022-09-04T00:00:01Z") == []


def test_the_demo_twice_changes_nothing(demo: Arret) -> None:
    before = demo.json("order", "list", "--at", "2021-04-01")
    _, out, _ = demo("demo")
    assert "already loaded" in out
    assert demo.json("order", "list", "--at", "2021-04-01") == before


def test_the_demo_moves_by_itself_within_minutes(tmp_path: Path) -> None:
    """`arret demo` (as `make run` runs it) adds present-day fictitious orders: one in
    force at once, its mirror a minute later, a short one gone after four minutes — the
    feed moves with nobody acting. Loaded again meanwhile, it adds nothing."""
    # Loaded at an instant with a fraction of a second, as a real clock gives.
    arret = Arret(tmp_path, now=datetime(2026, 11, 28, 12, 0, 0, 190277, tzinfo=UTC))
    start = arret.clock.now()
    _, out, _ = arret("demo", "--no-tokens")
    assert "present-day" in out and "arret policy --operator orange" in out
    assert "dig @127.0.0.1 -p 5353 orange.rpz.arret. AXFR" in out
    assert "arret operator config orange --resolver unbound --server 127.0.0.1:5353" in out
    # The pages to open, from the address `arret serve` answers by default.
    assert "  http://127.0.0.1:8080/register " in out
    operator_page = next(line for line in out.splitlines() if "/operators/" in line)
    assert operator_page.startswith("  http://127.0.0.1:8080/operators/orange  # ")
    assert "operator:orange token" in operator_page
    # Instants shown to the second; the orders keep the exact instant they were loaded at.
    assert "mirror fuite-sante-demo-miroir.example added from 2026-11-28T12:01:00Z " in out
    assert "ephemere-demo.example, until 2026-11-28T12:04:00Z " in out
    assert ".190277" not in out
    shown = arret.json("order", "show", "3")
    assert shown["expires_at"] == "2026-11-28T12:04:00.190277Z"  # type: ignore[index, call-overload]
    site, mirror, short = ("fuite-sante-demo.example", "fuite-sante-demo-miroir.example",
                           "ephemere-demo.example")  # fmt: skip

    def at(minutes: float) -> list[str]:
        when = start + timedelta(minutes=minutes)
        return names(arret, "orange", when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))

    assert at(0) == [short, site]
    assert at(0.99) == [short, site]
    assert at(1) == [short, mirror, site]  # the mirror, a minute after loading
    assert at(3.99) == [short, mirror, site]
    assert at(4) == [mirror, site]  # the short order ended
    assert at(60 * 24 * 30) == []  # and the present-day order after its 30 days
    ids = lambda: [o["id"] for o in arret.json("order", "list")]  # type: ignore[index, union-attr] # noqa: E731
    before = ids()
    arret.clock.advance(timedelta(minutes=10))
    _, again, _ = arret("demo", "--no-tokens")
    assert "in force already" in again
    assert ids() == before == [1, 2, 3]
    # Once it has ended, a new present-day pair: the demo moves again for a new visitor.
    arret.clock.advance(timedelta(days=31))
    arret("demo", "--no-tokens")
    later = arret.clock.now()
    assert names(arret, "orange", later.strftime("%Y-%m-%dT%H:%M:%S.%fZ")) == [short, site]


def test_order_show_tells_the_dated_history(demo: Arret) -> None:
    shown = demo.json("order", "show", "1", "--at", "2021-06-01")
    assert isinstance(shown, dict)
    assert shown["status"] == "in-force"
    assert shown["expires_at"] == "2022-09-04T00:00:00Z"
    assert [(h["kind"], h["at"]) for h in shown["history"]] == [
        ("order.registered", "2021-03-04T00:00:00Z"),
        ("order.amended", "2021-03-25T09:30:00Z"),
    ]
    assert [t["added_at"] for t in shown["targets"]] == [
        "2021-03-04T00:00:00Z",
        "2021-03-25T09:30:00Z",
    ]


def register(arret: Arret, *extra: str, ok: bool = True) -> tuple[int, str, str]:
    return arret(
        "order", "add", "--reference", "24-1", "--authority", "TJ Paris", "--decided",
        "2026-11-27", "--duration", "90d", *extra, ok=ok,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("192.0.2.10", "IP address"),
        ("2001:db8::1", "IP address"),
        ("https://leak.example/patients.csv", "'leak.example'"),
        ("*.leak.example", "subtree"),
        ("a..example", "empty label"),
        ("x" * 64 + ".example", "63"),
        (".".join(["abcdefghi"] * 26) + ".example", "253"),
        ("gg", "'gg'"),
        ("co.uk", "public suffix"),
        ("github.io", "public suffix"),
        ("cdn.example", "allow-list"),
        ("img.cdn.example", "allow-list"),
        ("32.1.2.0.192.rpz-ip", "rpz-"),
        ("ns.example.rpz-nsdname", "rpz-"),
        ("leak.onion", "special-use"),
        ("1.0.0.127.in-addr.arpa", "special-use"),
        ("notice.arret.localhost", "notice host"),
        ("orange.rpz.arret", "origin of the policy feeds"),
    ],
)
def test_each_kind_of_bad_target_is_refused_by_name_and_nothing_changes(
    demo: Arret, target: str, says: str
) -> None:
    demo("allow", "add", "cdn.example", "--reason", "shared CDN")
    before = demo.json("order", "list")
    code, _, err = register(demo, "--operator", "orange", "fine.example", target, ok=False)
    assert code != 0
    assert repr(target) in err and says in err
    assert "nothing was registered" in err
    assert demo.json("order", "list") == before


def test_every_bad_target_is_listed_at_once(demo: Arret) -> None:
    bad = ["192.0.2.10", "gg", "*.x.example", "https://a.example/b"]
    code, _, err = register(demo, "--operator", "orange", "ok.example", *bad, ok=False)
    assert code != 0
    assert "4 bad targets" in err
    for target in bad:
        assert repr(target) in err


def test_a_private_psl_suffix_is_refused_but_a_site_under_it_is_fine(demo: Arret) -> None:
    register(demo, "--operator", "orange", "leak.github.io")
    assert "leak.github.io" in names(demo, "orange", "2026-11-28T12:00:00Z")


def test_unicode_names_are_stored_as_a_labels(demo: Arret) -> None:
    register(demo, "--operator", "orange", "Données-Santé.example.")
    assert "xn--donnes-sant-ebbh.example" in names(demo, "orange", "2026-11-28T12:00:00Z")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--operator", "orange"], "at least one target"),
        (["--operator", "nobody", "x.example"], "unknown operator 'nobody'"),
        (["x.example"], "address at least one operator"),
        (["--operator", "orange", "--effective", "2026-11-01", "x"], "before it was decided"),
        (["--operator", "orange", "--decided", "4/3/21", "x.example"], "'4/3/21'"),
    ],
)
def test_bad_orders_are_refused_with_a_reason(demo: Arret, args: list[str], says: str) -> None:
    before = demo.json("order", "list")
    code, _, err = register(demo, *args, ok=False)
    assert code != 0 and says in err
    assert demo.json("order", "list") == before


def test_an_order_ending_before_it_starts_is_refused(demo: Arret) -> None:
    code, _, err = demo(
        "order", "add", "--reference", "x", "--authority", "y", "--decided", "2026-11-01",
        "--operator", "orange", "--effective", "2027-01-01", "--expires", "2026-12-01",
        "leak.example", ok=False,
    )  # fmt: skip
    assert code != 0 and "at or before it takes effect" in err


def test_an_order_without_an_end_is_refused(demo: Arret) -> None:
    code, _, err = demo(
        "order", "add", "--reference", "x", "--authority", "y", "--decided", "2026-11-01",
        "--operator", "orange", "leak.example", ok=False,
    )  # fmt: skip
    assert code != 0 and "without an end" in err


def test_an_order_for_orange_only_never_appears_in_free_s_policy(demo: Arret) -> None:
    _, out, _ = register(demo, "--operator", "orange", "only-orange.example")
    # One line for people, its second word the new order's id, for scripts.
    assert out.startswith("order 2 registered: 1 name for orange; serial ") and out.count("\n") == 1
    assert out.split()[1] == "2"
    assert "only-orange.example" in names(demo, "orange", "2026-12-01")
    assert "only-orange.example" not in names(demo, "free", "2026-12-01")


def test_all_operators_reaches_an_operator_added_later(demo: Arret) -> None:
    register(demo, "--all-operators", "everyone.example")
    demo("operator", "add", "newisp")
    assert names(demo, "newisp", "2026-12-01") == ["everyone.example"]


def test_amend_lift_and_statuses(demo: Arret) -> None:
    order_id = register(demo, "--operator", "orange", "leak2.example")[1].split()[1]
    demo.clock.instant = datetime(2026, 12, 10, tzinfo=UTC)
    _, out, _ = demo("order", "amend", order_id, "--add", "mirror2.example", "--exact")
    serial = demo.json("operator", "show", "orange")["serial"]  # type: ignore[index,call-overload]
    assert re.fullmatch(
        rf"order {order_id} amended: 1 added, 0 removed; 2 targets now; serial {serial} for "
        r"orange; in \d+\.\d s",
        out.strip(),
    ), out
    assert names(demo, "orange", "2026-12-10") == ["leak2.example", "mirror2.example"]
    _, out, _ = demo("order", "lift", order_id, "--reason", "appeal won", "--at", "2026-12-20")
    # Dated later, the lift changes no zone yet: its one line says so.
    assert re.fullmatch(rf"order {order_id} lifted at 2026-12-20T00:00:00Z \(addressed to "
                        r"orange\); no serial before then; in \d+\.\d s\n", out), out  # fmt: skip
    listed = demo.json("order", "list", "--at", "2026-12-21", "--status", "lifted")
    assert [o["id"] for o in listed] == [int(order_id)]  # type: ignore[union-attr,index]
    code, _, err = demo("order", "amend", order_id, "--add", "late.example", ok=False)
    assert code != 0 and "before order 2's last change (2026-12-20T00:00:00Z)" in err
    demo.clock.instant = datetime(2026, 12, 21, tzinfo=UTC)
    code, _, err = demo("order", "amend", order_id, "--add", "late.example", ok=False)
    assert code != 0 and "lifted at 2026-12-20T00:00:00Z" in err


def test_a_lift_prints_one_line_with_its_serials_and_with_json_one_object(demo: Arret) -> None:
    first = register(demo, "--operator", "orange", "--operator", "sfr", "one.example")[1]
    second = register(demo, "--all-operators", "two.example")[1]
    demo.clock.instant = datetime(2026, 12, 10, tzinfo=UTC)
    _, out, err = demo("order", "lift", first.split()[1], "--reason", "appeal won")
    serial = demo.json("operator", "show", "orange")["serial"]  # type: ignore[index,call-overload]
    assert err == "" and out.count("\n") == 1
    line = (r"order 2 lifted at 2026-12-10T00:00:00Z \(addressed to orange and sfr\); "
            rf"serial {serial} for orange and sfr; in \d+\.\d s")  # fmt: skip
    assert re.fullmatch(line, out.strip()), out
    assert "one.example" not in names(demo, "orange", "2026-12-10")
    _, out, err = demo("order", "lift", second.split()[1], "--reason", "settled", "--json")
    data = json.loads(out)
    assert err == "" and data["id"] == 3 and data["lifted_at"] == "2026-12-10T00:00:00Z"
    assert data["reason"] == "settled" and data["operators"] == "all"
    assert set(data["serials"]) == {"orange", "sfr", "free", "bouygues"}
    assert data["summary"].startswith("order 3 lifted at 2026-12-10T00:00:00Z (addressed to "
                                      "every operator); serial")  # fmt: skip
    # A refused lift prints no summary and changes nothing.
    code, out, err = demo("order", "lift", "3", "--reason", "again", "--json", ok=False)
    assert code != 0 and out == "" and "lifted" in err


def test_targets_file_takes_thousands_of_names_with_per_line_scope_and_action(
    demo: Arret, tmp_path: Path
) -> None:
    path = tmp_path / "targets.txt"
    lines = ["# mirrors found by the CNIL", "exact.example exact", "quiet.example nodata", ""]
    lines += [f"m{i}.example" for i in range(3000)]
    path.write_text("\n".join(lines), encoding="utf-8")
    register(demo, "--operator", "orange", "--yes", "--targets-file", str(path))
    policy = demo.json("policy", "--operator", "orange", "--at", "2026-12-01")
    rules = {r["name"]: r for r in policy["rules"]}  # type: ignore[index]
    assert len(rules) == 3002
    assert rules["exact.example"]["scope"] == "exact"
    assert rules["quiet.example"]["action"] == "nodata"


def test_a_bad_targets_file_line_is_named(demo: Arret, tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("ok.example\nbad.example subtre\n", encoding="utf-8")
    code, _, err = register(demo, "--operator", "orange", "--targets-file", str(path), ok=False)
    assert code != 0 and "t.txt:2" in err and "subtre" in err


def test_bad_operators_are_refused(arret: Arret) -> None:
    arret("init")
    for name in ["Orange", "or ange", "x-", "a.b", "a" * 64]:
        code, _, err = arret("operator", "add", name, ok=False)
        assert code != 0 and repr(name) in err
    code, _, err = arret("operator", "add", "sfr", "--notify", "resolver.sfr.example", ok=False)
    assert code != 0 and "not an IP address" in err
    arret("operator", "add", "sfr", "--notify", "192.0.2.53", "--probe", "[2001:db8::1]:5353")
    code, _, err = arret("operator", "add", "sfr", ok=False)
    assert code != 0 and "already exists" in err
    shown = arret.json("operator", "show", "sfr")
    assert shown["notify"] == ["192.0.2.53:53"]  # type: ignore[index]
    assert shown["probe"] == ["[2001:db8::1]:5353"]  # type: ignore[index]


def test_unknown_things_get_clear_errors(demo: Arret) -> None:
    code, _, err = demo("policy", "--operator", "nobody", ok=False)
    assert code != 0 and "no operator named 'nobody'" in err
    code, _, err = demo("order", "show", "99", ok=False)
    assert code != 0 and "no order with id 99" in err


def test_an_uninitialised_database_says_to_run_init(arret: Arret) -> None:
    code, _, err = arret("order", "list", ok=False)
    assert code != 0 and "arret init" in err


def test_allow_list(demo: Arret) -> None:
    demo("allow", "add", "Santé.example", "--reason", "public health portal")
    assert demo.json("allow", "list") == [
        {
            "name": "xn--sant-epa.example",
            "reason": "public health portal",
            "added_at": "2026-11-28T12:00:00Z",
        }
    ]
    code, _, err = demo("allow", "add", "co.uk", "--reason", "x", ok=False)
    assert code != 0 and "public suffix" in err


def test_an_rpz_client_ip_trigger_is_refused_as_an_exact_target(demo: Arret) -> None:
    # It would block every query from 127.0.0.1, whatever the name.
    before = demo("policy", "--operator", "orange", "--format", "rpz")[1]
    code, _, err = register(demo, "--operator", "orange", "--exact",
                            "32.1.0.0.127.rpz-client-ip", ok=False)  # fmt: skip
    assert code != 0 and "'32.1.0.0.127.rpz-client-ip'" in err and "rpz-" in err
    assert "Traceback" not in err
    assert demo("policy", "--operator", "orange", "--format", "rpz")[1] == before


def test_an_allow_list_entry_gets_the_checks_of_a_target(demo: Arret) -> None:
    register(demo, "--operator", "orange", "leak9.example")
    long_name = ".".join(["a" * 60] * 3 + ["b" * 44]) + ".leak9.example"
    for name, says in [(long_name, "255 octets"), ("a.rpz-ip", "rpz-"), ("x.local", "special-use"),
                       ("notice.arret.localhost", "notice host")]:  # fmt: skip
        code, _, err = demo("allow", "add", name, "--reason", "x", ok=False)
        assert code != 0 and says in err, (name, err)
    assert demo.json("allow", "list") == []


def test_allow_remove_blocks_the_name_again_and_is_logged(demo: Arret) -> None:
    register(demo, "--operator", "orange", "leak.example")
    demo("allow", "add", "cdn.leak.example", "--reason", "shared CDN")
    assert "cdn.leak.example" in demo("policy", "--operator", "orange", "--format", "rpz")[1]
    _, out, _ = demo("allow", "remove", "CDN.leak.example.", "--reason", "the CDN moved")
    assert "cdn.leak.example is no longer allow-listed" in out
    assert demo.json("allow", "list") == []
    assert "cdn.leak.example" not in demo("policy", "--operator", "orange", "--format", "rpz")[1]
    # As it stood before its removal, the list still shows it.
    code, _, err = demo("allow", "remove", "cdn.leak.example", "--reason", "again", ok=False)
    assert code == 3 and "not on the allow-list" in err and "nothing was changed" in err
    code, _, err = demo("allow", "remove", "other.example", "--reason", "x", ok=False)
    assert code == 3 and "'other.example' is not on the allow-list" in err
    code, _, err = demo("allow", "remove", "cdn.leak.example", "--reason", " ", ok=False)
    assert code != 0 and "reason" in err
    _, out, _ = demo("log", "verify")
    assert "log verified" in out


def test_policy_formats_agree(demo: Arret) -> None:
    at = "2021-04-01"
    as_list = names(demo, "orange", at)
    as_json = demo.json("policy", "--operator", "orange", "--at", at)
    assert (
        demo("policy", "--operator", "orange", "--at", at, "--format", "json")[1]
        == (demo("policy", "--operator", "orange", "--at", at, "--json")[1])
    )
    csv_out = demo("policy", "--operator", "orange", "--at", at, "--format", "csv")[1]
    assert [r["name"] for r in as_json["rules"]] == as_list  # type: ignore[index]
    assert csv_out.splitlines() == [
        "name,scope,action,orders",
        "dossiers-labos-miroir.example,subtree,notice,1",
        "dossiers-labos.example,subtree,notice,1",
    ]


def all_commands() -> list[list[str]]:
    """Every leaf command of `arret`, walked from the CLI itself (none can be forgotten)."""
    import typer
    import typer.main

    # Duck-typed: Typer bundles its own copy of click, whose Group is not click.Group.
    # Asked through list_commands/get_command: a command's module is imported on demand.
    def walk(command: Any, path: list[str]) -> list[list[str]]:
        if hasattr(command, "list_commands"):
            ctx = typer.Context(command)
            return [c for name in command.list_commands(ctx)
                    for c in walk(command.get_command(ctx, name), [*path, name])]  # fmt: skip
        return [path]

    return walk(typer.main.get_command(app), [])


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    runner = CliRunner()
    commands = all_commands()
    assert ["token", "create"] in commands and ["order", "add"] in commands
    for command in commands:
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0, command
        assert "Usage" in result.stdout
        assert f"arret {' '.join(command)}" in readme, f"README lacks `arret {' '.join(command)}`"


def test_tokens_are_shown_once_listed_without_secret_and_revoked(demo: Arret) -> None:
    out = demo("token", "create", "--role", "authority", "--label", "greffe")[1]
    token = out.split()[-1]
    assert token.startswith("arret_") and len(token) > 40
    demo("token", "create", "--role", "operator:orange", "--expires", "90d", "--label", "noc")
    listed = demo.json("token", "list")
    assert isinstance(listed, list)
    mine = [t for t in listed if t["label"] == "greffe"]
    assert len(mine) == 1 and mine[0]["state"] == "valid" and mine[0]["role"] == "authority"
    assert token not in json.dumps(listed)
    assert token[:10] == mine[0]["prefix"]
    orange = next(t for t in listed if t["label"] == "noc")
    assert orange["expires_at"] == "2027-02-26T12:00:00Z"
    demo("token", "revoke", str(mine[0]["id"]))
    revoked = [t for t in demo.json("token", "list") if t["label"] == "greffe"]  # type: ignore[union-attr]
    assert revoked[0]["state"] == "revoked"
    code, _, err = demo("token", "revoke", str(mine[0]["id"]), ok=False)
    assert code == 3 and "already revoked" in err


def test_bad_token_requests_are_refused_and_create_nothing(demo: Arret) -> None:
    before = demo.json("token", "list")
    for args, message in [
        (["--role", "admin"], "unknown role 'admin'"),
        (["--role", "operator:Orange"], "not a lowercase DNS label"),
        (["--role", "operator:nosuchisp"], "unknown operator 'nosuchisp'"),
        (["--role", "auditor", "--expires", "2020-01-01"], "must lie in the future"),
        (["--role", "auditor", "--expires", "someday"], "neither an instant"),
    ]:
        code, _, err = demo("token", "create", *args, ok=False)
        assert code != 0 and message in err, (args, err)
    assert demo.json("token", "list") == before
    code, _, err = demo("token", "revoke", "999", ok=False)
    assert code == 3 and "no token 999" in err


def test_the_installed_command_runs_the_demo_in_a_fresh_folder(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "arret"
    env = {k: v for k, v in os.environ.items() if k != "ARRET_DB"}
    run = subprocess.run([exe, "demo"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "arret.db").exists()
    policy = subprocess.run(
        [exe, "policy", "--operator", "orange", "--at", "2021-04-01", "--format", "list"],
        cwd=tmp_path, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert policy.stdout.split() == ["dossiers-labos-miroir.example", "dossiers-labos.example"]
    bad = subprocess.run([exe, "order", "show", "7"], cwd=tmp_path, env=env, capture_output=True,
                         text=True)  # fmt: skip
    assert bad.returncode == 3 and "no order with id 7" in bad.stderr


def test_an_order_wrong_in_several_ways_is_refused_with_every_reason(
    demo: Arret, tmp_path: Path
) -> None:
    """The CLI read its fields one by one and stopped at the first bad date; it now reads
    them as the API and the web form do (one parser), and says everything at once."""
    listing = tmp_path / "targets.txt"
    listing.write_text("ok.example\nbad.example frobnicate\n")
    before = demo.json("order", "list", "--json")
    code, _, err = demo(
        "order", "add", "--reference", "R", "--decided", "2026-13-45", "--expires", "soon",
        "--duration", "forever", "--operator", "orange", "--targets-file", str(listing),
        ok=False,
    )  # fmt: skip
    assert code == 1 and "nothing was registered" in err
    for reason in (f"{listing}:2", "frobnicate", "--authority: required", "--decided:",
                   "--expires:", "--duration:"):  # fmt: skip
        assert reason in err, (reason, err)
    code, _, err = demo("order", "amend", "1", "--expires", "later", "--at", "then", ok=False)
    assert code == 1 and "--expires:" in err and "--at:" in err
    assert demo.json("order", "list", "--json") == before
