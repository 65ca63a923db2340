"""The publish stage on the sample province: what is published, queued, and scored as *shared*."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from lamsach.backends.store import SqlAlchemyStore
from lamsach.backends.store.shared_layer import published_record
from lamsach.runner import run_pass
from lamsach.settings import Settings
from lamsach.sync import Sender


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def shared_scores(out: Path) -> dict[tuple[str, str], tuple[int, int]]:
    return {(r["unit"], r["dataset"]): (int(r["records"]), int(r["passing"]))
            for r in read(out / "scorecard.csv") if r["criterion"] == "shared"}


def outbox(store: SqlAlchemyStore) -> list[dict]:
    """The entries in delivery order, each with the line that would be sent for it."""
    from sqlalchemy import select

    from lamsach.backends.store import tables as t
    from lamsach.backends.store.outbox import entry_lines
    from lamsach.publish import line_sql

    with store.engine.connect() as conn:
        entries = [dict(r) for r in conn.execute(select(t.outbox).order_by(t.outbox.c.id)).mappings()]
    return [{**e, "line": line} for e, line in zip(entries, entry_lines(store, line_sql), strict=True)]


@pytest.fixture
def passes(sample_dir, tmp_path, store_url):
    settings = Settings(data_dir=tmp_path / "data", database_url=store_url)

    def again(name: str):
        run_pass(sample_dir / "manifest.yaml", tmp_path / name, settings)
        return tmp_path / name

    return again, SqlAlchemyStore.open(store_url)


def test_a_pass_publishes_records_without_open_errors_and_scores_shared_once_acknowledged(passes, receiver):
    again, store = passes
    first = again("first")
    findings = read(first / "findings.csv")
    errors = {(f["dataset"], f["record_id"]) for f in findings
              if f["status"] == "open" and f["severity"] == "error" and f["criterion"] != "shared"}
    not_published = {(f["dataset"], f["record_id"]): f["message"] for f in findings if f["rule"] == "not_published"}
    assert errors and set(not_published) == errors
    one = sorted(errors)[0]
    blocking = {f["rule"] for f in findings if (f["dataset"], f["record_id"]) == one
                and f["status"] == "open" and f["severity"] == "error" and f["criterion"] != "shared"}
    assert all(rule in not_published[one] for rule in blocking)  # the finding says which errors block it

    entries = outbox(store)
    records = sum(n for n, _ in shared_scores(first).values())
    assert len(entries) == records - len(errors)
    assert {(e["dataset"], e["record_key"]) for e in entries}.isdisjoint(errors)
    assert all(e["state"] == "waiting" for e in entries)
    line = json.loads(entries[0]["line"])
    assert set(line) == {"campaign", "dataset", "record_id", "version", "unit", "published_at", "fields"}
    shared_row = published_record(store, line["campaign"], line["dataset"], line["record_id"])
    assert shared_row["version"] == line["version"] and shared_row["data"] == line["fields"]
    # before any sync the province scores 0 on shared, everywhere
    assert all(passing == 0 for _, passing in shared_scores(first).values())

    # the receiver acknowledges everything but one record, which it rejects
    rejected = json.loads(entries[4]["line"])
    national = receiver("--reject-record", rejected["record_id"])
    pushed = Sender(store, national.url, Settings(sync_batch_size=250)).push()
    assert (pushed.versions, pushed.rejected) == (len(entries), 1)
    assert sorted((x["dataset"], x["record_id"], x["version"]) for x in national.lines()) == sorted(
        (e["dataset"], e["record_key"], e["version"]) for e in entries if e["record_key"] != rejected["record_id"])

    second = again("second")
    assert len(outbox(store)) == len(entries)  # the same files: nothing new to publish
    scores = shared_scores(second)
    assert sum(p for _, p in scores.values()) == len(entries) - 1
    assert sum(n for n, _ in scores.values()) == records
    refused = [f for f in read(second / "findings.csv") if f["rule"] == "rejected_by_national_center"]
    assert [(f["dataset"], f["record_id"], f["criterion"]) for f in refused] == [
        (rejected["dataset"], rejected["record_id"], "shared")]
    assert "on purpose" in refused[0]["message"]
