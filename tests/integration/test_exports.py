"""Exports of the policy, loaded by the programs that consume them."""

from __future__ import annotations

import subprocess
from pathlib import Path

from support.debian import require_program
from test_cli import Arret


def test_the_rpz_zone_file_loads_in_named_checkzone(tmp_path: Path) -> None:
    checkzone = require_program("named-checkzone", "bind9-utils")
    arret = Arret(tmp_path)
    arret("demo")
    arret("allow", "add", "press.big.example", "--reason", "a news site")
    for extra in (
        ["--action", "notice", "big.example"],
        ["--exact", "--action", "nodata", "exact-only.example"],
    ):
        arret(
            "order", "add", "--reference", "R2", "--authority", "court", "--decided",
            "2026-11-01", "--duration", "1y", "--operator", "orange", *extra,
        )  # fmt: skip
    zone = arret("policy", "--operator", "orange", "--format", "rpz")[1]
    path = tmp_path / "orange.rpz"
    path.write_text(zone, encoding="utf-8")
    run = subprocess.run(
        [checkzone, "-D", "-o", "-", "orange.rpz.arret", str(path)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    canonical = {
        " ".join(line.split()[i] for i in (0, 3, 4)) for line in run.stdout.splitlines() if line
    }
    z = "orange.rpz.arret."
    assert {
        f"big.example.{z} CNAME notice.arret.localhost.",
        f"*.big.example.{z} CNAME notice.arret.localhost.",
        f"press.big.example.{z} CNAME rpz-passthru.",
        f"*.press.big.example.{z} CNAME rpz-passthru.",
        f"exact-only.example.{z} CNAME *.",
    } <= canonical
    assert f"*.exact-only.example.{z} CNAME *." not in canonical


def test_a_broken_zone_is_refused_by_named_checkzone(tmp_path: Path) -> None:
    # The check above can fail: a zone with two CNAMEs at one owner is rejected.
    checkzone = require_program("named-checkzone", "bind9-utils")
    path = tmp_path / "bad.rpz"
    path.write_text(
        "$TTL 60\n@ IN SOA localhost. h.localhost. 1 60 30 600 60\n@ IN NS localhost.\n"
        "a IN CNAME .\na IN CNAME *.\n",
        encoding="utf-8",
    )
    run = subprocess.run([checkzone, "z.test", str(path)], capture_output=True, text=True)
    assert run.returncode != 0
