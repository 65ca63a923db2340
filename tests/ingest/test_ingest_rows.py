"""Row checks: every row read is stored or rejected with its reason and place; counts reconcile."""

from __future__ import annotations

import random
from pathlib import Path

from ingest_fixtures import (
    LAND_HEADER,
    POPULATION_HEADER,
    assert_reconciles,
    csv_bytes,
    land_rows,
    person_rows,
    read,
    write_xlsx,
)

from lamsach.domain import ErrorCode


def write_csv(tmp_path: Path, rows: list[list[str]], header: list[str] = POPULATION_HEADER) -> Path:
    path = tmp_path / "population.csv"
    path.write_bytes(csv_bytes(header, rows))
    return path


def test_duplicate_keys_rejected_with_both_row_numbers(tmp_path: Path) -> None:
    rows = person_rows(seed=40, count=6)
    rows[4][0] = rows[1][0]
    rows[5][0] = f"  {rows[1][0]} "  # spacing does not make a key new
    result = read(write_csv(tmp_path, rows), "population")
    assert [r["record_id"] for r in result.rows] == [rows[i][0] for i in range(4)]
    assert [(r.code, r.row) for r in result.rejections] == [
        (ErrorCode.INGEST_ROW_KEY_DUPLICATE, 6),
        (ErrorCode.INGEST_ROW_KEY_DUPLICATE, 7),
    ]
    first = result.rejections[0]
    assert first.file == str(tmp_path / "population.csv") and first.sheet is None
    assert first.column == "Mã hồ sơ (A)"
    assert f"mã hồ sơ “{rows[1][0]}” đã có ở dòng 3" in first.message
    assert first.message.startswith(f"Tệp {tmp_path / 'population.csv'}, dòng 6, cột Mã hồ sơ (A): ")
    assert_reconciles(result)


def test_missing_key_rejected(tmp_path: Path) -> None:
    rows = person_rows(seed=41, count=3)
    rows[1][0] = "   "
    result = read(write_csv(tmp_path, rows), "population")
    (rejection,) = result.rejections
    assert rejection.code == ErrorCode.INGEST_ROW_KEY_MISSING and rejection.row == 3
    assert rejection.column == "Mã hồ sơ (A)"
    assert result.rows_read == 3 and len(result.rows) == 2


def test_more_cells_than_headers_rejected(tmp_path: Path) -> None:
    rows = person_rows(seed=42, count=3)
    rows[2] = [*rows[2], "", "thừa 1", "thừa 2"]
    rows[0] = [*rows[0], "", ""]  # trailing empty cells are harmless
    result = read(write_csv(tmp_path, rows), "population")
    (rejection,) = result.rejections
    assert rejection.code == ErrorCode.INGEST_ROW_TOO_LONG
    assert rejection.row == 4 and rejection.column == "N"
    assert "dòng có 15 ô nhưng tiêu đề chỉ có 12 cột" in rejection.message
    assert "thừa 1 | thừa 2" in rejection.message
    assert len(result.rows) == 2


def test_short_rows_fill_none(tmp_path: Path) -> None:
    rows = person_rows(seed=43, count=2)
    rows[1] = rows[1][:6]
    result = read(write_csv(tmp_path, rows), "population")
    assert result.rows[1]["address"] is None and result.rows[1]["updated_at"] is None
    assert not result.rejections


def test_column_numbers_row_and_blank_rows_are_not_data(tmp_path: Path) -> None:
    numbers = [f"({i})" for i in range(1, len(LAND_HEADER) + 1)]
    rows = land_rows(seed=44, count=5)
    sheet = [LAND_HEADER, numbers, rows[0], [], rows[1], [None, None], rows[2], rows[3], rows[4]]
    result = read(write_xlsx(tmp_path / "l.xlsx", {"S": sheet}, title_rows=["DANH SÁCH"]), "land_parcel")
    assert result.rows_read == 5
    assert result.row_numbers == [5, 7, 9, 10, 11]
    assert_reconciles(result)


def test_data_under_a_column_without_header_is_listed(tmp_path: Path) -> None:
    header = [*POPULATION_HEADER[:6], "", "Mã hộ"]
    rows = [[*r[:6], "ghi chú tay", r[7]] for r in person_rows(seed=45, count=2)]
    result = read(write_csv(tmp_path, rows, header), "population")
    assert result.ignored_columns == ["[G]"]
    assert result.rows[0]["household_id"] == rows[0][7]


def test_rows_read_reconciles_on_a_messy_file(tmp_path: Path) -> None:
    rng = random.Random(46)
    rows = person_rows(seed=46, count=300)
    blanks = 0
    expected_rejections = 0
    for row in rows[1:]:  # the first row keeps the key the duplicates copy
        roll = rng.random()
        if roll < 0.05:
            row[0] = ""
            expected_rejections += 1
        elif roll < 0.10:
            row[0] = rows[0][0]
            expected_rejections += 1
        elif roll < 0.13:
            row.extend(["", "x"])
            expected_rejections += 1
        elif roll < 0.18:
            row[:] = [""] * len(row)
            blanks += 1
    result = read(write_csv(tmp_path, rows), "population")
    assert result.rows_read == 300 - blanks
    assert_reconciles(result)
    assert len(result.rejections) == expected_rejections
    assert all(r.row >= 3 and r.message for r in result.rejections)
    seen = result.row_numbers + [r.row for r in result.rejections]
    assert len(seen) == len(set(seen))  # each row is stored or rejected, never both
