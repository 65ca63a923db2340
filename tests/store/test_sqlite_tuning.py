"""SQLite's page cache while a file is stored: grown with the file, bounded, and given back after."""

from __future__ import annotations

from pathlib import Path

from lamsach.backends.store import SqlAlchemyStore
from lamsach.backends.store.sqlite_tuning import (
    STORE_CACHE_MAX_KIB,
    STORE_CACHE_MIN_KIB,
    page_cache,
    store_cache_kib,
)


def test_the_cache_grows_with_the_file_between_its_bounds() -> None:
    assert store_cache_kib(0) == store_cache_kib(250_000) == STORE_CACHE_MIN_KIB
    assert STORE_CACHE_MIN_KIB < store_cache_kib(1_000_000) < store_cache_kib(2_000_000) < STORE_CACHE_MAX_KIB
    assert store_cache_kib(1_000_000) == 250_000  # 256 bytes a row
    assert store_cache_kib(4_000_000) == store_cache_kib(40_000_000) == STORE_CACHE_MAX_KIB


def test_the_connection_gets_its_own_cache_back_after_the_file(tmp_path: Path) -> None:
    store = SqlAlchemyStore.open(f"sqlite:///{tmp_path / 's.db'}")
    try:
        with store.engine.connect() as conn:
            cursor = conn.connection.driver_connection.cursor()
            (before,) = cursor.execute("PRAGMA cache_size").fetchone()
            with page_cache(conn, store_cache_kib(3_000_000)):
                assert cursor.execute("PRAGMA cache_size").fetchone() == (-STORE_CACHE_MAX_KIB,)
            assert cursor.execute("PRAGMA cache_size").fetchone() == (before,)
    finally:
        store.close()
