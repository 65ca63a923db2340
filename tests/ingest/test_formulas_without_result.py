"""Formula cells whose result was never saved (workbooks written by openpyxl and other tools) are
reported with their file, sheet and cell — their rows refused — never read as empty cells."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from lamsach.data import load_schema
from lamsach.domain import ErrorCode, SourceSpec
from lamsach.ingest import read_source

HEADER = ["Mã hồ sơ", "Mã xã", "Số tờ bản đồ", "Số thửa", "Chiều dài", "Chiều rộng", "Diện tích (m2)",
          "Mục đích sử dụng", "Tên người sử dụng đất", "Số giấy tờ tùy thân", "Ghi chú"]


def workbook(path: Path, formulas: bool) -> Path:
    """Parcels whose area (G) and, on row 3, owner ID (J) are formulas; K is a note column not read."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Thửa đất"
    sheet.append(HEADER)
    for n in range(1, 5):
        r = n + 1
        area = f"=E{r}*F{r}" if formulas and n != 4 else 200.0
        owner = '="0380"&"78000001"' if formulas and n == 2 else "038078000001"
        sheet.append([f"TD{n:03d}", "16012", 3, n, 20, 10, area, "ONT", "Lê Văn An", owner, f"=A{r}"])
    book.save(path)
    return path


def read(path: Path):
    return read_source(SourceSpec(path=path, dataset="land_parcel"), load_schema("land_parcel"), lang="en")


def test_rows_with_formulas_without_result_are_refused_naming_the_cells(tmp_path):
    result = read(workbook(tmp_path / "16012.xlsx", formulas=True))
    assert result.rows_read == 4 == len(result.rows) + len(result.rejections)
    assert [r["record_id"] for r in result.rows] == ["TD004"]
    assert result.rows[0]["area_m2"] == "200"
    codes = {r.code for r in result.rejections}
    assert codes == {ErrorCode.INGEST_FORMULA_WITHOUT_RESULT.value}
    by_row = {r.row: r for r in result.rejections}
    assert sorted(by_row) == [2, 3, 4]
    assert by_row[2].sheet == "Thửa đất" and "G2" in by_row[2].message and "E2*F2" in by_row[2].message
    assert "G3" in by_row[3].message and "J3" in by_row[3].message
    assert "16012.xlsx" in by_row[3].message and "Thửa đất" in by_row[3].message
    assert "K2" not in by_row[2].message  # the note column is not read: its formula does not matter


def test_the_same_values_typed_in_are_read(tmp_path):
    result = read(workbook(tmp_path / "16012.xlsx", formulas=False))
    assert result.rejections == []
    assert {r["area_m2"] for r in result.rows} == {"200"}


def test_a_row_whose_only_cells_are_formulas_without_result_is_counted(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["TD001", "16012", 3, 1, 20, 10, 200, "ONT", "Lê Văn An", "038078000001"])
    sheet["A3"], sheet["G3"] = '="TD"&"002"', "=E2*F2"
    book.save(tmp_path / "f.xlsx")
    result = read(tmp_path / "f.xlsx")
    assert result.rows_read == 2 and len(result.rows) == 1
    assert "A3" in result.rejections[0].message and "G3" in result.rejections[0].message


def test_an_excel_error_value_is_refused_not_read_as_empty(tmp_path):
    """#N/A, what a failed lookup leaves in an export made in Excel, was read as an empty cell."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["TD001", "16012", 3, 1, 20, 10, "#N/A", "ONT", "Lê Văn An", "038078000001"])
    sheet.append(["TD002", "16012", 3, 2, 20, 10, 200, "ONT", "Lê Văn An", "038078000001", "#DIV/0!"])
    book.save(tmp_path / "e.xlsx")
    result = read(tmp_path / "e.xlsx")
    assert [r["record_id"] for r in result.rows] == ["TD002"]  # the note column is not read
    [rejection] = result.rejections
    assert rejection.code == ErrorCode.INGEST_CELL_ERROR_VALUE.value
    assert rejection.row == 2 and "G2" in rejection.message and "#N/A" in rejection.message


def _ods(path: Path, rows: list[str]) -> Path:
    """An OpenDocument spreadsheet written as a script or another tool writes one (cells as XML)."""
    import zipfile

    header = "".join(f'<table:table-cell office:value-type="string"><text:p>{h}</text:p></table:table-cell>'
                     for h in HEADER[:10])
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
               'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" '
               'office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Thửa đất">'
               f'<table:table-row>{header}</table:table-row>'
               + "".join(f"<table:table-row>{r}</table:table-row>" for r in rows)
               + "</table:table></office:spreadsheet></office:body></office:document-content>")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry '
            'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '</manifest:manifest>'))
    return path


def _cells(*values: str) -> str:
    return "".join(v if v.startswith("<") else
                   f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
                   for v in values)


def test_an_ods_formula_without_result_and_an_error_result_are_refused_naming_the_cells(tmp_path):
    """An .ods stores a formula's result only when the tool that wrote it computed one; an error
    result is text the reader drops. Both read as empty cells before."""
    no_result = '<table:table-cell table:formula="of:=[.E2]*[.F2]"/>'
    error = ('<table:table-cell table:number-columns-repeated="2" office:value-type="string" '
             'table:formula="of:=1/0" calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>')
    repeated_blank = '<table:table-cell table:number-columns-repeated="2"/>'
    path = _ods(tmp_path / "16012.ods", [
        _cells("TD001", "16012", "3", "1", "20", "10", no_result, "ONT", "Lê Văn An", "038078000001"),
        _cells("TD002", "16012", "3", "2", repeated_blank, error, "Lê Văn An", "038078000001"),
        _cells("TD003", "16012", "3", "3", "20", "10", "200", "ONT", "Lê Văn An", "038078000001"),
    ])
    result = read(path)
    assert result.rows_read == 3 and [r["record_id"] for r in result.rows] == ["TD003"]
    by_row = {r.row: r for r in result.rejections}
    assert by_row[2].code == ErrorCode.INGEST_FORMULA_WITHOUT_RESULT.value
    assert "G2" in by_row[2].message and "16012.ods" in by_row[2].message and by_row[2].sheet == "Thửa đất"
    assert by_row[3].code == ErrorCode.INGEST_CELL_ERROR_VALUE.value
    assert "G3" in by_row[3].message and "#DIV/0!" in by_row[3].message


def test_an_ods_whose_formulas_carry_their_results_is_read(tmp_path):
    computed = ('<table:table-cell table:formula="of:=[.E2]*[.F2]" office:value-type="float" office:value="200">'
                "<text:p>200</text:p></table:table-cell>")
    path = _ods(tmp_path / "16012.ods", [
        _cells("TD001", "16012", "3", "1", "20", "10", computed, "ONT", "Lê Văn An", "038078000001")])
    result = read(path)
    assert result.rejections == [] and result.rows[0]["area_m2"] == "200"


def test_an_xls_error_value_is_refused_not_read_as_empty(tmp_path):
    """A legacy .xls keeps a formula's error result as an error cell, which was read as empty."""
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Thửa đất")
    for column, header in enumerate(HEADER[:10]):
        sheet.write(0, column, header)
    for row, values in enumerate([["TD001", "16012", 3, 1, 20, 10, None, "ONT", "Lê Văn An", "038078000001"],
                                  ["TD002", "16012", 3, 2, 20, 10, 200, "ONT", "Lê Văn An", "038078000001"]], 1):
        for column, value in enumerate(values):
            if value is not None:
                sheet.write(row, column, value)
    sheet.row(1).set_cell_error(6, 0x2A)  # #N/A
    book.save(str(tmp_path / "16012.xls"))
    result = read(tmp_path / "16012.xls")
    assert [r["record_id"] for r in result.rows] == ["TD002"] and result.rows[0]["area_m2"] == "200"
    [rejection] = result.rejections
    assert rejection.code == ErrorCode.INGEST_CELL_ERROR_VALUE.value
    assert rejection.row == 2 and "G2" in rejection.message and "#N/A" in rejection.message
