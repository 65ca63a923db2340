"""An OpenDocument spreadsheet's cells a reader would read as empty though they show something:
formulas saved without their result, and formulas whose result is an error (#DIV/0!, #N/A, ...).

LibreOffice saves each formula's result beside it, but a file written by a script or another tool
may carry the formula alone, and an error result is stored as text calamine drops: both read as
empty cells, so a column of area formulas would pass as a column of missing areas. This module
finds them in `content.xml` (streamed, and skipped when the file holds no formula) so ingest can
refuse their rows naming the cell, as it does for .xlsx (`xlsx_formulas`).
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.etree import ElementTree

from lamsach.ingest.xlsx_formulas import HiddenCells, part_contains

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
_CELLS = (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell")
_FORMULA_ATTRIBUTE = re.compile(rb"table:formula=")


def hidden_cells_ods(content: bytes, sheets: list[str]) -> dict[str, HiddenCells]:
    """Per sheet among `sheets`, its formula cells with no saved result and its error results;
    {} on any doubt about the container (the reader reports a damaged file itself)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if not part_contains(archive, "content.xml", _FORMULA_ATTRIBUTE):
                return {}
            with archive.open("content.xml") as stream:
                found = _scan(stream, set(sheets))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError, ValueError, EOFError):
        return {}
    return {name: cells for name, cells in found.items() if cells.formulas or cells.errors}


def _scan(stream, wanted: set[str]) -> dict[str, HiddenCells]:
    """Walk the sheets' rows and cells, counting repeated rows and columns as the reader does."""
    found: dict[str, HiddenCells] = {}
    sheet: HiddenCells | None = None
    row = column = 0
    for event, element in ElementTree.iterparse(stream, events=("start", "end")):
        tag = element.tag
        if event == "start":
            if tag == f"{_TABLE}table":
                name = element.get(f"{_TABLE}name", "")
                sheet = found.setdefault(name, HiddenCells()) if name in wanted else None
                row = 0
            elif tag == f"{_TABLE}table-row":
                column = 0
            continue
        if tag in _CELLS:
            repeat = int(element.get(f"{_TABLE}number-columns-repeated", "1"))
            if sheet is not None and element.get(f"{_TABLE}formula") is not None:
                _classify(sheet, element, row, column, repeat)
            column += repeat
        elif tag == f"{_TABLE}table-row":
            row += int(element.get(f"{_TABLE}number-rows-repeated", "1"))
            element.clear()
        elif tag == f"{_TABLE}table":
            sheet = None
    return found


def _classify(sheet: HiddenCells, cell: ElementTree.Element, row: int, column: int, repeat: int) -> None:
    formula = cell.get(f"{_TABLE}formula", "")
    if cell.get(f"{_CALCEXT}value-type") == "error":
        shown = "".join(cell.itertext()).strip() or "#?"
        for offset in range(min(repeat, 1024)):
            sheet.errors.setdefault(row, {})[column + offset] = shown
    elif cell.get(f"{_OFFICE}value-type") is None and not "".join(cell.itertext()).strip():
        for offset in range(min(repeat, 1024)):
            sheet.formulas.setdefault(row, {})[column + offset] = formula.removeprefix("of:")
