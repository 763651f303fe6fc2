"""The zones as the DNS server serves them, kept in memory and brought up to date from
the database's journal, and their records rendered for full transfers.

Each zone is an immutable `ZoneView`: a refresh builds the new version beside the old
one and swaps the reference, so a transfer that started on the old version finishes on
it — a resolver never receives a half-built zone (docs/architecture.md, invariant 4).

Everything cached is an attribute of the `DatabaseFeed` that holds it — zones, access
rules, keys, the records of full transfers rendered per chunk (`renders`) and the count of owners
left out of them (`refusals`) — so two feeds in one process (tests start several) share
nothing.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, Engine

from arret.domain.model import OperatorKey
from arret.feed.render import Parts, Refusals, RenderCache
from arret.feed.responder import Access, Step, ZoneView
from arret.rpz.zone import Delta, Entry, FeedSettings, ZoneEntries
from arret.store import feed as store_feed
from arret.store import keys as store_keys
from arret.store import registry as store


class DatabaseFeed:
    """A `FeedView` over the database; `refresh()` picks up new serials."""

    def __init__(self, engine: Engine, settings: FeedSettings) -> None:
        self.engine = engine
        self.settings = settings
        #: Owners left out of transfers since start (`/metrics`), and the zones' records
        #: rendered per chunk (`arret.feed.render.RenderCache`).
        self.refusals = Refusals()
        self.renders = RenderCache(refusals=self.refusals)
        self._zones: dict[str, ZoneView] = {}
        self._access: dict[str, Access] = {}
        self._keys: tuple[OperatorKey, ...] = ()
        self._lock = threading.Lock()

    def zone(self, name: str) -> ZoneView | None:
        return self._zones.get(name)

    def zones(self) -> list[ZoneView]:
        return list(self._zones.values())

    def access(self, operator: str) -> Access:
        return self._access.get(operator, Access())

    def keys(self, at: datetime) -> dict[str, OperatorKey]:
        return {k.name: k for k in self._keys if k.valid_at(at)}

    def refresh(self) -> list[ZoneView]:
        """Reload what changed; returns the zones that have a new serial.

        Operators that serve the same policy revision share one tuple of entries: the
        zones of 300 operators sent the same list of a million names hold it once."""
        with self._lock, self.engine.connect() as conn:
            all_keys = store_keys.keys(conn)
            changed = []
            access = {}
            shared: dict[tuple[int | None, int | None], Sequence[Entry]] = {
                (z.policy, z.rev): z.entries for z in self._zones.values()
            }
            parts = Parts.of(self.settings)
            listed = store.list_operators(conn)
            ids = store_feed.operator_ids(conn)
            # Every operator's latest serial in one query (300 operators: not 600 queries).
            newest = store_feed.latest_of(conn, list(ids.values()))
            for op in listed:
                networks = tuple(ipaddress.ip_network(n) for n in op.allow_from)
                access[op.name] = Access(
                    tuple(k for k in all_keys if k.operator == op.name), networks
                )
                op_id = ids[op.name]
                latest = newest.get(op_id)
                if latest is None:
                    continue
                name = self.settings.zone(op.name)
                cached = self._zones.get(name)
                if cached is not None and cached.serial == latest.serial:
                    continue
                revision = (latest.policy_id, latest.rev)
                entries = shared.get(revision) if latest.policy_id is not None else None
                if entries is None and cached is not None:
                    steps = self._steps(conn, op_id, cached.serial, latest.serial)
                    if steps is not None:
                        # Costs what changed: the new version shares the old one's chunks.
                        zone = cached.entries
                        if not isinstance(zone, ZoneEntries):
                            zone = ZoneEntries(zone)
                        for step in steps:
                            zone = zone.apply(Delta(step.removed, step.added))
                        entries = zone
                if entries is None:
                    entries = ZoneEntries(store_feed.entries(conn, op_id))
                if shared.get(revision) is not entries:
                    # Rendered before it is served, so that no full transfer waits for it:
                    # the chunk an amendment changed, or the whole zone once, at start.
                    self.renders.prepare(entries, parts)
                shared[revision] = entries
                view = ZoneView(op.name, name, latest.serial, entries, *revision)
                self._zones[name] = view
                changed.append(view)
            self._access = access
            self._keys = tuple(all_keys)
            if changed:
                self.renders.retain(zone.entries for zone in self._zones.values())
        return changed

    def steps(self, operator: str, since: int, until: int) -> list[Step] | None:
        with self.engine.connect() as conn:
            return self._steps(conn, store_feed.operator_id(conn, operator), since, until)

    @staticmethod
    def _steps(conn: Connection, op_id: int, since: int, until: int) -> list[Step] | None:
        versions = store_feed.versions(conn, op_id)
        serials = [v.serial for v in versions]
        if since not in serials or until not in serials:
            return None  # the journal does not reach back to the client's serial
        start, end = serials.index(since), serials.index(until)
        if end < start:
            return None
        steps = []
        for old, new in zip(versions[start:end], versions[start + 1 : end + 1], strict=True):
            if not store_feed.follows(conn, old, new):
                return None  # a rewrite (a new notice host) or a join lies between
            assert new.policy_id is not None and new.rev is not None
            removed, added = store_feed.revision_changes(conn, new.policy_id, new.rev)
            steps.append(Step(old.serial, new.serial, tuple(removed), tuple(added)))
        return steps
