"""`arret feed sync`: a small IXFR client that keeps a zone file current, for resolvers
that read RPZ only from a file (Knot Resolver 5).

It keeps the zone in memory, asks for IXFR from the serial it holds (AXFR the first time,
or when the server's journal does not reach back), and after every change writes the
whole file to a temporary name and renames it over the old one: a resolver watching the
file never reads a half-written zone (rename is atomic on POSIX file systems). The file
starts with the SOA, then the apex's other records (NS), then the rules: readers that
detect the zone from its first record (kresd) need the SOA first.

Knot Resolver 5.6 ignores an RPZ CNAME to a custom target (the `notice` action): unless
`verbatim`, each such CNAME is written as local data, the A/AAAA records of the notice
host's addresses, or as `CNAME .` (NXDOMAIN) when no address is known, so an order is
never left unenforced. A file so rewritten is not the server's zone: a restart starts
again with a full transfer instead of resuming from it.

Several servers (every instance of `arret serve` serving the feed) are asked in turn: a
sync starts with the one that answered last and moves to the next when it fails, so a
dead instance costs one failed attempt, not one per sync. Every instance serves the same
serials, so an IXFR from the serial held is answered by any of them.
"""

from __future__ import annotations

import ipaddress
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, cast

import dns.exception
import dns.name
import dns.query
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.tsigkeyring
import dns.versioned
import dns.xfr
import dns.zone

from arret.progress import Progress, silent

#: CNAME targets every RPZ reader understands (RPZ §4): NXDOMAIN, NODATA and the rpz-*
#: actions. Any other target is a rewrite to a custom host.
_ACTIONS = (dns.name.root, dns.name.from_text("*."))
#: The first line of a file written with rewritten CNAMEs.
REWRITTEN = "; arret feed sync: notice CNAMEs rewritten for Knot Resolver\n"


@dataclass
class SyncResult:
    serial: int | None
    changed: bool


#: A transfer or a write tells its progress every this many record sets.
EVERY = 1000


class _Counting:
    """A zone as a transfer writes into it, counting the record sets it receives (for
    `progress`: dnspython's `inbound_xfr` says nothing until it is done)."""

    def __init__(self, zone: dns.versioned.Zone, what: str, progress: Progress) -> None:
        self._zone, self._what, self._progress = zone, what, progress
        self.received = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._zone, name)

    def writer(self, replacement: bool = False) -> Any:
        return _CountingWriter(self._zone.writer(replacement), self)

    def seen(self) -> None:
        self.received += 1
        if self.received % EVERY == 0:
            self._progress(self._what, self.received, None)


class _CountingWriter:
    def __init__(self, txn: Any, counter: _Counting) -> None:
        self._txn, self._counter = txn, counter

    def __getattr__(self, name: str) -> Any:
        return getattr(self._txn, name)

    def add(self, *args: Any) -> None:
        self._counter.seen()
        self._txn.add(*args)

    def replace(self, *args: Any) -> None:
        self._counter.seen()
        self._txn.replace(*args)

    def delete_exact(self, *args: Any) -> None:
        self._counter.seen()
        self._txn.delete_exact(*args)


def is_custom_target(target: dns.name.Name) -> bool:
    if target in _ACTIONS:
        return False
    first = target.labels[0] if target.labels else b""
    return not (len(target) == 2 and first.lower().startswith(b"rpz-"))


class ZoneFile:
    def __init__(
        self,
        servers: Sequence[tuple[str, int]],
        zone: str,
        out: Path,
        key_name: str,
        key_secret: str,
        notice_addresses: Sequence[str] = (),
        verbatim: bool = False,
    ) -> None:
        if not servers:
            raise ValueError("no server to transfer from")
        self.servers, self.out = list(servers), out
        #: The server that answered last: the next sync asks it first.
        self.current = 0
        self.origin = dns.name.from_text(zone)
        self.keyring = dns.tsigkeyring.from_text({key_name: key_secret}) if key_name else None
        self.key_name = dns.name.from_text(key_name) if key_name else None
        self.addresses = [ipaddress.ip_address(a) for a in notice_addresses]
        self.verbatim = verbatim
        self.zone = self._load()

    def _load(self) -> dns.versioned.Zone:
        """Start from the file already there (a restart resumes by IXFR), else empty."""
        if self.out.exists():
            try:
                with self.out.open(encoding="ascii") as handle:
                    if handle.readline() == REWRITTEN:
                        return dns.versioned.Zone(self.origin)  # not the server's zone
                found = dns.zone.from_file(
                    str(self.out), self.origin, zone_factory=dns.versioned.Zone
                )
                assert isinstance(found, dns.versioned.Zone)
                return found
            except (dns.exception.DNSException, UnicodeDecodeError):
                pass
        return dns.versioned.Zone(self.origin)

    def serial(self) -> int | None:
        soa = self.zone.get_soa() if self.zone.get_node("@") is not None else None
        return int(soa.serial) if soa is not None else None

    def sync(self, timeout: float = 30.0, progress: Progress = silent) -> SyncResult:
        """Brings the zone up to date from the first server that answers, starting with the
        one that answered last; when none does, raises what the last one tried raised.
        `progress` hears of every thousand record sets received and written."""
        before = self.serial()
        failed: Exception | None = None
        for step in range(len(self.servers)):
            index = (self.current + step) % len(self.servers)
            host, port = self.servers[index]
            query, _ = dns.xfr.make_query(self.zone, keyring=self.keyring, keyname=self.key_name)
            what = f"transferring {self.origin} from {host}:{port} (record sets)"
            progress(what, 0, None)
            counting = cast(dns.versioned.Zone, _Counting(self.zone, what, progress))
            try:
                dns.query.inbound_xfr(host, counting, query, port=port, timeout=timeout)
            except (dns.exception.DNSException, OSError) as exc:
                failed = exc
                continue
            self.current = index
            break
        else:
            assert failed is not None
            raise failed
        after = self.serial()
        changed = after != before or not self.out.exists()
        if changed:
            self._write(progress)
        return SyncResult(after, changed)

    def lines(self) -> Iterator[str]:
        """The zone as text: SOA first, then the apex's other records, then the rest."""
        if not self.verbatim:
            yield REWRITTEN
        origin = self.origin
        apex = self.zone.get_node(dns.name.empty)
        if apex is not None:
            soa = apex.get_rdataset(dns.rdataclass.IN, dns.rdatatype.SOA)
            if soa is not None:
                yield soa.to_text(origin, relativize=False) + "\n"
            for rdataset in apex.rdatasets:
                if rdataset.rdtype != dns.rdatatype.SOA:
                    yield rdataset.to_text(origin, relativize=False) + "\n"
        for name in sorted(n for n in self.zone.nodes if n != dns.name.empty):
            owner = name.derelativize(origin)
            for rdataset in self.zone.nodes[name].rdatasets:
                yield from self._rdataset_lines(owner, rdataset)

    def _rdataset_lines(
        self, owner: dns.name.Name, rdataset: dns.rdataset.Rdataset
    ) -> Iterator[str]:
        cname = rdataset.rdtype == dns.rdatatype.CNAME and rdataset
        if self.verbatim or not cname:
            yield rdataset.to_text(owner, relativize=False) + "\n"
            return
        target = next(iter(rdataset)).target
        if not is_custom_target(target):
            yield rdataset.to_text(owner, relativize=False) + "\n"
        elif self.addresses:
            for address in self.addresses:
                kind = "A" if address.version == 4 else "AAAA"
                yield f"{owner} {rdataset.ttl} IN {kind} {address}\n"
        else:
            yield f"{owner} {rdataset.ttl} IN CNAME .\n"

    def _write(self, progress: Progress = silent) -> None:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.out.parent, prefix=f".{self.out.name}.")
        what = f"writing {self.out} (record sets)"
        written, lines = 0, self.lines()
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                while chunk := list(islice(lines, EVERY)):
                    handle.writelines(chunk)
                    written += len(chunk)
                    progress(what, written, None)
            os.chmod(temporary, 0o644)
            os.replace(temporary, self.out)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
