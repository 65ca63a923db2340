"""Workbooks refused as a whole, or with every bad row and cell located; nothing is ever half applied."""

from __future__ import annotations

import pytest
from openpyxl import Workbook, load_workbook

from lamsach.domain import ErrorCode, LamsachError
from lamsach.review import SOURCE, apply_correction_workbook, export_correction_workbook
from lamsach.review.layout import METADATA_SHEET
from officer_fixtures import edit_workbook, locate

OFFICER = "cán bộ xã"


@pytest.fixture
def exported(world, tmp_path):
    unit = world.busiest_unit()
    return export_correction_workbook(world.store, world.campaign, unit, tmp_path / f"{unit}.xlsx")


def _refused(world, path, unit=None) -> LamsachError:
    with pytest.raises(LamsachError) as caught:
        apply_correction_workbook(world.store, path, OFFICER, expected_unit=unit)
    assert world.store.history(world.campaign, source=SOURCE) == []
    return caught.value


def _refused_group(world, path, unit) -> list[LamsachError]:
    with pytest.raises(ExceptionGroup) as caught:
        apply_correction_workbook(world.store, path, OFFICER, expected_unit=unit)
    assert all(isinstance(e, LamsachError) for e in caught.value.exceptions)
    assert world.store.history(world.campaign, source=SOURCE) == []
    return list(caught.value.exceptions)


def _first_key(path, dataset="land_parcel") -> str:
    return load_workbook(path)[dataset]["A2"].value


def test_another_units_workbook(world, exported):
    other = next(u for u in world.store.run_units(world.run_id) if u != exported.unit)
    error = _refused(world, exported.path, unit=other)
    assert error.code == ErrorCode.REVIEW_WRONG_UNIT
    assert exported.unit in error.message("vi") and other in error.message("en")
    assert error.location.file == exported.path.name


def test_an_edited_key_is_named_with_its_row_and_column(world, exported, tmp_path):
    book = load_workbook(exported.path)
    original = book["land_parcel"]["A3"].value
    book["land_parcel"]["A3"] = "TD99999999"
    book["land_parcel"]["C2"] = "777"  # a good edit elsewhere: still nothing applied
    book.save(tmp_path / "key.xlsx")
    [error] = _refused_group(world, tmp_path / "key.xlsx", exported.unit)
    assert error.code == ErrorCode.REVIEW_KEY_CHANGED
    assert (error.location.sheet, error.location.row, error.location.column) == ("land_parcel", 3, "Mã hồ sơ (A)")
    assert original in error.message("vi") and "TD99999999" in error.message("vi")


def test_a_deleted_row(world, exported, tmp_path):
    book = load_workbook(exported.path)
    gone = book["land_parcel"]["A4"].value
    book["land_parcel"].delete_rows(4)
    book.save(tmp_path / "deleted.xlsx")
    [error] = _refused_group(world, tmp_path / "deleted.xlsx", exported.unit)
    assert error.code == ErrorCode.REVIEW_ROW_REMOVED and gone in error.message("vi")
    assert (error.location.sheet, error.location.row) == ("land_parcel", 4)


def test_an_added_row_and_a_copied_row(world, exported, tmp_path):
    book = load_workbook(exported.path)
    sheet = book["land_parcel"]
    first = [c.value for c in sheet[2]]
    sheet.append(["TD77777777", *first[1:]])
    sheet.append(first)
    book.save(tmp_path / "added.xlsx")
    errors = _refused_group(world, tmp_path / "added.xlsx", exported.unit)
    assert [e.code for e in errors] == [ErrorCode.REVIEW_ROW_ADDED, ErrorCode.REVIEW_KEY_DUPLICATE]
    assert errors[1].params["first_row"] == 2 and errors[1].location.row == sheet.max_row


def test_a_renamed_column(world, exported, tmp_path):
    book = load_workbook(exported.path)
    book["land_parcel"]["E1"] = "Diện tích"
    book.save(tmp_path / "header.xlsx")
    [error] = _refused_group(world, tmp_path / "header.xlsx", exported.unit)
    assert error.code == ErrorCode.REVIEW_HEADER_CHANGED
    assert (error.location.row, error.location.column) == (1, "Diện tích (m2) (E)")


def test_a_workbook_of_an_older_round_is_not_refused_for_it(world, exported, tmp_path):
    """Another pass since the export (any unit's upload starts one) leaves the workbook valid:
    its cells whose values did not change since are applied."""
    key = _first_key(exported.path)
    edit_workbook(exported.path, tmp_path / "late.xlsx", {("land_parcel", key, "map_sheet"): "12"})
    again = world.rerun()
    assert again.run_id != world.run_id
    result = apply_correction_workbook(world.store, tmp_path / "late.xlsx", OFFICER, expected_unit=exported.unit)
    assert result.applied == 1 and result.skipped == [] and result.round == world.run_id
    assert world.store.record(world.campaign, "land_parcel", key).data["map_sheet"] == "12"


def test_three_bad_cells_are_all_reported_and_nothing_changes(world, exported, tmp_path):
    book = load_workbook(exported.path)
    land = book["land_parcel"]
    key = land["A7"].value
    bad = {("land_parcel", key, "area_m2"): "hai trăm",
           ("land_parcel", land["A3"].value, "owner_id"): "38123",
           ("land_parcel", land["A5"].value, "updated_at"): "31/02/2026",
           ("land_parcel", land["A4"].value, "map_sheet"): "15"}  # good
    sheet, sex_key = next((name, book[name]["A2"].value) for name in ("population", "birth") if name in book.sheetnames)
    field = "sex" if sheet == "population" else "child_sex"
    bad[(sheet, sex_key, field)] = "Không rõ"
    before = {k: world.store.record(world.campaign, k[0], k[1]).data.get(k[2]) for k in bad}
    cells = edit_workbook(exported.path, tmp_path / "bad.xlsx", bad)
    errors = _refused_group(world, tmp_path / "bad.xlsx", exported.unit)
    assert {(e.code, e.location.sheet, e.location.row, e.location.column) for e in errors} == {
        (ErrorCode.REVIEW_CELL_NOT_NUMBER, "land_parcel", 7, "Diện tích (m2) (E)"),
        (ErrorCode.REVIEW_CELL_ID_INVALID, "land_parcel", 3, "Số giấy tờ tùy thân (J)"),
        (ErrorCode.REVIEW_CELL_NOT_DATE, "land_parcel", 5, "Ngày cập nhật (M)"),
        (ErrorCode.REVIEW_CELL_SEX_INVALID, sheet, int(cells[(sheet, sex_key, field)][1:]),
         f"Giới tính ({cells[(sheet, sex_key, field)][0]})"),
    }
    assert all(e.location.file == "bad.xlsx" for e in errors)
    assert "dòng 7, cột Diện tích (m2) (E)" in errors[[e.location.row for e in errors].index(7)].message("vi")
    assert {k: world.store.record(world.campaign, k[0], k[1]).data.get(k[2]) for k in bad} == before


def test_a_random_workbook_without_metadata(world, tmp_path):
    book = Workbook()
    book.active.append(["Mã hồ sơ", "Diện tích (m2)"])
    book.active.append(["TD00000001", 120])
    book.save(tmp_path / "random.xlsx")
    error = _refused(world, tmp_path / "random.xlsx")
    assert error.code == ErrorCode.REVIEW_NOT_CORRECTION_WORKBOOK and "random.xlsx" in error.message("vi")


def test_a_corrupt_file_and_a_missing_one(world, tmp_path):
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    assert _refused(world, tmp_path / "broken.xlsx").code == ErrorCode.REVIEW_WORKBOOK_CORRUPT
    assert _refused(world, tmp_path / "absent.xlsx").code == ErrorCode.REVIEW_FILE_NOT_FOUND


def test_tampered_metadata(world, exported, tmp_path):
    book = load_workbook(exported.path)
    meta = book[METADATA_SHEET]
    row = next(r for r in range(1, meta.max_row + 1) if meta.cell(r, 1).value == "land_parcel")
    meta.cell(row, 3).value = meta.cell(row, 3).value.replace("0", "1", 1)
    book.save(tmp_path / "tampered.xlsx")
    error = _refused(world, tmp_path / "tampered.xlsx", exported.unit)
    assert error.code == ErrorCode.REVIEW_METADATA_INVALID and error.location.sheet == METADATA_SHEET


def test_a_cleared_cell_is_an_edit_not_an_error(world, exported, tmp_path):
    book = load_workbook(exported.path)
    cell = locate(book["land_parcel"], "land_parcel", book["land_parcel"]["A2"].value, "certificate_serial")
    key = book["land_parcel"]["A2"].value
    book["land_parcel"][cell] = None
    book.save(tmp_path / "cleared.xlsx")
    result = apply_correction_workbook(world.store, tmp_path / "cleared.xlsx", OFFICER, exported.unit)
    assert result.applied == 1
    assert world.store.record(world.campaign, "land_parcel", key).data["certificate_serial"] is None


def test_a_formula_is_refused_cell_by_cell_and_erases_nothing(world, exported, tmp_path):
    """A formula's cached value may be missing (a tool that does not compute it): the value it
    replaced was erased. Each formula cell is named; nothing is applied."""
    book = load_workbook(exported.path)
    land = book["land_parcel"]
    first, second = land["A2"].value, land["A3"].value
    edit_workbook(exported.path, tmp_path / "formula.xlsx", {
        ("land_parcel", first, "map_sheet"): "=B3",
        ("land_parcel", second, "map_sheet"): '=CONCATENATE("1","2")',
        ("land_parcel", land["A4"].value, "map_sheet"): "15"})
    before = world.store.record(world.campaign, "land_parcel", first).data["map_sheet"]
    errors = _refused_group(world, tmp_path / "formula.xlsx", exported.unit)
    assert [e.code for e in errors] == [ErrorCode.REVIEW_CELL_FORMULA] * 2
    assert [e.location.row for e in errors] == [2, 3] and "=B3" in errors[0].message("vi")
    assert world.store.record(world.campaign, "land_parcel", first).data["map_sheet"] == before
