"""Work done in a thread beside the pass: the rows just read standardised while the store takes
them (`_Pass._store_beside_standardising`), the shared layer written while the pass measures and
writes its files (`lamsach.publish.Publishing`). What officers and the National Data Center see
must not depend on it: the run's counts are the store's, and a failed write fails the whole pass
as before — the run marked failed, every stored batch whole, nothing shared or queued, the
previous outputs left as they were."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lamsach.backends.store import SqlAlchemyStore
from lamsach.backends.store import tables as t
from lamsach.generate import generate_province
from lamsach.runner import run_pass
from lamsach.settings import Settings

REFERENCE = date(2026, 11, 1)


def _settings(tmp_path: Path, name: str) -> Settings:
    return Settings(data_dir=tmp_path / name, database_url=f"sqlite:///{tmp_path / name}.db", standardise_workers=1)


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> Path:
    return generate_province(tmp_path_factory.mktemp("province"), people=400, seed=5)


def test_the_runs_counts_are_what_the_store_holds(manifest: Path, tmp_path: Path) -> None:
    settings = _settings(tmp_path, "store")
    summary = run_pass(manifest, tmp_path / "out", settings, reference_date=REFERENCE)
    store = SqlAlchemyStore.open(settings.database_url)
    with store.engine.connect() as conn:
        published = conn.execute(select(func.count()).select_from(t.published)).scalar_one()
        queued = conn.execute(select(func.count()).select_from(t.outbox)).scalar_one()
        records = conn.execute(select(func.count()).select_from(t.records)).scalar_one()
        status = conn.execute(select(t.runs.c.status).where(t.runs.c.id == summary.run_id)).scalar_one()
    store.close()
    assert status == "complete"
    assert summary.published["published"] == published == queued > 0
    assert summary.published["published"] + summary.published["blocked"] == records
    assert summary.overlapped["publish: the shared layer beside measure and report"] > 0
    assert summary.overlapped["report: waiting for the shared layer"] >= 0


def test_a_failed_write_of_the_shared_layer_fails_the_pass(manifest: Path, tmp_path: Path) -> None:
    settings = _settings(tmp_path, "store")
    out = tmp_path / "out"
    out.mkdir()
    (out / "findings.csv").write_text("last week's findings", encoding="utf-8")
    SqlAlchemyStore.open(settings.database_url).close()
    with sqlite3.connect(tmp_path / "store.db") as con:  # the database refuses the outbox's rows
        con.execute("CREATE TRIGGER refuse BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    with pytest.raises(Exception, match="disk full"):
        run_pass(manifest, out, settings, reference_date=REFERENCE)
    with sqlite3.connect(tmp_path / "store.db") as con:
        assert con.execute("SELECT count(*) FROM published").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM outbox").fetchone() == (0,)
        assert con.execute("SELECT status FROM runs").fetchall() == [("failed",)]
        assert con.execute("SELECT count(*) FROM findings").fetchone() == (0,)  # results not saved either
        assert con.execute("SELECT count(*) FROM records").fetchone()[0] > 0  # what was stored stays
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []  # no staging left
    assert sorted(p.name for p in out.iterdir()) == ["findings.csv"]
    assert (out / "findings.csv").read_text(encoding="utf-8") == "last week's findings"


def test_a_failed_store_beside_standardising_fails_the_pass(manifest: Path, tmp_path: Path) -> None:
    """Datasets new to the store are standardised while it stores them: a batch the store refuses
    fails the pass as it did when storing came first, and every batch stored is whole."""
    settings = _settings(tmp_path, "store")
    SqlAlchemyStore.open(settings.database_url).close()
    with sqlite3.connect(tmp_path / "store.db") as con:
        con.execute("CREATE TRIGGER refuse BEFORE INSERT ON records WHEN NEW.dataset = 'marriage' "
                    "BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    with pytest.raises(Exception, match="disk full"):
        run_pass(manifest, tmp_path / "out", settings, reference_date=REFERENCE)
    with sqlite3.connect(tmp_path / "store.db") as con:
        assert con.execute("SELECT status FROM runs").fetchall() == [("failed",)]
        states = con.execute("SELECT dataset, state, rows_stored, records_created FROM batches").fetchall()
        assert states and all(state == "complete" and stored == created for _, state, stored, created in states)
        assert "marriage" not in {dataset for dataset, *_ in states}
        assert con.execute("SELECT count(*) FROM records WHERE dataset = 'marriage'").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM records").fetchone()[0] == sum(s[2] for s in states)
        assert con.execute("SELECT count(*) FROM published").fetchone() == (0,)
    assert not (tmp_path / "out").exists()


def test_links_found_beside_the_store_or_after_it_write_the_same_files(manifest: Path, tmp_path: Path) -> None:
    """Above `link_beside_store_max_rows` rows read the links wait for the store (a province of
    millions: the engine needs its whole memory for them); the files are the same either way."""
    from runner.test_contract_golden import contract_files

    beside_it = run_pass(manifest, tmp_path / "beside", _settings(tmp_path, "beside"), reference_date=REFERENCE)
    after_it = run_pass(manifest, tmp_path / "after", replace(_settings(tmp_path, "after"), link_beside_store_max_rows=0),
                        reference_date=REFERENCE)
    assert "link: people beside the store" in beside_it.overlapped
    assert "link: people beside the store" not in after_it.overlapped
    assert "standardise: beside the store" in after_it.overlapped  # only the links wait
    assert contract_files(tmp_path / "beside") == contract_files(tmp_path / "after")
