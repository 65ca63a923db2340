"""The access log cannot be quietly changed: tampering straight in the database (UPDATE,
DELETE, two rows swapped, the newest entries cut off) is caught by `lamsach audit verify`,
which names the first entry altered, removed or reordered — on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from lamsach.backends.store import SqlAlchemyStore
from lamsach.backends.store import access_log as log
from lamsach.cli.app import app

ENTRIES = 30


def fill(store: SqlAlchemyStore, n: int = ENTRIES) -> None:
    for i in range(n):
        log.append(store, log.Lookup(f"agency-{i % 3}", "residence", "administrative_procedure",
                                     f"038******{i:03d}", f"{i:064x}", f'{{"resides":{str(i % 2 == 0).lower()}}}'))


@pytest.fixture
def chained(store_url):
    store = SqlAlchemyStore.open(store_url)
    fill(store)
    assert log.verify(store).ok
    return store


def sql(store: SqlAlchemyStore, statement: str, **params) -> None:
    with store.engine.begin() as conn:
        conn.execute(text(statement), params)


def problem(store):
    report = log.verify(store)
    assert not report.ok
    return report.problem.kind, report.problem.seq


def test_an_intact_chain_verifies(chained, store_url):
    report = log.verify(chained)
    assert (report.ok, report.entries) == (True, ENTRIES)
    result = CliRunner().invoke(app, ["audit", "verify", "--database-url", store_url])
    assert result.exit_code == 0 and f"{ENTRIES} mục" in result.output


def test_an_updated_entry_is_named(chained, store_url):
    sql(chained, "UPDATE access_log SET purpose = 'inspection' WHERE seq = 12")
    assert problem(chained) == ("altered", 12)
    result = CliRunner().invoke(app, ["audit", "verify", "--database-url", store_url])
    assert result.exit_code == 1 and "mục số 12 bị sửa" in result.output


def test_an_update_with_its_hash_recomputed_is_still_caught(chained):
    with chained.engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM access_log WHERE seq = 12")).one()._mapping
    forged = {**row, "answer": '{"resides":true}'}
    sql(chained, "UPDATE access_log SET answer = :a, entry_hash = :h WHERE seq = 12",
        a=forged["answer"], h=log.entry_hash(row["prev_hash"], forged))
    assert problem(chained) == ("altered", 12)


def test_a_deleted_entry_is_named(chained, store_url):
    sql(chained, "DELETE FROM access_log WHERE seq = 12")
    assert problem(chained) == ("removed", 12)
    result = CliRunner().invoke(app, ["audit", "verify", "--database-url", store_url])
    assert result.exit_code == 1 and "mục số 12 bị xóa" in result.output


def test_the_newest_entries_cut_off_show_against_the_head_and_checkpoints(chained):
    log.checkpoint(chained)
    sql(chained, "DELETE FROM access_log WHERE seq > 27")
    assert problem(chained) == ("removed", 28)
    # the head row moved back too: the checkpoint still remembers
    sql(chained, "UPDATE access_head SET seq = 27, entry_hash = (SELECT entry_hash FROM access_log WHERE seq = 27)")
    assert problem(chained) == ("removed", 28)


def test_two_swapped_rows_are_named(chained, store_url):
    with chained.engine.connect() as conn:
        a, b = (dict(conn.execute(text("SELECT * FROM access_log WHERE seq = :s"), {"s": s}).one()._mapping)
                for s in (12, 17))
    columns = [c for c in a if c != "id"]
    assignments = ", ".join(f"{c} = :{c}" for c in columns)
    sql(chained, "UPDATE access_log SET seq = -1 WHERE id = :id", id=a["id"])
    sql(chained, f"UPDATE access_log SET {assignments} WHERE id = :id", **{c: a[c] for c in columns}, id=b["id"])
    sql(chained, f"UPDATE access_log SET {assignments} WHERE id = :id", **{c: b[c] for c in columns}, id=a["id"])
    assert problem(chained) == ("reordered", 17)
    result = CliRunner().invoke(app, ["audit", "verify", "--database-url", store_url])
    assert result.exit_code == 1 and "mục số 17 bị đổi thứ tự" in result.output


def test_concurrent_writers_keep_one_chain(store_url):
    store = SqlAlchemyStore.open(store_url)
    threads = [threading.Thread(target=fill, args=(store, 15)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report = log.verify(store)
    assert (report.ok, report.entries) == (True, 60)


def test_a_checkpoint_every_thousand_entries(tmp_path, monkeypatch):
    monkeypatch.setattr(log, "CHECKPOINT_EVERY", 10)
    store = SqlAlchemyStore.open(f"sqlite:///{tmp_path / 'store.db'}")
    fill(store, 25)
    with store.engine.connect() as conn:
        assert [r.seq for r in conn.execute(text("SELECT seq FROM access_checkpoints ORDER BY seq"))] == [10, 20]
    assert log.verify(store).checkpoints == 2
