"""The weekly re-run: a second pass over the same files, one unit's file changed, leaves the other
files unread (recognised by their SHA-256 and reading options, nothing stored again), takes a
dataset's standardised table from the last pass when its records did not change, links with the
person model the campaign keeps, and writes the same contract files as a pass that reads, stores
and standardises everything again.

Both passes run on the same store history (a copy of the store after the first pass): a pass into
a fresh store would differ for a reason unrelated to reusing files — the first pass enriches the
store (IDs filled from the register), so a second pass over the same files is not the first one's
twin, and the design promises equality from then on (see test_killed_pass's fixed point).
"""

from __future__ import annotations

import csv
import shutil
from datetime import date, timedelta
from pathlib import Path

import openpyxl
from sqlalchemy import select

from lamsach.backends.store import SqlAlchemyStore, ValueChange
from lamsach.backends.store import tables as t
from lamsach.data import dataset_names
from lamsach.generate import generate_province
from lamsach.runner import run_pass
from lamsach.settings import Settings

CONTRACT_FILES = ("findings.csv", "links.csv", "duplicates.csv", "scorecard.csv", "link_weights.csv",
                  *(f"clean/{d}.csv" for d in dataset_names()))
CANDIDATES = ["link: candidates of references without an ID link", "link: candidates of ID links"]
REFERENCE = date(2026, 11, 1)


def _pass(manifest: Path, out: Path, store: Path, reuse: bool = True, day: date = REFERENCE):
    settings = Settings(data_dir=store.parent / "data", database_url=f"sqlite:///{store}",
                        reuse_unchanged_files=reuse, standardise_workers=1)
    return run_pass(manifest, out, settings, reference_date=day)


def _change_one_unit(workbook: Path) -> tuple[str, str]:
    """A unit's week: one parcel's area corrected, one parcel no longer sent. Returns both keys."""
    book = openpyxl.load_workbook(workbook)
    sheet = book.active
    header = next(r for r in range(1, 20) if sheet.cell(r, 2).value == "Mã hồ sơ")
    area = next(c for c in range(1, sheet.max_column + 1) if sheet.cell(header, c).value == "Diện tích (m2)")
    edited, dropped = sheet.cell(header + 1, 2).value, sheet.cell(header + 2, 2).value
    sheet.cell(header + 1, area).value = 1234.5
    sheet.delete_rows(header + 2)
    book.save(workbook)
    return edited, dropped


def _assert_same_contract_files(reused: Path, full: Path) -> None:
    written = [name for name in CONTRACT_FILES if (full / name).exists()]
    assert {"findings.csv", "links.csv", "scorecard.csv", "clean/land_parcel.csv"} <= set(written)
    for name in CONTRACT_FILES:
        assert (reused / name).exists() == (full / name).exists(), name
    for name in written:
        assert (reused / name).read_bytes() == (full / name).read_bytes(), name


def test_rerun_reads_only_the_changed_file_and_writes_what_a_full_pass_writes(tmp_path):
    manifest = generate_province(tmp_path / "province", people=300, seed=5)
    first_store, full_store = tmp_path / "a" / "store.db", tmp_path / "b" / "store.db"
    first_store.parent.mkdir()
    full_store.parent.mkdir()
    first = _pass(manifest, tmp_path / "out1", first_store)
    assert not any(s["unchanged_file"] for s in first.sources)

    changed = sorted((tmp_path / "province" / "land").glob("*.xlsx"))[0]
    edited, dropped = _change_one_unit(changed)
    shutil.copyfile(first_store, full_store)  # the same store history for both second passes

    again = _pass(manifest, tmp_path / "reused", first_store)
    full = _pass(manifest, tmp_path / "full", full_store, reuse=False)
    by_file = {s["file"]: s for s in again.sources}
    assert not by_file[str(changed)]["unchanged_file"]
    assert by_file[str(changed)]["updated"] == 1
    unchanged = [s for f, s in by_file.items() if f != str(changed)]
    assert unchanged and all(s["unchanged_file"] for s in unchanged)
    assert not any(s["unchanged_file"] for s in full.sources)
    # the same counts: rows read, stored and rejected (with their reasons) come from the stored batch
    for name in ("rows_read", "rows_stored", "rows_rejected", "rejection_reasons", "records", "repairs"):
        assert getattr(again, name) == getattr(full, name), name
    assert [{k: v for k, v in s.items() if k not in ("unchanged_file", "unchanged")} for s in again.sources] == \
        [{k: v for k, v in s.items() if k not in ("unchanged_file", "unchanged")} for s in full.sources]
    _assert_same_contract_files(tmp_path / "reused", tmp_path / "full")
    # standardising: the first pass kept each dataset's table as its records stand after its repairs
    # (the repaired values give the same table again); what it took from the register after (IDs
    # filled by enrichment) changed those datasets' records again, and the changed file's dataset
    with SqlAlchemyStore.open(f"sqlite:///{full_store}") as store:
        enriched = {c.dataset for c in store.history(first.campaign) if c.source != "repair"}
    assert enriched and "population" not in enriched
    assert sorted(r for r in again.reused if r.startswith("standardise: ")) == \
        sorted(f"standardise: {d}" for d in again.records if d not in enriched and d != "land_parcel")
    assert not any(r.startswith("standardise: ") for r in full.reused)
    assert first.repairs > 0 and again.repairs == 0
    # both link with the person model the first pass trained and the store keeps (`model_keeping`)
    assert "link: person model" in again.reused and "link: person model" in full.reused
    # the references' register candidates: taken as the first pass scored them where the reference
    # and the register did not change (the changed unit's parcels scored again); a full pass keeps none
    assert set(CANDIDATES) <= set(again.reused) and not set(CANDIDATES) & set(full.reused)
    deduped = [r for r in again.reused if r.startswith("link: duplicates model ")]
    assert len(deduped) >= 3 and deduped == [r for r in full.reused if r.startswith("link: duplicates model ")]
    # duplicates: taken as the first pass found them where the rows compared are the same (the
    # register's records), found again for the changed file's dataset; a full pass keeps none
    assert "link: duplicates population" in again.reused and "link: duplicates land_parcel" not in again.reused
    assert not any(r.startswith("link: duplicates ") and " model " not in r for r in full.reused)

    # the unit's parcel it no longer sends is shown for a decision, from the keys kept in the store
    findings = (tmp_path / "reused" / "findings.csv").read_text(encoding="utf-8")
    assert any(dropped in line and "withdrawn" in line for line in findings.splitlines())
    assert edited in (tmp_path / "reused" / "clean" / "land_parcel.csv").read_text(encoding="utf-8")

    # nothing was stored again: an unchanged file's batch in the second run created and updated nothing,
    # and the only records written by the second run are the changed file's
    with SqlAlchemyStore.open(f"sqlite:///{first_store}") as store, store.engine.connect() as conn:
        batches = conn.execute(select(t.batches).where(t.batches.c.run_id == again.run_id)).all()
        assert len(batches) == len(again.sources)
        assert {b.file_name for b in batches if b.records_updated or b.records_created} <= {str(changed)}
        assert {r.batch_id for r in conn.execute(select(t.records.c.batch_id))} <= \
            {b.id for b in conn.execute(select(t.batches.c.id).where(t.batches.c.run_id != again.run_id))} | \
            {b.id for b in batches if b.file_name == str(changed)}

    # the week after, nothing changed: every file is reused, and the result is a full pass's again
    third = _pass(manifest, tmp_path / "reused3", first_store)
    _pass(manifest, tmp_path / "full3", full_store, reuse=False)
    assert all(s["unchanged_file"] for s in third.sources)
    # standardising: records as the last pass left them, so every dataset's kept table is taken; linking:
    # the person model and every dedupe model the first pass trained (datasets large enough for one)
    # the duplicates of each dataset whose rows and model did not change: every one this time
    found = [r.replace(" model ", " ") for r in deduped]
    assert sorted(third.reused) == sorted([*(f"standardise: {d}" for d in third.records), "link: person model",
                                           *CANDIDATES, *deduped, *found])
    assert (tmp_path / "reused3" / "link_waterfall.html").exists()  # its pair scored again for the chart
    _assert_same_contract_files(tmp_path / "reused3", tmp_path / "full3")

    # an officer corrects a parcel's area in the browser: no file changed, but that dataset's records
    # did (a new version), so it is standardised again; the others are taken as kept
    for store_path in (first_store, full_store):
        with SqlAlchemyStore.open(f"sqlite:///{store_path}") as store:
            store.apply_changes(third.campaign, [ValueChange("land_parcel", edited, "area_m2", "987.6", "person",
                                                             reason="đo lại")], "officer")
    fourth = _pass(manifest, tmp_path / "reused4", first_store)
    _pass(manifest, tmp_path / "full4", full_store, reuse=False)
    assert "standardise: land_parcel" not in fourth.reused
    # its area is compared by the parcels' duplicate model: those duplicates are found again
    assert sorted(fourth.reused) == sorted([*(f"standardise: {d}" for d in fourth.records if d != "land_parcel"),
                                            "link: person model", *CANDIDATES, *deduped,
                                            *(r for r in found if r != "link: duplicates land_parcel")])
    assert "987.6" in (tmp_path / "reused4" / "clean" / "land_parcel.csv").read_text(encoding="utf-8")
    _assert_same_contract_files(tmp_path / "reused4", tmp_path / "full4")


def test_a_file_is_known_again_whichever_folder_the_manifest_is_named_from(tmp_path, monkeypatch):
    """A scheduled job names the manifest by its full path, an officer from the province's folder:
    the files are the same files, so the second pass reads and stores none of them again."""
    manifest = generate_province(tmp_path / "province", people=60, seed=2)
    store = tmp_path / "store" / "store.db"
    store.parent.mkdir()
    first = _pass(manifest, tmp_path / "out1", store)
    assert not any(s["unchanged_file"] for s in first.sources)
    monkeypatch.chdir(tmp_path)
    again = _pass(manifest.relative_to(tmp_path), tmp_path / "out2", store)
    assert again.sources and all(s["unchanged_file"] for s in again.sources)


def test_a_batch_stored_again_meanwhile_no_longer_stands_in_for_its_file(tmp_path):
    """Between the reading phase and the storing phase another pass may store the same file (or
    change rows it reaches): the copy is then refused, nothing written, and the file is read."""
    from lamsach.data import load_schema
    from lamsach.ingest import load_manifest, read_key

    manifest_path = generate_province(tmp_path / "province", people=150, seed=3)
    store_path = tmp_path / "a" / "store.db"
    store_path.parent.mkdir()
    _pass(manifest_path, tmp_path / "out1", store_path)
    manifest = load_manifest(manifest_path)
    source = next(s for s in manifest.sources if s.unit)
    settings = Settings(data_dir=tmp_path / "a" / "data")
    key = read_key(source, load_schema(source.dataset), settings.header_search_rows, settings.lang,
                   settings.max_source_file_mb * 1_000_000)
    with SqlAlchemyStore.open(f"sqlite:///{store_path}") as store:
        stored = store.reusable_batch(manifest.name, source.dataset, source.unit, str(source.path), key)
        assert stored is not None and stored.keys
        run_a = store.start_run(manifest.name, str(manifest_path), None, "test")
        run_b = store.start_run(manifest.name, str(manifest_path), None, "test")
        assert store.reuse_batch(run_a, stored, "test") is not None  # the other pass stores it first
        assert store.reuse_batch(run_b, stored, "test") is None
        assert store.batches(run_b) == []


class _OfficerEditsDuringStandardising:
    """The pass's progress, through which an officer's edit in the browser lands in the store
    (another connection) just as the pass starts standardising."""

    def __init__(self, store: Path, campaign: str, key: str) -> None:
        self.store, self.campaign, self.key = store, campaign, key
        self.edited = False

    def start(self, label: str, total: int) -> None:
        if label == "Chuẩn hóa" and not self.edited:
            with SqlAlchemyStore.open(f"sqlite:///{self.store}") as store:
                store.apply_changes(self.campaign, [ValueChange("population", self.key, "full_name", "Lê Thị Sửa",
                                                                "person", reason="sai chính tả")], "officer")
            self.edited = True

    def advance(self, steps: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass


def test_an_edit_made_during_a_pass_is_not_lost_to_its_kept_result(tmp_path):
    """A pass standardises the rows it read; an officer's edit stored meanwhile is not among them.
    The pass must not keep its table under the records' stamps as they stand after the edit: the
    next pass would take a table without the edit. It keeps nothing it cannot vouch for, and the
    next pass computes the dataset from the store and shows the edit. (The register's records:
    no enrichment changes them after, which would hide a wrongly kept table.)"""
    manifest = generate_province(tmp_path / "province", people=120, seed=7)
    store = tmp_path / "a" / "store.db"
    store.parent.mkdir()
    with (tmp_path / "province" / "population.csv").open(encoding="utf-8-sig") as handle:
        key = handle.readlines()[1].split(",")[0]
    settings = Settings(data_dir=store.parent / "data", database_url=f"sqlite:///{store}", standardise_workers=1)
    from lamsach.ingest import load_manifest

    edit = _OfficerEditsDuringStandardising(store, load_manifest(manifest).name, key)
    first = run_pass(manifest, tmp_path / "out1", settings, progress=edit, reference_date=REFERENCE)
    assert edit.edited
    assert "Lê Thị Sửa" not in (tmp_path / "out1" / "clean" / "population.csv").read_text(encoding="utf-8")
    again = _pass(manifest, tmp_path / "out2", store)
    assert "standardise: population" not in again.reused
    assert "Lê Thị Sửa" in (tmp_path / "out2" / "clean" / "population.csv").read_text(encoding="utf-8")
    # whose records the edit reached is not told by the marks: the first pass kept none of the tables
    # it made from the rows it stored, and the second computed every dataset
    assert first.run_id < again.run_id and not any(r.startswith("standardise: ") for r in again.reused)


def _first_pass_and_its_copy(tmp_path: Path) -> tuple[Path, Path, Path, object]:
    """A generated province's first pass into one store (`a/`), and a copy of that store (`b/`)
    for full passes with the same history; the manifest, both stores and the first summary."""
    manifest = generate_province(tmp_path / "province", people=300, seed=5)
    reused, full = tmp_path / "a" / "store.db", tmp_path / "b" / "store.db"
    reused.parent.mkdir()
    full.parent.mkdir()
    first = _pass(manifest, tmp_path / "out1", reused)
    shutil.copyfile(reused, full)
    return manifest, reused, full, first


def _future_dates(out: Path) -> dict[tuple[str, str], str]:
    """(dataset, record) -> the message of each date the pass found "in the future"."""
    with (out / "findings.csv").open(encoding="utf-8") as handle:
        return {(f["dataset"], f["record_id"]): f["message"] for f in csv.DictReader(handle)
                if f["rule"] == "date_in_future"}


def test_a_week_later_the_kept_tables_hold_unless_a_date_changes_sides(tmp_path):
    """A province's weekly run judges "now" by the day its files arrived, a week after the last:
    a dataset's kept table is still taken when none of its dates lies between the two days (the
    messages of dates still in the future name the new day), computed again when one does, and
    every dated dataset is computed again in a new year (a two-digit year's century)."""
    manifest, reused, full, first = _first_pass_and_its_copy(tmp_path)
    with SqlAlchemyStore.open(f"sqlite:///{full}") as store:
        enriched = {c.dataset for c in store.history(first.campaign) if c.source != "repair"}

    week = REFERENCE + timedelta(days=7)
    second = _pass(manifest, tmp_path / "reused2", reused, day=week)
    _pass(manifest, tmp_path / "full2", full, reuse=False, day=week)
    assert sorted(r for r in second.reused if r.startswith("standardise: ")) == \
        sorted(f"standardise: {d}" for d in second.records if d not in enriched)
    _assert_same_contract_files(tmp_path / "reused2", tmp_path / "full2")
    future = _future_dates(tmp_path / "reused2")  # the planted years swapped into the next decades
    assert future and all(week.isoformat() in m and REFERENCE.isoformat() not in m for m in future.values())

    # an officer enters a death three days after the coming week's day: in the future this week,
    # not the next, so the next week computes the deaths again
    with (tmp_path / "full2" / "clean" / "death.csv").open(encoding="utf-8") as handle:
        death = next(csv.DictReader(handle))["record_id"]
    soon = (week + timedelta(days=3)).isoformat()
    for store_path in (reused, full):
        with SqlAlchemyStore.open(f"sqlite:///{store_path}") as store:
            store.apply_changes(first.campaign, [ValueChange("death", death, "date_of_death", soon, "person",
                                                             reason="nhập lại")], "officer")
    third = _pass(manifest, tmp_path / "reused3", reused, day=week)
    _pass(manifest, tmp_path / "full3", full, reuse=False, day=week)
    assert "standardise: death" not in third.reused
    assert ("death", death) in _future_dates(tmp_path / "reused3")
    _assert_same_contract_files(tmp_path / "reused3", tmp_path / "full3")

    later = week + timedelta(days=7)
    fourth = _pass(manifest, tmp_path / "reused4", reused, day=later)
    _pass(manifest, tmp_path / "full4", full, reuse=False, day=later)
    assert sorted(r for r in fourth.reused if r.startswith("standardise: ")) == \
        sorted(f"standardise: {d}" for d in fourth.records if d != "death")
    assert ("death", death) not in _future_dates(tmp_path / "reused4")
    _assert_same_contract_files(tmp_path / "reused4", tmp_path / "full4")

    # a new year: every dataset has dates (each has the day it was last updated)
    new_year = _pass(manifest, tmp_path / "reused5", reused, day=date(REFERENCE.year + 1, 1, 4))
    assert not any(r.startswith("standardise: ") for r in new_year.reused)


def test_a_reference_changed_is_scored_again_and_a_damaged_kept_file_costs_only_the_scoring(tmp_path):
    """A mother's ID cleared and her name mistyped by an officer, another's name mistyped with
    her ID kept: their references are not what the kept candidates were scored from, and are
    scored against the register again, the others are taken as kept, and the links and their
    explanations are a full pass's. Kept candidates damaged on disk are scored again, not trusted."""
    manifest, reused, full, first = _first_pass_and_its_copy(tmp_path)
    with (tmp_path / "out1" / "clean" / "birth.csv").open(encoding="utf-8") as handle:
        births = csv.DictReader(handle)
        birth, other = next(births), next(births)

    def mistyped(name: str) -> str:
        return name[:-1] + ("a" if name[-1] != "a" else "e")

    for store_path in (reused, full):
        with SqlAlchemyStore.open(f"sqlite:///{store_path}") as store:
            store.apply_changes(first.campaign, [
                ValueChange("birth", birth["record_id"], "mother_id", None, "person", reason="nhập lại"),
                ValueChange("birth", birth["record_id"], "mother_name", mistyped(birth["mother_name"]), "person",
                            reason="nhập lại"),
                ValueChange("birth", other["record_id"], "mother_name", mistyped(other["mother_name"]), "person",
                            reason="nhập lại")], "officer")
    again = _pass(manifest, tmp_path / "reused2", reused)
    _pass(manifest, tmp_path / "full2", full, reuse=False)
    assert set(CANDIDATES) <= set(again.reused)
    _assert_same_contract_files(tmp_path / "reused2", tmp_path / "full2")
    with (tmp_path / "reused2" / "links.csv").open(encoding="utf-8") as handle:
        mother = [r for r in csv.DictReader(handle) if r["record_id"] == birth["record_id"] and r["role"] == "mother"]
    assert mother and mother[0]["method"] == "probabilistic"  # linked by the model, her ID being gone

    kept = sorted((reused.parent / "data" / "cache" / "links").glob("*.parquet"))
    assert len(kept) == 2  # one file for each kind of reference, the older fingerprints removed
    for path in kept:
        path.write_bytes(b"not parquet")
    third = _pass(manifest, tmp_path / "reused3", reused)
    _pass(manifest, tmp_path / "full3", full, reuse=False)
    assert not set(CANDIDATES) & set(third.reused)
    _assert_same_contract_files(tmp_path / "reused3", tmp_path / "full3")
