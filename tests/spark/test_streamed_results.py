"""A result streamed to the driver (`Engine.batches`: findings into the store, the findings'
workbook) comes back in its order, a bounded number of rows per collect: at 200,000 people a
sorted result fetched as one partition was lost in the driver's block manager."""

from __future__ import annotations

import pyarrow as pa
import pytest

from lamsach.backends.engine import DuckDBEngine
from lamsach.backends.engine import spark as spark_module

pytestmark = pytest.mark.spark

ROWS = 2_345


def _table() -> pa.Table:
    return pa.table({"k": [f"R{(i * 7919) % ROWS:05d}" for i in range(ROWS)],
                     "unit": [f"{i % 13:05d}" for i in range(ROWS)],
                     "message": [f"Lỗi số {i} — họ tên “Nguyễn Văn {i}”" if i % 5 else None for i in range(ROWS)]})


def test_a_sorted_result_streams_in_order_a_bounded_part_at_a_time(spark_engine, monkeypatch):
    monkeypatch.setattr(spark_module, "COLLECT_ROWS", 300)
    parts: list[int] = []
    original = spark_module._partitions_in_order

    def counted(frame):
        for part in original(frame):
            parts.append(part.num_rows)
            yield part

    monkeypatch.setattr(spark_module, "_partitions_in_order", counted)
    duck = DuckDBEngine(memory_limit="512MB", threads=1)
    try:
        results = []
        for engine in (duck, spark_engine):
            name = engine.register("streamed", _table())
            sql = f"SELECT k, unit, message FROM {engine.dialect.quote(name)} ORDER BY unit, k"
            results.append(pa.Table.from_batches(list(engine.batches(sql, 100))).to_pylist())
    finally:
        duck.close()
    assert results[1] == results[0] and len(results[0]) == ROWS
    assert sum(parts) == ROWS and max(parts) <= 300 and len(parts) >= ROWS // 300


def test_an_unordered_result_streams_every_row_once(spark_engine, monkeypatch):
    monkeypatch.setattr(spark_module, "COLLECT_ROWS", 500)
    name = spark_engine.register("streamed", _table())
    sql = f"SELECT unit, count(*) AS n FROM {spark_engine.dialect.quote(name)} GROUP BY unit"
    rows = pa.Table.from_batches(list(spark_engine.batches(sql, 4))).to_pylist()
    assert sorted((r["unit"], r["n"]) for r in rows) == sorted(
        (f"{u:05d}", sum(1 for i in range(ROWS) if i % 13 == u)) for u in range(13))
    empty = spark_engine.batches(f"SELECT * FROM {spark_engine.dialect.quote(name)} WHERE k = 'none'", 10)
    assert pa.Table.from_batches(list(empty), schema=empty.schema).num_rows == 0
