"""Excel's rules for sheet names and rows, applied to unit names."""

from __future__ import annotations

import pytest

from lamsach.report.xlsx_sheets import EXCEL_MAX_ROWS, plan_sheets, safe_sheet_name


@pytest.mark.parametrize(("base", "expected"), [
    ("15085 Xã Thạch Lập", "15085 Xã Thạch Lập"),
    ("Phòng Tư pháp [cũ]: 2025/26?", "Phòng Tư pháp cũ 2025 26"),
    ("'Sở Tài nguyên'", "Sở Tài nguyên"),
    ("12345 Phường Một Tên Rất Dài Vượt Quá Giới Hạn", "12345 Phường Một Tên Rất Dài Vư"),
    ("***", "_"),
    ("History", "History 2"),
])
def test_names_are_valid(base, expected):
    assert safe_sheet_name(base, set()) == expected


def test_names_are_unique_ignoring_case_and_stay_short():
    taken: set[str] = set()
    long = "12345 Phường Một Tên Rất Dài Vượt Quá Giới Hạn"
    names = [safe_sheet_name(n, taken) for n in ["Tổng hợp", "tổng hợp", long, long, long]]
    assert names[1] == "tổng hợp 2"
    assert names[3].endswith(" 2") and names[4].endswith(" 3")
    assert len({n.casefold() for n in names}) == 5
    assert all(len(n) <= 31 for n in names)


def test_plan_splits_only_past_the_limit():
    assert plan_sheets("Phát hiện", EXCEL_MAX_ROWS - 1, set(), "({n})").names == ["Phát hiện"]
    plan = plan_sheets("Phát hiện", EXCEL_MAX_ROWS, set(), "({n})")
    assert plan.names == ["Phát hiện (1)", "Phát hiện (2)"]
    assert plan.sheet_of(EXCEL_MAX_ROWS - 2) == 0 and plan.sheet_of(EXCEL_MAX_ROWS - 1) == 1
    assert plan_sheets("Trống", 0, set(), "({n})").names == ["Trống"]
