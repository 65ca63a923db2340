"""`DuckDBEngine`: vectorised SQL over Arrow tables, in process."""

from __future__ import annotations

from typing import Any

import duckdb

from lamsach.backends.engine.base import Engine
from lamsach.backends.engine.dialect import DuckDBDialect


class DuckDBEngine(Engine):
    name = "duckdb"
    dialect = DuckDBDialect()

    def __init__(self, database: str = ":memory:", memory_limit: str = "3GB", threads: int = 2) -> None:
        self.con = duckdb.connect(database)
        self.con.execute(f"SET memory_limit = '{memory_limit}'")
        self.con.execute(f"SET threads = {int(threads)}")
        self.con.execute("SET preserve_insertion_order = true")

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
