"""A run's findings go into the store a batch of columns at a time, on both stores (COPY on
PostgreSQL): every finding of every batch is kept with its text as found (Vietnamese, NULLs), and a
batch the database refuses leaves none of the run's findings stored, not the batches before it."""

from __future__ import annotations

import pyarrow as pa
import pytest
from sqlalchemy import func, select

from lamsach.backends.store import FINDING_STORE_COLUMNS, SqlAlchemyStore
from lamsach.backends.store import tables as t

CAMPAIGN = "Thử nghiệm"


def _batch(start: int, count: int, unit: str = "16012") -> pa.RecordBatch:
    rows = [{"dataset": "population", "record_key": f"DC-{i:06d}", "unit": unit if i % 7 else None,
             "field": "citizen_id", "criterion": "correct", "rule": "citizen_id_checksum", "severity": "error",
             "status": "open", "message": f"Số định danh của bản ghi {i} sai chữ số kiểm tra",
             "suggested_value": None if i % 2 else f"0010900{i:05d}"} for i in range(start, start + count)]
    return pa.RecordBatch.from_pylist(rows, schema=pa.schema([(c, pa.string()) for c in FINDING_STORE_COLUMNS]))


def test_findings_of_every_batch_are_kept_as_found(store_url):
    store = SqlAlchemyStore.open(store_url)
    run = store.start_run(CAMPAIGN, None, None, "tester")
    batches = [_batch(0, 5000), _batch(5000, 0), _batch(5000, 2345)]
    assert store.save_findings(run, iter(batches)) == 7345
    found = store.unit_findings(run, "16012", status=None)
    assert len(found) == 7345 - len(range(0, 7345, 7))  # a finding without a unit is no unit's
    first = next(f for f in found if f["record_key"] == "DC-000001")
    assert first["message"] == "Số định danh của bản ghi 1 sai chữ số kiểm tra"
    assert first["suggested_value"] is None and first["run_id"] == run
    assert next(f for f in found if f["record_key"] == "DC-007344")["suggested_value"] == "001090007344"
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.findings).where(t.findings.c.unit.is_(None))).scalar() \
            == len(range(0, 7345, 7))


def test_a_refused_batch_leaves_none_of_the_runs_findings(store_url):
    store = SqlAlchemyStore.open(store_url)
    run = store.start_run(CAMPAIGN, None, None, "tester")
    bad = _batch(6000, 10).to_pylist()
    bad[3]["record_key"] = None  # the store requires every finding's record
    refused = pa.RecordBatch.from_pylist(bad, schema=_batch(0, 1).schema)
    with pytest.raises(Exception):  # noqa: B017 — the driver's own integrity error, SQLite's or PostgreSQL's
        store.save_findings(run, iter([_batch(0, 6000), refused]))
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.findings)).scalar() == 0
