"""Exports of the policy, loaded by the programs that consume them."""

from __future__ import annotations

import subprocess
from pathlib import Path

from support.debian import require_program
from test_cli import Arret


def test_the_rpz_zone_file_loads_in_named_checkzone(tmp_path: Path) -> None:
    checkzone = require_program("named-checkzone", "bind9-utils")
    arret = Arret(tmp_path)
    arret("demo", "--no-moving")
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


def every_kind_of_rule(tmp_path: Path) -> Arret:
    arret = Arret(tmp_path)
    arret("init")
    arret("operator", "add", "orange")
    arret("allow", "add", "press.big.example", "--reason", "a news site")
    base = ["order", "add", "--reference", "R", "--authority", "court", "--decided",
            "2026-11-01", "--duration", "1y", "--operator", "orange"]  # fmt: skip
    arret(*base, "big.example")
    arret(*base, "--action", "nodata", "quiet.example")
    arret(*base, "--action", "notice", "explained.example")
    arret(*base, "--exact", "only-this.example")
    return arret


def export(arret: Arret, form: str) -> str:
    return arret("policy", "--operator", "orange", "--format", form)[1]


def test_hosts_lists_each_name_and_says_what_it_cannot_cover(tmp_path: Path) -> None:
    text = export(every_kind_of_rule(tmp_path), "hosts")
    entries = [line.split() for line in text.splitlines() if not line.startswith("#")]
    assert ["0.0.0.0", "big.example"] in entries and ["::", "big.example"] in entries
    assert ["::", "only-this.example"] in entries
    assert "subdomains of subtree targets are not covered" in text


def test_unbound_local_zones_pass_unbound_checkconf(tmp_path: Path) -> None:
    checkconf = require_program("unbound-checkconf", "unbound")
    text = export(every_kind_of_rule(tmp_path), "unbound")
    assert 'local-zone: "big.example." always_nxdomain' in text
    assert 'local-zone: "quiet.example." always_nodata' in text
    assert 'local-zone: "press.big.example." always_transparent' in text
    assert 'local-zone: "only-this.example." transparent' in text
    conf = tmp_path / "unbound.conf"
    conf.write_text(
        f'server:\n    username: ""\n    chroot: ""\n    directory: "{tmp_path}"\n' + text,
        encoding="utf-8",
    )
    run = subprocess.run([checkconf, str(conf)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    conf.write_text(conf.read_text() + '    local-zone: "x." no_such_type\n')
    assert subprocess.run([checkconf, str(conf)], capture_output=True).returncode != 0


def test_dnsmasq_config_passes_dnsmasq_test(tmp_path: Path) -> None:
    dnsmasq = require_program("dnsmasq", "dnsmasq-base")
    text = export(every_kind_of_rule(tmp_path), "dnsmasq")
    assert "address=/big.example/" in text
    assert "# not expressible (exact name only): only-this.example" in text
    assert "address=/only-this.example/" not in text  # never over-block its subdomains
    conf = tmp_path / "dnsmasq.conf"
    conf.write_text(text, encoding="utf-8")
    run = subprocess.run([dnsmasq, "--test", f"--conf-file={conf}"], capture_output=True,
                         text=True)  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    conf.write_text("address=/big.example\nno-such-option\n")
    bad = subprocess.run([dnsmasq, "--test", f"--conf-file={conf}"], capture_output=True)
    assert bad.returncode != 0
