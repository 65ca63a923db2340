"""The system of record on SQLite and PostgreSQL: batches reconcile, values are versioned, undo works."""

from __future__ import annotations

import hashlib
import json
import warnings

import pyarrow as pa
import pytest
from sqlalchemy import select
from sqlalchemy.exc import SAWarning

from lamsach.backends.store import BatchInput, IncomingRow, SqlAlchemyStore, ValueChange
from lamsach.backends.store import tables as t
from lamsach.domain import Rejection

CAMPAIGN = "Thử nghiệm"


def _batch(rows: dict[str, dict], rejections=(), content=b"raw bytes", dataset="population") -> BatchInput:
    incoming = [IncomingRow(key, "16012", n, values) for n, (key, values) in enumerate(rows.items(), start=2)]
    return BatchInput(CAMPAIGN, dataset, "16012", "population.csv", hashlib.sha256(content).hexdigest(),
                      content, "csv", "utf-8", None, 1, len(incoming) + len(rejections), incoming,
                      list(rejections))


def test_batch_counts_reconcile_and_original_is_kept(store_url):
    store = SqlAlchemyStore.open(store_url)
    run = store.start_run(CAMPAIGN, None, "2026-11-01", "tester")
    rejection = Rejection("population.csv", None, 4, "Mã hồ sơ", "INGEST_ROW_KEY_MISSING", "dòng 4 thiếu mã")
    batch = _batch({"A1": {"full_name": "Lê Văn A"}, "A2": {"full_name": "Lê Thị B"}}, [rejection],
                   content=b"\xef\xbb\xbfM\xc3\xa3 h\xe1\xbb\x93 s\xc6\xa1")
    result = store.import_batch(run, batch, "tester")
    assert (result.rows_read, result.rows_stored, result.rows_rejected) == (3, 2, 1)
    assert result.rows_read == result.rows_stored + result.rows_rejected
    [stored] = store.batches(run)
    assert stored["state"] == "complete" and stored["rows_rejected"] == 1
    assert store.original(batch.sha256) == batch.content
    assert [r["row_no"] for r in store.rejections(stored["id"])] == [4]
    assert store.count_records(CAMPAIGN) == 2


def test_reimport_versions_changed_values_with_source_import(store_url):
    store = SqlAlchemyStore.open(store_url)
    run = store.start_run(CAMPAIGN, None, None, "tester")
    store.import_batch(run, _batch({"A1": {"full_name": "Lê Văn A", "sex": "Nam"}}), "tester")
    result = store.import_batch(run, _batch({"A1": {"full_name": "Lê Văn Á", "sex": "Nam"}}, content=b"v2"),
                                "tester")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    [record] = store.load_records(CAMPAIGN, "population")
    assert record.data["full_name"] == "Lê Văn Á" and record.version == 2
    [change] = store.history(CAMPAIGN, "population", "A1")
    assert (change.field, change.old_value, change.new_value, change.source) == (
        "full_name", "Lê Văn A", "Lê Văn Á", "import")
    again = store.import_batch(run, _batch({"A1": {"full_name": "Lê Văn Á", "sex": "Nam"}}, content=b"v2"),
                               "tester")
    assert again.unchanged == 1 and store.load_records(CAMPAIGN, "population")[0].version == 2


def test_repair_is_a_version_and_undo_restores_the_previous_value(store_url):
    store = SqlAlchemyStore.open(store_url)
    run = store.start_run(CAMPAIGN, None, None, "tester")
    store.import_batch(run, _batch({"A1": {"full_name": "Lª ThÞ Hoa"}}), "tester")
    applied = store.apply_changes(CAMPAIGN, [ValueChange("population", "A1", "full_name", "Lê Thị Hoa", "repair",
                                                         "chuyển mã TCVN3", "encoding_tcvn3")], "lamsach", run)
    assert applied == 1
    assert store.load_records(CAMPAIGN, "population")[0].data["full_name"] == "Lê Thị Hoa"
    [repair] = store.history(CAMPAIGN, source="repair")
    assert repair.old_value == "Lª ThÞ Hoa" and repair.rule == "encoding_tcvn3" and repair.actor == "lamsach"
    store.undo(CAMPAIGN, repair.id, "cán bộ xã", "người dân xác nhận tên cũ")
    record = store.load_records(CAMPAIGN, "population")[0]
    assert record.data["full_name"] == "Lª ThÞ Hoa" and record.version == 3
    undo = store.history(CAMPAIGN, key="A1")[-1]
    assert (undo.source, undo.undoes, undo.actor) == ("undo", repair.id, "cán bộ xã")
    # a change to the value it already has is not a new version
    assert store.apply_changes(CAMPAIGN, [ValueChange("population", "A1", "full_name", "Lª ThÞ Hoa", "person")],
                               "x") == 0


def _received(store, key: str):
    """What the store holds as `key`'s values as received: `raw`, NULL while they are `data`."""
    with store.engine.connect() as conn:
        return conn.execute(select(t.records.c.raw).where(t.records.c.record_key == key)).scalar_one()


def test_values_as_received_are_written_once_until_something_changes_them(store_url):
    store = SqlAlchemyStore.open(store_url)
    run = store.start_run(CAMPAIGN, None, None, "tester")
    sent = {"A1": {"full_name": "Lª ThÞ Hoa", "sex": "Nữ"}, "A2": {"full_name": "Lê Văn Nam", "sex": "Nam"}}
    store.import_batch(run, _batch(sent), "tester")
    assert _received(store, "A1") is None and _received(store, "A2") is None  # one copy: `data`
    store.apply_changes(CAMPAIGN, [ValueChange("population", "A1", "full_name", "Lê Thị Hoa", "repair",
                                               "chuyển mã TCVN3", "encoding_tcvn3")], "lamsach", run)
    assert json.loads(_received(store, "A1")) == sent["A1"]  # kept as received before the repair
    assert _received(store, "A2") is None
    # the same file again: nothing changed as received, so the repair stays and no version is made
    again = store.import_batch(run, _batch(sent, content=b"again"), "tester")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    records = {r.key: r for r in store.load_records(CAMPAIGN, "population")}
    assert records["A1"].data["full_name"] == "Lê Thị Hoa" and records["A1"].version == 2
    # a file that changes one value as received: that value changes, the repair of the other stays
    later = store.import_batch(run, _batch({**sent, "A1": {**sent["A1"], "sex": "Nam"},
                                            "A2": {**sent["A2"], "sex": "Nữ"}}, content=b"later"), "tester")
    assert (later.updated, later.unchanged) == (2, 0)
    records = {r.key: r for r in store.load_records(CAMPAIGN, "population")}
    assert records["A1"].data == {"full_name": "Lê Thị Hoa", "sex": "Nam"} and records["A1"].version == 3
    assert records["A2"].data == {"full_name": "Lê Văn Nam", "sex": "Nữ"} and records["A2"].version == 2
    changes = [(c.record_key, c.field, c.old_value, c.new_value, c.source) for c in store.history(CAMPAIGN)]
    assert changes == [("A1", "full_name", "Lª ThÞ Hoa", "Lê Thị Hoa", "repair"),
                       ("A1", "sex", "Nữ", "Nam", "import"), ("A2", "sex", "Nam", "Nữ", "import")]


def test_incomplete_batch_is_removed_at_next_open(store_url):
    store = SqlAlchemyStore.open(store_url)
    run = store.start_run(CAMPAIGN, None, None, "tester")
    store.import_batch(run, _batch({"A1": {"full_name": "A"}}), "tester")
    from sqlalchemy import update

    from lamsach.backends.store import tables as t

    with store.engine.begin() as conn:  # what a database that ignored a rollback would leave
        conn.execute(update(t.batches).values(state="loading"))
    reopened = SqlAlchemyStore.open(store_url)
    assert reopened.batches() == [] and reopened.count_records() == 0


def test_migrations_match_the_tables(store_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from lamsach.backends.store.tables import metadata

    store = SqlAlchemyStore.open(store_url)
    with store.engine.connect() as conn, warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)  # SQLite cannot reflect the expression indexes
        diff = compare_metadata(MigrationContext.configure(conn, opts={"include_object": _not_json_index}),
                                metadata)
    assert diff == []


def _not_json_index(_object, name, type_, _reflected, _compare_to) -> bool:
    """The lookups' expression indexes on the JSON of published versions (migration 0015; 0010 put
    them on records; 0019 the parcel's) differ per dialect, so the shared metadata cannot declare them;
    `test_lookup_indexes_are_used` checks them instead."""
    if name and (name.startswith("archive_fts") or name in ("ix_archive_texts_search", "search_vector")):
        return False  # the archive's full-text index (FTS5 on SQLite, GIN on PostgreSQL), per dialect
    return not (type_ == "index" and name and name.startswith(("ix_records_json_", "ix_published_json_", "ix_published_parcel")))


def test_a_sqlite_writer_waits_for_a_long_write_instead_of_failing(tmp_path):
    """A pass holds SQLite's single writer while it stores a large file; a page logging a record
    view meanwhile must wait for it, not fail after pysqlite's default five seconds."""
    import sqlite3
    import threading
    import time

    from lamsach.backends.store.users import log_access

    store = SqlAlchemyStore.open(f"sqlite:///{tmp_path / 'store.db'}")
    holding, released = threading.Event(), threading.Event()

    def long_write() -> None:
        conn = sqlite3.connect(tmp_path / "store.db", isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        holding.set()
        time.sleep(6.5)
        conn.execute("COMMIT")
        conn.close()
        released.set()

    writer = threading.Thread(target=long_write)
    writer.start()
    holding.wait(10)
    started = time.monotonic()
    log_access(store, "cb-xa", "officer", "view_record", dataset="population", record_key="A1", purpose="x")
    waited = time.monotonic() - started
    writer.join()
    assert released.is_set() and waited >= 6


def test_records_read_back_as_columns_with_the_stamps_that_fingerprint_them(store_url, monkeypatch):
    """`load_record_columns` gives the values `load_records` gives, as columns, for the records in
    use, and the `record_stamps` of the same read, across the chunks both digest in (a pass keeps
    its standardised table under those stamps); a merged record is left out, and a value that is
    not text (no path of lamsach writes one) is not read as if it were."""
    import lamsach.backends.store.sqlalchemy_store as module
    from lamsach.domain.lifecycle import STATE_FIELD

    monkeypatch.setattr(module, "_STAMP_CHUNK", 2)  # several chunks, the last one short
    store = SqlAlchemyStore.open(store_url)
    run = store.start_run(CAMPAIGN, None, None, "tester")
    rows = {f"A{i}": {"full_name": f"Lê Văn {i}", "note": 'a "quoted"\nline' if i == 2 else None} for i in range(5)}
    store.import_batch(run, _batch(rows), "tester")
    store.import_batch(run, _batch({"B1": {"place": "Hậu Lộc"}}, content=b"other", dataset="birth"), "tester")
    store.apply_changes(CAMPAIGN, [ValueChange("population", "A3", "full_name", "Lê Văn Ba", "repair",
                                               rule="spacing_case")], "tester")

    def as_read(fields):
        got = store.load_record_columns(CAMPAIGN, "population", fields)
        return got, {k: dict(zip(fields, values, strict=True))
                     for k, *values in zip(got.keys, *got.columns(fields).values(), strict=True)}

    fields = ["full_name", "note", "missing"]
    columns, values = as_read(fields)
    records = store.load_records(CAMPAIGN, "population")
    assert values == {r.key: {f: r.data.get(f) for f in fields} for r in records} and len(columns) == 5
    assert columns.units == [r.unit for r in records]
    assert columns.stamps == store.record_stamps(CAMPAIGN, "population")
    store.apply_changes(CAMPAIGN, [ValueChange("population", "A1", "full_name", "Lê Văn Một", "person"),
                                   ValueChange("population", "A4", STATE_FIELD, "merged:A0", "person")], "tester")
    again, values = as_read(fields)
    assert again.stamps != columns.stamps and again.stamps == store.record_stamps(CAMPAIGN, "population")
    assert list(values) == ["A0", "A1", "A2", "A3"] and values["A1"]["full_name"] == "Lê Văn Một"
    with store.engine.begin() as conn:  # a number where text is expected
        conn.execute(t.records.update().where(t.records.c.record_key == "A0").values(data='{"full_name": 7}'))
    with pytest.raises(pa.ArrowTypeError):
        store.load_record_columns(CAMPAIGN, "population", fields)


def _columnar(rows: dict[str, dict], content: bytes, dataset: str) -> BatchInput:
    """The same batch with its values held as columns, as a pass hands a file's rows."""
    from lamsach.backends.store import IncomingRows
    from lamsach.ingest import Records

    fields = sorted({name for values in rows.values() for name in values})
    records = Records.from_dicts(fields, [{"key": k, **v} for k, v in rows.items()], key="key")
    incoming = IncomingRows(list(rows), ["16012"] * len(rows), list(range(2, len(rows) + 2)), records)
    return BatchInput(CAMPAIGN, dataset, "16012", "population.csv", hashlib.sha256(content).hexdigest(),
                      content, "csv", "utf-8", None, 1, len(rows), incoming, [])


def test_rows_held_as_columns_are_stored_and_versioned_as_rows_one_by_one(store_url):
    """A file's rows as columns (the pass) and as one mapping per row: the same records, the same
    versions and changes when a file comes again with one value changed and one row added."""
    first = {"A1": {"full_name": 'Lê "Văn" A', "citizen_id": "038090001234"},
             "A2": {"full_name": "Lê Thị B\\\n", "citizen_id": None}}
    second = {"A1": {"full_name": 'Lê "Văn" A', "citizen_id": "038090001234"},
              "A2": {"full_name": "Lê Thị B", "citizen_id": None},
              "A3": {"full_name": "Trần C", "citizen_id": "038090009999"}}
    store = SqlAlchemyStore.open(store_url)
    run = store.start_run(CAMPAIGN, None, None, "tester")
    stored = []
    for dataset, make in (("population", lambda rows, content, dataset: _batch(rows, content=content, dataset=dataset)),
                          ("death", _columnar)):
        store.import_batch(run, make(first, b"v1" + dataset.encode(), dataset), "tester")
        result = store.import_batch(run, make(second, b"v2" + dataset.encode(), dataset), "tester")
        assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
        stored.append(([(r.key, r.version, r.data) for r in store.load_records(CAMPAIGN, dataset)],
                       [(c.record_key, c.version, c.field, c.old_value, c.new_value)
                        for c in store.history(CAMPAIGN, dataset)]))
    assert stored[0] == stored[1]
    assert store.records_by_keys(CAMPAIGN, "death", ["A3"])["A3"].data["citizen_id"] == "038090009999"


def test_the_write_mark_tells_a_run_whether_anyone_else_wrote_records_since(store_url):
    """A pass keeps what it computed from the records it read only if nobody else wrote records
    meanwhile (`runner.pass_run._Pass._keep`): its own batches and changes do not count, another
    run's batch, an officer's edit or an undo do."""
    with SqlAlchemyStore.open(store_url) as store:
        mark = store.write_mark()
        run = store.start_run(CAMPAIGN, None, None, "lamsach run")
        store.import_batch(run, _batch({"A1": {"full_name": "Lª ThÞ Hoa"}}), "lamsach run")
        store.apply_changes(CAMPAIGN, [ValueChange("population", "A1", "full_name", "Lê Thị Hoa", "repair")],
                            "lamsach run", run)
        assert not store.written_by_others(mark, run)

        other = store.start_run(CAMPAIGN, None, None, "lamsach run")
        store.import_batch(other, _batch({"A2": {"full_name": "Trần Văn Nam"}}, content=b"other"), "lamsach run")
        assert store.written_by_others(mark, run)
        assert not store.written_by_others(store.write_mark(), run)

        mark = store.write_mark()
        store.apply_changes(CAMPAIGN, [ValueChange("population", "A2", "full_name", "Trần Văn Năm", "person")],
                            "cán bộ xã")  # an officer's edit: no run
        assert store.written_by_others(mark, run) and store.written_by_others(mark, other)

        mark = store.write_mark()
        [edit] = store.history(CAMPAIGN, key="A2", source="person")
        store.undo(CAMPAIGN, edit.id, "cán bộ xã", "nhầm")
        assert store.written_by_others(mark, run)
