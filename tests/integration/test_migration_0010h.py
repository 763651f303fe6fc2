"""Migration 0010h: the contests' tables, the outbox and the index of probe results by
name, added to a registry with data and taken away again (downgrade), on SQLite and
PostgreSQL; the registry's own rows are untouched either way."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, inspect, select

from arret.domain.contests import Claim, Limits, solve
from arret.domain.lifecycle import OrderDraft
from arret.domain.model import TargetSpec
from arret.services import contests, registry
from arret.store.db import _alembic_config
from arret.store.schema import contests as contests_table
from arret.store.schema import targets

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)
KEY = b"k" * 32
TABLES = {"contests", "contest_orders", "contest_attachments", "contest_challenges",
          "mail_outbox"}  # fmt: skip


def _to(conn: Connection, revision: str, down: bool) -> None:
    from alembic import command

    config = _alembic_config()
    config.attributes["connection"] = conn
    (command.downgrade if down else command.upgrade)(config, revision)


def test_0010h_up_and_down_with_data(engine: Engine) -> None:
    with engine.begin() as conn:
        registry.add_operator(conn, "orange", NOW, "test")
        draft = OrderDraft(reference="R", authority="TJ", decided_on=NOW.date(),
                           targets=(TargetSpec("leak.example"),), operators=("orange",),
                           effective_at=NOW, expires_at=NOW.replace(year=2027))  # fmt: skip
        registry.register_order(conn, draft, NOW, "test")
        limits = Limits(pow_bits=4)
        challenge = contests.new_challenge(KEY, NOW, limits)
        proof = contests.Proof(challenge, solve(challenge, 4))
        contests.submit(conn, Claim("leak.example", "owner", "Wrong."), proof, KEY, NOW, limits)
    with engine.begin() as conn:
        before = list(conn.execute(select(targets.c.name, targets.c.order_id)))
        assert conn.scalar(select(contests_table.c.name)) == "leak.example"
        _to(conn, "0010g", down=True)
        found = set(inspect(conn).get_table_names())
        assert not TABLES & found
        names = {i["name"] for i in inspect(conn).get_indexes("probe_results")}
        assert "ix_probe_results_name_at" not in names
        assert list(conn.execute(select(targets.c.name, targets.c.order_id))) == before
        _to(conn, "0010h", down=False)
        assert set(inspect(conn).get_table_names()) >= TABLES
        names = {i["name"] for i in inspect(conn).get_indexes("probe_results")}
        assert "ix_probe_results_name_at" in names
