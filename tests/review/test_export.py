"""The exported workbook, reopened with openpyxl: sheets, highlights, comments, protection, metadata."""

from __future__ import annotations

from datetime import datetime

import pytest
from openpyxl import load_workbook

from lamsach.data import load_schema, workbook_wording
from lamsach.domain import ErrorCode, LamsachError
from lamsach.review import export_correction_workbook
from lamsach.review.actions import RECORD_DECISIONS
from lamsach.review.layout import (
    ERROR_FILL,
    FIRST_DATA_ROW,
    METADATA_SHEET,
    WARNING_FILL,
    action_labels,
    sheet_columns,
)

HIGHLIGHTS = {"FF" + ERROR_FILL[1:], "FF" + WARNING_FILL[1:]}


def _fill(cell) -> str | None:
    return cell.fill.fgColor.rgb if cell.fill is not None and cell.fill.fill_type == "solid" else None


@pytest.fixture
def exported(world, tmp_path):
    unit = world.busiest_unit()
    summary = export_correction_workbook(world.store, world.campaign, unit, tmp_path / f"{unit}.xlsx")
    return summary, load_workbook(summary.path), world.store.unit_findings(world.run_id, unit)


def test_sheets_are_instructions_datasets_and_a_very_hidden_metadata_sheet(exported, world):
    summary, book, findings = exported
    datasets = {f["dataset"] for f in findings}
    assert book.sheetnames[0] == workbook_wording()["sheet_names"]["instructions"] == "Hướng dẫn"
    assert set(book.sheetnames[1:-1]) == datasets and book.sheetnames[-1] == METADATA_SHEET
    assert book[METADATA_SHEET].sheet_state == "veryHidden"
    assert all(book[name].sheet_state == "visible" for name in book.sheetnames[:-1])
    meta = {row[0]: row[1] for row in book[METADATA_SHEET].iter_rows(max_row=9, max_col=2, values_only=True)}
    assert (meta["campaign"], meta["unit"], meta["round"]) == (world.campaign, summary.unit, str(world.run_id))
    assert meta["exported_at"] == summary.exported_at and len(meta["checksum"]) == 64
    assert summary.records == sum(summary.records_by_dataset.values()) > 0
    instructions = " ".join(str(v) for row in book["Hướng dẫn"].iter_rows(values_only=True) for v in row if v)
    assert "Không sửa cột Mã hồ sơ" in instructions and summary.unit in instructions


def test_highlighted_cells_are_exactly_the_cells_with_open_findings(exported):
    _, book, findings = exported
    assert findings and all(f["status"] == "open" for f in findings)
    for dataset in {f["dataset"] for f in findings}:
        schema = load_schema(dataset)
        columns = [c.name for c in sheet_columns(schema)]
        sheet = book[dataset]
        mine = [f for f in findings if f["dataset"] == dataset]
        # a sheet with a duplicate or withdrawn record ends in the action columns
        actions = action_labels() if any(f["rule"] in RECORD_DECISIONS for f in mine) else []
        assert [c.value for c in sheet[1]] == [c.label_vi for c in sheet_columns(schema)] + actions
        expected = {(f["record_key"], f["field"] if f["field"] in columns else schema.key) for f in mine}
        keys = [sheet.cell(r, 1).value for r in range(FIRST_DATA_ROW, sheet.max_row + 1)]
        assert keys == sorted({f["record_key"] for f in mine})
        highlighted = {(sheet.cell(cell.row, 1).value, columns[cell.column - 1])
                       for row in sheet.iter_rows(min_row=FIRST_DATA_ROW) for cell in row if _fill(cell) in HIGHLIGHTS}
        assert highlighted == expected
        for f in mine:
            field = f["field"] if f["field"] in columns else schema.key
            row = FIRST_DATA_ROW + keys.index(f["record_key"])
            comment = sheet.cell(row, columns.index(field) + 1).comment
            assert comment is not None and f["message"] in comment.text
            if f["suggested_value"]:
                assert f"Gợi ý: {f['suggested_value']}" in comment.text
            if f["severity"] == "error":
                assert _fill(sheet.cell(row, columns.index(field) + 1)) == "FF" + ERROR_FILL[1:]


def test_several_findings_on_one_cell_are_all_in_its_comment(exported):
    _, book, findings = exported
    per_cell: dict[tuple[str, str, str], list[dict]] = {}
    for f in findings:
        per_cell.setdefault((f["dataset"], f["record_key"], f["field"]), []).append(f)
    dataset, key, field = next(k for k, v in per_cell.items() if len(v) > 1 and k[2] != "*")
    sheet = book[dataset]
    columns = [c.name for c in sheet_columns(load_schema(dataset))]
    row = next(r for r in range(FIRST_DATA_ROW, sheet.max_row + 1) if sheet.cell(r, 1).value == key)
    text = sheet.cell(row, columns.index(field) + 1).comment.text
    assert all(f["message"] in text for f in per_cell[(dataset, key, field)])


def test_key_column_and_header_locked_every_other_cell_unlocked(exported):
    _, book, findings = exported
    for dataset in {f["dataset"] for f in findings}:
        sheet = book[dataset]
        assert sheet.protection.sheet is True and not sheet.protection.password
        assert sheet.freeze_panes == "B2" and sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
        assert all(cell.protection.locked for cell in sheet[1])
        fields = len(sheet_columns(load_schema(dataset)))
        offered = {f["record_key"] for f in findings if f["dataset"] == dataset and f["rule"] in RECORD_DECISIONS}
        for row in sheet.iter_rows(min_row=FIRST_DATA_ROW):
            assert row[0].protection.locked
            assert not any(cell.protection.locked for cell in row[1:fields])
            # the action columns: open on a duplicate or withdrawn record, locked on the others
            assert all(cell.protection.locked == (row[0].value not in offered) for cell in row[fields:])
        assert sheet.column_dimensions["A"].width > 8


def test_ids_stay_text_and_dates_are_date_cells(exported):
    _, book, _ = exported
    sheet = book["land_parcel"]
    columns = [c.name for c in sheet_columns(load_schema("land_parcel"))]
    ids = [r[columns.index("owner_id")] for r in sheet.iter_rows(min_row=2, values_only=True)]
    dates = [r[columns.index("updated_at")] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert any(isinstance(v, str) and v.startswith("0") and len(v) == 12 for v in ids)
    assert all(v is None or isinstance(v, datetime) for v in dates)
    assert sheet.cell(2, columns.index("updated_at") + 1).number_format == "dd/mm/yyyy"


def test_unknown_unit_and_run_are_refused(world, tmp_path):
    with pytest.raises(LamsachError) as unit:
        export_correction_workbook(world.store, world.campaign, "99999", tmp_path / "x.xlsx")
    assert unit.value.code == ErrorCode.REVIEW_UNIT_UNKNOWN and "99999" in unit.value.message("vi")
    with pytest.raises(LamsachError) as run:
        export_correction_workbook(world.store, world.campaign, world.busiest_unit(), tmp_path / "x.xlsx", 999)
    assert run.value.code == ErrorCode.REVIEW_RUN_NOT_FOUND
    with pytest.raises(LamsachError) as campaign:
        export_correction_workbook(world.store, "không có", "15007", tmp_path / "x.xlsx")
    assert campaign.value.code == ErrorCode.REVIEW_NO_COMPLETE_RUN
