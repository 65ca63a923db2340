"""Merging a duplicate and retiring a record from the correction workbook: the unit chooses in
the "Xử lý" column, the returned file makes the same versioned, reversible changes as the web and
the command line, named with the file and cell they came from; every bad value is refused at its
cell, and nothing is stored until the whole file is right."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from lamsach.domain import LamsachError
from lamsach.domain.lifecycle import STATE_FIELD, in_use
from lamsach.review import SOURCE, apply_correction_workbook, export_correction_workbook

OFFICER = "Lê Thị Xã (cán bộ địa chính)"
SHEET = "land_parcel"
MERGE, RETIRE = "Gộp vào hồ sơ giữ lại", "Ngừng sử dụng"


def _pairs(world) -> dict[str, list[tuple[str, str]]]:
    """unit -> (duplicate, record kept) of its open land duplicates, no record in two pairs."""
    pairs: dict[str, list[tuple[str, str]]] = {}
    used: set[str] = set()
    for f in world.store.findings(world.run_id):
        key, kept = f["record_key"], f["suggested_value"]
        if (f["rule"] == "duplicate_record" and f["status"] == "open" and f["dataset"] == SHEET and kept
                and kept != key and not {key, kept} & used):
            pairs.setdefault(f["unit"], []).append((key, kept))
            used |= {key, kept}
    return pairs


@pytest.fixture
def subject(world):
    """A unit with two duplicate pairs: one to merge, one whose duplicate is retired."""
    unit, pairs = max(_pairs(world).items(), key=lambda item: (len(item[1]), item[0]))
    assert len(pairs) >= 2, "the generated province should give a unit two duplicate pairs"
    return unit, pairs


class Sheet:
    """The returned workbook's dataset sheet, found by header text as an officer would."""

    def __init__(self, path: Path) -> None:
        self.book = load_workbook(path)
        self.sheet = self.book[SHEET]
        self.columns = {c.value: c.column for c in self.sheet[1] if c.value}
        self.rows = {str(self.sheet.cell(r, 1).value): r for r in range(2, self.sheet.max_row + 1)}

    def cell(self, key: str, header: str):
        return self.sheet.cell(self.rows[key], self.columns[header])

    def offered(self) -> set[str]:
        """The cells with the list to choose from (Excel's data validation)."""
        return {rng.coord for v in self.sheet.data_validations.dataValidation if v.type == "list"
                for rng in v.sqref.ranges}

    def where(self, key: str, header: str) -> tuple[int, str]:
        """(row, column as errors name it: header and letter)."""
        cell = self.cell(key, header)
        return cell.row, f"{header} ({cell.column_letter})"

    def save(self, path: Path) -> Path:
        self.book.save(path)
        return path


def _export(world, unit: str, folder: Path) -> Path:
    return export_correction_workbook(world.store, world.campaign, unit, folder / f"sửa lỗi {unit}.xlsx").path


def test_the_action_column_offers_merge_and_retire_only_on_duplicate_and_withdrawn_rows(world, subject, tmp_path):
    unit, pairs = subject
    summary = export_correction_workbook(world.store, world.campaign, unit, tmp_path / "tệp.xlsx")
    sheet = Sheet(summary.path)
    assert summary.actions_by_dataset[SHEET] >= len(pairs)
    assert list(sheet.columns)[-3:] == ["Xử lý", "Gộp vào hồ sơ", "Lý do"]
    (duplicate, kept), _ = pairs[0], pairs[1]
    assert sheet.cell(duplicate, "Gộp vào hồ sơ").value == kept  # the suggestion, filled in
    assert sheet.cell(duplicate, "Xử lý").protection.locked is False
    offered = sheet.offered()
    assert sheet.cell(duplicate, "Xử lý").coordinate in offered
    assert {v.formula1 for v in sheet.sheet.data_validations.dataValidation} == {f'"{MERGE},{RETIRE}"'}
    plain = next(k for k in sheet.rows if k not in {d for p in pairs for d in p}
                 and sheet.cell(k, "Xử lý").coordinate not in offered)
    assert sheet.cell(plain, "Xử lý").protection.locked is True


def test_merge_and_retire_from_the_workbook_are_versioned_named_and_undone(world, subject, tmp_path):
    unit, pairs = subject
    (duplicate, kept), (mistake, _) = pairs[0], pairs[1]
    sheet = Sheet(_export(world, unit, tmp_path))
    sheet.cell(duplicate, "Xử lý").value = MERGE
    sheet.cell(mistake, "Xử lý").value = "ngừng  sử dụng"  # typed, not picked: case and spaces do not matter
    sheet.cell(mistake, "Lý do").value = "Thửa nhập hai lần khi số hóa"
    returned = sheet.save(tmp_path / "đã xử lý.xlsx")
    merge_cell, retire_cell = sheet.cell(duplicate, "Xử lý").coordinate, sheet.cell(mistake, "Xử lý").coordinate
    kept_before = world.store.record(world.campaign, SHEET, kept).data

    result = apply_correction_workbook(world.store, returned, OFFICER, expected_unit=unit)

    assert result.merged == [(SHEET, duplicate, kept)] and result.retired == [(SHEET, mistake)]
    assert result.rerun_needed and result.skipped == []
    assert world.store.record(world.campaign, SHEET, duplicate).data[STATE_FIELD] == f"merged:{kept}"
    assert world.store.record(world.campaign, SHEET, mistake).data[STATE_FIELD] == "retired"
    states = {c.record_key: c for c in world.store.history(world.campaign, SHEET, source=SOURCE)
              if c.field == STATE_FIELD}
    assert set(states) == {duplicate, mistake}
    for key, cell, why in ((duplicate, merge_cell, "Đơn vị xác nhận là hồ sơ trùng"),
                           (mistake, retire_cell, "Thửa nhập hai lần khi số hóa")):
        change = states[key]
        assert change.actor == OFFICER and change.source == "unit workbook"
        assert why in change.reason and "đã xử lý.xlsx" in change.reason and f"ô {cell}" in change.reason
        assert f"trang {SHEET}" in change.reason
    # the kept record's empty values were filled from the duplicate, each its own change
    filled = {c.field for c in world.store.history(world.campaign, SHEET, kept, source=SOURCE)}
    assert all(kept_before.get(f) in (None, "") for f in filled)

    again = apply_correction_workbook(world.store, returned, OFFICER, expected_unit=unit)
    assert (again.applied, again.merged, again.retired, again.skipped) == (0, [], [], [])

    rerun = world.rerun()
    open_keys = {f["record_key"] for f in world.store.unit_findings(rerun.run_id, unit)}
    assert duplicate not in open_keys and mistake not in open_keys

    for key in (mistake, duplicate):
        world.store.undo(world.campaign, states[key].id, "tổ công tác tỉnh", "đơn vị chọn nhầm")
        assert in_use(world.store.record(world.campaign, SHEET, key).data)


CASES = {
    # name: (what the officer does to the sheet, (expected code, key of the row, column header));
    # the sheet's rows: d, e the duplicates of two pairs, o another unit's record, p a row offered nothing
    "unknown choice": (lambda s, d, e, o, p: setattr(s.cell(d, "Xử lý"), "value", "Xóa bỏ"),
                       ("REVIEW_ACTION_UNKNOWN", "dup", "Xử lý")),
    "retire without reason": (lambda s, d, e, o, p: setattr(s.cell(d, "Xử lý"), "value", RETIRE),
                              ("REVIEW_ACTION_REASON_MISSING", "dup", "Lý do")),
    "reason without action": (lambda s, d, e, o, p: setattr(s.cell(d, "Lý do"), "value", "trùng"),
                              ("REVIEW_ACTION_MISSING", "dup", "Lý do")),
    "merge with the kept key erased": (
        lambda s, d, e, o, p: (setattr(s.cell(d, "Xử lý"), "value", MERGE),
                               setattr(s.cell(d, "Gộp vào hồ sơ"), "value", None)),
        ("REVIEW_ACTION_INTO_MISSING", "dup", "Gộp vào hồ sơ")),
    "merge into itself": (
        lambda s, d, e, o, p: (setattr(s.cell(d, "Xử lý"), "value", MERGE),
                               setattr(s.cell(d, "Gộp vào hồ sơ"), "value", d)),
        ("REVIEW_ACTION_INTO_SELF", "dup", "Gộp vào hồ sơ")),
    "merge into a record that does not exist": (
        lambda s, d, e, o, p: (setattr(s.cell(d, "Xử lý"), "value", MERGE),
                               setattr(s.cell(d, "Gộp vào hồ sơ"), "value", "TD-KHONG-CO")),
        ("REVIEW_ACTION_INTO_UNKNOWN", "dup", "Gộp vào hồ sơ")),
    "merge into another unit's record": (
        lambda s, d, e, o, p: (setattr(s.cell(d, "Xử lý"), "value", MERGE),
                               setattr(s.cell(d, "Gộp vào hồ sơ"), "value", o)),
        ("REVIEW_ACTION_INTO_OTHER_UNIT", "dup", "Gộp vào hồ sơ")),
    "merge into a record retired in the same file": (
        lambda s, d, e, o, p: (setattr(s.cell(d, "Xử lý"), "value", MERGE),
                               setattr(s.cell(d, "Gộp vào hồ sơ"), "value", e),
                               setattr(s.cell(e, "Xử lý"), "value", RETIRE),
                               setattr(s.cell(e, "Lý do"), "value", "bỏ")),
        ("REVIEW_ACTION_INTO_LEAVING", "dup", "Gộp vào hồ sơ")),
    "action on a row without a duplicate": (
        lambda s, d, e, o, p: (setattr(s.cell(p, "Xử lý"), "value", RETIRE),
                               setattr(s.cell(p, "Lý do"), "value", "không dùng")),
        ("REVIEW_ACTION_NOT_OFFERED", "plain", "Xử lý")),
    "formula in the action column": (lambda s, d, e, o, p: setattr(s.cell(d, "Xử lý"), "value", '=IF(1,"x","y")'),
                                     ("REVIEW_CELL_FORMULA", "dup", "Xử lý")),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_action_is_refused_at_its_cell_and_nothing_is_stored(world, subject, tmp_path, case):
    unit, pairs = subject
    duplicate, second = pairs[0][0], pairs[1][0]
    keys_of_pairs = {k for pair in pairs for k in pair}
    other = next(f["record_key"] for f in world.store.findings(world.run_id)
                 if f["dataset"] == SHEET and f["unit"] and f["unit"] != unit)
    sheet = Sheet(_export(world, unit, tmp_path))
    offered = sheet.offered()
    plain = next(k for k in sheet.rows if k not in keys_of_pairs and sheet.cell(k, "Xử lý").coordinate not in offered)
    change, (code, row_of, header) = CASES[case]
    change(sheet, duplicate, second, other, plain)
    returned = sheet.save(tmp_path / "trả lại.xlsx")

    with pytest.raises(ExceptionGroup) as refused:
        apply_correction_workbook(world.store, returned, OFFICER, expected_unit=unit)

    errors = refused.value.exceptions
    assert all(isinstance(e, LamsachError) for e in errors)
    assert [e.code.value for e in errors] == [code]
    row, column = sheet.where(duplicate if row_of == "dup" else plain, header)
    location = errors[0].location
    assert (location.file, location.sheet, location.row, location.column) == ("trả lại.xlsx", SHEET, row, column)
    message = errors[0].message("vi")
    assert "trả lại.xlsx" in message and str(row) in message and header in message
    assert world.store.history(world.campaign, source=SOURCE) == []
    assert in_use(world.store.record(world.campaign, SHEET, duplicate).data)
