"""Many records' new values land in one call on both stores (on PostgreSQL through COPY and one
UPDATE ... FROM): each record named gets its values, a record named twice its last ones, the others
keep theirs, and the indexed citizen ID follows the values."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import select

from lamsach.backends.store import BatchInput, IncomingRow, SqlAlchemyStore
from lamsach.backends.store import tables as t
from lamsach.backends.store.bulk import bulk_update

CAMPAIGN = "Thử nghiệm"
AT = datetime(2026, 12, 6, 15, 0, tzinfo=UTC)


def test_bulk_update_sets_each_named_record_and_leaves_the_others(store_url):
    store = SqlAlchemyStore.open(store_url)
    run = store.start_run(CAMPAIGN, None, None, "tester")
    rows = [IncomingRow(f"A{i}", "16012", i + 2, {"full_name": f"Lê Văn {i}"}) for i in range(3000)]
    content = b"rows"
    store.import_batch(run, BatchInput(CAMPAIGN, "population", "16012", "p.csv", hashlib.sha256(content).hexdigest(),
                                       content, "csv", "utf-8", None, 1, len(rows), rows, []), "tester")
    with store.engine.connect() as conn:
        ids = {key: rid for rid, key in conn.execute(select(t.records.c.id, t.records.c.record_key))}
    updates = [(f'{{"full_name": "Lê Thị {i}"}}', 2, AT, None, ids[f"A{i}"]) for i in range(0, 3000, 2)]
    updates.append(('{"citizen_id": "001090000001", "full_name": "Lê Thị Hoa"}', 3, AT, "001090000001", ids["A0"]))
    with store.engine.begin() as conn:
        bulk_update(conn, t.records, "id", ("data", "version", "updated_at", "citizen_id"), updates)
    with store.engine.connect() as conn:
        found = {r.record_key: (r.data, r.version) for r in conn.execute(select(t.records))}
        by_citizen = list(conn.execute(select(t.records.c.record_key).where(t.records.c.citizen_id == "001090000001")))
    assert found["A0"] == ('{"citizen_id": "001090000001", "full_name": "Lê Thị Hoa"}', 3)  # the last of two
    assert found["A2998"] == ('{"full_name": "Lê Thị 2998"}', 2)
    assert found["A2999"] == ('{"full_name": "Lê Văn 2999"}', 1)  # not named: unchanged
    assert sum(version == 2 for _, version in found.values()) == 1499
    assert [key for (key,) in by_citizen] == ["A0"]
    store.close()
