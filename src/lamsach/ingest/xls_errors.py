"""Error values (#DIV/0!, #N/A, #REF!, ...) in a legacy .xls workbook, which the reader reads as
empty cells.

An .xls always stores a formula's result, but when that result is an error calamine returns an
empty cell, so a failed lookup in an old export would pass as a missing value. xlrd reads the
binary format's cell types and names each error; ingest refuses those rows naming the cell, as it
does for .xlsx and .ods.
"""

from __future__ import annotations

import xlrd

from lamsach.ingest.xlsx_formulas import HiddenCells


def hidden_cells_xls(content: bytes, sheets: list[str]) -> dict[str, HiddenCells]:
    """Per sheet among `sheets`, its cells holding an error value; {} on any doubt about the file
    (the reader reports a damaged file itself)."""
    try:
        book = xlrd.open_workbook(file_contents=content, on_demand=True, logfile=_Quiet())
    except Exception:  # any failure of the library on this file is reported by the main reader
        return {}
    found: dict[str, HiddenCells] = {}
    try:
        for name in sheets:
            if name not in book.sheet_names():
                continue
            sheet = book.sheet_by_name(name)
            cells = HiddenCells()
            for row in range(sheet.nrows):
                for column, kind in enumerate(sheet.row_types(row)):
                    if kind == xlrd.XL_CELL_ERROR:
                        code = sheet.cell_value(row, column)
                        cells.errors.setdefault(row, {})[column] = xlrd.error_text_from_code.get(code, "#?")
            if cells.errors:
                found[name] = cells
    except Exception:
        return found
    finally:
        book.release_resources()
    return found


class _Quiet:
    """xlrd writes its warnings to a log file; a clerk's workbook is not the place for them."""

    def write(self, _text: str) -> None:
        pass
