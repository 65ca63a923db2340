"""How a SQLite store is tuned for a pass's bulk writes.

A pass writes a province's records in a few large transactions. Two of SQLite's defaults cost
there more than the writing itself: a 2 MiB page cache, with which the new rows' index entries,
landing all over each index, push the same index pages out and read them back again and again;
and a checkpoint every 1,000 pages (4 MB) of write-ahead log, which copies the same index pages
into the database file again after each few thousand rows. PostgreSQL needs neither.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

WAL_CHECKPOINT_PAGES = 20_000
"""Pages (80 MB) the write-ahead log grows to before SQLite copies it into the database file:
a page written many times between two checkpoints is copied once (200,000 people: storing the
files 19.5 s -> 13.8 s). Readers and crashes are unaffected: the log is the database's own."""


STORE_CACHE_MIN_KIB = 64 * 1024
STORE_CACHE_MAX_KIB = 512 * 1024
STORE_CACHE_BYTES_PER_ROW = 256


def store_cache_kib(rows: int) -> int:
    """SQLite's page cache while a file of `rows` rows is stored: 64 MiB, and 256 bytes a row
    above 250,000 rows, at most 512 MiB. A file's rows land all over the unique key's and the
    citizen ID's indexes, in one transaction: with a cache smaller than those indexes, SQLite
    writes the same index pages into the write-ahead log again and again (a 4,000,000-row file:
    a 5.8 GB log for a 6.1 GB database), so storing grows faster than the rows (2,000,000 register
    rows in random key order, one file: 83.2 s with 64 MiB, 67.1 s with 512 MiB; 1,000,000:
    32.0 / 29.2 s). The cache is taken only as pages are used, and given back after the file."""
    return max(STORE_CACHE_MIN_KIB, min(STORE_CACHE_MAX_KIB, rows * STORE_CACHE_BYTES_PER_ROW // 1024))


@contextmanager
def page_cache(conn, kib: int) -> Iterator[None]:
    """On a SQLite connection, a page cache of `kib` KiB for the statements inside; the pooled
    connection's own size is set back, and the pages given back, after."""
    if conn.dialect.name != "sqlite":
        yield
        return
    cursor = conn.connection.driver_connection.cursor()
    (before,) = cursor.execute("PRAGMA cache_size").fetchone()
    cursor.execute(f"PRAGMA cache_size = {-int(kib)}")
    try:
        yield
    finally:
        cursor.execute(f"PRAGMA cache_size = {int(before)}")
        cursor.execute("PRAGMA shrink_memory")
        cursor.close()
