"""The outbox line SQLite and PostgreSQL render from the shared layer's row is, byte for byte, the
line Python renders for the same record version: for any values a record can hold as JSON, and
through the store on both kinds — rendered from the row while it holds the version, and kept as
text, the same bytes, once the row takes a newer one."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, select
from sqlalchemy.dialects import sqlite as sqlite_dialect

from lamsach.backends.store import BatchInput, IncomingRow, PublishItem, SqlAlchemyStore, ValueChange, as_utc
from lamsach.backends.store import tables as t
from lamsach.backends.store.outbox import batch_lines, claim_batch, entry_lines
from lamsach.backends.store.record_json import dumps as _dumps
from lamsach.publish import line_renderer, line_sql

NOW = datetime(2026, 12, 6, 11, 30, 15, 123456, tzinfo=UTC)
CAMPAIGN = "Đợt \"thử\" 'một'\\"

# every value Python writes as standard JSON (not the NaN and infinities it writes for such floats,
# which the shared layer's indexes refuse on either path)
texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
scalars = st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | st.floats(allow_nan=False, allow_infinity=False) | texts
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
                      max_leaves=8)


moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))
_SQLITE = sqlite_dialect.dialect()
_SQLITE_STAMP = t.published.c.published_at.type.dialect_impl(_SQLITE).bind_processor(_SQLITE)  # as the store writes


@settings(max_examples=300, deadline=None)
@given(campaign=texts, dataset=texts, key=texts, unit=st.none() | texts, version=st.integers(1, 10**6),
       data=st.dictionaries(texts, values, max_size=6), published_at=moments)
def test_sqlite_renders_the_line_python_renders(campaign, dataset, key, unit, version, data, published_at):
    stored = _dumps(data)
    with sqlite3.connect(":memory:") as conn:
        conn.execute("CREATE TABLE p (campaign TEXT, dataset TEXT, record_key TEXT, unit TEXT, version INTEGER, "
                     "data TEXT, published_at DATETIME)")
        conn.execute("INSERT INTO p VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (campaign, dataset, key, unit, version, stored, _SQLITE_STAMP(published_at)))
        (line,) = conn.execute(f"SELECT {line_sql('sqlite', 'p')} FROM p").fetchone()
    assert line == line_renderer(campaign)(PublishItem(dataset, key, unit, version, stored), published_at)


# texts made of what the PostgreSQL renderer's quick path looks for: separators a string may start
# or end with, quotes, escapes, brackets, line separators
tricky = st.lists(st.sampled_from(['"', "\\", ":", ",", " ", ": ", ", ", '", "', '": ', "{", "}", "[", "]", "a",
                                   "Lộc", "\u2028", "\x00", "\x1f", "\n", "null", "😀"]),
                  max_size=8).map("".join)
pg_texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00"),
                   max_size=12)  # a PostgreSQL text column holds no NUL (a value's JSON may: it is escaped)
flat = st.dictionaries(texts | tricky, st.none() | texts | tricky, max_size=6)  # what records hold


@pytest.mark.postgres
def test_postgres_renders_the_line_python_renders(pg_store_url):
    engine = create_engine(pg_store_url)
    with closing(engine.raw_connection()) as conn:
        cursor = conn.cursor()
        cursor.execute("SET TIME ZONE 'Asia/Ho_Chi_Minh'")  # the line is in UTC whatever the session's zone
        cursor.execute("CREATE TEMP TABLE p (campaign text, dataset text, record_key text, unit text, "
                       "version integer, data text, published_at timestamptz)")

        @settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
        @given(campaign=pg_texts, dataset=pg_texts, key=pg_texts, unit=st.none() | pg_texts,
               version=st.integers(1, 10**6), data=flat | st.dictionaries(texts | tricky, values, max_size=6),
               published_at=moments)
        def renders(campaign, dataset, key, unit, version, data, published_at):
            stored = _dumps(data)
            cursor.execute("TRUNCATE p")
            cursor.execute("INSERT INTO p VALUES (%s, %s, %s, %s, %s, %s, %s)",
                           (campaign, dataset, key, unit, version, stored, published_at))
            cursor.execute(f"SELECT {line_sql('postgresql', 'p')} FROM p")  # no parameters: a % stays itself
            (line,) = cursor.fetchone()
            assert line == line_renderer(campaign)(PublishItem(dataset, key, unit, version, stored), published_at)

        renders()
    engine.dispose()


ODD = {"quote": 'say "hi", then: go', "slash": "a\\b/c", "controls": "\x01\b\f\n\r\t\x1f\x7f",
       "separators": "Thôn 3, xã Hải Lộc: nhà 5", "wide": "\u2028\u2029😀", "number": 12.5, "big": 10**20,
       "nested": {"b": [1, None, True], "a": "x"}, "empty": ""}


def _entries(store: SqlAlchemyStore) -> list:
    with store.engine.connect() as conn:
        return list(conn.execute(select(t.outbox).order_by(t.outbox.c.id)))


def test_the_store_publishes_each_record_with_the_line_python_renders(store_url):
    store = SqlAlchemyStore.open(store_url)
    run = store.start_run(CAMPAIGN, None, "2026-12-06", "test")
    rows = {"R1": {"record_id": "R1", **ODD}, 'R"2\\': {"record_id": 'R"2\\', "full_name": "Lê An"},
            "R3": {"record_id": "R3", "weight": -0.0, "height": 1e-7, "count": 3}}
    content = b"record_id\n" + "\n".join(rows).encode()
    store.import_batch(run, BatchInput(CAMPAIGN, "population", "16012", "p.csv", hashlib.sha256(content).hexdigest(),
                                       content, "csv", "utf-8", None, 1, len(rows),
                                       [IncomingRow(k, "16012", i + 2, v) for i, (k, v) in enumerate(rows.items())],
                                       []), "test")
    counts = store.publish_current(CAMPAIGN, run, set(), line_sql)
    assert counts.published == len(rows)
    with store.engine.connect() as conn:
        records = {r.record_key: r for r in conn.execute(select(t.records))}
        published = {p.record_key: p for p in conn.execute(select(t.published))}
    entries = _entries(store)
    assert [e.record_key for e in entries] == list(rows)  # in the records' order
    assert all(e.line is None for e in entries)  # the values are not copied a second time
    render = line_renderer(CAMPAIGN)
    first = {}
    for entry, line in zip(entries, entry_lines(store, line_sql), strict=True):
        record, shared = records[entry.record_key], published[entry.record_key]
        assert (shared.data, shared.version, shared.unit, shared.run_id) == (record.data, record.version, "16012", run)
        stamp = as_utc(shared.published_at)
        assert as_utc(entry.created_at) == stamp
        item = PublishItem("population", record.record_key, record.unit, record.version, record.data)
        assert line == render(item, stamp), entry.record_key
        first[entry.record_key] = line

    # R1's first version is sent (not yet acknowledged) and R3's still waits when both change:
    # their lines are kept, the same bytes, and the new versions' lines come from the shared layer
    sent = claim_batch(store, "batch-0001", "http://test", 1, stamp, line_sql)
    assert sent == [first["R1"]]
    store.apply_changes(CAMPAIGN, [ValueChange("population", "R1", "full_name", "Lê Văn An", "unit workbook"),
                                   ValueChange("population", "R3", "count", "4", "unit workbook")], "officer")
    assert store.publish_current(CAMPAIGN, run, set(), line_sql).published == 2
    assert batch_lines(store, "batch-0001", line_sql) == sent
    entries = _entries(store)
    kept = {(e.record_key, e.version): e.line for e in entries if e.line is not None}
    assert kept == {("R1", 1): first["R1"], ("R3", 1): first["R3"]}
    with store.engine.connect() as conn:
        published = {p.record_key: p for p in conn.execute(select(t.published))}
        records = {r.record_key: r for r in conn.execute(select(t.records))}
    lines = entry_lines(store, line_sql)
    assert lines[:3] == list(first.values())
    for entry, line in zip(entries[3:], lines[3:], strict=True):
        record, shared = records[entry.record_key], published[entry.record_key]
        assert (entry.version, shared.version) == (2, 2)
        item = PublishItem("population", record.record_key, record.unit, record.version, record.data)
        assert line == render(item, as_utc(shared.published_at)), entry.record_key
    store.close()


def test_entries_name_the_shared_layers_row_also_after_the_migration(store_url):
    """Each entry names its record's row in the shared layer, whichever way it was published
    (a pass, or `publish_items` loading a backlog); a store whose entries were written before the
    column existed gets the same ids from the migration, and the lines it sends do not change."""
    from sqlalchemy.exc import IntegrityError

    from lamsach.backends.store.shared_layer import publish_items

    store = SqlAlchemyStore.open(store_url)
    run = store.start_run(CAMPAIGN, None, "2026-12-07", "test")
    content = b"record_id\nR1\nR2"
    store.import_batch(run, BatchInput(CAMPAIGN, "population", "16012", "p.csv", hashlib.sha256(content).hexdigest(),
                                       content, "csv", "utf-8", None, 1, 2,
                                       [IncomingRow(k, "16012", i + 2, {"record_id": k, "full_name": f"Lê {k}"})
                                        for i, k in enumerate(("R1", "R2"))], []), "test")
    store.publish_current(CAMPAIGN, run, set(), line_sql)
    publish_items(store, CAMPAIGN, None, [PublishItem("land_parcel", f"T{i}", "16012", 1, '{"area": 1}')
                                          for i in range(3)], line_sql)
    publish_items(store, CAMPAIGN, None, [PublishItem("land_parcel", "T1", "16012", 2, '{"area": 2}')], line_sql)

    def named() -> list[tuple]:
        with store.engine.connect() as conn:
            ids = {(p.dataset, p.record_key): p.id for p in conn.execute(select(t.published))}
            return [(e.dataset, e.record_key, e.version, e.published_id, ids[(e.dataset, e.record_key)])
                    for e in _entries(store)]

    before, lines = named(), entry_lines(store, line_sql)
    assert [row[:3] for row in before] == [("population", "R1", 1), ("population", "R2", 1), ("land_parcel", "T0", 1),
                                           ("land_parcel", "T1", 1), ("land_parcel", "T2", 1), ("land_parcel", "T1", 2)]
    assert all(row[3] == row[4] for row in before)
    assert '"area":1' in lines[3] and '"area":2' in lines[5]  # T1's first line kept before its row moved on
    store.migrate("0024")
    store.migrate()
    assert named() == before
    assert entry_lines(store, line_sql) == lines
    with pytest.raises(IntegrityError), store.engine.begin() as conn:  # one entry per row and version
        entry = _entries(store)[0]
        conn.execute(t.outbox.insert().values(campaign=entry.campaign, dataset=entry.dataset,
                                              record_key=entry.record_key, version=entry.version,
                                              published_id=entry.published_id, created_at=NOW, state="waiting"))
    store.close()


def _published_indexes(store: SqlAlchemyStore) -> dict[str, tuple[str, int]]:
    """The shared layer's indexes: each one's definition and the database's own identity of it
    (SQLite's root page, PostgreSQL's object id), which a dropped and rebuilt index changes."""
    from sqlalchemy import text

    with store.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            rows = conn.execute(text("SELECT name, sql, rootpage FROM sqlite_master WHERE type = 'index' "
                                     "AND tbl_name = 'published'"))
        else:
            rows = conn.execute(text("SELECT i.indexname, i.indexdef, c.oid::int FROM pg_indexes i JOIN pg_class c "
                                     "ON c.relname = i.indexname WHERE i.tablename = 'published'"))
        return {name: (definition, identity) for name, definition, identity in rows}


def test_a_first_publish_builds_the_lookup_indexes_after_its_rows(store_url, monkeypatch):
    """On PostgreSQL, into an empty shared layer the indexes are built after the rows (as the
    catalogue defines them, the same afterwards, and they find the rows); into one that holds
    rows they are kept as they are (readers may be using them). SQLite keeps them throughout."""
    from sqlalchemy import text

    from lamsach.backends.store import shared_layer

    monkeypatch.setattr(shared_layer, "_BUILD_AFTER_ROWS", 2)
    store = SqlAlchemyStore.open(store_url)
    run = store.start_run(CAMPAIGN, None, "2026-12-07", "test")

    def send(dataset: str, rows: dict[str, dict], content: bytes) -> None:
        store.import_batch(run, BatchInput(CAMPAIGN, dataset, "16012", f"{dataset}.csv",
                                           hashlib.sha256(content).hexdigest(), content, "csv", "utf-8", None, 1,
                                           len(rows), [IncomingRow(k, "16012", i + 2, v)
                                                       for i, (k, v) in enumerate(rows.items())], []), "test")

    send("marriage", {f"M{i}": {"record_id": f"M{i}", "husband_id": f"03809000{i:04d}"} for i in range(3)}, b"m")
    before = _published_indexes(store)
    assert {"ix_published_json_husband_id", "ix_published_parcel", "ix_published_citizen_id"} <= set(before)
    assert store.publish_current(CAMPAIGN, run, set(), line_sql).published == 3
    first = _published_indexes(store)
    assert {name: definition for name, (definition, _) in first.items()} == \
        {name: definition for name, (definition, _) in before.items()}
    rebuilt = {name for name in first if first[name][1] != before[name][1]}
    assert rebuilt == (set(first) - {"published_pkey"} if store.engine.dialect.name == "postgresql" else set())
    husband = "json_extract(data, '$.husband_id')" if store.engine.dialect.name == "sqlite" \
        else "(CAST(data AS JSONB) ->> 'husband_id')"
    with store.engine.connect() as conn:
        found = conn.execute(text(f"SELECT record_key FROM published WHERE dataset = 'marriage' "
                                  f"AND {husband} = '038090000001'")).scalars().all()
    assert found == ["M1"]
    send("marriage", {f"M{i}": {"record_id": f"M{i}", "husband_id": f"03809000{i:04d}"} for i in range(3, 6)}, b"n")
    assert store.publish_current(CAMPAIGN, run, set(), line_sql).published == 3
    assert _published_indexes(store) == first  # the shared layer held rows: its indexes kept
    store.close()
