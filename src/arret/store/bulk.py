"""Many rows in, many names matched: the two bulk operations of the store, done the fast
way for each database.

- Inserting: PostgreSQL's COPY (psycopg's `cursor.copy`) instead of `executemany`, which
  costs about 25 µs a row through psycopg's pipeline (measured: 8 of the 15 s of
  publishing a 10,000-name order to four operators). On SQLite, the driver's own
  `executemany` with the column types' bind processors applied here: SQLAlchemy's
  per-row parameter handling cost more than SQLite itself (measured: 5.6 of the 11.9 s
  spent inserting the 500,000 rows of a 100,000-name registration).
- Matching a column against thousands of values: one `= ANY(array)` on PostgreSQL; chunks
  of 1,000 bound parameters on SQLite (below its limit of 32,766).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, Column, ColumnElement, Connection, String, Table, any_, bindparam
from sqlalchemy.exc import DBAPIError

from arret.progress import BATCH, Counted, uncounted

CHUNK = 1000

#: SQLite's page cache during a large write, in KiB (its default is 2 MiB): a million
#: names are written into indexes of tens of megabytes, in no order for the targets'
#: names; with a small cache each page is written out and read back many times.
LARGE_WRITE_CACHE_KIB = 131_072


@contextmanager
def large_write(conn: Connection, kib: int = LARGE_WRITE_CACHE_KIB) -> Iterator[None]:
    """Give SQLite a larger page cache for the writes inside (in the caller's
    transaction), then its own back — the pages beyond it are freed then. Durability is
    untouched: only how many pages SQLite keeps in memory, not when it syncs them."""
    if conn.dialect.name != "sqlite":
        yield
        return
    raw = conn.connection.driver_connection
    assert raw is not None
    before = raw.execute("PRAGMA cache_size").fetchone()[0]
    raw.execute(f"PRAGMA cache_size=-{int(kib)}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA cache_size={int(before)}")


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (dicts with the same keys) inside the caller's transaction."""
    if not rows:
        return
    columns = list(rows[0])
    # A generator: the feed writes two million rows for a million names, and a list of
    # them all, on top of the dicts, would be 160 MB more at the peak.
    insert_tuples(conn, table, columns, ([row[c] for c in columns] for row in rows))


def insert_tuples(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    native: bool = False,
) -> None:
    """Insert `rows`, each the values of `columns` in that order, inside the caller's
    transaction: for a million rows, no dict per row to build and take apart again.

    `native`: the values are integers, booleans and text only, which the driver stores
    as the columns' types would have converted them: no conversion per row (on SQLite,
    a copy of each row otherwise)."""
    if conn.dialect.name == "sqlite":
        _sqlite_insert(conn, table, columns, rows, native)
        return
    if conn.dialect.name != "postgresql":
        conn.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    # Our own table and column names, never user input.
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        write = copy.write_row
        for row in rows:
            write(row)


def insert_column(
    conn: Connection,
    table: Table,
    fixed: dict[str, Any],
    column: str,
    values: Sequence[str],
    counted: Counted = uncounted,
) -> None:
    """Insert one row per item of `values` (text, stored in `column`), every other column
    the same (`fixed`), in the order of `values`, inside the caller's transaction;
    `counted` hears how many are written, a batch at a time (`BATCH`).

    On SQLite, one statement a batch reading the values from a JSON array (`json_each`,
    which yields them in order): the driver's `executemany` spent about 2.6 µs a row
    binding six parameters — most of the cost of a million targets — and this about
    0.7 µs."""
    if not values:
        return
    names = [*fixed, column]
    if conn.dialect.name == "postgresql":
        _copy_column(conn, table, fixed, column, values, counted)
        return
    if conn.dialect.name != "sqlite":
        constant = list(fixed.values())
        insert_tuples(conn, table, names, ([*constant, v] for v in values))
        counted(len(values))
        return
    bound = _bound(conn, table, fixed)
    # Our own table and column names, never user input.
    statement = (
        f"INSERT INTO {table.name} ({', '.join(names)}) "
        f"SELECT {', '.join('?' for _ in fixed)}, value FROM json_each(?)"
    )
    raw = conn.connection.driver_connection
    assert raw is not None
    for start in range(0, len(values), BATCH):
        batch = values[start : start + BATCH]
        try:
            raw.execute(statement, (*bound, json.dumps(batch)))
        except sqlite3.Error as exc:
            raise DBAPIError.instance(statement, None, exc, sqlite3.Error) from exc
        counted(start + len(batch))


def _bound(conn: Connection, table: Table, values: dict[str, Any]) -> list[Any]:
    """The values as the columns' types give them to the driver (e.g. `UTCDateTime`)."""
    bound = []
    for name, value in values.items():
        process = table.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        bound.append(value if process is None else process(value))
    return bound


#: COPY's text format (PostgreSQL manual, COPY, "Text Format"): these characters escaped.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """A value in COPY's text format: NULL as \\N, booleans as t/f, instants in ISO 8601
    with their offset (the store hands over aware datetimes only)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        assert value.tzinfo is not None, "instants are aware"
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def _copy_column(
    conn: Connection,
    table: Table,
    fixed: dict[str, Any],
    column: str,
    values: Sequence[str],
    counted: Counted,
) -> None:
    """`insert_column` on PostgreSQL: COPY in its text format, the fixed columns formatted
    once and each line a join of text (psycopg adapting a row of six values cost about
    as much as the server's work on it)."""
    # The varying column last: each line is the fixed part, then the value.
    head = "".join(_copy_text(v) + "\t" for v in _bound(conn, table, fixed))
    statement = f"COPY {table.name} ({', '.join([*fixed, column])}) FROM STDIN"
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        between = "\n" + head
        for start in range(0, len(values), BATCH):
            chunk = values[start : start + BATCH]
            text = "\n".join(chunk)
            if "\\" in text or "\t" in text or "\r" in text or text.count("\n") >= len(chunk):
                text = "\n".join(v.translate(_COPY_ESCAPES) for v in chunk)
            # Names need no escape: the chunk is one join, not a line built per name.
            copy.write(head + text.replace("\n", between) + "\n")
            counted(start + len(chunk))


def _sqlite_insert(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    native: bool = False,
) -> None:
    """The driver's executemany on the connection's own transaction, each value converted
    as SQLAlchemy would (e.g. `UTCDateTime`), once per distinct value of a column."""

    def converter(process: Any) -> Any:
        seen: dict[Any, Any] = {}

        def convert(value: Any) -> Any:
            try:
                return seen[value]
            except KeyError:
                seen[value] = done = process(value)
                return done
            except TypeError:  # unhashable
                return process(value)

        return convert

    converted = [
        (i, converter(process))
        for i, c in enumerate(columns)
        # The dialect's own type: the generic one's processor skips SQLite's formatting,
        # and an instant with no microseconds was stored '…:00', not '…:00.000000' as
        # every other write stores it — unequal as text to the same instant (0010c).
        if (process := table.c[c].type.dialect_impl(conn.dialect).bind_processor(conn.dialect))
        is not None
    ]

    def parameters() -> Iterator[Sequence[Any]]:
        for row in rows:
            values = list(row)
            for i, convert in converted:
                values[i] = convert(values[i])
            yield values

    # Our own table and column names, never user input.
    statement = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    raw = conn.connection.driver_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        cursor.executemany(statement, rows if native or not converted else parameters())
    except sqlite3.Error as exc:
        # As SQLAlchemy would have raised it: `store.db.classify` reads its driver error
        # (a locked or full database is then a DatabaseBusy or DatabaseFull, not a trace).
        raise DBAPIError.instance(statement, None, exc, sqlite3.Error) from exc
    finally:
        cursor.close()


def matching(
    conn: Connection, column: Column[str], values: Sequence[str]
) -> Iterator[ColumnElement[bool]]:
    """WHERE clauses that together select the rows whose `column` is in `values`."""
    if not values:
        return
    if conn.dialect.name == "postgresql":
        yield column == any_(bindparam("values", list(values), type_=ARRAY(String)))
        return
    for start in range(0, len(values), CHUNK):
        yield column.in_(values[start : start + CHUNK])
