"""The database_url fixture hands out a real, empty database on each backend."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    Table,
    create_engine,
    inspect,
    select,
    text,
)


def test_timezone_aware_datetime_round_trip(
    database_url: str, request: pytest.FixtureRequest
) -> None:
    backend = request.node.callspec.params["database_url"]
    metadata = MetaData()
    probe = Table(
        "probe",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("at", DateTime(timezone=True), nullable=False),
    )
    # 12:30 in Paris in winter is 11:30 UTC.
    paris_winter = timezone(timedelta(hours=1))
    written = datetime(2024, 3, 1, 12, 30, 45, 123456, tzinfo=paris_winter)

    engine = create_engine(database_url)
    try:
        assert engine.dialect.name == backend
        assert inspect(engine).get_table_names() == []  # a fresh, empty database

        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(probe.insert().values(id=1, at=written))
        with engine.connect() as conn:
            read = conn.execute(select(probe.c.at).where(probe.c.id == 1)).scalar_one()
            if backend == "postgresql":
                server = conn.execute(text("SELECT version()")).scalar_one()
                assert server.startswith("PostgreSQL ")
                # timestamptz keeps the instant; it comes back aware, in the session zone.
                assert read.tzinfo is not None
                assert read == written
                assert read.astimezone(UTC) == datetime(2024, 3, 1, 11, 30, 45, 123456, tzinfo=UTC)
            else:
                assert conn.execute(text("SELECT sqlite_version()")).scalar_one()
                # SQLite has no time zones: SQLAlchemy drops the offset and returns the
                # naive wall-clock time. Code must convert to UTC before storing.
                assert read.tzinfo is None
                assert read == written.replace(tzinfo=None)
    finally:
        engine.dispose()
