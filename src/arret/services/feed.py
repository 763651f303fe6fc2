"""Publishing each operator's feed: a new serial and its journal entry whenever the
operator's policy at "now" changes (docs/architecture.md, invariants 1 and 4).

An event (order registered, amended, lifted; allow-list entry) publishes in the same
transaction as the event, for the operators it concerns and only for the names it
touches; time publishes the rest (`publish_due`: every effective, expiry, lift and
dated target instant that has come, caught up at once after a restart). Either way the
delta is computed over the names touched only, yet must equal the difference of two full
recomputations — `tests/integration/test_feed_publish.py` checks that on random
histories.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from arret.domain.events import (
    AllowEntryRemoved,
    Event,
    KeyRotated,
    NameAllowed,
    OperatorAdded,
    OperatorChanged,
    OrderAmended,
    OrderRegistered,
)
from arret.domain.model import Action, Order, TargetSpec
from arret.domain.policy import Covering, allowed_at, compile_policy
from arret.progress import Progress, silent
from arret.rpz import serial as serials
from arret.rpz.zone import (
    Delta,
    Entry,
    FeedSettings,
    covering_entries,
    diff,
    entries,
    order_entries,
)
from arret.store import feed as store_feed
from arret.store import log as store_log
from arret.store import registry as store

#: Above this many touched names, recomputing the whole zone is cheaper than many
#: IN (...) queries.
FULL_ABOVE = 20_000


@dataclass(frozen=True)
class Published:
    operator: str
    serial: int
    added: int
    removed: int


def _parents(name: str) -> list[str]:
    labels = name.split(".")
    return [".".join(labels[i:]) for i in range(1, len(labels))]


@dataclass(frozen=True)
class Registered:
    """An order registered in the caller's transaction, with the targets just written for
    it (all added at `added_at`, none removed): its covering rows, which a whole
    recomputation would otherwise read back from the database (4 s of a million-name
    registration), come from here — the same facts the SQL query selects
    (`store.registry.covering_rows`), decided by the same rules."""

    order: Order
    targets: Sequence[TargetSpec]
    added_at: datetime
    #: Worked out before the order was written (`prepare`), for a large one.
    early: Early | None = None

    def blocks(self, operator: str, at: datetime) -> bool:
        """Whether the order blocks its targets for `operator` at `at`."""
        order = self.order
        return order.terms.addresses(operator) and order.in_force_at(at) and self.added_at <= at

    def covering(self, operator: str, at: datetime) -> list[Covering]:
        if not self.blocks(operator, at):
            return []
        default, order_id = self.order.terms.action, self.order.id
        return [(t.name, t.scope, t.action or default, order_id) for t in self.targets]


class Early:
    """What a large registration works out before it writes anything (`prepare`): the
    zone entries of the order alone at its instant, and their multiset sum, started in a
    child process (`arret.store.multisum`) so that it is done while this process writes
    the order's rows and log leaves. The feed uses them when the order's entries are the
    whole change of a policy (a registry where nothing else covers these operators); any
    other change is computed as usual, and the child is stopped."""

    def __init__(self, event: OrderRegistered, now: datetime) -> None:
        terms = event.terms
        self.at = now
        self.entries: tuple[Entry, ...] | None = None
        self._sum: store_feed.EarlySum | None = None
        if not (terms.effective_at <= now < terms.expires_at and event.at <= now):
            return  # it blocks nothing yet: its publication changes no zone now
        found = order_entries(event.targets, terms.action)
        if found is not None:
            self.entries = tuple(found)
            self._sum = store_feed.early_sum(self.entries)

    def summed(self) -> store_feed.EarlySum | None:
        return self._sum

    def close(self) -> None:
        if self._sum is not None:
            self._sum.cancel()


def zone_entries(
    conn: Connection,
    operator: str,
    at: datetime,
    names: Sequence[str] | None = None,
    registered: Registered | None = None,
) -> tuple[list[Entry], list[str] | None]:
    """The zone's entries at `at` for the owners that `names` decide (all when None), and
    those owners. A name decides its own entry and its wildcard, and the passthru entries
    of allow-listed names at or below it. `registered`: an order whose rows are in hand
    (used for a whole recomputation)."""
    allowed = allowed_at(store.allow_entries(conn), at)
    if names is None:
        if registered is None:
            covering: Iterable[Covering] = store.covering_rows(conn, operator, at)
        else:
            others = list(store.covering_rows(conn, operator, at, without=registered.order.id))
            early = registered.early
            if (
                early is not None
                and early.entries is not None
                and early.at == at
                and not others
                and not allowed
                and registered.blocks(operator, at)
            ):
                return list(early.entries), None
            covering = [*others, *registered.covering(operator, at)]
            found = None if allowed else covering_entries(covering)
            if found is not None:
                return found, None
        policy = compile_policy(operator, at, covering, allowed)
        return entries(policy), None
    touched = set(names)
    holes = {a for a in allowed if a in touched or any(p in touched for p in _parents(a))}
    # Whether a hole is a passthru depends on every subtree above it, touched or not.
    asked = sorted(touched | holes | {p for a in holes for p in _parents(a)})
    policy = compile_policy(operator, at, store.covering_rows(conn, operator, at, asked), allowed)
    owners = sorted({o for n in touched | holes for o in (n, f"*.{n}")})
    wanted = set(owners)
    return [e for e in entries(policy) if e[0] in wanted], owners


def _regroup(conn: Connection, chosen: set[int], now: datetime) -> dict[int, list[int]]:
    """The policies to publish for the operators `chosen`, each with every operator it
    serves (an operator is never published apart from those sharing its policy).

    Operators that share a policy must share their signature (the orders addressed to
    them by name): where a policy serves several signatures now — an order singled some
    of its operators out — every signature but the one most of them have is split off
    into a copy. An operator never published joins a policy whose operators have its
    signature, or starts an empty one."""
    signatures = store_feed.signatures(conn)
    member_of = store_feed.memberships(conn)
    served: dict[int, list[int]] = defaultdict(list)
    for op_id, pid in member_of.items():
        served[pid].append(op_id)
    touched = {member_of[o] for o in chosen if o in member_of}
    for pid in sorted(touched):
        classes: dict[frozenset[int], list[int]] = defaultdict(list)
        for op_id in sorted(served[pid]):
            classes[signatures.get(op_id, frozenset())].append(op_id)
        if len(classes) == 1:
            continue
        ranked = sorted(classes.values(), key=lambda ops: (-len(ops), ops[0]))
        source = store_feed.policy(conn, pid)
        served[pid] = ranked[0]
        for ops in ranked[1:]:
            copy = store_feed.copy_policy(conn, source, now)
            served[copy.id] = ops
            for op_id in ops:
                store_feed.set_member(conn, op_id, copy.id)
                member_of[op_id] = copy.id
                if op_id in chosen or source.id in touched:
                    touched.add(copy.id)
    by_signature = {signatures.get(ops[0], frozenset()): pid for pid, ops in served.items() if ops}
    for op_id in sorted(chosen - set(member_of)):
        signature = signatures.get(op_id, frozenset())
        joined = by_signature.get(signature)
        pid = store_feed.new_policy(conn, now).id if joined is None else joined
        by_signature[signature] = pid
        store_feed.set_member(conn, op_id, pid)
        member_of[op_id] = pid
        served[pid].append(op_id)
        touched.add(pid)
    return {pid: sorted(served[pid]) for pid in sorted(touched)}


def publish(
    conn: Connection,
    now: datetime,
    operators: Iterable[str] | None = None,
    names: Sequence[str] | None = None,
    registered: Registered | None = None,
    progress: Progress = silent,
) -> list[Published]:
    """Bring the feeds of `operators` (all when None) to their policy at `now`, looking at
    `names` only (all when None). Operators whose zone does not change keep their serial.
    `registered`: an order just registered, whose rows need not be read back. `progress`
    hears of each policy computed and written (a few calls per policy).

    Each policy is computed, compared and written once, whatever the number of operators
    it serves; each of them then gets its own serial and log leaf (O(1) each).

    Takes the log's lock first: another transaction publishing for the same operators
    is waited for, so that the last serial and entries read here are the committed ones."""
    store_log.lock(conn)
    ids = store_feed.operator_ids(conn)
    names_of = {i: n for n, i in ids.items()}
    chosen = {ids[o] for o in operators} if operators is not None else set(ids.values())
    if names is not None and len(names) > FULL_ABOVE:
        names = None
    published = []
    groups = _regroup(conn, chosen, now)
    of = len(groups) if len(groups) > 1 else None  # policies done of how many, when several
    for done, (pid, members) in enumerate(groups.items()):
        whom = _whom([names_of[m] for m in members])
        progress(f"publishing for {whom}: computing the zone", done, of)
        current = store_feed.policy(conn, pid)
        # A policy never published from is computed whole, whatever was touched.
        fresh = current.rev == 0 and current.base_policy is None
        new, owners = zone_entries(
            conn, names_of[members[0]], now, None if fresh else names, registered
        )
        old = store_feed.policy_entries(conn, pid, owners)
        change = diff(old, new)
        before = current
        if not change.is_empty() or fresh:
            # Counted in entries written (a million names are two million entries, 7-15 s):
            # the step names the operators, and the policies' count resumes after it.
            writing = (f"publishing for {whom}: writing "
                       f"{len(change.added) + len(change.removed):,} zone entries and their "
                       "digest")  # fmt: skip
            adding = len(change.added)
            progress(writing, 0, adding or None)
            early = registered.early.summed() if registered and registered.early else None

            def entries_written(n: int, what: str = writing, of: int = adding) -> None:
                progress(what, n, of)

            current = store_feed.advance(conn, current, change, early, entries_written)
        lasts = store_feed.latest_of(conn, members)
        new_serials = []
        for op_id in members:
            last = lasts.get(op_id)
            if (
                last is not None
                and last.rev == current.rev
                and (
                    last.policy_id == pid
                    or (current.base_policy, current.base_rev) == (last.policy_id, last.rev)
                )
            ):
                continue  # serves this revision already (or its copy's, unchanged)
            # Its previous serial served the revision this one follows: the change is its
            # change. Otherwise it joins the policy: the whole zone is new to it.
            stepped = last is not None and last.rev == before.rev and current.rev != before.rev
            added, removed = (
                (len(change.added), len(change.removed)) if stepped else (current.entries, 0)
            )
            serial = serials.next_serial(last.serial if last else None, now)
            new_serials.append(store_feed.NewSerial(op_id, serial, added, removed))
            published.append(Published(names_of[op_id], serial, added, removed))
        if new_serials:
            progress(f"publishing for {whom}: signing {len(new_serials)} new serial"
                     f"{'s' if len(new_serials) > 1 else ''} into the log", done, of)  # fmt: skip
        store_feed.record_versions(conn, new_serials, current, now)
    _merge_alike(conn, set(groups))
    return sorted(published, key=lambda p: p.operator)


def _whom(operators: Sequence[str]) -> str:
    """Operators sharing a policy, as a progress line names them."""
    if len(operators) <= 4:
        return ", ".join(operators)
    return f"{', '.join(operators[:3])} and {len(operators) - 3} other operators"


def _merge_alike(conn: Connection, policies: set[int]) -> None:
    """Policies of `policies` whose operators have the same signature and which hold the
    same entries (equal sums) become one: their operators move to the oldest, the others'
    entries are dropped (their journal stays, for the log's verification). This happens
    in a registry from before shared policies, where every operator had its own copy:
    they serve the same revision again from their next serial on (a resolver at an older
    serial gets the whole zone once)."""
    signatures = store_feed.signatures(conn)
    served: dict[int, list[int]] = defaultdict(list)
    for op_id, pid in store_feed.memberships(conn).items():
        if pid in policies:
            served[pid].append(op_id)
    alike: dict[tuple[frozenset[int], int, int], list[int]] = defaultdict(list)
    for pid, members in sorted(served.items()):
        found = store_feed.policy(conn, pid)
        alike[(signatures.get(members[0], frozenset()), found.total, found.entries)].append(pid)
    for same in alike.values():
        for pid in same[1:]:
            for op_id in served[pid]:
                store_feed.set_member(conn, op_id, same[0])
            store_feed.drop_entries(conn, pid)


def settings_of(conn: Connection) -> FeedSettings:
    """The settings the zones are served with (the notice host `arret serve` last used)."""
    host = store_feed.notice_host(conn)
    return FeedSettings(notice_host=host) if host else FeedSettings()


def reserved_names(conn: Connection) -> list[tuple[str, str]]:
    """The feed's own names, which no target or allow-list entry may be or lie below: the
    origin of the operators' zones and the notice host blocked names are sent to."""
    settings = settings_of(conn)
    return [
        (settings.origin.rstrip("."), "the origin of the policy feeds"),
        (settings.notice_host.rstrip("."), "the notice host, which explains each block"),
    ]


def adopt_notice_host(conn: Connection, host: str, now: datetime) -> list[Published]:
    """Record the notice host the zones are now rendered with. When it differs from the
    one they were served with, every zone holding a `notice` entry changes without any
    entry changing: it gets a new serial marked as a rewrite, which the journal does not
    bridge, so that resolvers fetch the whole zone again (RFC 1995 §4 allows a full zone
    as the answer to any IXFR). Zones without a notice entry keep their serial."""
    store_log.lock(conn)
    # Feeds published before the host was recorded were rendered with the default.
    before = store_feed.notice_host(conn) or FeedSettings().notice_host
    store_feed.set_notice_host(conn, host, now)
    if before == host:
        return []
    return _rewrite(
        conn,
        now,
        lambda pid: store_feed.has_kind(conn, pid, Action.NOTICE.value),
        lambda last: serials.next_serial(last, now),
    )


def republish(conn: Connection, now: datetime, above: int | None = None) -> list[Published]:
    """Give every operator's zone a new serial, its entries unchanged, marked as a rewrite
    so that every resolver fetches the whole zone again. For after a restore of the
    database: resolvers hold serials published after the backup, which the restored
    registry does not know; the serials given here come from the clock, so they are above
    every serial served before, and each resolver replaces what it holds with what the
    registry says now. Without this, the feed would serve the backup's older serials,
    which resolvers ignore, until the next change. `above`: a serial some resolver is
    known to hold (see `serial.after_restore`)."""
    store_log.lock(conn)
    return _rewrite(
        conn, now, lambda _pid: True, lambda last: serials.after_restore(last, now, above)
    )


def _rewrite(
    conn: Connection,
    now: datetime,
    chosen: Callable[[int], bool],
    serial_after: Callable[[int | None], int],
) -> list[Published]:
    """A new serial (`serial_after` the operator's last) for every operator of each policy
    `chosen` accepts, marked as a rewrite (the journal does not bridge it: RFC 1995 §4
    allows a full zone as the answer to any IXFR). The caller holds the log's lock."""
    names_of = {i: n for n, i in store_feed.operator_ids(conn).items()}
    served: dict[int, list[int]] = defaultdict(list)
    for op_id, pid in store_feed.memberships(conn).items():
        served[pid].append(op_id)
    published = []
    for pid, members in sorted(served.items()):
        if not chosen(pid):
            continue
        current = store_feed.advance(conn, store_feed.policy(conn, pid), Delta((), ()))
        lasts = store_feed.latest_of(conn, members)
        new_serials = []
        for op_id in sorted(members):
            last = lasts.get(op_id)
            serial = serial_after(last.serial if last else None)
            new_serials.append(store_feed.NewSerial(op_id, serial, 0, 0))
            published.append(Published(names_of[op_id], serial, 0, 0))
        store_feed.record_versions(conn, new_serials, current, now, rewrite=True)
    return sorted(published, key=lambda p: p.operator)


def addressees(conn: Connection, order: Order) -> list[str] | None:
    """The operators an order concerns (None: all of them)."""
    return None if order.terms.all_operators else sorted(order.terms.operators)


def publish_order(
    conn: Connection,
    order: Order,
    now: datetime,
    names: Sequence[str] | None = None,
    registered: Registered | None = None,
    progress: Progress = silent,
) -> list[Published]:
    """Publish what a change of `order` (to `names`, default all its targets, read from
    the store: `order` may come without them) does now."""
    if names is None:
        # Past FULL_ABOVE names the whole zone is recomputed anyway: not read them first.
        touched = store_feed.target_names_up_to(conn, [order.id], FULL_ABOVE)
    else:
        touched = sorted(set(names))
    return publish(conn, now, addressees(conn, order), touched, registered, progress)


def publish_amendment(
    conn: Connection,
    before: Order,
    after: Order,
    event: OrderAmended,
    now: datetime,
    progress: Progress = silent,
) -> list[Published]:
    """Publish what an amendment changes now: the names it adds and removes, and every
    name of the order only when a new expiry changes whether it is in force now (moving
    the expiry of an order in force to a later instant changes no zone until then).
    `before` and `after` may come without their targets."""
    names = [*event.removed, *(t.name for t in event.added)]
    if before.in_force_at(now) != after.in_force_at(now):
        return publish_order(conn, after, now, progress=progress)
    return publish_order(conn, after, now, names, progress=progress) if names else []


def publish_lift(
    conn: Connection, before: Order, after: Order, now: datetime, progress: Progress = silent
) -> list[Published]:
    """Publish what a lift changes now: every name of the order when it was in force now
    and no longer is; nothing when its being in force now does not change — a lift dated
    later (`publish_due` publishes it at its instant), or of an order not in force now.
    Recomputing the zones then would change nothing, at the cost of the order's size (23 s
    for a million names). `before` and `after` may come without their targets."""
    if before.in_force_at(now) == after.in_force_at(now):
        return []
    return publish_order(conn, after, now, progress=progress)


def publish_event(
    conn: Connection,
    event: Event,
    now: datetime,
    early: Early | None = None,
    progress: Progress = silent,
) -> list[Published]:
    """Publish, in the event's transaction, what a just-recorded event changes now.
    `early`: what a registration worked out before it was written (`Early`)."""
    if isinstance(event, KeyRotated | OperatorChanged):
        return []
    if isinstance(event, OperatorAdded):
        # No name changes: a new operator joins the policy of the operators addressed by
        # the same orders as it is (none yet: those of every operator) as it stands, at
        # the cost of one serial; it is computed whole only when it starts a policy.
        return publish(conn, now, [event.name], [])
    if isinstance(event, NameAllowed | AllowEntryRemoved):
        # The names it shields (or shielded) and its own passthru owners.
        return publish(
            conn, now, None, [*store_feed.names_at_or_under(conn, event.name), event.name]
        )
    order = store.load_order_head(conn, event.order_id)
    if isinstance(event, OrderAmended) and event.expires_at is None:
        return publish_order(conn, order, now, [*event.removed, *(t.name for t in event.added)])
    if isinstance(event, OrderRegistered):
        # Its targets are the event's, just written by `store.registry.insert_order`.
        registered = Registered(order, event.targets, event.at, early)
        return publish_order(conn, order, now, None, registered, progress)
    return publish_order(conn, order, now, progress=progress)


def publish_due(conn: Connection, now: datetime) -> list[Published]:
    """Publish every change that time has brought since the last call (or ever)."""
    store_log.lock(conn)  # before reading: a registration being written is waited for
    since = store_feed.published_until(conn)
    if since is None:
        published = publish(conn, now)
    else:
        order_ids = store_feed.due_orders(conn, since, now)
        whole = store_feed.target_names_up_to(conn, order_ids, FULL_ABOVE)
        if whole is None:  # an order of more names than a partial publication takes
            published = publish(conn, now)
        else:
            touched = whole + store_feed.due_target_names(conn, since, now)
            for name in store_feed.due_allow_entries(conn, since, now):
                touched += [*store_feed.names_at_or_under(conn, name), name]
            published = publish(conn, now, None, sorted(set(touched))) if touched else []
    store_feed.set_published_until(conn, now)
    return published


def serial_at(conn: Connection, operator: str, at: datetime) -> int:
    """The serial the operator's feed had at `at` (0 before its first publication)."""
    op_id = store_feed.operator_id(conn, operator)
    found = [v.serial for v in store_feed.versions(conn, op_id) if v.published_at <= at]
    return found[-1] if found else 0
