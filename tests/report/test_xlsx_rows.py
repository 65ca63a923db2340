"""The findings sheets of report.xlsx, written as rows of sheet XML built by the engine, are the
sheets XlsxWriter writes cell by cell — byte for byte — whatever the values hold: XML's special
characters, line breaks, control characters, XlsxWriter's own `_xHHHH_` escapes, white space at
either end, rich-string look-alikes, Vietnamese text, empty and missing values, text too long for
a cell; and they read back in Excel's terms (openpyxl) as the values written."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pyarrow as pa
import xlsxwriter

from lamsach.backends.engine import DuckDBEngine
from lamsach.report.xlsx_findings import (
    ALL_COLUMNS,
    UNIT_COLUMNS,
    FindingSheets,
    findings_sql,
    stream_findings,
    words_table,
)
from lamsach.report.xlsx_sheets import plan_sheets

AWKWARD = ["a & b <c> \"q\" 'x'", "dòng 1\ndòng 2", " đầu có khoảng trắng", "cuối có khoảng trắng ",
           "tab\tgiữa", "ký tự điều khiển\x01\x1f", "_x0041_ như mã thoát", "<r>giống rich string</r>",
           "\u00a0khoảng trắng không ngắt", "khoảng trắng toàn chiều\u3000", "xuống dòng\r\n", "x" * 40_000,
           "Nguyễn Thị Thủy", "=1+1", "http://example.vn", "12345", ""]
PLAIN_VALUES = {"a & b <c> \"q\" 'x'", "dòng 1\ndòng 2", "tab\tgiữa", "Nguyễn Thị Thủy", "=1+1", "http://example.vn", "12345", "",
                *(f"Thông báo {i}" for i in range(30))}
MAX_ROWS = 5  # four findings a sheet: the parts roll over


def _findings() -> pa.Table:
    rows = []
    for i in range(30):
        odd = AWKWARD[i % len(AWKWARD)]
        rows.append({"dataset": "land_parcel" if i % 3 else "population", "record_id": f"R{i:03d}",
                     "unit": ["16012", "16015", None][i % 3], "field": "owner_name" if i % 2 else "*",
                     "criterion": "correct", "rule": f"rule_{i % 4}", "severity": "error",
                     "status": "open" if i % 5 else "fixed", "message": odd if i % 2 else f"Thông báo {i}",
                     "suggested_value": None if i % 4 == 0 else odd})
    return pa.Table.from_pylist(rows)


def _workbook(path: Path, rows_as_xml: bool) -> None:
    with DuckDBEngine() as engine:
        findings = engine.register("unit_findings", _findings())
        units = ["16012", "16015", ""]
        words = words_table(engine, ["land_parcel", "population"], units)
        book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                               "strings_to_urls": False, "constant_memory": True})
        head = book.add_format({"bold": True, "border": 1})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        taken: set[str] = set()
        counts = {"16012": 10, "16015": 10, "": 10}
        unit_sheets = {u: FindingSheets(book, plan_sheets(u or "Không rõ", counts[u], taken, "({n})", MAX_ROWS),
                                        UNIT_COLUMNS, u, head, wrap) for u in units}
        all_sheets = FindingSheets(book, plan_sheets("Tất cả", 30, taken, "({n})", MAX_ROWS), ALL_COLUMNS, "Tất cả",
                                   head, wrap)
        stream_findings(engine, findings, words, unit_sheets, all_sheets, rows_as_xml=rows_as_xml)
        book.close()


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"}


def test_rows_built_by_the_engine_are_the_sheets_xlsxwriter_writes(tmp_path):
    _workbook(tmp_path / "rows.xlsx", rows_as_xml=True)
    _workbook(tmp_path / "cells.xlsx", rows_as_xml=False)
    rows, cells = _parts(tmp_path / "rows.xlsx"), _parts(tmp_path / "cells.xlsx")
    assert sorted(rows) == sorted(cells)
    sheets = [name for name in rows if name.startswith("xl/worksheets/")]
    assert len(sheets) == 3 * 3 + 8  # each unit's ten findings on three sheets, all thirty on eight
    for name in rows:
        assert rows[name] == cells[name], name


def test_the_engine_builds_the_rows_of_plain_values_and_leaves_the_others_to_xlsxwriter():
    with DuckDBEngine() as engine:
        findings = engine.register("unit_findings", _findings())
        words = words_table(engine, ["land_parcel", "population"], ["16012", "16015", ""])
        built = engine.rows(f"SELECT i_all, unit_xml IS NOT NULL AS xml, message, suggested_value FROM ("
                            f"{findings_sql(engine.dialect, findings, words, MAX_ROWS - 1, {7: 1}, {9: 1})})")
    plain = [row for row in _findings().to_pylist()
             if all((row[c] or "") in PLAIN_VALUES for c in ("message", "suggested_value"))]
    assert 0 < len(plain) < 30
    assert sum(r["xml"] for r in built) == len(plain)
    assert all(r["message"] is None for r in built if r["xml"])  # values are sent only for rows written cell by cell


def test_the_sheets_read_back_as_the_findings_written(tmp_path):
    _workbook(tmp_path / "rows.xlsx", rows_as_xml=True)
    book = openpyxl.load_workbook(tmp_path / "rows.xlsx", read_only=True)
    sheets = [name for name in book.sheetnames if name.startswith("Tất cả")]
    read = [row for name in sheets for row in book[name].iter_rows(min_row=2, values_only=True)]
    assert len(read) == 30
    messages = {r[ALL_COLUMNS.index("message")] for r in read}
    suggested = {r[ALL_COLUMNS.index("suggested_value")] for r in read}
    assert "a & b <c> \"q\" 'x'" in messages | suggested
    assert " đầu có khoảng trắng" in messages | suggested
    assert "Nguyễn Thị Thủy" in messages | suggested
    assert "=1+1" in messages | suggested and "12345" in messages | suggested  # text, not a formula or number
    assert "x" * 32_767 in messages | suggested  # Excel's longest cell
