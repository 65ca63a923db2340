"""The outbox line SQLite and PostgreSQL render inside their INSERT is, byte for byte, the line
Python renders for the same record version: for any values a record can hold as JSON, and through
the store on both kinds."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, select

from lamsach.backends.store import BatchInput, IncomingRow, PublishItem, SqlAlchemyStore, as_utc
from lamsach.backends.store import tables as t
from lamsach.backends.store.record_json import dumps as _dumps
from lamsach.publish import line_renderer

NOW = datetime(2026, 12, 6, 11, 30, 15, 123456, tzinfo=UTC)
CAMPAIGN = "Đợt \"thử\" 'một'\\"

# every value Python writes as standard JSON (not the NaN and infinities it writes for such floats,
# which the shared layer's indexes refuse on either path)
texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
scalars = st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | st.floats(allow_nan=False, allow_infinity=False) | texts
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
                      max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(campaign=texts, dataset=texts, key=texts, unit=st.none() | texts, version=st.integers(1, 10**6),
       data=st.dictionaries(texts, values, max_size=6))
def test_sqlite_renders_the_line_python_renders(campaign, dataset, key, unit, version, data):
    stored = _dumps(data)
    render = line_renderer(campaign)
    with sqlite3.connect(":memory:") as conn:
        conn.execute("CREATE TABLE r (dataset TEXT, record_key TEXT, unit TEXT, version INTEGER, data TEXT)")
        conn.execute("INSERT INTO r VALUES (?, ?, ?, ?, ?)", (dataset, key, unit, version, stored))
        expression = render.sqlite(NOW, "dataset", "record_key", "unit", "version", "data")
        (line,) = conn.execute(f"SELECT {expression} FROM r").fetchone()
    assert line == render(PublishItem(dataset, key, unit, version, stored), NOW)


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
        cursor.execute("CREATE TEMP TABLE r (dataset text, record_key text, unit text, version integer, data text)")

        @settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
        @given(campaign=pg_texts, dataset=pg_texts, key=pg_texts, unit=st.none() | pg_texts,
               version=st.integers(1, 10**6), data=flat | st.dictionaries(texts | tricky, values, max_size=6))
        def renders(campaign, dataset, key, unit, version, data):
            stored = _dumps(data)
            render = line_renderer(campaign)
            cursor.execute("TRUNCATE r")
            cursor.execute("INSERT INTO r VALUES (%s, %s, %s, %s, %s)", (dataset, key, unit, version, stored))
            expression = render.postgres(NOW, "dataset", "record_key", "unit", "version", "data")
            cursor.execute(f"SELECT {expression} FROM r")  # no parameters: a % stays itself
            (line,) = cursor.fetchone()
            assert line == render(PublishItem(dataset, key, unit, version, stored), NOW)

        renders()
    engine.dispose()


ODD = {"quote": 'say "hi", then: go', "slash": "a\\b/c", "controls": "\x01\b\f\n\r\t\x1f\x7f",
       "separators": "Thôn 3, xã Hải Lộc: nhà 5", "wide": "\u2028\u2029😀", "number": 12.5, "big": 10**20,
       "nested": {"b": [1, None, True], "a": "x"}, "empty": ""}


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
    counts = store.publish_current(CAMPAIGN, run, set(), line_renderer(CAMPAIGN))
    assert counts.published == len(rows)
    with store.engine.connect() as conn:
        records = {r.record_key: r for r in conn.execute(select(t.records))}
        published = {p.record_key: p for p in conn.execute(select(t.published))}
        entries = list(conn.execute(select(t.outbox).order_by(t.outbox.c.id)))
    store.close()
    assert [e.record_key for e in entries] == list(rows)  # in the records' order
    render = line_renderer(CAMPAIGN)
    for entry in entries:
        record, shared = records[entry.record_key], published[entry.record_key]
        assert (shared.data, shared.version, shared.unit, shared.run_id) == (record.data, record.version, "16012", run)
        stamp = as_utc(shared.published_at)
        item = PublishItem("population", record.record_key, record.unit, record.version, record.data)
        assert entry.line == render(item, stamp.replace(microsecond=0)), entry.record_key
