"""Writing many rows at once: COPY on PostgreSQL, one prepared INSERT with many rows on SQLite.

A province sends millions of rows; building one SQLAlchemy parameter dictionary per row cost more
than the database's own work. These helpers hand the driver plain tuples inside the caller's
transaction, so a batch is still all or nothing. `insert_columns` takes the rows as columns, a
value shared by every row given once (`Same`): each value is converted for the driver once, and
the rows are zipped from the columns as the driver takes them, with no Python code per row.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, Table


class Same(NamedTuple):
    """One value for every row of a column (the batch's id, the time of the import)."""

    value: Any


def bulk_insert(conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """Insert `rows` (tuples in the order of `columns`) into `table` within `conn`'s transaction."""
    dialect = conn.dialect
    processors = [table.c[name].type._cached_bind_processor(dialect) for name in columns]
    if any(processors):
        rows = (tuple(p(v) if p else v for p, v in zip(processors, row, strict=True)) for row in rows)
    _write(conn, table, columns, rows)


def insert_columns(conn: Connection, table: Table, columns: Mapping[str, Sequence[Any] | Same], count: int) -> None:
    """Insert `count` rows given as `columns` (name -> the rows' values in order, or `Same`)."""
    dialect = conn.dialect
    values: list[Iterable[Any]] = []
    for name, column in columns.items():
        process = table.c[name].type._cached_bind_processor(dialect)
        if isinstance(column, Same):
            values.append(itertools.repeat(process(column.value) if process else column.value, count))
        else:
            if len(column) != count:
                raise ValueError(f"insert into {table.name}: column {name} has {len(column)} rows, not {count}")
            values.append(map(process, column) if process else column)
    _write(conn, table, list(columns), zip(*values, strict=True))


def _write(conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    cursor = conn.connection.driver_connection.cursor()
    try:
        names = ", ".join(columns)
        if conn.dialect.name == "postgresql":
            with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)
    finally:
        cursor.close()


def bulk_update(conn: Connection, table: Table, key: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """Update `columns` of the rows of `table` whose `key` is the last item of each tuple.

    On PostgreSQL the rows go by COPY into a temporary table and one UPDATE ... FROM applies them:
    one UPDATE per row (what `executemany` sends) cost a round trip and a statement each, which
    standardising a province's repairs paid hundreds of thousands of times."""
    dialect = conn.dialect
    processors = [table.c[name].type._cached_bind_processor(dialect) for name in (*columns, key)]
    if any(processors):
        rows = (tuple(p(v) if p else v for p, v in zip(processors, row, strict=True)) for row in rows)
    cursor = conn.connection.driver_connection.cursor()
    try:
        if dialect.name == "postgresql":
            _update_from_copy(cursor, table, key, columns, rows)
        else:
            sets = ", ".join(f"{name} = ?" for name in columns)
            cursor.executemany(f"UPDATE {table.name} SET {sets} WHERE {key} = ?", list(rows))
    finally:
        cursor.close()


def _update_from_copy(cursor, table: Table, key: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """PostgreSQL: `rows` copied into a temporary table of `table`'s column types, then applied
    with one UPDATE ... FROM (a key given twice: its last row wins, as one UPDATE after another)."""
    latest = {row[-1]: row for row in rows}
    if not latest:
        return
    names = ", ".join((*columns, key))
    staged = f"bulk_update_{table.name}"
    cursor.execute(f"CREATE TEMP TABLE {staged} ON COMMIT DROP AS SELECT {names} FROM {table.name} WITH NO DATA")
    with cursor.copy(f"COPY {staged} ({names}) FROM STDIN") as copy:
        for row in latest.values():
            copy.write_row(row)
    cursor.execute(f"ANALYZE {staged}")
    sets = ", ".join(f"{name} = s.{name}" for name in columns)
    cursor.execute(f"UPDATE {table.name} SET {sets} FROM {staged} s WHERE {table.name}.{key} = s.{key}")
    cursor.execute(f"DROP TABLE {staged}")
