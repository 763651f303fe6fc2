"""The policy zone as an RFC 1035 master file (`arret policy --format rpz`), loadable by
`named-checkzone`, BIND, Knot, NSD, or as a local RPZ file by Knot Resolver."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from arret.rpz.zone import Entry, FeedSettings, records


def soa_rdata(serial: int, settings: FeedSettings) -> str:
    s = settings
    return f"{s.mname} {s.rname} {serial} {s.refresh} {s.retry} {s.expire} {s.minimum}"


def lines(
    zone: str, serial: int, zone_entries: Iterable[Entry], settings: FeedSettings
) -> Iterator[str]:
    yield f"$ORIGIN {zone}"
    yield f"$TTL {settings.ttl}"
    yield f"@ IN SOA {soa_rdata(serial, settings)}"
    yield f"@ IN NS {settings.ns}"
    for owner, target in records(zone_entries, settings):
        yield f"{owner} IN CNAME {target}"
