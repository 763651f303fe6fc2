"""One safety gate for every entry point: a change adding and removing more names than the
threshold (default 100) needs an explicit confirmation — `--yes` on the CLI (or
`--dry-run` to see the plan), `?confirm=true` on the API, the web UI's plan page — and,
refused, changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli import Arret
from support.website import Site, assert_error, make_site, order_body


@pytest.fixture
def demo(tmp_path: Path) -> Arret:
    arret = Arret(tmp_path)
    arret("demo", "--no-tokens", "--no-moving")
    return arret


def orders(arret: Arret) -> list[object]:
    found = arret.json("order", "list", "--json")
    assert isinstance(found, list)
    return found


def test_the_cli_asks_for_yes_above_the_threshold(demo: Arret, tmp_path: Path) -> None:
    listing = tmp_path / "names.txt"
    listing.write_text("".join(f"n{i}.leak.example\n" for i in range(101)))
    add = ["order", "add", "--reference", "R", "--authority", "court", "--decided",
           "2026-11-01", "--duration", "30d", "--operator", "orange", "--targets-file",
           str(listing)]  # fmt: skip
    before = orders(demo)
    code, _, err = demo(*add, ok=False)
    assert code == 10 and "adds 101 and removes 0 names, more than 100" in err
    assert "--yes" in err and orders(demo) == before
    _, out, _ = demo(*add, "--dry-run")
    assert "dry run, nothing written" in out and "101 names for orange" in out
    assert orders(demo) == before
    # The threshold is the caller's to set; at it, nothing is asked.
    _, out, _ = demo("--confirm-above", "101", *add)
    order = int(out.split()[1])  # `order ID registered: …`
    assert len(orders(demo)) == len(before) + 1
    more = [a for n in range(101) for a in ("--add", f"m{n}.leak.example")]
    code, _, err = demo("order", "amend", str(order), *more, ok=False)
    assert code == 10 and "adds 101" in err
    _, out, _ = demo("order", "amend", str(order), *more, "--dry-run")
    assert "would be amended: 101 added" in out
    _, out, _ = demo("order", "amend", str(order), *more, "--yes")
    assert f"order {order} amended: 101 added" in out and "202 targets now" in out
    # Small changes are not asked about.
    _, out, _ = demo("order", "amend", str(order), "--remove", "m0.leak.example")
    assert "1 removed" in out


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return make_site(f"sqlite:///{tmp_path / 'arret.db'}", confirm_above=3)


def test_the_api_asks_for_confirm_above_the_threshold(site: Site) -> None:
    body = order_body(targets=[{"name": f"n{i}.leak.example"} for i in range(4)])
    refused = site.post("/api/orders", "authority", json=body)
    error = assert_error(refused, 422, "confirmation_required")
    assert "adds 4 and removes 0 names, more than 3" in error["message"]
    assert "confirm=true" in error["reasons"][0]
    listed = site.get("/api/orders", "authority").json()
    assert all(o["reference"] != body["reference"] for o in listed)
    planned = site.post("/api/orders?dry_run=true", "authority", json=body)
    assert planned.status_code == 200 and planned.json()["dry_run"] is True
    made = site.post("/api/orders?confirm=true", "authority", json=body)
    assert made.status_code == 201, made.text
    order = made.json()["id"]
    amend = {"add": [{"name": f"m{i}.leak.example"} for i in range(2)],
             "remove": ["n0.leak.example", "n1.leak.example"]}  # fmt: skip
    refused = site.post(f"/api/orders/{order}/amend", "authority", json=amend)
    assert_error(refused, 422, "confirmation_required")
    done = site.post(f"/api/orders/{order}/amend?confirm=true", "authority", json=amend)
    assert done.status_code == 200, done.text
    small = site.post(f"/api/orders/{order}/amend", "authority",
                      json={"remove": ["n2.leak.example"]})  # fmt: skip
    assert small.status_code == 200, small.text


def test_a_bad_threshold_or_confirmation_is_refused_clearly(tmp_path: Path, site: Site) -> None:
    """Tried: a threshold that is not a whole number, in the environment and as an option;
    a confirmation that is not a boolean."""
    import os
    import subprocess
    import sys

    arret = str(Path(sys.executable).parent / "arret")
    env = {**os.environ, "ARRET_DB": f"sqlite:///{tmp_path / 'x.db'}",
           "ARRET_CONFIRM_ABOVE": "lots"}  # fmt: skip
    run = subprocess.run([arret, "order", "list"], env=env, capture_output=True, text=True)
    assert run.returncode == 1 and "ARRET_CONFIRM_ABOVE='lots'" in run.stderr
    assert "Traceback" not in run.stderr
    env["ARRET_CONFIRM_ABOVE"] = "5"
    run = subprocess.run([arret, "--confirm-above", "-1", "order", "list"], env=env,
                         capture_output=True, text=True)  # fmt: skip
    assert run.returncode == 2 and "--confirm-above" in run.stderr
    refused = site.post("/api/orders?confirm=maybe", "authority", json=order_body())
    assert refused.status_code == 422 and "confirm" in refused.text
