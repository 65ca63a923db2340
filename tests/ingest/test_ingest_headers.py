"""Header matching: folding, title rows, STT, the manifest's mapping, missing and duplicate columns."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter
from ingest_fixtures import (
    LAND_HEADER,
    POPULATION_HEADER,
    csv_bytes,
    land_rows,
    person_rows,
    read,
    write_xlsx,
)

from lamsach.domain import ErrorCode, LamsachError
from lamsach.ingest import fold


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Mã hồ sơ", "mahoso"),
        ("  MÃ HỒ SƠ: ", "mahoso"),
        ("Ma-ho-so", "mahoso"),
        ("Số định danh\ncá nhân", "sodinhdanhcanhan"),
        ("ĐỊA CHỈ", "diachi"),
        ("Diện tích (m²)", "dientichm2"),
        ("Tên người sử dụng đất", "tennguoisudungdat"),
    ],
)
def test_fold_ignores_accents_case_spacing_punctuation(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_title_rows_merged_title_and_stt_column(tmp_path: Path) -> None:
    rows = land_rows(seed=1, count=12)
    path = write_xlsx(
        tmp_path / "land.xlsx",
        {"Thua dat": [LAND_HEADER, *rows]},
        title_rows=["DANH SÁCH THỬA ĐẤT VÀ NGƯỜI SỬ DỤNG ĐẤT", "(Trích xuất ngày 20/11/2026)"],
    )
    result = read(path, "land_parcel")
    assert result.header_row == 4
    assert result.row_numbers == list(range(5, 17))
    assert result.ignored_columns == ["STT"]
    assert "STT" not in result.column_map
    assert result.column_map["Tên người sử dụng đất"] == "owner_name"
    assert result.rows[0]["record_id"] == "TD00000001"
    assert result.rows_read == 12 and not result.rejections


def test_headers_matched_in_any_spelling(tmp_path: Path) -> None:
    header = ["MÃ HỒ SƠ", "so dinh danh ca nhan", "Họ  tên:", "Ngày, tháng, năm sinh", "GIỚI TÍNH", "Mã ĐVHC"]
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(header, [r[:6] for r in person_rows(seed=2, count=3)]))
    result = read(path, "population")
    assert result.column_map == {
        "MÃ HỒ SƠ": "record_id",
        "so dinh danh ca nhan": "citizen_id",
        "Họ  tên:": "full_name",
        "Ngày, tháng, năm sinh": "date_of_birth",
        "GIỚI TÍNH": "sex",
        "Mã ĐVHC": "commune_code",
    }
    # every schema field is a key; the absent ones are None
    assert result.rows[0]["address"] is None and result.rows[0]["status"] is None
    assert set(result.rows[0]) == set(result.rows[1]) and len(result.rows[0]) == 12


def test_unknown_columns_ignored_and_listed(tmp_path: Path) -> None:
    header = [*POPULATION_HEADER, "Ghi chú", "Người nhập"]
    rows = [[*r, "x", "y"] for r in person_rows(seed=3, count=4)]
    path = tmp_path / "p.csv"
    path.write_bytes(csv_bytes(header, rows))
    result = read(path, "population")
    assert result.ignored_columns == ["Ghi chú", "Người nhập"]
    assert len(result.rows) == 4


def test_manifest_mapping_overrides_aliases(tmp_path: Path) -> None:
    header = list(LAND_HEADER)
    header[header.index("Tên người sử dụng đất")] = "Họ tên chủ"
    # "Địa chỉ thường trú" is an alias of owner_address; the manifest says it is the parcel's address
    header[header.index("Địa chỉ thửa đất")] = "Địa chỉ thường trú"
    header[header.index("Địa chỉ người sử dụng")] = "Nơi ở của chủ"
    path = write_xlsx(tmp_path / "l.xlsx", {"S": [header, *land_rows(seed=4, count=5)]})
    columns = {
        "họ tên CHỦ": "owner_name",
        "Địa chỉ thường trú": "parcel_address",
        "Nơi ở của chủ": "owner_address",
    }
    result = read(path, "land_parcel", columns=columns)
    assert result.column_map["Họ tên chủ"] == "owner_name"
    assert result.column_map["Địa chỉ thường trú"] == "parcel_address"
    assert result.column_map["Nơi ở của chủ"] == "owner_address"
    assert result.rows[0]["owner_name"]


def test_manifest_mapping_wins_over_an_alias_column_and_null_ignores(tmp_path: Path) -> None:
    header = [*POPULATION_HEADER, "Số CCCD mới"]
    rows = [[*r, f"001{i:09d}"] for i, r in enumerate(person_rows(seed=5, count=3))]
    path = tmp_path / "p.csv"
    path.write_bytes(csv_bytes(header, rows))
    result = read(path, "population", columns={"Số CCCD mới": "citizen_id", "Nơi thường trú": None})
    assert result.column_map["Số CCCD mới"] == "citizen_id"
    assert "Số định danh cá nhân" in result.ignored_columns and "Nơi thường trú" in result.ignored_columns
    assert result.rows[1]["citizen_id"] == "001000000001"
    assert result.rows[1]["address"] is None


def test_missing_required_column_lists_found_and_closest(tmp_path: Path) -> None:
    header = [h if h != "Họ và tên" else "Ho va ten cong dan" for h in POPULATION_HEADER]
    path = tmp_path / "p.csv"
    path.write_bytes(csv_bytes(header, person_rows(seed=6, count=2)))
    with pytest.raises(LamsachError) as info:
        read(path, "population")
    error = info.value
    assert error.code == ErrorCode.INGEST_REQUIRED_COLUMN_MISSING
    assert error.location.file == str(path) and error.location.row == 1
    assert error.params["value"] == "Họ và tên"
    assert "“Ho va ten cong dan”" in error.params["found"]
    assert "“Ho va ten cong dan” →" in error.params["closest"]
    assert "thiếu cột bắt buộc “Họ và tên”" in error.message("vi")
    assert "required column “Họ và tên”" in error.message("en")


def test_several_missing_columns_reported_together(tmp_path: Path) -> None:
    header = ["Mã hồ sơ", "Họ và tên", "Ghi chú"]
    path = tmp_path / "p.csv"
    path.write_bytes(csv_bytes(header, [["DC1", "An", ""]]))
    with pytest.raises(ExceptionGroup) as info:
        read(path, "population")
    missing = [e.params["value"] for e in info.value.exceptions]
    assert missing == ["Số định danh cá nhân", "Ngày sinh", "Giới tính", "Mã xã"]


def test_missing_key_column_is_named(tmp_path: Path) -> None:
    header = POPULATION_HEADER[1:]
    path = tmp_path / "p.csv"
    path.write_bytes(csv_bytes(header, [r[1:] for r in person_rows(seed=7, count=2)]))
    with pytest.raises(LamsachError) as info:
        read(path, "population")
    assert info.value.code == ErrorCode.INGEST_REQUIRED_COLUMN_MISSING
    assert info.value.params["value"] == "Mã hồ sơ"


def test_two_columns_for_one_field(tmp_path: Path) -> None:
    header = [*POPULATION_HEADER, "Số CCCD"]
    path = tmp_path / "p.csv"
    path.write_bytes(csv_bytes(header, [[*r, "1"] for r in person_rows(seed=8, count=2)]))
    with pytest.raises(LamsachError) as info:
        read(path, "population")
    error = info.value
    assert error.code == ErrorCode.INGEST_COLUMN_DUPLICATE
    assert error.params["value"] == "citizen_id"
    assert "Số định danh cá nhân (B)" in error.params["found"] and "Số CCCD (M)" in error.params["found"]


def test_no_header_anywhere(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "x.xlsx", {"Trang 1": [["Tỉnh", "Huyện"], ["Thanh Hóa", "Hậu Lộc"]]})
    with pytest.raises(LamsachError) as info:
        read(path, "land_parcel")
    error = info.value
    assert error.code == ErrorCode.INGEST_HEADER_MISSING
    assert error.location.sheet == "Trang 1"
    assert "“Tỉnh”, “Huyện”" in error.message("vi")
    assert "30" in error.message("en")


def test_two_row_header_with_vertically_merged_cells(tmp_path: Path) -> None:
    path = tmp_path / "two.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("DS")
    sheet.merge_range("A1:H1", "DANH SÁCH THỬA ĐẤT")
    for col, text in enumerate(["STT", "Mã hồ sơ", "Mã xã", "Số tờ bản đồ", "Số thửa", "Diện tích", "MĐSD"]):
        sheet.merge_range(2, col, 3, col, text)
    sheet.merge_range("H3:I3", "Người sử dụng đất")
    sheet.write_row("H4", ["Họ tên chủ sử dụng", "Số CCCD"])
    sheet.write_row("A5", ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)", "(9)"])
    sheet.write_row("A6", [1, "TD1", "16012", 3, 45, 120.5, "ONT", "Lê Văn An", "038080000001"])
    workbook.close()
    result = read(path, "land_parcel")
    assert result.header_row == 4
    assert result.column_map["Mã hồ sơ"] == "record_id" and result.column_map["Số CCCD"] == "owner_id"
    assert result.rows_read == 1 and result.row_numbers == [6]
    assert result.rows[0]["area_m2"] == "120.5" and result.rows[0]["owner_name"] == "Lê Văn An"


@pytest.mark.parametrize("stt", ["STT", "Số thứ tự", "S.T.T", "TT", "Số TT"])
def test_row_number_column_spellings_are_ignored(tmp_path: Path, stt: str) -> None:
    path = tmp_path / "p.csv"
    rows = [[str(i), *r] for i, r in enumerate(person_rows(seed=9, count=3), start=1)]
    path.write_bytes(csv_bytes([stt, *POPULATION_HEADER], rows))
    result = read(path, "population")
    assert result.ignored_columns == [stt]
    assert result.rows[2]["record_id"] == rows[2][1]
