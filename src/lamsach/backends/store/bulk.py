"""Writing many rows at once: COPY on PostgreSQL, one prepared INSERT with many rows on SQLite.

A province sends millions of rows; building one SQLAlchemy parameter dictionary per row cost more
than the database's own work. These helpers hand the driver plain tuples inside the caller's
transaction, so a batch is still all or nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, Table


def bulk_insert(conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """Insert `rows` (tuples in the order of `columns`) into `table` within `conn`'s transaction."""
    dialect = conn.dialect
    processors = [table.c[name].type._cached_bind_processor(dialect) for name in columns]
    if any(processors):
        rows = (tuple(p(v) if p else v for p, v in zip(processors, row, strict=True)) for row in rows)
    cursor = conn.connection.driver_connection.cursor()
    try:
        names = ", ".join(columns)
        if dialect.name == "postgresql":
            with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)
    finally:
        cursor.close()


def bulk_update(conn: Connection, table: Table, key: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """Update `columns` of the rows of `table` whose `key` is the last item of each tuple."""
    dialect = conn.dialect
    processors = [table.c[name].type._cached_bind_processor(dialect) for name in (*columns, key)]
    if any(processors):
        rows = (tuple(p(v) if p else v for p, v in zip(processors, row, strict=True)) for row in rows)
    mark = "%s" if dialect.name == "postgresql" else "?"
    sets = ", ".join(f"{name} = {mark}" for name in columns)
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.executemany(f"UPDATE {table.name} SET {sets} WHERE {key} = {mark}", list(rows))
    finally:
        cursor.close()
