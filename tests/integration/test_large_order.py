"""A large targets file with a few bad names near its end: every reason is reported at
once, with the order's own faults, and nothing at all is written."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, func, select
from support.cli import Arret

from arret.store.schema import events, feed_versions, log_leaves, orders, targets

N = 100_000


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t.name: int(conn.scalar(select(func.count()).select_from(t)) or 0)
                for t in (orders, targets, events, log_leaves, feed_versions)
            }
    finally:
        engine.dispose()


def test_bad_names_at_the_end_of_100k_are_all_reported_and_nothing_is_written(
    database_url: str, tmp_path: Path
) -> None:
    arret = Arret(tmp_path, database_url)
    arret("demo", "--no-moving")
    lines = [f"mirror{i}.leak{i % 97}.example" for i in range(N)]
    lines[N - 40] = "192.0.2.7"
    lines[N - 30] = "co.uk"
    lines[N - 20] = "Bücher..example"
    lines[N - 10] = "MIRROR7.Leak7.example."  # the name of line 8, spelled otherwise
    lines[N - 1] = "http://leak.example/file"
    path = tmp_path / "targets.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = _counts(database_url)

    code, _, err = arret(
        "order", "add", "--targets-file", str(path), "--reference", "RG 26/1",
        "--authority", "court", "--decided", "2026-11-01", "--duration", "18mo",
        "--operator", "sfr", "--operator", "nobody", ok=False,
    )  # fmt: skip

    assert code != 0
    for bad, reason in [
        ("192.0.2.7", "an IP address"),
        ("co.uk", "a public suffix"),
        ("Bücher..example", "two dots in a row"),
        ("MIRROR7.Leak7.example.", "given twice (as 'mirror7.leak7.example')"),
        ("http://leak.example/file", "give its host part 'leak.example'"),
    ]:
        assert repr(bad) in err and reason in err, (bad, err)
    assert "unknown operator 'nobody'" in err
    assert _counts(database_url) == before


def test_a_large_registration_is_written_whole_and_gives_sqlite_its_cache_back(
    engine: Engine,
) -> None:
    """Above `registry.LARGE` targets a registration is written with a larger SQLite page
    cache (`store.bulk.large_write`): everything lands, the feed holds every name, and the
    connection's cache is its own again afterwards."""
    from datetime import UTC, datetime, timedelta

    from arret.domain.lifecycle import OrderDraft
    from arret.domain.model import TargetSpec
    from arret.services import registry
    from arret.store import feed as store_feed

    now = datetime(2026, 12, 6, 12, tzinfo=UTC)
    names = [f"mirror{i}.leak{i % 97}.example" for i in range(registry.LARGE + 1)]
    draft = OrderDraft(
        reference="RG 26/2", authority="court", decided_on=now.date(),
        targets=tuple(TargetSpec(n) for n in names), all_operators=True,
        expires_at=now + timedelta(days=30),
    )  # fmt: skip

    def cache_size(conn: Connection) -> object:
        raw = conn.connection.driver_connection
        assert raw is not None
        return raw.execute("PRAGMA cache_size").fetchone()[0]

    with engine.begin() as conn:
        registry.add_operator(conn, "sfr", now, "test")
        sqlite = conn.dialect.name == "sqlite"
        before = cache_size(conn) if sqlite else None
        registry.register_order(conn, draft, now, "clerk")
        assert not sqlite or cache_size(conn) == before
    with engine.begin() as conn:
        assert conn.scalar(select(func.count()).select_from(targets)) == len(names)
        zone = store_feed.entries(conn, store_feed.operator_id(conn, "sfr"))
        assert len(zone) == 2 * len(names)
