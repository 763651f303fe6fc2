"""`arret feed sync`: a small IXFR client that keeps a zone file current, for resolvers
that read RPZ only from a file (Knot Resolver 5).

It keeps the zone in memory, asks for IXFR from the serial it holds (AXFR the first time,
or when the server's journal does not reach back), and after every change writes the
whole file to a temporary name and renames it over the old one: a resolver watching the
file never reads a half-written zone (rename is atomic on POSIX file systems).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import dns.exception
import dns.name
import dns.query
import dns.tsigkeyring
import dns.versioned
import dns.xfr
import dns.zone


@dataclass
class SyncResult:
    serial: int | None
    changed: bool


class ZoneFile:
    def __init__(
        self, host: str, port: int, zone: str, out: Path, key_name: str, key_secret: str
    ) -> None:
        self.host, self.port, self.out = host, port, out
        self.origin = dns.name.from_text(zone)
        self.keyring = dns.tsigkeyring.from_text({key_name: key_secret}) if key_name else None
        self.key_name = dns.name.from_text(key_name) if key_name else None
        self.zone = self._load()

    def _load(self) -> dns.versioned.Zone:
        """Start from the file already there (a restart resumes by IXFR), else empty."""
        if self.out.exists():
            try:
                found = dns.zone.from_file(
                    str(self.out), self.origin, zone_factory=dns.versioned.Zone
                )
                assert isinstance(found, dns.versioned.Zone)
                return found
            except dns.exception.DNSException:
                pass
        return dns.versioned.Zone(self.origin)

    def serial(self) -> int | None:
        soa = self.zone.get_soa() if self.zone.get_node("@") is not None else None
        return int(soa.serial) if soa is not None else None

    def sync(self, timeout: float = 30.0) -> SyncResult:
        before = self.serial()
        query, _ = dns.xfr.make_query(self.zone, keyring=self.keyring, keyname=self.key_name)
        dns.query.inbound_xfr(self.host, self.zone, query, port=self.port, timeout=timeout)
        after = self.serial()
        changed = after != before or not self.out.exists()
        if changed:
            self._write()
        return SyncResult(after, changed)

    def _write(self) -> None:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.out.parent, prefix=f".{self.out.name}.")
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                self.zone.to_file(handle, relativize=False)
            os.chmod(temporary, 0o644)
            os.replace(temporary, self.out)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
