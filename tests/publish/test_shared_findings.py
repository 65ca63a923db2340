"""The *shared* findings and score of three records through publication, sending, a late answer and
a rejection, without a whole pass: the store's records, the engine's findings, the publish stage."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pyarrow as pa

from lamsach.backends.engine import DuckDBEngine
from lamsach.backends.store import BatchInput, IncomingRow, SqlAlchemyStore
from lamsach.backends.store.outbox import claim_batch, note_attempt, store_ack
from lamsach.publish import line_sql, publish_shared
from lamsach.sync import sync_status
from lamsach.validate import FINDING_COLUMNS

CAMPAIGN = "Đợt thử"
NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


def findings_table(engine, rows):
    return engine.register("findings", pa.table({c: pa.array([r.get(c) for r in rows], pa.string())
                                                 for c in FINDING_COLUMNS}))


def shared_of(engine, findings):
    return {(r["record_id"], r["rule"]): r["message"] for r in engine.rows(
        f"SELECT record_id, rule, message FROM {engine.dialect.quote(findings)} WHERE criterion = 'shared'")}


def test_not_published_late_and_rejected_records_each_get_their_finding(tmp_path):
    store = SqlAlchemyStore.open(f"sqlite:///{tmp_path / 'store.db'}")
    run = store.start_run(CAMPAIGN, None, "2026-12-06", "test")
    content = b"record_id\nR1\nR2\nR3\n"
    store.import_batch(run, BatchInput(CAMPAIGN, "population", "16012", "p.csv", hashlib.sha256(content).hexdigest(),
                                       content, "csv", "utf-8", None, 1, 3,
                                       [IncomingRow(k, "16012", i + 2, {"record_id": k, "full_name": "Lê An"})
                                        for i, k in enumerate(("R1", "R2", "R3"))], []), "test")
    engine = DuckDBEngine()
    tables = {"population": engine.register("ds_population", pa.table(
        {"record_id": ["R1", "R2", "R3"], "__unit": ["16012"] * 3}))}
    error = {"dataset": "population", "record_id": "R1", "unit": "16012", "field": "citizen_id",
             "criterion": "correct", "rule": "id_format_invalid", "severity": "error", "status": "open",
             "message": "x"}
    warning = {**error, "record_id": "R2", "rule": "legacy_id_document", "severity": "warning"}

    findings = findings_table(engine, [error, warning])
    first = publish_shared(engine, store, CAMPAIGN, run, tables, findings, overdue_hours=24, now=NOW)
    assert (first.counts.published, first.counts.blocked, first.acknowledged) == (2, 1, 0)  # a warning does not block
    assert list(shared_of(engine, findings)) == [("R1", "not_published")]
    assert "id_format_invalid" in shared_of(engine, findings)[("R1", "not_published")]

    claim_batch(store, "batch-0001", "http://test", 10, NOW - timedelta(hours=30), line_sql)
    note_attempt(store, "batch-0001", "0" * 64, NOW - timedelta(hours=30), "timeout")
    findings = findings_table(engine, [error, warning])
    late = publish_shared(engine, store, CAMPAIGN, run, tables, findings, overdue_hours=24, now=NOW)
    assert late.counts.published == 0  # nothing new: nothing queued twice
    assert sorted(shared_of(engine, findings)) == [("R1", "not_published"), ("R2", "sync_not_acknowledged"),
                                                   ("R3", "sync_not_acknowledged")]
    lines, _ = sync_status(store, 24, now=NOW)
    assert [(line.counts["sending"], line.overdue) for line in lines] == [(2, 2)]

    store_ack(store, "batch-0001", "0" * 64, {"rejected": [{"line": 2, "reason": "thiếu họ tên cha mẹ"}]}, NOW)
    findings = findings_table(engine, [error, warning])
    done = publish_shared(engine, store, CAMPAIGN, run, tables, findings, overdue_hours=24, now=NOW)
    assert done.acknowledged == 1
    assert sorted(shared_of(engine, findings)) == [("R1", "not_published"), ("R3", "rejected_by_national_center")]
    assert "thiếu họ tên cha mẹ" in shared_of(engine, findings)[("R3", "rejected_by_national_center")]
    assert engine.rows(f"SELECT record_id FROM {engine.dialect.quote(done.passing)}") == [{"record_id": "R2"}]

    # the unit corrects R3: its new version is published and queued again, the rejection is past
    from lamsach.backends.store import ValueChange

    store.apply_changes(CAMPAIGN, [ValueChange("population", "R3", "full_name", "Lê Văn An", "unit workbook")], "officer")
    findings = findings_table(engine, [error, warning])
    fixed = publish_shared(engine, store, CAMPAIGN, run, tables, findings, overdue_hours=24, now=NOW)
    assert fixed.counts.published == 1
    assert sorted(shared_of(engine, findings)) == [("R1", "not_published")]
    assert len(claim_batch(store, "batch-0002", "http://test", 10, NOW, line_sql)) == 1


def test_sqlite_finds_the_sent_entries_through_their_state(tmp_path):
    """With nothing sent yet (every entry waiting) the states are read from `ix_outbox_state`, not
    from every entry of the campaign through the outbox's unique key."""
    from sqlalchemy import text

    from lamsach.backends.store import PublishItem
    from lamsach.backends.store.shared_layer import _sync_states_query, publish_items
    from lamsach.publish import line_sql

    store = SqlAlchemyStore.open(f"sqlite:///{tmp_path / 'store.db'}")
    publish_items(store, CAMPAIGN, None, [PublishItem("population", f"R{i}", "16012", 1, "{}") for i in range(50)],
                  line_sql)
    query = _sync_states_query(CAMPAIGN, "sqlite").compile(store.engine, compile_kwargs={"literal_binds": True})
    with store.engine.connect() as conn:
        plan = " | ".join(row[-1] for row in conn.execute(text(f"EXPLAIN QUERY PLAN {query}")))
    assert "outbox USING INDEX ix_outbox_state" in plan, plan
    assert store.sync_states(CAMPAIGN) == []
    store.close()
