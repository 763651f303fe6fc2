"""`arret policy`: which names must this operator block at this instant?"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from arret import views
from arret.cli.context import env
from arret.cli.options import At, Json, instant
from arret.cli.output import print_table
from arret.domain.policy import Policy
from arret.services import exports, feed, registry


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
        settings = feed.settings_of(conn)
    if format is Format.TABLE:
        table(result)
        return
    lines = exports.policy_lines(result, exports.Format(format.value), serial, settings)
    sys.stdout.writelines(line + "\n" for line in lines)


def table(result: Policy) -> None:
    title = f"policy of {result.operator} at {views.when(result.at)}: {len(result.rules)} rules"
    rows = [
        (r.name, r.scope.value, r.action.value, " ".join(map(str, r.orders))) for r in result.rules
    ]
    rows += [(name, "exact", "passthru (allow-list)", "") for name in result.passthru]
    print_table(title, ["name", "scope", "action", "orders"], rows)
