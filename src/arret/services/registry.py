"""The registry's use cases: check the input, plan the event, write it — inside the
caller's transaction, so that each command is entirely done or not at all.

Every change also publishes, in the same transaction, what it changes in the operators'
feeds now (`arret.services.feed`).

Names arrive as typed by a person; they are normalised and checked here against the
allow-list as it stands, so that every bad name of a command is reported together with
every other reason the command is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import Connection

from arret.collector import collector_paused
from arret.domain import lifecycle, names
from arret.domain import text as free_text
from arret.domain.events import (
    AllowEntryRemoved,
    NameAllowed,
    OperatorAdded,
    OperatorChanged,
    OrderAmended,
    OrderLifted,
    OrderRegistered,
)
from arret.domain.model import AllowEntry, Operator, OperatorKey, Order, TargetSpec
from arret.domain.operators import check_endpoints, check_networks, check_operator_name
from arret.domain.policy import Policy, Rule, allowed_at, compile_policy
from arret.domain.triggers import reserved_problem, trigger_problem
from arret.errors import (
    ConfirmationRequired,
    InvalidName,
    InvalidOperator,
    InvalidOrder,
    InvalidTargets,
)
from arret.progress import BATCH, Counted, Progress, silent, uncounted
from arret.rpz.zone import FeedSettings, too_long
from arret.services import feed, keys
from arret.store import registry as store
from arret.store.bulk import large_write

#: Above this many targets, a registration is written with a larger database cache.
LARGE = 10_000


def needs_confirmation(adds: int, removes: int, above: int) -> bool:
    """Whether a change adding `adds` and removing `removes` names must be confirmed.
    Every entry point asks this one question: the CLI (`--yes`), the API
    (`?confirm=true`) and the web UI (its plan page), each by passing `gate` as the
    write's `confirm` (`tests/unit/test_layers.py` fails when an edge writes without
    one). Without it a write is not gated: the demo's fixed orders, a contest's decision
    (one name, decided by an authority), tests and benches. A lift changes no target (its
    names stay on record, no longer in force) and has a public reason: it is not asked."""
    return adds + removes > above


#: Called by a write with the names it will add and remove, once they are checked and
#: before anything is written; raises to refuse the change (see `gate`).
Confirm = Callable[[int, int], None]


def gate(above: int, confirmed: bool, how: str) -> Confirm:
    """The check a write makes before writing: `ConfirmationRequired`, saying the change's
    size and `how` to confirm it, when it needs a confirmation it did not get. Bad input
    is reported first: a change that cannot be made is not asked about."""

    def check(adds: int, removes: int) -> None:
        if confirmed or not needs_confirmation(adds, removes, above):
            return
        raise ConfirmationRequired(
            f"this change adds {adds:,} and removes {removes:,} names, more than {above:,} "
            "without confirmation; nothing was changed",
            [how],
        )

    return check


def planning(adds: int, removes: int) -> None:
    """The `Confirm` of a rehearsal whose plan is then shown to be confirmed (the web UI's
    plan page): it never refuses."""


def _longest_zone(operators: Iterable[str], everyone: bool) -> str:
    """The longest feed zone a target will be carried in (any operator's, for orders to
    all of them: names are at most 63 octets)."""
    settings = FeedSettings()
    chosen = ["x" * 63] if everyone else list(operators)
    return max((settings.zone(op) for op in chosen), key=len, default=settings.origin)


def _too_long(text: str, name: str, zone: str, advice: str) -> InvalidName:
    return InvalidName(
        text,
        f"too long to be carried in the feed: its RPZ owner '*.{name}.{zone}' would exceed "
        f"255 octets (RFC 1035 §2.3.4); {advice}",
    )


def _checked_targets(
    conn: Connection,
    specs: Sequence[TargetSpec],
    allowed: frozenset[str],
    zone: str,
    counted: Counted = uncounted,
) -> tuple[tuple[TargetSpec, ...], InvalidTargets | None]:
    """The targets normalized, or every reason they are refused; `counted` hears how many
    are checked, a batch at a time."""
    try:
        checked = names.check_targets(
            [t.name for t in specs], allowed, feed.reserved_names(conn), counted, BATCH
        )
    except InvalidTargets as bad:
        return (), bad
    # RFC 1035 §2.3.4: the feed's owner `*.<name>.<zone>` must fit in 255 octets. Only
    # the longest name can tell whether any is too long (one test, not one per name).
    if checked and too_long(max(checked, key=len), zone):
        advice = "give the site's shorter parent name with scope subtree"
        unfit = [
            _too_long(spec.name, name, zone, advice)
            for spec, name in zip(specs, checked, strict=True)
            if too_long(name, zone)
        ]
        return (), InvalidTargets(unfit)
    # Most names are given already normalized: their spec is kept as it is.
    return tuple(
        t if t.name == n else replace(t, name=n) for t, n in zip(specs, checked, strict=True)
    ), None


def _refuse(bad_targets: InvalidTargets | None, other: InvalidOrder | None) -> None:
    """Raise one error carrying every reason: the bad targets, then the rest."""
    if bad_targets is not None and other is None:
        raise bad_targets
    if other is not None:
        extra = list(bad_targets.reasons) if bad_targets else []
        raise InvalidOrder(extra + list(other.reasons), other.refused)


def current_allowed(conn: Connection, at: datetime) -> frozenset[str]:
    return allowed_at(store.allow_entries(conn), at)


def register_order(
    conn: Connection,
    draft: lifecycle.OrderDraft,
    now: datetime,
    actor: str,
    confirm: Confirm | None = None,
) -> Order:
    """Register an order; the order as written."""
    recorded = record_registration(conn, draft, now, actor, confirm)
    # The order as written, from the event in hand (reading a million targets back would
    # cost as much again), with its instants in UTC as the store gives them back.
    terms = recorded.terms
    utc = replace(
        recorded,
        at=recorded.at.astimezone(UTC),
        terms=replace(
            terms,
            effective_at=terms.effective_at.astimezone(UTC),
            expires_at=terms.expires_at.astimezone(UTC),
        ),
    )
    return lifecycle.apply(None, utc)


def record_registration(
    conn: Connection,
    draft: lifecycle.OrderDraft,
    now: datetime,
    actor: str,
    confirm: Confirm | None = None,
) -> OrderRegistered:
    """Register an order; its event as recorded (with its id). For a caller that needs
    no `Order`: building one costs a second per million targets (`arret order add`)."""
    return registration(conn, draft, now, actor, confirm).event


@dataclass(frozen=True)
class Registration:
    """A registration as recorded: its event (with the order's id) and the serials it
    published, one per operator whose zone it changed now (none for an order that takes
    effect later: time publishes it then)."""

    event: OrderRegistered
    published: tuple[feed.Published, ...]


def registration(
    conn: Connection,
    draft: lifecycle.OrderDraft,
    now: datetime,
    actor: str,
    confirm: Confirm | None = None,
    progress: Progress = silent,
) -> Registration:
    """`record_registration`, with the serials it published; `progress` hears of each
    step (checking the names, writing them, publishing each policy)."""
    with collector_paused() if len(draft.targets) > LARGE else nullcontext():
        return _record_registration(conn, draft, now, actor, confirm, progress)


def _record_registration(
    conn: Connection,
    draft: lifecycle.OrderDraft,
    now: datetime,
    actor: str,
    confirm: Confirm | None,
    progress: Progress,
) -> Registration:
    zone = _longest_zone(draft.operators, draft.all_operators)
    count = len(draft.targets)
    what = f"checking {count:,} name{'s' if count != 1 else ''}"
    progress(what, 0, count)
    specs, bad = _checked_targets(
        conn, draft.targets, current_allowed(conn, now), zone,
        lambda done: progress(what, done, count),
    )  # fmt: skip
    try:
        event = lifecycle.plan_registration(
            replace(draft, targets=specs or draft.targets), now, store.operator_names(conn), actor
        )
    except InvalidOrder as refused:
        _refuse(bad, refused)
        raise
    _refuse(bad, None)
    if confirm is not None:
        confirm(len(event.targets), 0)
    large = len(event.targets) > LARGE
    # A large order's zone entries and their sum are worked out first, the sum by a
    # child process meanwhile the rows and log leaves are written (`feed.Early`).
    early = feed.Early(event, now) if large else None
    try:
        with large_write(conn) if large else nullcontext():
            order_id = store.insert_order(conn, event, now, progress)
            recorded = replace(event, order_id=order_id)
            published = feed.publish_event(conn, recorded, now, early, progress)
    finally:
        if early is not None:
            early.close()
    return Registration(recorded, tuple(published))


@dataclass(frozen=True)
class Amended:
    """An amendment as recorded: the order's head after it (terms, instants, addressees;
    *without* its targets), the event (exactly the names added and removed) and how many
    targets the order has now. Nothing in it grows with the order's size."""

    order: Order
    event: OrderAmended
    seq: int
    targets: int
    #: The serials it published now, one per operator whose zone it changed.
    published: tuple[feed.Published, ...] = ()


def amend_order(
    conn: Connection,
    order_id: int,
    now: datetime,
    actor: str,
    add: Sequence[TargetSpec] = (),
    remove: Sequence[str] = (),
    expires_at: datetime | None = None,
    at: datetime | None = None,
    confirm: Confirm | None = None,
    progress: Progress = silent,
) -> Amended:
    """Amend an order, at a cost that grows with the names added and removed, not with
    the order: its targets are never all loaded (`bench/scale.py` measures it at 1M).
    `progress` hears of each step."""
    order = store.load_order_head(conn, order_id)
    when = at or now
    zone = _longest_zone(order.terms.operators, order.terms.all_operators)
    count = len(add) + len(remove)
    shown = progress if count > 1 else silent
    what = f"checking {count:,} names"
    shown(what, 0, count)
    added, bad = _checked_targets(
        conn, add, current_allowed(conn, when), zone, lambda done: shown(what, done, count)
    )
    removed: list[str] = []
    problems = list(bad.problems) if bad else []
    for start in range(0, len(remove), BATCH):
        for text in remove[start : start + BATCH]:
            # A name to remove only has to be well formed: it may be on the allow-list now.
            try:
                removed.append(names.normalize(text))
            except InvalidName as exc:
                problems.append(exc)
        shown(what, len(add) + min(start + BATCH, len(remove)), count)
    bad = InvalidTargets(problems) if problems else None
    touched = [*(t.name for t in added or add), *removed]
    try:
        event = lifecycle.plan_amendment(
            order, when, actor, added or add, removed, expires_at,
            # The count matters only to refuse removing every target.
            standing=store.standing(conn, order_id, touched, counted=not (add or not remove)),
        )  # fmt: skip
    except InvalidOrder as refused:
        _refuse(bad, refused)
        raise
    _refuse(bad, None)
    if confirm is not None:
        confirm(len(event.added), len(event.removed))
    seq = store.save_amendment(conn, event, now, progress)
    after = store.load_order_head(conn, order_id)
    published = feed.publish_amendment(conn, order, after, event, now, progress)
    progress("counting the order's names", 0, None)
    count = store.current_target_count(conn, order_id)
    return Amended(after, event, seq, count, tuple(published))


@dataclass(frozen=True)
class Lifted:
    """A lift as recorded: the order's head after it (without its targets), the event,
    its sequence number and the serials it published."""

    order: Order
    event: OrderLifted
    seq: int
    #: The serials it published now, one per operator whose zone it changed (none for a
    #: lift dated later, or of an order not yet in force).
    published: tuple[feed.Published, ...] = ()


def lift_order(
    conn: Connection,
    order_id: int,
    now: datetime,
    actor: str,
    reason: str,
    at: datetime | None = None,
    progress: Progress = silent,
) -> Lifted:
    """Lift an order. Its targets are not loaded: the feed reads their names alone to
    remove them (what a lift changes), and nothing else grows with the order's size; a lift
    dated later changes no zone now, and reads no name (`feed.publish_lift`).
    `progress` hears of each policy published."""
    order = store.load_order_head(conn, order_id)
    event = lifecycle.plan_lift(order, at or now, actor, reason)
    seq = store.save_lift(conn, event, now)
    lifted = store.load_order_head(conn, order_id)
    published = feed.publish_lift(conn, order, lifted, now, progress=progress)
    return Lifted(lifted, event, seq, tuple(published))


def add_operator(
    conn: Connection,
    name: str,
    now: datetime,
    actor: str,
    notify: Sequence[str] = (),
    probe: Sequence[str] = (),
    allow_from: Sequence[str] = (),
) -> tuple[Operator, OperatorKey]:
    """Add an operator with its first TSIG key (returned: the CLI shows it once)."""
    event = OperatorAdded(
        check_operator_name(name),
        now,
        actor,
        check_endpoints(notify),
        check_endpoints(probe),
        check_networks(allow_from),
    )
    operator = store.add_operator(conn, event, now)
    key = keys.create_first(conn, operator.name, now, actor)
    feed.publish_event(conn, event, now)
    return operator, key


def change_operator(
    conn: Connection,
    name: str,
    now: datetime,
    actor: str,
    notify: Sequence[str] | None = None,
    probe: Sequence[str] | None = None,
    allow_from: Sequence[str] | None = None,
) -> Operator:
    """Replace an operator's resolvers or source networks; None keeps a list as it is."""
    current = store.get_operator(conn, name)
    event = OperatorChanged(
        name,
        now,
        actor,
        current.notify if notify is None else check_endpoints(notify),
        current.probe if probe is None else check_endpoints(probe),
        current.allow_from if allow_from is None else check_networks(allow_from),
    )
    if (event.notify, event.probe, event.allow_from) == (
        current.notify,
        current.probe,
        current.allow_from,
    ):
        raise InvalidOperator(f"nothing to change for operator {name!r}")
    return store.change_operator(conn, event, now)


def allow_name(conn: Connection, name: str, reason: str, now: datetime, actor: str) -> AllowEntry:
    """Allow-list `name`. It is checked as a target would be (but for the allow-list
    itself): every entry below a blocked subtree becomes a passthru owner in every feed."""
    normalized = names.normalize(name)
    if names.is_public_suffix(normalized):
        raise InvalidName(
            name,
            "a public suffix: it is never blocked anyway, and allowing it would shield every "
            "site under it; allow the specific site's name instead",
        )
    problem = reserved_problem(normalized, feed.reserved_names(conn)) or trigger_problem(normalized)
    if problem is not None:
        raise InvalidName(name, problem)
    # Its passthru owner `*.<name>` goes into every operator's zone, whoever orders the
    # subtree above it later: it must fit in the longest zone any operator can have.
    zone = _longest_zone((), everyone=True)
    if too_long(normalized, zone):
        raise _too_long(name, normalized, zone, "allow the site's shorter parent name")
    if not reason.strip():
        raise InvalidOrder(["an allow-list entry needs a reason (--reason)"], "allow refused")
    if problems := free_text.check((free_text.REASON, reason)):
        raise InvalidOrder(problems, "allow refused")
    event = NameAllowed(normalized, now, actor, reason.strip())
    entry = store.add_allow(conn, event, now)
    feed.publish_event(conn, event, now)
    return entry


def remove_allowed(
    conn: Connection, name: str, reason: str, now: datetime, actor: str
) -> AllowEntry:
    """Take `name` off the allow-list from `now`: the orders covering it block it again.
    Only its syntax is checked, so that an entry recorded before a stricter check can
    still be removed."""
    normalized = names.normalize(name)
    if not reason.strip():
        raise InvalidOrder(["removing an allow-list entry needs a reason (--reason)"],
                           "allow remove refused")  # fmt: skip
    event = AllowEntryRemoved(normalized, now, actor, reason.strip())
    entry = store.remove_allow(conn, event, now)
    feed.publish_event(conn, event, now)
    return entry


def rule_count(conn: Connection, operator: str, at: datetime) -> int:
    """How many rules `operator`'s policy has at `at` — `len(policy_for(...).rules)`
    counted by the database: the distinct (name, scope) covered, less those an allow-list
    entry shields (a name at or below one). Reads no row per name (6 s at 1M otherwise)."""
    store.get_operator(conn, operator)
    allowed = current_allowed(conn, at)
    # Only the outermost entries: a name below two of them is shielded once.
    outermost = [a for a in allowed if names.covering_entry(a, allowed - {a}) is None]
    shielded = sum(store.covering_count(conn, operator, at, under=a) for a in outermost)
    return store.covering_count(conn, operator, at) - shielded


def policy_page(
    conn: Connection, operator: str, at: datetime, limit: int
) -> tuple[tuple[Rule, ...], int]:
    """The policy's first `limit` rules (as `policy_for` orders them) and how many it has,
    without compiling the whole policy: names are read in order, a batch at a time, and
    only their rules are compiled."""
    allowed = current_allowed(conn, at)
    total = rule_count(conn, operator, at)
    rules: list[Rule] = []
    after: str | None = None
    while len(rules) < limit:
        batch = store.covered_names(conn, operator, at, after, limit)
        if not batch:
            break
        covering = store.covering_rows(conn, operator, at, batch)
        rules += compile_policy(operator, at, covering, allowed).rules
        after = batch[-1]
    return tuple(rules[:limit]), total


def policy_for(conn: Connection, operator: str, at: datetime) -> Policy:
    """The answer to "which names must `operator` block at `at`?", from the database."""
    store.get_operator(conn, operator)
    covering = store.covering_rows(conn, operator, at)
    return compile_policy(operator, at, covering, current_allowed(conn, at))
