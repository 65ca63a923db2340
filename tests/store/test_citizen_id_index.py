"""Records keep their current citizen ID in an indexed column: imports, corrections and the
migration that adds it to an existing store all keep it right, on both backends."""

from __future__ import annotations

from sqlalchemy import select
from test_store import CAMPAIGN, _batch

from lamsach.backends.store import SqlAlchemyStore, ValueChange
from lamsach.backends.store import finding_queries as q
from lamsach.backends.store import tables as t


def _column(store) -> dict[str, str | None]:
    with store.engine.connect() as conn:
        return dict(conn.execute(select(t.records.c.record_key, t.records.c.citizen_id)).all())


def test_lookup_by_id_follows_imports_and_corrections(store_url):
    store = SqlAlchemyStore.open(store_url)
    run = store.start_run(CAMPAIGN, None, None, "tester")
    store.import_batch(run, _batch({"A1": {"full_name": "Lê Văn A", "citizen_id": "038090001234"},
                                    "A2": {"full_name": "Lê Thị B", "citizen_id": ""}}), "tester")
    assert _column(store) == {"A1": "038090001234", "A2": None}
    assert [e["record_key"] for e in q.register_entries(store, "038090001234")] == ["A1"]
    store.apply_changes(CAMPAIGN, [ValueChange("population", "A1", "citizen_id", "038090009999", "person",
                                               "sai một chữ số")], "cán bộ")
    assert q.register_entries(store, "038090001234") == []
    assert [e["record_key"] for e in q.register_entries(store, "038090009999")] == ["A1"]
    store.import_batch(run, _batch({"A2": {"full_name": "Lê Thị B", "citizen_id": "038190005555"}},
                                   content=b"v2"), "tester")
    assert _column(store)["A2"] == "038190005555"
    store.engine.dispose()


def test_the_migration_fills_the_column_of_an_existing_store(store_url):
    store = SqlAlchemyStore.open(store_url)
    run = store.start_run(CAMPAIGN, None, None, "tester")
    store.import_batch(run, _batch({f"A{i}": {"citizen_id": f"03809000{i:04d}"} for i in range(7)}), "tester")
    store.migrate("0006")  # as a store made before the column existed
    store.migrate()
    assert _column(store) == {f"A{i}": f"03809000{i:04d}" for i in range(7)}
    assert [e["record_key"] for e in q.register_entries(store, "038090000003")] == ["A3"]
    store.engine.dispose()
