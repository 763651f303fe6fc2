"""A registry written by the release before shared policies (schema 0009: the demo, an
order to two operators and one to every operator, each operator's feed and its salted
digests in the log) is upgraded by `arret init` and goes on: its log still verifies, its
next serials are keyed, operators addressed alike come to share one policy again, and
time still ends its orders. The file was made with that release's `arret demo` and
`arret order add`; its log key beside it is a test key."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from support.signed import open_engine
from typer.testing import CliRunner

from arret.cli.context import Env
from arret.cli.main import app
from arret.domain.instants import FixedClock
from arret.keyfile import KeyFile
from arret.services import feed
from arret.services import log as log_service
from arret.services.log_writer import attach
from arret.store import feed as store_feed
from arret.store.schema import feed_entries

DATA = Path(__file__).parent / "data"
NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)


@pytest.fixture
def old(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    shutil.copy(DATA / "registry-0009.db", tmp_path / "arret.db")
    key = tmp_path / "log.key"
    shutil.copy(DATA / "registry-0009.log.key", key)
    key.chmod(0o600)
    monkeypatch.setenv("ARRET_LOG_KEY", str(key))
    return f"sqlite:///{tmp_path / 'arret.db'}"


def arret(url: str, *args: str, at: datetime = NOW) -> str:
    result = CliRunner().invoke(app, list(args), obj=Env(url, FixedClock(at)))
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return result.stdout


def test_a_registry_from_before_shared_policies_upgrades_and_goes_on(old: str) -> None:
    arret(old, "init")
    assert "log verified" in arret(old, "log", "verify")
    arret(old, "order", "amend", "3", "--add", "mirror-isp.example")
    assert "log verified" in arret(old, "log", "verify")
    engine = attach(open_engine(old), KeyFile(Path(os.environ["ARRET_LOG_KEY"])))
    try:
        with engine.begin() as conn:
            ids = store_feed.operator_ids(conn)
            members = store_feed.memberships(conn)
            # Orange and SFR are addressed by order 2, the others by no order by name.
            assert members[ids["orange"]] == members[ids["sfr"]]
            assert members[ids["free"]] == members[ids["bouygues"]] != members[ids["orange"]]
            # Two copies of the entries left, not four.
            policies = conn.scalar(select(func.count(func.distinct(feed_entries.c.policy_id))))
            assert policies == 2
            for name in ids:
                assert store_feed.entries(conn, ids[name]) == feed.zone_entries(conn, name, NOW)[0]
                secret = log_service.digest_secret(conn, name)
                # Its serials from before keep their salt; the new ones use its key.
                assert secret.salt is not None and secret.key is not None
                last = store_feed.latest(conn, ids[name])
                assert last is not None and secret.keyed_since == last.serial
            assert ("mirror-isp.example", "nxdomain") in store_feed.entries(conn, ids["free"])
        # Time ends the orders of the old registry like any other.
        later = datetime(2027, 3, 1, tzinfo=UTC)
        with engine.begin() as conn:
            feed.publish_due(conn, later)
            assert all(store_feed.entries(conn, i) == [] for i in ids.values())
    finally:
        engine.dispose()
    assert "log verified" in arret(old, "log", "verify", at=datetime(2027, 3, 1, tzinfo=UTC))
