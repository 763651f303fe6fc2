"""An operator's policy in every machine format, as text: shared by `arret policy` and the
HTTP API (`GET /api/operators/{name}/policy?format=…`)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from enum import StrEnum

from arret import views
from arret.domain.policy import Policy
from arret.rpz import exports, zonefile
from arret.rpz.zone import FeedSettings, entries


class Format(StrEnum):
    LIST = "list"
    CSV = "csv"
    JSON = "json"
    RPZ = "rpz"
    HOSTS = "hosts"
    UNBOUND = "unbound"
    DNSMASQ = "dnsmasq"


MEDIA_TYPES = {
    Format.JSON: "application/json",
    Format.CSV: "text/csv; charset=utf-8",
    # RFC 4027 registers no type for zone files; text/dns is RFC 4027's master file type.
    Format.RPZ: "text/dns; charset=utf-8",
}


def media_type(format: Format) -> str:
    return MEDIA_TYPES.get(format, "text/plain; charset=utf-8")


def policy_lines(
    result: Policy, format: Format, serial: int, settings: FeedSettings
) -> Iterable[str]:
    """The policy in `format`, line by line (without line ends)."""
    if format is Format.RPZ:
        return zonefile.lines(settings.zone(result.operator), serial, entries(result), settings)
    if format is Format.HOSTS:
        return exports.hosts(result)
    if format is Format.UNBOUND:
        return exports.unbound(result, settings)
    if format is Format.DNSMASQ:
        return exports.dnsmasq(result)
    if format is Format.LIST:
        # One name per line, each once (a name can be both an exact and a subtree rule).
        return dict.fromkeys(result.names())
    if format is Format.CSV:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["name", "scope", "action", "orders"])
        for r in result.rules:
            writer.writerow([r.name, r.scope.value, r.action.value, " ".join(map(str, r.orders))])
        return out.getvalue().splitlines()
    return json.dumps(views.policy(result), indent=2, ensure_ascii=False).splitlines()
