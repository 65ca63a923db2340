"""Workbooks: cell types as text, several sheets, a named sheet, hidden sheets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from ingest_fixtures import LAND_HEADER, assert_reconciles, land_rows, read, write_ods, write_xlsx

from lamsach.domain import ErrorCode, LamsachError
from lamsach.ingest.xlsx_reader import cell_text

TITLE = ["DANH SÁCH THỬA ĐẤT VÀ NGƯỜI SỬ DỤNG ĐẤT - XÃ HẬU LỘC"]


def land(tmp_path: Path, sheets: dict[str, list[list]], **kwargs) -> Path:
    return write_xlsx(tmp_path / "16012.xlsx", sheets, **kwargs)


def test_excel_types_become_the_text_the_clerk_meant(tmp_path: Path) -> None:
    rows = land_rows(seed=20, count=3)
    rows[0][LAND_HEADER.index("Ngày cập nhật")] = dt.date(2026, 10, 10)
    rows[1][LAND_HEADER.index("Ngày cập nhật")] = dt.datetime(2026, 8, 6, 14, 30)
    rows[2][LAND_HEADER.index("Ngày cập nhật")] = "06/08/2026"
    rows[0][LAND_HEADER.index("Số giấy tờ tùy thân")] = 38078451567
    rows[1][LAND_HEADER.index("Số giấy tờ tùy thân")] = "038078451567"
    rows[0][LAND_HEADER.index("Diện tích (m2)")] = 123.5
    rows[1][LAND_HEADER.index("Diện tích (m2)")] = 250.0
    rows[2][LAND_HEADER.index("Diện tích (m2)")] = 0.1 + 0.2
    rows[0][LAND_HEADER.index("Năm sinh")] = 1978
    rows[0][LAND_HEADER.index("Địa chỉ thửa đất")] = True
    result = read(land(tmp_path, {"Thua dat": [LAND_HEADER, *rows]}, title_rows=TITLE), "land_parcel")
    first, second, third = result.rows
    assert [first["updated_at"], second["updated_at"], third["updated_at"]] == [
        "2026-10-10", "2026-08-06", "06/08/2026",
    ]  # fmt: skip
    assert first["owner_id"] == "38078451567" and second["owner_id"] == "038078451567"
    # Excel (and XlsxWriter) keep 15 significant digits: 0.1 + 0.2 is stored, and read, as 0.3
    assert [first["area_m2"], second["area_m2"], third["area_m2"]] == ["123.5", "250", "0.3"]
    assert first["owner_birth_year"] == "1978" and first["map_sheet"].isdigit()
    assert first["parcel_address"] == "TRUE"
    assert result.format == "xlsx" and result.encoding is None and result.sheet == "Thua dat"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, None),
        ("", None),
        (1.0, "1"),
        (38078451567.0, "38078451567"),
        (1e20, "100000000000000000000"),
        (123.5, "123.5"),
        (1e-05, "0.00001"),
        (-2.25, "-2.25"),
        (7, "7"),
        (False, "FALSE"),
        (dt.date(1990, 1, 2), "1990-01-02"),
        (dt.datetime(1990, 1, 2, 23, 59), "1990-01-02"),
        (dt.time(13, 5), "13:05:00"),
        (dt.timedelta(hours=26, minutes=3), "26:03:00"),
        ("  text kept  ", "  text kept  "),
    ],
)
def test_cell_text(value: object, text: str | None) -> None:
    assert cell_text(value) == text


def test_rows_of_every_matching_sheet(tmp_path: Path) -> None:
    north = land_rows(seed=21, count=4)
    south = land_rows(seed=22, count=3)
    for i, row in enumerate(south):
        row[1] = f"TDS{i:07d}"
    sheets = {
        "Hướng dẫn": [["Điền mỗi thửa một dòng"], ["Không xóa dòng tiêu đề"]],
        "Thôn Bắc": [LAND_HEADER, *north],
        "Thôn Nam": [LAND_HEADER, *south],
    }
    result = read(land(tmp_path, sheets, title_rows=TITLE), "land_parcel")
    assert result.sheet is None
    assert result.sheets == ["Thôn Bắc"] * 4 + ["Thôn Nam"] * 3
    assert result.row_numbers == [4, 5, 6, 7, 4, 5, 6]
    assert result.rows[4]["record_id"] == "TDS0000000"
    assert_reconciles(result)


def test_a_sheet_of_data_without_its_key_column_is_reported_not_skipped(tmp_path: Path) -> None:
    keyless = [h for h in LAND_HEADER if h != "Mã hồ sơ"]
    rows = [
        [v for h, v in zip(LAND_HEADER, r, strict=True) if h != "Mã hồ sơ"]
        for r in land_rows(seed=35, count=3)
    ]
    sheets = {
        "Thôn Bắc": [LAND_HEADER, *land_rows(seed=36, count=2)],
        "Thôn Nam": [keyless, *rows],
        "Tổng hợp": [["Mã xã", "Diện tích"], ["16012", 1234.5]],
    }
    with pytest.raises(LamsachError) as info:
        read(land(tmp_path, sheets), "land_parcel")
    error = info.value
    assert error.code == ErrorCode.INGEST_REQUIRED_COLUMN_MISSING
    assert error.location.sheet == "Thôn Nam" and error.params["value"] == "Mã hồ sơ"


def test_duplicate_key_across_sheets_names_the_first_sheet(tmp_path: Path) -> None:
    north = land_rows(seed=23, count=2)
    south = land_rows(seed=23, count=1)  # same seed: same first key
    result = read(land(tmp_path, {"A": [LAND_HEADER, *north], "B": [LAND_HEADER, *south]}), "land_parcel")
    (rejection,) = result.rejections
    assert rejection.code == ErrorCode.INGEST_ROW_KEY_DUPLICATE
    assert rejection.sheet == "B" and rejection.row == 2 and rejection.column == "Mã hồ sơ (B)"
    assert "dòng 2 (A)" in rejection.message
    assert_reconciles(result)


def test_sheet_named_in_manifest(tmp_path: Path) -> None:
    sheets = {
        "Cũ": [LAND_HEADER, *land_rows(seed=24, count=5)],
        "Mới": [LAND_HEADER, *land_rows(seed=25, count=2)],
    }
    result = read(land(tmp_path, sheets), "land_parcel", sheet="mới")
    assert result.sheet == "Mới" and len(result.rows) == 2 and result.sheets == ["Mới", "Mới"]


def test_sheet_named_in_manifest_missing(tmp_path: Path) -> None:
    path = land(tmp_path, {"Thua dat": [LAND_HEADER, *land_rows(seed=26, count=1)]})
    with pytest.raises(LamsachError) as info:
        read(path, "land_parcel", sheet="Sheet1")
    error = info.value
    assert error.code == ErrorCode.INGEST_SHEET_NOT_FOUND
    assert "“Sheet1”" in error.message("vi") and "“Thua dat”" in error.message("en")


def test_hidden_sheets_are_not_read_unless_named(tmp_path: Path) -> None:
    sheets = {
        "Dùng": [LAND_HEADER, *land_rows(seed=27, count=2)],
        "Ẩn": [LAND_HEADER, *land_rows(seed=28, count=9)],
    }
    path = land(tmp_path, sheets, hidden=["Ẩn"])
    assert read(path, "land_parcel").sheets == ["Dùng", "Dùng"]
    assert len(read(path, "land_parcel", sheet="Ẩn").rows) == 9


def test_header_without_data_is_empty(tmp_path: Path) -> None:
    path = land(tmp_path, {"Thua dat": [LAND_HEADER]}, title_rows=TITLE)
    with pytest.raises(LamsachError) as info:
        read(path, "land_parcel")
    assert info.value.code == ErrorCode.INGEST_FILE_EMPTY
    assert info.value.location.sheet == "Thua dat"
    assert "trang Thua dat" in info.value.message("vi")


def test_workbook_with_only_empty_sheets_is_empty(tmp_path: Path) -> None:
    with pytest.raises(LamsachError) as info:
        read(land(tmp_path, {"Sheet1": []}), "land_parcel")
    assert info.value.code == ErrorCode.INGEST_FILE_EMPTY


def test_opendocument_spreadsheet(tmp_path: Path) -> None:
    rows = land_rows(seed=29, count=3)
    rows[0][LAND_HEADER.index("Ngày cập nhật")] = dt.date(2026, 10, 10)
    path = write_ods(tmp_path / "16012.ods", "Thửa đất", [["DANH SÁCH"], LAND_HEADER, *rows])
    result = read(path, "land_parcel")
    assert result.format == "ods" and result.sheet == "Thửa đất" and result.header_row == 2
    assert result.rows[0]["updated_at"] == "2026-10-10"
    assert result.rows[0]["owner_id"] == str(rows[0][LAND_HEADER.index("Số giấy tờ tùy thân")])
    assert result.row_numbers == [3, 4, 5]
