"""After storing a large file, PostgreSQL's planner knows how many records there are: a fresh
store's empty statistics made it take the records table for a handful of rows and join a
dataset's repairs with its records by nested loops over every record (minutes at 200,000 people)."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import text

from lamsach.backends.store import BatchInput, IncomingRow, SqlAlchemyStore, ValueChange

CAMPAIGN = "Thử nghiệm"


def _import(store: SqlAlchemyStore, run: int, count: int, content: bytes) -> None:
    rows = [IncomingRow(f"A{i}", "16012", i + 2, {"full_name": f"Lª V¨n {i}"}) for i in range(count)]
    store.import_batch(run, BatchInput(CAMPAIGN, "population", "16012", "p.csv", hashlib.sha256(content).hexdigest(),
                                       content, "csv", "utf-8", None, 1, count, rows, []), "tester")


@pytest.mark.postgres
def test_the_planner_knows_the_records_and_repairs_a_pass_wrote(pg_store_url):
    store = SqlAlchemyStore.open(pg_store_url)
    run = store.start_run(CAMPAIGN, None, None, "tester")
    _import(store, run, 5000, b"first")
    store.apply_changes(CAMPAIGN, [ValueChange("population", f"A{i}", "full_name", f"Lê Văn {i}", "repair")
                                   for i in range(2000)], "tester", run_id=run)
    with store.engine.connect() as conn:
        counted = dict(conn.execute(text("SELECT relname, reltuples FROM pg_class "
                                         "WHERE relname IN ('records', 'changes')")).all())
        plan = "\n".join(conn.execute(text(
            "EXPLAIN SELECT c.id FROM changes c JOIN records r ON r.id = c.record_id "
            "WHERE r.campaign = :c AND r.dataset = 'population' AND c.source = 'repair'"), {"c": CAMPAIGN}).scalars())
    store.close()
    assert counted == {"records": 5000, "changes": 2000}
    assert "Nested Loop" not in plan or "Index" in plan.split("Nested Loop", 1)[1]
