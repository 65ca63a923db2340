"""Reading the rows of many keys at once, in as few statements as each database takes.

A pass looks up stored records (and the shared layer's rows) by key a file at a time: a province
asks it of hundreds of thousands of keys. SQLite takes at most 999 parameters a statement, so its
keys go 900 at a time (`IN`). PostgreSQL takes them 100,000 at a time as one array parameter
(`= ANY`): 900 separate parameters a statement cost it round trips and planning, and on a table
without statistics yet it checked each row against the 900 values instead of using the index
(60 lookups of 900 keys in the shared layer took 44.8 s; storing a 1,000,000-person province asked
9 s of them of the records).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import ARRAY, Connection, String, any_, literal, select

KEYS_PER_STATEMENT = 900
"""Keys a statement on SQLite: under its limit on a statement's parameters."""
KEYS_PER_ARRAY = 100_000
"""Keys a statement on PostgreSQL, as one array parameter."""


def rows_by_keys(conn: Connection, columns: Sequence[Any], conditions: Sequence[Any], key: Any,
                 keys: Sequence[str]) -> Iterator:
    """`columns` of the rows meeting every one of `conditions` whose text column `key` is among
    `keys`, a statement per `KEYS_PER_ARRAY` keys on PostgreSQL, per `KEYS_PER_STATEMENT` on SQLite."""
    if conn.dialect.name == "postgresql":
        for start in range(0, len(keys), KEYS_PER_ARRAY):
            chunk = literal(list(keys[start:start + KEYS_PER_ARRAY]), ARRAY(String))
            yield from conn.execute(select(*columns).where(*conditions, key == any_(chunk)))
        return
    for start in range(0, len(keys), KEYS_PER_STATEMENT):
        yield from conn.execute(select(*columns).where(*conditions, key.in_(keys[start:start + KEYS_PER_STATEMENT])))
