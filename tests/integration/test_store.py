"""The registry in a real database — the same tests on SQLite and on PostgreSQL.

The SQL projection (orders, targets) must say exactly what the events say: the policy
computed by SQL equals the pure policy of the folded events, at every instant.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, func, select
from support.histories import OPERATORS, History, random_history, write_event
from support.signed import open_engine

from arret.domain import lifecycle
from arret.domain.events import AllowEvent
from arret.domain.lifecycle import OrderDraft
from arret.domain.model import Action, Scope, TargetSpec
from arret.domain.policy import policy_at
from arret.errors import DatabaseNotReady, InvalidOrder, InvalidTargets
from arret.services import registry
from arret.store import registry as store
from arret.store.db import migrate, require_current
from arret.store.schema import events, orders, targets

NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)


def counts(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.scalar(select(func.count()).select_from(t)) for t in (events, orders, targets)
        )


def add_operators(engine: Engine, names: tuple[str, ...] = OPERATORS) -> None:
    with engine.begin() as conn:
        for name in names:
            registry.add_operator(conn, name, NOW - timedelta(days=400), "test")


def replay(engine: Engine, h: History) -> None:
    """Write a random history through the store, event by event, as services would."""
    with engine.begin() as conn:
        for event in h.events:
            write_event(conn, event, NOW)


def test_a_new_database_must_be_initialised_first(database_url: str) -> None:
    engine = open_engine(database_url)
    with pytest.raises(DatabaseNotReady, match="arret init"):
        require_current(engine)
    assert migrate(engine)[0] is None
    assert migrate(engine)[0] == migrate(engine)[1]  # a second init changes nothing
    require_current(engine)
    engine.dispose()


def test_the_migrations_build_exactly_the_declared_schema(engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from arret.store.schema import metadata

    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_sql_policy_equals_the_pure_policy_of_the_events(engine: Engine, seed: int) -> None:
    add_operators(engine)
    h = random_history(random.Random(seed), 30)
    replay(engine, h)
    pure_orders = list(
        lifecycle.fold([e for e in h.events if not isinstance(e, AllowEvent)]).values()
    )
    with engine.connect() as conn:
        for at in h.instants():
            for operator in OPERATORS:
                expected = policy_at(pure_orders, operator, at, h.allow)
                assert registry.policy_for(conn, operator, at) == expected, (operator, at)


@pytest.mark.parametrize("seed", [5, 6])
def test_the_projection_is_the_fold_of_the_stored_events(engine: Engine, seed: int) -> None:
    add_operators(engine)
    h = random_history(random.Random(seed), 30)
    replay(engine, h)
    with engine.connect() as conn:
        stored = [e for _, _, e in store.history(conn) if not isinstance(e, AllowEvent)]
        order_events = [e for e in stored if e.__class__.__name__.startswith("Order")]
        folded = lifecycle.fold(order_events)  # type: ignore[arg-type]
        assert folded == h.orders
        for order_id, order in folded.items():
            assert store.load_order(conn, order_id) == order


def draft(*names: str, **changes: object) -> OrderDraft:
    base: dict[str, object] = {
        "reference": "21-51823",
        "authority": "Tribunal judiciaire de Paris",
        "decided_on": date(2024, 5, 30),
        "targets": tuple(TargetSpec(n) for n in names),
        "operators": ("orange",),
        "effective_at": NOW,
        "expires_at": NOW + timedelta(days=30),
    }
    return OrderDraft(**(base | changes))  # type: ignore[arg-type]


def test_instants_written_with_any_offset_read_back_as_the_same_utc_instant(engine: Engine) -> None:
    add_operators(engine, ("orange",))
    paris = timezone(timedelta(hours=2))
    effective = datetime(2024, 6, 1, 14, 30, 0, 123456, tzinfo=paris)
    with engine.begin() as conn:
        order = registry.register_order(
            conn, draft("leak.example", effective_at=effective), NOW, "clerk"
        )
    assert order.effective_at == datetime(2024, 6, 1, 12, 30, 0, 123456, tzinfo=UTC)
    assert order.effective_at.tzinfo == UTC


def test_registration_is_all_or_nothing(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    add_operators(engine, ("orange",))
    before = counts(engine)

    def fail(*_args: object) -> int:
        raise RuntimeError("disk full, after the order and its targets were written")

    monkeypatch.setattr(store, "record_event", fail)
    with pytest.raises(RuntimeError), engine.begin() as conn:
        registry.register_order(conn, draft("a.example", "b.example"), NOW, "clerk")
    assert counts(engine) == before


def test_one_bad_target_registers_nothing_and_every_bad_target_is_named(engine: Engine) -> None:
    add_operators(engine, ("orange",))
    before = counts(engine)
    bad = ["leak.example", "192.0.2.1", "gg", "https://mirror.example/path", "*.x.example"]
    with pytest.raises(InvalidTargets) as caught, engine.begin() as conn:
        registry.register_order(conn, draft(*bad), NOW, "clerk")
    text = caught.value.diagnostics()
    for name in bad[1:]:
        assert repr(name) in text
    assert "'leak.example'" not in text
    assert counts(engine) == before


def test_bad_targets_and_other_faults_are_reported_together(engine: Engine) -> None:
    add_operators(engine, ("orange",))
    with pytest.raises(InvalidOrder) as caught, engine.begin() as conn:
        registry.register_order(conn, draft("co.uk", expires_at=None), NOW, "clerk")
    text = caught.value.diagnostics()
    assert "'co.uk'" in text and "without an end" in text


def test_an_order_for_orange_never_reaches_free(engine: Engine) -> None:
    add_operators(engine, ("orange", "free"))
    with engine.begin() as conn:
        registry.register_order(conn, draft("leak.example"), NOW, "clerk")
        assert registry.policy_for(conn, "orange", NOW).names() == ["leak.example"]
        assert registry.policy_for(conn, "free", NOW).rules == ()


def test_all_operators_reaches_operators_added_later(engine: Engine) -> None:
    add_operators(engine, ("orange",))
    with engine.begin() as conn:
        registry.register_order(
            conn, draft("leak.example", operators=(), all_operators=True), NOW, "clerk"
        )
        registry.add_operator(conn, "newisp", NOW + timedelta(days=1), "clerk")
        assert registry.policy_for(conn, "newisp", NOW).names() == ["leak.example"]


def test_a_name_covered_by_two_orders_stays_until_both_end(engine: Engine) -> None:
    add_operators(engine, ("orange",))
    with engine.begin() as conn:
        first = registry.register_order(conn, draft("leak.example"), NOW, "clerk")
        second = registry.register_order(
            conn,
            draft("leak.example", expires_at=NOW + timedelta(days=60), action=Action.NOTICE),
            NOW,
            "clerk",
        )
        rule = registry.policy_for(conn, "orange", NOW).rules[0]
        assert (rule.action, rule.orders) == (Action.NXDOMAIN, (first.id, second.id))
        later = registry.policy_for(conn, "orange", NOW + timedelta(days=45)).rules
        assert [(r.name, r.action, r.orders) for r in later] == [
            ("leak.example", Action.NOTICE, (second.id,))
        ]
        registry.lift_order(conn, second.id, NOW + timedelta(days=50), "clerk", "appeal")
        assert registry.policy_for(conn, "orange", NOW + timedelta(days=50)).rules == ()


def test_allow_list_refuses_targets_and_punches_passthru_holes(engine: Engine) -> None:
    add_operators(engine, ("orange",))
    with engine.begin() as conn:
        registry.allow_name(conn, "cdn.example", "shared CDN", NOW, "clerk")
        registry.allow_name(conn, "news.big.example", "a bystander", NOW, "clerk")
    with pytest.raises(InvalidTargets) as caught, engine.begin() as conn:
        registry.register_order(conn, draft("x.cdn.example", "cdn.example"), NOW, "clerk")
    assert "'x.cdn.example'" in caught.value.diagnostics()
    with engine.begin() as conn:
        registry.register_order(conn, draft("big.example"), NOW, "clerk")
        policy = registry.policy_for(conn, "orange", NOW)
    assert policy.names() == ["big.example"]
    assert policy.passthru == ("news.big.example",)


def test_amendments_are_dated_and_checked_against_the_stored_order(engine: Engine) -> None:
    add_operators(engine, ("orange",))
    with engine.begin() as conn:
        order = registry.register_order(conn, draft("leak.example"), NOW, "clerk")
        registry.amend_order(
            conn,
            order.id,
            NOW + timedelta(days=21),
            "clerk",
            add=[TargetSpec("Mirror.Example.", Scope.EXACT)],
        )
    with engine.connect() as conn:
        assert registry.policy_for(conn, "orange", NOW + timedelta(days=20)).names() == [
            "leak.example"
        ]
        after = registry.policy_for(conn, "orange", NOW + timedelta(days=21))
        assert [(r.name, r.scope) for r in after.rules] == [
            ("leak.example", Scope.SUBTREE),
            ("mirror.example", Scope.EXACT),
        ]
    before = counts(engine)
    with pytest.raises(InvalidOrder) as caught, engine.begin() as conn:
        registry.amend_order(
            conn,
            order.id,
            NOW + timedelta(days=22),
            "clerk",
            add=[TargetSpec("mirror.example")],
            remove=["nothere.example"],
        )
    assert "already a target" in caught.value.diagnostics()
    assert "'nothere.example' is not a target" in caught.value.diagnostics()
    assert counts(engine) == before


def test_the_schema_head_constant_is_alembics_head() -> None:
    from arret.store.db import SCHEMA_HEAD, head_revision

    assert head_revision() == SCHEMA_HEAD


def test_a_name_too_long_for_the_feed_is_refused(engine: Engine) -> None:
    # 237 octets fits a DNS name (253), not an RPZ owner '*.<name>.orange.rpz.arret.' (255).
    add_operators(engine, ("orange",))
    long_name = ".".join(["a" * 45] * 5) + ".example"
    assert 234 < len(long_name) <= 253
    with pytest.raises(InvalidTargets) as caught, engine.begin() as conn:
        registry.register_order(conn, draft(long_name), NOW, "clerk")
    assert "255 octets" in caught.value.diagnostics()
    fits = ".".join(["a" * 40] * 4) + ".example"
    with engine.begin() as conn:
        registry.register_order(conn, draft(fits), NOW, "clerk")
        assert registry.policy_for(conn, "orange", NOW).names() == [fits]


def test_a_populated_database_upgrades_from_the_first_revision(database_url: str) -> None:
    from alembic import command
    from sqlalchemy import text

    from arret.store.db import SCHEMA_HEAD, _alembic_config

    engine = open_engine(database_url)
    config = _alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
    at = datetime(2026, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO operators (name, added_at, notify, probe) VALUES ('orange', :at, "
                 "'[]', '[]')"), {"at": at},
        )  # fmt: skip
        conn.execute(
            text(
                "INSERT INTO orders (reference, authority, requester, legal_basis, decided_on, "
                "effective_at, expires_at, lift_reason, all_operators, action, confidential, "
                "notice, registered_at, last_changed_at) VALUES ('R', 'court', '', '', :day, "
                ":at, :end, '', :no, 'nxdomain', :no, '', :at, :at)"
            ),
            {"day": at.date(), "at": at, "end": at + timedelta(days=30), "no": False},
        )
        conn.execute(text("INSERT INTO order_operators VALUES (1, 1)"))
        conn.execute(
            text("INSERT INTO targets (order_id, name, scope, added_at) VALUES "
                 "(1, 'leak.example', 'subtree', :at)"), {"at": at},
        )  # fmt: skip
    assert migrate(engine) == ("0001", SCHEMA_HEAD)
    with engine.begin() as conn:
        assert registry.policy_for(conn, "orange", at + timedelta(days=1)).names() == [
            "leak.example"
        ]
        assert store.get_operator(conn, "orange").allow_from == ()
    engine.dispose()


def test_target_instants_are_stored_as_every_other_instant_and_old_ones_are_mended(
    engine: Engine,
) -> None:
    """SQLite compares instants as text: a target's added_at, written by the bulk insert,
    must read as text exactly as its order's registration instant (written by the ORM
    path) — an instant on a whole second once lost its '.000000' there. 0010c mends
    the targets a registry wrote before."""
    from alembic import command
    from sqlalchemy import text

    from arret.store.db import _alembic_config

    add_operators(engine, ("orange",))
    whole_second = NOW.replace(microsecond=0)
    with engine.begin() as conn:
        order = registry.register_order(conn, draft("a.example", "b.example"), whole_second, "t")
    same = text("SELECT count(*) FROM targets t JOIN orders o ON o.id = t.order_id "
                "WHERE t.added_at = o.registered_at")  # fmt: skip
    with engine.begin() as conn:
        assert conn.scalar(same) == 2
    if engine.dialect.name != "sqlite":
        return  # timestamps, not text: nothing the migration touches
    with engine.begin() as conn:
        conn.execute(text("UPDATE targets SET added_at = substr(added_at, 1, 19)"))
        assert conn.scalar(same) == 0  # what the bulk path wrote before the fix
        config = _alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "0010b")
    migrate(engine)
    with engine.begin() as conn:
        assert conn.scalar(same) == 2
        assert {t.added_at for t in store.load_order(conn, order.id).targets} == {whole_second}


@pytest.mark.parametrize("mixed", [False, True], ids=["one scope and action", "mixed"])
def test_targets_are_stored_in_the_order_given_with_their_own_scope_and_action(
    engine: Engine, mixed: bool
) -> None:
    """Targets sharing one scope and action go in by one statement of their names alone
    (`bulk.insert_column`); others row by row. Either way each row holds its target, in
    the order given (pages of targets follow that order), by registration and amendment."""
    add_operators(engine, ("orange",))
    names = [f"n{i}-{'z' if i % 2 else 'a'}.example" for i in range(60)]
    specs = [
        TargetSpec(n, Scope.EXACT if mixed and i % 3 == 0 else Scope.SUBTREE,
                   Action.NODATA if mixed and i % 5 == 0 else None)
        for i, n in enumerate(names)
    ]  # fmt: skip
    with engine.begin() as conn:
        order = registry.register_order(conn, draft(targets=tuple(specs[:40])), NOW, "t")
        registry.amend_order(conn, order.id, NOW + timedelta(hours=1), "t", add=specs[40:])
    with engine.begin() as conn:
        rows = conn.execute(
            select(targets.c.name, targets.c.scope, targets.c.action, targets.c.added_at)
            .where(targets.c.order_id == order.id)
            .order_by(targets.c.id)
        ).all()
        page, total, more = store.target_page(conn, order.id, 0, 100)
    expected = [
        (s.name, s.scope.value, s.action.value if s.action else None,
         NOW if i < 40 else NOW + timedelta(hours=1))
        for i, s in enumerate(specs)
    ]  # fmt: skip
    assert [tuple(r) for r in rows] == expected
    assert [t.name for _, t in page] == names and (total, more) == (60, False)


def test_a_registration_and_an_amendment_tell_how_many_names_are_checked_and_written(
    engine: Engine,
) -> None:
    """Each step that goes through the names (or the zone entries they make) says how many
    it has done, out of how many, a batch at a time (here one batch), from none to all;
    signing says it has begun."""
    add_operators(engine, ("orange",))
    heard: list[tuple[str, int, int | None]] = []

    def progress(what: str, done: int, total: int | None) -> None:
        heard.append((what, done, total))

    names = [f"n{i}.example" for i in range(50)]
    with engine.begin() as conn:
        order = registry.registration(conn, draft(*names), NOW, "t", progress=progress).event
    counted = [h for h in heard if h[2] is not None]
    # Publishing counts the zone entries it adds (a name and its subtree: two each).
    publishing = "publishing for orange: writing"
    assert counted == [("checking 50 names", 0, 50), ("checking 50 names", 50, 50),
                       ("writing the order's 50 names", 0, 50),
                       ("writing the order's 50 names", 50, 50),
                       (f"{publishing} 100 zone entries and their digest", 0, 100),
                       (f"{publishing} 100 zone entries and their digest", 100, 100)]  # fmt: skip
    assert ("signing the order's 50 names into the log", 0, None) in heard
    heard.clear()
    with engine.begin() as conn:
        registry.amend_order(
            conn, order.order_id, NOW + timedelta(hours=1), "t",
            add=[TargetSpec(f"m{i}.example") for i in range(3)], remove=names[:2],
            progress=progress,
        )  # fmt: skip
    counted = [h for h in heard if h[2] is not None]
    checking, writing = "checking 5 names", "writing 5 changed names"
    entries = f"{publishing} 10 zone entries and their digest"  # 6 added, 4 removed
    assert counted == [(checking, 0, 5), (checking, 3, 5), (checking, 5, 5),
                       (writing, 0, 5), (writing, 2, 5), (writing, 5, 5),
                       (entries, 0, 6), (entries, 6, 6)]  # fmt: skip
    assert ("signing the 5 changed names into the log", 0, None) in heard


def test_a_transaction_without_the_log_writer_changes_nothing(engine: Engine) -> None:
    """The signing key is the log writer's, attached to the engine: a transaction from an
    engine without it fails at its first append, and its change is not committed."""
    from arret.errors import LogKeyError
    from arret.store import db
    from arret.store import log as store_log
    from arret.store.schema import operators

    add_operators(engine, ("orange",))
    bare = db.open_engine(engine.url.render_as_string(hide_password=False))
    try:
        with pytest.raises(LogKeyError, match="no log signing key"), bare.begin() as conn:
            registry.add_operator(conn, "sfr", NOW, "test")
        with pytest.raises(LogKeyError, match="no log signing key"):
            store_log.require_key(bare)
    finally:
        bare.dispose()
    with engine.connect() as conn:
        assert conn.scalars(select(operators.c.name)).all() == ["orange"]
        size = store_log.size(conn)
    with engine.begin() as conn:
        registry.add_operator(conn, "sfr", NOW, "test")
        assert store_log.size(conn) > size  # its event, and its first feed serial
