"""`arret policy`: which names must this operator block at this instant?"""

from __future__ import annotations

import csv
import sys
from enum import StrEnum
from typing import Annotated

import typer

from arret.cli import render
from arret.cli.context import env
from arret.cli.options import At, Json, instant
from arret.cli.output import print_json, print_table
from arret.domain.policy import Policy
from arret.rpz import exports, zonefile
from arret.rpz.zone import FeedSettings, entries
from arret.services import feed, registry


class Format(StrEnum):
    TABLE = "table"
    LIST = "list"
    CSV = "csv"
    JSON = "json"
    RPZ = "rpz"
    HOSTS = "hosts"
    UNBOUND = "unbound"
    DNSMASQ = "dnsmasq"


def policy(
    ctx: typer.Context,
    operator: Annotated[str, typer.Option(metavar="NAME", help="The operator.")],
    at: At = None,
    format: Annotated[
        Format,
        typer.Option(
            help="table (for people); list (one name per line); csv; json; rpz (a zone file); "
            "hosts, unbound, dnsmasq (lossy: each says what it cannot express).",
            case_sensitive=False,
        ),
    ] = Format.TABLE,
    json: Json = False,
) -> None:
    """Print the names an operator must block at an instant (default: now)."""
    if json:
        format = Format.JSON
    e = env(ctx)
    when = instant(at, e.clock)
    with e.transaction() as conn:
        result = registry.policy_for(conn, operator, when)
        serial = feed.serial_at(conn, operator, when) if format is Format.RPZ else 0
    settings = FeedSettings()
    lines = {
        Format.RPZ: lambda: zonefile.lines(
            settings.zone(operator), serial, entries(result), settings
        ),
        Format.HOSTS: lambda: exports.hosts(result),
        Format.UNBOUND: lambda: exports.unbound(result, settings),
        Format.DNSMASQ: lambda: exports.dnsmasq(result),
    }.get(format)
    if lines is not None:
        sys.stdout.writelines(line + "\n" for line in lines())
        return
    write(result, format)


def write(result: Policy, format: Format) -> None:
    out = sys.stdout
    if format is Format.JSON:
        print_json(render.policy(result))
    elif format is Format.LIST:
        # One name per line, each once (a name can be both an exact and a subtree rule).
        out.writelines(f"{name}\n" for name in dict.fromkeys(result.names()))
    elif format is Format.CSV:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["name", "scope", "action", "orders"])
        for r in result.rules:
            writer.writerow([r.name, r.scope.value, r.action.value, " ".join(map(str, r.orders))])
    else:
        title = (
            f"policy of {result.operator} at {render.when(result.at)}: {len(result.rules)} rules"
        )
        rows = [
            (r.name, r.scope.value, r.action.value, " ".join(map(str, r.orders)))
            for r in result.rules
        ]
        rows += [(name, "exact", "passthru (allow-list)", "") for name in result.passthru]
        print_table(title, ["name", "scope", "action", "orders"], rows)
