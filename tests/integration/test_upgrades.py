"""Upgrades: a database written by the Arrêt of each earlier schema revision, with its data,
is migrated by `arret init` to the newest schema, and the newest code finds there the
history the old code wrote — the log verifies, each operator's policy at each instant is
what the old code computed, serials never go back — and can go on writing.

The fixtures (tests/fixtures/upgrades/<revision>.json) were written by the code of their
time through its own command line (tests/support/upgrade_fixtures.py, which says how to add
one with a new migration); here each is loaded into an empty database brought to its
revision by this code's migrations, on SQLite and on PostgreSQL.

And the other way round: a database migrated by a newer Arrêt is refused, untouched.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    DateTime,
    Engine,
    LargeBinary,
    MetaData,
    Table,
    func,
    select,
    text,
)
from support.cli import Arret
from typer.testing import CliRunner

from arret.cli.context import Env
from arret.cli.main import app
from arret.domain.instants import FixedClock, parse_instant
from arret.domain.policy import Policy
from arret.errors import DatabaseNotReady
from arret.services import registry
from arret.store import registry as store_registry
from arret.store.db import SCHEMA_HEAD, _alembic_config, open_engine

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "upgrades"
MAKE = ".venv/bin/python tests/support/upgrade_fixtures.py"
#: After everything each fixture's history wrote (its last instant is 2026-12-02T00:00Z).
AFTER = datetime(2026, 12, 2, 1, tzinfo=UTC)


def revisions() -> list[str]:
    """This code's migrations, oldest first (new ones are picked up by themselves)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def upgradable() -> list[str]:
    """Every revision before the newest, and the newest too when it has a fixture (as it
    will once a migration follows it)."""
    *earlier, head = revisions()
    return earlier + ([head] if (FIXTURES / f"{head}.json").exists() else [])


@cache
def fixture(revision: str) -> dict[str, Any]:
    path = FIXTURES / f"{revision}.json"
    if not path.exists():
        pytest.fail(
            f"no upgrade fixture for revision {revision}: a database as the code of that "
            f"revision wrote it. Write it (from a checkout whose history holds that code) "
            f"with: {MAKE} {revision}",
            pytrace=False,
        )
    found: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    assert found["revision"] == revision
    return found


def upgrade_to(engine: Engine, revision: str) -> None:
    from alembic import command

    config = _alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def value_for(column: Any, value: Any, dialect: str) -> Any:
    """A fixture's value as the database's column takes it. SQLite gets the text it held
    (instants, dates and JSON as the old code's SQLite wrote them, byte for byte)."""
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, LargeBinary):
        return bytes.fromhex(value)
    if isinstance(kind, Boolean):
        return bool(value)
    if dialect == "sqlite":
        return value
    if isinstance(kind, DateTime):
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    if isinstance(kind, JSON) and isinstance(value, str):
        return json.loads(value)
    return value


def load(engine: Engine, revision: str) -> None:
    """Every row of the fixture, into a database at its revision."""
    tables = fixture(revision)["tables"]
    dialect = engine.dialect.name
    with engine.begin() as conn:
        reflected = MetaData()
        reflected.reflect(conn)
        present = set(reflected.tables) - {"alembic_version"}
        assert set(tables) == present, (
            f"the fixture of {revision} does not hold the tables of the schema at "
            f"{revision}: {sorted(set(tables) ^ present)}"
        )
        for table in reflected.sorted_tables:
            if table.name not in tables:
                continue
            # What the migrations themselves put in (a log's empty state) gives way to
            # what the old code left there.
            if conn.scalar(select(func.count()).select_from(table)):
                conn.execute(table.delete())
            if not tables[table.name]["rows"]:
                continue
            columns = tables[table.name]["columns"]
            assert set(columns) == set(table.c.keys()), (revision, table.name)
            rows = [
                {c: value_for(table.c[c], v, dialect) for c, v in zip(columns, row, strict=True)}
                for row in tables[table.name]["rows"]
            ]
            if dialect == "sqlite":
                names = ", ".join(f'"{c}"' for c in columns)
                marks = ", ".join("?" for _ in columns)
                conn.exec_driver_sql(
                    f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})',
                    [tuple(r[c] for c in columns) for r in rows],
                )
            else:
                conn.execute(table.insert(), rows)
                reset_sequences(conn, table)


def reset_sequences(conn: Connection, table: Table) -> None:
    """PostgreSQL: rows were given their ids, so the next id must come after them."""
    for column in table.primary_key.columns:
        sequence = conn.scalar(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
        )
        if sequence is not None:
            conn.execute(
                text(f'SELECT setval(:s, (SELECT max("{column.name}") FROM "{table.name}"))'),
                {"s": sequence},
            )


def serials(engine: Engine) -> dict[str, int]:
    """The newest serial of each operator, by name."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT o.name, max(v.serial) FROM feed_versions v "
                "JOIN operators o ON o.id = v.operator_id GROUP BY o.name"
            )
        )
        return {name: int(serial) for name, serial in rows}


def old_serials(revision: str) -> dict[str, int]:
    tables = fixture(revision)["tables"]
    if "feed_versions" not in tables:
        return {}
    ops = tables["operators"]
    name_of = {
        row[ops["columns"].index("id")]: row[ops["columns"].index("name")] for row in ops["rows"]
    }
    versions = tables["feed_versions"]
    found: dict[str, int] = {}
    for row in versions["rows"]:
        name = name_of[row[versions["columns"].index("operator_id")]]
        serial = row[versions["columns"].index("serial")]
        found[name] = max(found.get(name, serial), serial)
    return found


def shown(policy: Policy) -> dict[str, Any]:
    """A policy as `arret policy --json` shows its rules (as the fixtures recorded them)."""
    return {
        "rules": [
            {"name": r.name, "scope": r.scope.value, "action": r.action.value,
             "orders": list(r.orders)}
            for r in policy.rules
        ],
        "passthru": list(policy.passthru),
    }  # fmt: skip


class Newest:
    """This code's `arret`, in process, on one database, with the fixtures' log key."""

    def __init__(self, url: str, key: Path) -> None:
        self.env = Env(url, FixedClock(AFTER), log_key=key)
        self.runner = CliRunner()

    def __call__(self, *args: str) -> str:
        result = self.runner.invoke(app, list(args), obj=self.env)
        assert result.exit_code == 0, (args, result.stdout, result.stderr)
        return result.stdout

    def verified_leaves(self) -> int:
        said = self("log", "verify")
        assert said.startswith("log verified: "), said
        return int(said.split()[2])


@pytest.mark.parametrize("revision", upgradable())
def test_a_database_of_each_earlier_revision_upgrades_with_its_history(
    database_url: str, revision: str, tmp_path: Path
) -> None:
    old = fixture(revision)
    key = tmp_path / "log.key"
    shutil.copyfile(FIXTURES / "log-test.key", key)
    key.chmod(0o600)
    engine = open_engine(database_url)
    upgrade_to(engine, revision)
    load(engine, revision)
    before = serials(engine) if "feed_versions" in old["tables"] else {}
    assert before == old_serials(revision)

    newest = Newest(database_url, key)
    said = newest("init")
    if revision != SCHEMA_HEAD:
        assert f"from revision {revision} to {SCHEMA_HEAD}" in said, said
    # Every event and serial of the history is in the log (`log verify` from a database
    # checks each against its leaf): logged as it was recorded from 0007 on, appended by
    # `arret init` for a history recorded before the log existed.
    logged = old["tables"].get("log_leaves", {"rows": []})["rows"]
    assert ("appended" in said) == (not logged), said
    leaves = newest.verified_leaves()
    assert leaves >= max(len(old["tables"]["events"]["rows"]), len(logged))

    with engine.connect() as conn:
        for operator, instants in old["expected"]["policies"].items():
            for instant, policy in instants.items():
                found = registry.policy_for(conn, operator, parse_instant(instant))
                assert shown(found) == policy, (revision, operator, instant)

        # Each order's kept count of names (0010j on) is the count of its targets.
        ids = conn.scalars(text("SELECT id FROM orders")).all()
        assert ids, revision
        for order_id in ids:
            kept = store_registry.current_target_count(conn, order_id)
            assert kept == store_registry.counted_target_count(conn, order_id), order_id

    after = serials(engine)
    assert all(after.get(op, 0) >= serial for op, serial in before.items()), (before, after)
    # The newest code goes on from there: a new order reaches every operator under a
    # serial above any it had, and the log still verifies, one leaf longer at least.
    newest("order", "add", "after-upgrade.example", "--reference", "UPG-1", "--authority",
           "court", "--decided", "2026-12-02", "--duration", "30d", "--all-operators",
           "--actor", "test", "--yes")  # fmt: skip
    moved = serials(engine)
    assert set(moved) == set(old["expected"]["policies"])
    assert all(moved[op] > serial for op, serial in after.items()), (after, moved)
    assert newest.verified_leaves() > leaves
    engine.dispose()


def test_each_fixture_holds_what_its_revision_s_code_wrote() -> None:
    """A fixture whose revision is no longer a migration (renamed at a merge) would test
    nothing: each is of a known revision, made at a commit, with the log key beside it."""
    known = revisions()
    assert (FIXTURES / "log-test.key").read_text().startswith("-----BEGIN PRIVATE KEY-----")
    for path in FIXTURES.glob("*.json"):
        found = json.loads(path.read_text(encoding="utf-8"))
        assert found["revision"] == path.stem and path.stem in known, path.name
        assert len(found["commit"]) == 40 and found["steps"], path.name
        assert found["tables"]["events"]["rows"], path.name


def test_a_database_migrated_by_a_newer_arret_is_refused_and_left_untouched(
    tmp_path: Path,
) -> None:
    arret = Arret(tmp_path)
    arret("demo")
    database = tmp_path / "arret.db"
    with sqlite3.connect(database) as db:
        db.execute("UPDATE alembic_version SET version_num = '0010z'")
    db.close()
    before = dump(database)
    says = (
        f"the database schema is at revision 0010z, newer than this Arrêt knows "
        f"({SCHEMA_HEAD}): it was migrated by a newer version of Arrêt; run that version, "
        "or restore a backup made before the upgrade"
    )
    new_key = tmp_path / "new-log.key"
    for command in (["init"], ["demo"], ["order", "list"], ["policy", "--operator", "sfr"]):
        code, out, err = arret("--log-key", str(new_key), *command, ok=False)
        assert code == DatabaseNotReady.exit_code, (command, out, err)
        assert err == f"arret: {says}\n", (command, err)
    assert dump(database) == before
    assert not new_key.exists()  # nor is a log key created beside it
    assert before[0] == ("alembic_version", [("0010z",)])


def dump(path: Path) -> list[tuple[str, list[Any]]]:
    db = sqlite3.connect(path)
    names = [r[0] for r in db.execute("SELECT name FROM sqlite_master ORDER BY name")]
    found = [(n, db.execute(f'SELECT * FROM "{n}"').fetchall()) for n in names if _table(db, n)]
    db.close()
    return found


def _table(db: sqlite3.Connection, name: str) -> bool:
    kind = db.execute("SELECT type FROM sqlite_master WHERE name = ?", (name,)).fetchone()
    return bool(kind and kind[0] == "table")


def test_an_older_database_is_told_to_run_init(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'arret.db'}"
    engine = open_engine(url)
    upgrade_to(engine, revisions()[-2])
    engine.dispose()
    code, _, err = Arret(tmp_path, url)("order", "list", ok=False)
    assert code == DatabaseNotReady.exit_code and "migrate it with: arret init" in err, err
