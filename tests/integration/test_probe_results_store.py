"""Probe results go to the database by the bulk path (COPY on PostgreSQL, the driver's
executemany on SQLite) and come back as they went in, every field of every kind of
result: canaries without orders or instant, answers, Extended DNS Errors (code and
text, quotes and non-ASCII included), timeouts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from arret.domain.model import Action
from arret.probes.records import Result
from arret.probes.verdict import Kind, Purpose
from arret.services import registry
from arret.store import probes as store_probes
from arret.store.schema import probe_results

T0 = datetime(2026, 12, 6, 12, tzinfo=UTC)


def test_results_come_back_as_they_were_stored(engine: Engine) -> None:
    with engine.begin() as conn:
        registry.add_operator(conn, "orange", T0, "test")
        registry.add_operator(conn, "free", T0, "test")
    results = [
        Result("orange", "127.0.0.1:5301", "a.example", "a.example", Purpose.IN_FORCE, (1, 2),
               T0, Action.NXDOMAIN, Kind.BLOCKED, Action.NXDOMAIN, T0 + timedelta(seconds=1),
               0.004, "NXDOMAIN"),
        Result("orange", "[::1]:53", "arret-1f.b.example", "b.example", Purpose.IN_FORCE, (3,),
               T0 + timedelta(microseconds=7), Action.NOTICE, Kind.NOT_BLOCKED, None,
               T0 + timedelta(seconds=2), 0.0125, "NOERROR", ("192.0.2.1", "notice.arret."),
               ((15, 'Blocked "by" ordonnance n°21'), (17, "")), "answered with an address"),
        Result("free", "127.0.0.1:5301", "canary.example", "canary.example", Purpose.CANARY,
               (), None, None, Kind.ERROR, None, T0 + timedelta(seconds=3), 2.0, "timeout",
               reason="no answer after 2 tries"),
    ]  # fmt: skip
    with engine.begin() as conn:
        store_probes.save(conn, results)
        store_probes.save(conn, [])  # nothing to store: nothing happens
    with engine.connect() as conn:
        found = {op: store_probes.load(conn, op, T0) for op in ("orange", "free")}
        assert store_probes.load(conn, "orange", T0 + timedelta(seconds=2)) == results[1:2]
    assert found["orange"] == results[:2]
    assert found["free"] == results[2:]
    if engine.dialect.name == "sqlite":
        # The text SQLite holds is the one every other write stores for an instant (with
        # microseconds even when they are 0): SQL compares instants as that text.
        kind = probe_results.c.at.type.dialect_impl(engine.dialect)
        as_stored = kind.bind_processor(engine.dialect)
        assert as_stored is not None
        with engine.connect() as conn:
            raw = conn.exec_driver_sql("SELECT at, since FROM probe_results ORDER BY id").all()
        assert raw == [(as_stored(r.at), as_stored(r.since)) for r in results]
        assert raw[0][0].endswith(":01.000000")
