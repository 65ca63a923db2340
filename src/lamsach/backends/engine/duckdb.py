"""`DuckDBEngine`: vectorised SQL over Arrow tables, in process."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from lamsach.backends.engine.base import Engine
from lamsach.backends.engine.dialect import DuckDBDialect


class DuckDBEngine(Engine):
    name = "duckdb"
    dialect = DuckDBDialect()

    def __init__(self, database: str = ":memory:", memory_limit: str = "3GB", threads: int = 2,
                 temp_directory: Path | None = None) -> None:
        """`temp_directory`: where the engine spills what exceeds `memory_limit` (gigabytes at a
        million people); else DuckDB's `.tmp` in whatever folder the command was started from."""
        self.con = duckdb.connect(database)
        if temp_directory is not None:
            self.con.execute(f"SET temp_directory = {self.dialect.literal(str(temp_directory))}")
        self.con.execute(f"SET memory_limit = '{memory_limit}'")
        self._memory_limit = memory_limit
        self.con.execute(f"SET threads = {int(threads)}")
        self.con.execute("SET preserve_insertion_order = true")

    @contextmanager
    def memory_share(self, share: float) -> Iterator[None]:
        """Within the block, spill beyond `share` of the memory limit: while other work of the pass
        holds memory beside the engine (the store taking a province's files), the two together
        stay within what the engine alone was given room for. A limit given as a share of the
        machine ("80%") is left as it is."""
        limit = _bytes(self._memory_limit)
        if limit is None:
            yield
            return
        self.con.execute(f"SET memory_limit = '{int(limit * share)}B'")
        try:
            yield
        finally:
            self.con.execute(f"SET memory_limit = '{self._memory_limit}'")

    def _run(self, sql: str, params: list[Any] | None = None) -> Any:
        return self.con.execute(sql, params or []).fetchall()

    def _arrow(self, sql: str) -> Any:
        return self.con.sql(sql).to_arrow_table()

    def batches(self, sql: str, rows_per_batch: int = 10_000):
        """Stream a large SELECT as Arrow record batches (the findings sheet of the report)."""
        return self.con.sql(sql).to_arrow_reader(rows_per_batch)

    def _register(self, table_name: str, data: Any) -> None:
        self.con.register(f"{table_name}__view", data)
        self.con.execute(f'CREATE OR REPLACE TABLE "{table_name}" AS SELECT * FROM "{table_name}__view"')
        self.con.unregister(f"{table_name}__view")

    def table_exists(self, table_name: str) -> bool:
        rows = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table_name]
        ).fetchall()
        return bool(rows[0][0])

    def drop(self, table_name: str) -> None:
        self.con.execute(f'DROP TABLE IF EXISTS "{table_name}"')

    def close(self) -> None:
        self.con.close()


_UNITS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
          "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}


def _bytes(limit: str) -> int | None:
    """'3GB' as bytes (DuckDB's units); None for what is not a size (a share, a typo DuckDB refused)."""
    found = re.fullmatch(r"\s*([\d.]+)\s*([KMGT]?I?B)\s*", limit.upper())
    return int(float(found[1]) * _UNITS[found[2]]) if found else None
