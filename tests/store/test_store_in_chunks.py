"""A file held as columns is stored a chunk of rows at a time (its stored text made per chunk, so a
file of millions of rows never has every row's text in Python at once) in one transaction: a file
spanning many chunks, with keys new, changed and unchanged mixed across them, stores exactly what
one chunk stores — the same records, versions, changes and counts — on both stores."""

from __future__ import annotations

import hashlib

import pytest

from lamsach.backends.store import BatchInput, IncomingRows, SqlAlchemyStore, sqlalchemy_store
from lamsach.ingest.records import Records

CAMPAIGN = "Thử nghiệm"
FIELDS = ("citizen_id", "full_name", "sex")


def _batch(rows: dict[str, dict[str, str | None]], content: bytes) -> BatchInput:
    keys = list(rows)
    values = Records.from_dicts(FIELDS, rows.values())
    incoming = IncomingRows(keys, ["16012"] * len(keys), list(range(2, len(keys) + 2)), values)
    return BatchInput(CAMPAIGN, "population", "16012", "population.csv", hashlib.sha256(content).hexdigest(),
                      content, "csv", "utf-8", None, 1, len(keys), incoming, [])


def _week(week: int) -> dict[str, dict[str, str | None]]:
    """50 people; in week 2 every third one renamed and five more come."""
    rows = {f"DC-{i:03d}": {"citizen_id": f"0010900{i:05d}" if i % 4 else None, "full_name": f"Lê Văn {i}",
                            "sex": "Nam"} for i in range(50)}
    if week == 2:
        for i in range(0, 50, 3):
            rows[f"DC-{i:03d}"]["full_name"] = f"Lê Văn Á {i}"
        rows.update({f"DC-{i:03d}": {"citizen_id": None, "full_name": f"Trần Thị {i}", "sex": "Nữ"}
                     for i in range(50, 55)})
    return rows


def _store_two_weeks(url: str) -> tuple[list, list, list]:
    store = SqlAlchemyStore.open(url)
    run = store.start_run(CAMPAIGN, None, None, "tester")
    first = store.import_batch(run, _batch(_week(1), b"week 1"), "tester")
    second = store.import_batch(run, _batch(_week(2), b"week 2"), "tester")
    records = sorted((r.key, r.version, r.data["full_name"], r.data["citizen_id"])
                     for r in store.load_records(CAMPAIGN, "population"))
    changes = sorted((c.record_key, c.version, c.field, c.old_value, c.new_value)
                     for c in store.history(CAMPAIGN, "population"))
    counts = [(r.created, r.updated, r.unchanged, r.rows_stored) for r in (first, second)]
    store.close()
    return records, changes, counts


@pytest.mark.parametrize("chunk", [7, 50])
def test_a_file_stored_in_chunks_stores_what_one_chunk_stores(store_url, tmp_path, monkeypatch, chunk):
    whole = _store_two_weeks(f"sqlite:///{tmp_path}/whole.db")  # every file in one chunk
    monkeypatch.setattr(sqlalchemy_store, "STORE_CHUNK_ROWS", chunk)
    records, changes, counts = _store_two_weeks(store_url)
    assert (records, changes, counts) == whole
    assert counts == [(50, 0, 0, 50), (5, 17, 33, 55)]
    assert len(changes) == 17 and records[3] == ("DC-003", 2, "Lê Văn Á 3", "001090000003")
