"""The policy zone as an RFC 1035 master file (`arret policy --format rpz`), loadable by
`named-checkzone`, BIND, Knot, NSD, or as a local RPZ file by Knot Resolver."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from arret.rpz.zone import Entry, FeedSettings, records, servable


def soa_rdata(serial: int, settings: FeedSettings) -> str:
    s = settings
    return f"{s.mname} {s.rname} {serial} {s.refresh} {s.retry} {s.expire} {s.minimum}"


def lines(
    zone: str, serial: int, zone_entries: Sequence[Entry], settings: FeedSettings
) -> Iterator[str]:
    """The zone file; an owner that the feed would not serve either (`servable`) stands
    as a comment saying why, so that the file loads and its reader sees the refusal."""
    kept, refused = servable(zone_entries, zone)
    yield f"$ORIGIN {zone}"
    yield f"$TTL {settings.ttl}"
    yield f"@ IN SOA {soa_rdata(serial, settings)}"
    yield f"@ IN NS {settings.ns}"
    for owner, problem in refused:
        yield f"; refused, not served: {owner!r}: {problem}"
    for owner, target in records(kept, settings):
        yield f"{owner} IN CNAME {target}"
