"""A returned workbook: changed cells become versioned edits, the next pass clears their findings."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from lamsach.backends.store import SqlAlchemyStore, ValueChange
from lamsach.domain import LamsachError
from lamsach.review import SOURCE, apply_correction_workbook, export_correction_workbook
from lamsach.runner import run_pass
from lamsach.settings import Settings
from officer_fixtures import edit_workbook, officer_fixes

OFFICER = "Nguyễn Văn Cán (xã)"


def _records(store, campaign: str, findings: list[dict]) -> dict[tuple[str, str], dict]:
    found = {}
    for dataset in {f["dataset"] for f in findings}:
        keys = {f["record_key"] for f in findings if f["dataset"] == dataset}
        found.update({(dataset, k): r.data for k, r in store.records_by_keys(campaign, dataset, keys).items()})
    return found


def _as_stored(value) -> str:
    """What the store should hold for a value typed the Excel way (see fixes.officer_fixes)."""
    if isinstance(value, int):
        digits = str(value)
        return digits.zfill(12) if len(digits) in (10, 11) else digits
    if isinstance(value, float):
        return f"{value:g}"
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return value


def round_trip(store: SqlAlchemyStore, manifest, campaign: str, run_id: int, unit: str, folder, rerun):
    """Export, fix from the truth, apply, run the pass again; assert the whole story."""
    findings = store.unit_findings(run_id, unit)
    before = _records(store, campaign, findings)
    fixes = officer_fixes(manifest, findings, before)
    assert len(fixes) >= 5 and {type(v) for v in fixes.values()} >= {int}
    exported = export_correction_workbook(store, campaign, unit, folder / "unit.xlsx")
    cells = edit_workbook(exported.path, folder / "đã sửa.xlsx", fixes)

    result = apply_correction_workbook(store, folder / "đã sửa.xlsx", OFFICER, expected_unit=unit)

    assert result.applied == len(fixes) and result.rerun_needed
    assert result.cells_by_dataset == {d: sum(1 for k in fixes if k[0] == d) for d in {k[0] for k in fixes}}
    assert {d: set(keys) for d, keys in result.records_by_dataset.items()} == {
        d: {k[1] for k in fixes if k[0] == d} for d in {k[0] for k in fixes}}
    history = store.history(campaign, source=SOURCE)
    assert {(c.dataset, c.record_key, c.field) for c in history} == set(fixes)
    for change in history:
        cell = (change.dataset, change.record_key, change.field)
        assert change.actor == OFFICER and change.source == "unit workbook"
        assert change.old_value == before[cell[:2]].get(change.field)
        assert change.new_value == _as_stored(fixes[cell])
        assert "đã sửa.xlsx" in change.reason and change.dataset in change.reason and cells[cell] in change.reason
    after = _records(store, campaign, findings)
    for (dataset, key), data in before.items():
        untouched = {f: v for f, v in data.items() if (dataset, key, f) not in fixes}
        assert {f: after[(dataset, key)].get(f) for f in untouched} == untouched
    assert all(store.history(campaign, d, k, source=SOURCE) == [] for d, k in before
               if not any(c[:2] == (d, k) for c in fixes))

    again = rerun()
    left = {(f["dataset"], f["record_key"], f["field"]) for f in store.unit_findings(again.run_id, unit)}
    assert not left & set(fixes)
    passing = {r: sum(s["passing"] for s in store.scorecard(r) if s["unit"] == unit) for r in (run_id, again.run_id)}
    assert passing[again.run_id] > passing[run_id]
    return result


def test_fixed_cells_are_versioned_edits_and_the_next_pass_clears_their_findings(world, tmp_path):
    round_trip(world.store, world.manifest, world.campaign, world.run_id, world.busiest_unit(), tmp_path,
               world.rerun)


@pytest.mark.postgres
@pytest.mark.parametrize("store_url", ["postgres"], indirect=True)
def test_round_trip_on_postgresql(passed_province, store_url, tmp_path):
    manifest = passed_province[0]
    settings = Settings(data_dir=tmp_path / "data", database_url=store_url)
    first = run_pass(manifest, tmp_path / "out1", settings)
    store = SqlAlchemyStore.open(store_url)
    unit = sorted({f["unit"] for f in store.findings(first.run_id) if f["dataset"] == "land_parcel"})[0]
    round_trip(store, manifest, first.campaign, first.run_id, unit, tmp_path,
               lambda: run_pass(manifest, tmp_path / "out2", settings))


def test_a_workbook_returned_unchanged_applies_nothing(world, tmp_path):
    unit = world.busiest_unit()
    exported = export_correction_workbook(world.store, world.campaign, unit, tmp_path / "unit.xlsx")
    load_workbook(exported.path).save(tmp_path / "saved.xlsx")
    result = apply_correction_workbook(world.store, tmp_path / "saved.xlsx", OFFICER, unit)
    assert (result.applied, result.cells_by_dataset, result.rerun_needed) == (0, {}, False)
    assert world.store.history(world.campaign, source=SOURCE) == []


def test_sending_the_workbook_again_with_more_fixes_is_not_a_conflict(world, tmp_path):
    unit = world.busiest_unit()
    exported = export_correction_workbook(world.store, world.campaign, unit, tmp_path / "unit.xlsx")
    target = next(f for f in world.store.unit_findings(world.run_id, unit) if f["field"] == "owner_id")
    cell = ("land_parcel", target["record_key"], "owner_id")
    edit_workbook(exported.path, tmp_path / "v1.xlsx", {cell: "038000000001"})
    assert apply_correction_workbook(world.store, tmp_path / "v1.xlsx", OFFICER, unit).applied == 1
    assert apply_correction_workbook(world.store, tmp_path / "v1.xlsx", OFFICER, unit).applied == 0
    edit_workbook(tmp_path / "v1.xlsx", tmp_path / "v2.xlsx", {cell: "038000000002"})
    assert apply_correction_workbook(world.store, tmp_path / "v2.xlsx", OFFICER, unit).applied == 1
    record = world.store.record(world.campaign, "land_parcel", target["record_key"])
    assert record.data["owner_id"] == "038000000002"


def test_a_value_changed_in_the_system_since_the_export_is_skipped_and_the_rest_applies(world, tmp_path):
    """A pass or an edit after the export does not void the workbook: only the cell changed in the
    system since is skipped, named with why; the unit's other cells are applied."""
    unit = world.busiest_unit()
    exported = export_correction_workbook(world.store, world.campaign, unit, tmp_path / "unit.xlsx")
    findings = [f for f in world.store.unit_findings(world.run_id, unit) if f["field"] == "owner_id"]
    target = findings[0]
    other = next(f for f in findings if f["record_key"] != target["record_key"])
    world.store.apply_changes(world.campaign, [ValueChange("land_parcel", target["record_key"], "owner_id",
                                                           "038111111111", "person", "sửa trên web")], "tỉnh")
    world.rerun()  # another unit's pass ran meanwhile: a newer round
    edit_workbook(exported.path, tmp_path / "late.xlsx", {
        ("land_parcel", target["record_key"], "owner_id"): "038000000001",
        ("land_parcel", other["record_key"], "owner_id"): "038000000002"})
    result = apply_correction_workbook(world.store, tmp_path / "late.xlsx", OFFICER, unit)
    assert result.applied == 1
    [error] = result.skipped
    assert isinstance(error, LamsachError) and error.code.value == "REVIEW_CELL_CONFLICT"
    assert "038111111111" in error.message("vi") and error.location.sheet == "land_parcel"
    assert world.store.record(world.campaign, "land_parcel", target["record_key"]).data["owner_id"] == "038111111111"
    assert world.store.record(world.campaign, "land_parcel", other["record_key"]).data["owner_id"] == "038000000002"
