"""Cells a reader would read as empty though they show something: formulas without a saved
result, and error values (#N/A, #DIV/0!, #REF!, ...), found in a workbook's XML.

Excel saves each formula's last result beside it, and readers (calamine among them) read that
result. Tools other than Excel — openpyxl, scripts, some sector software — write the formula
alone; such a cell reads as empty, and a file whose area and owner ID are formulas would pass as
one whose area and owner ID are missing. Calamine also reads an error value — what a failed
lookup leaves in an export made in Excel — as an empty cell. This module finds both kinds so
ingest can refuse their rows naming the cell, never reading them as blanks.

An .ods has its own finder (`ods_formulas`), an .xls its error cells (`xls_errors`). The sheet XML
is streamed, and skipped entirely when it has neither a formula nor an error cell, the common case.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]|t=\"e\"")
_CHUNK_BYTES = 1 << 20

Formulas = dict[int, dict[int, str]]
"""Zero-based row -> zero-based column -> the formula's text ("" for a shared formula's copy)."""


@dataclass
class HiddenCells:
    """One sheet's cells a reader returns empty: formulas without result, and error values
    (row -> column -> the error's text, e.g. "#N/A")."""

    formulas: Formulas = field(default_factory=dict)
    errors: Formulas = field(default_factory=dict)


def hidden_cells(content: bytes, sheets: list[str]) -> dict[str, HiddenCells]:
    """Per sheet among `sheets`, its formula cells with no saved result and its error cells; {}
    on any doubt about the container (the reader reports a damaged file itself)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = _sheet_parts(archive)
            found: dict[str, HiddenCells] = {}
            for name in sheets:
                part = parts.get(name)
                if part is None or part not in archive.namelist() or not part_contains(archive, part, _FORMULA_TAG):
                    continue
                cells = _scan(archive, part)
                if cells.formulas or cells.errors:
                    found[name] = cells
            return found
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError, ValueError, EOFError):
        return {}


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part's path in the archive, through the workbook's relationships."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG_REL}Relationship")}
    parts: dict[str, str] = {}
    for sheet in book.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        parts[sheet.get("name", "")] = path
    return parts


def part_contains(archive: zipfile.ZipFile, part: str, pattern: re.Pattern[bytes]) -> bool:
    """Whether `pattern` (at most 16 bytes long) occurs in one part of the archive, read a chunk at
    a time: the cheap test that lets a workbook with no formula skip the XML walk altogether."""
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK_BYTES):
            if pattern.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


def _scan(archive: zipfile.ZipFile, part: str) -> HiddenCells:
    cells = HiddenCells()
    with archive.open(part) as stream:
        for _, element in ElementTree.iterparse(stream, events=("end",)):
            if element.tag != f"{_MAIN}c":
                if element.tag == f"{_MAIN}row":
                    element.clear()
                continue
            formula = element.find(f"{_MAIN}f")
            if formula is not None and _without_result(element):
                _put(cells.formulas, element, (formula.text or "").strip())
            elif element.get("t") == "e":
                _put(cells.errors, element, (element.findtext(f"{_MAIN}v") or "#?").strip())
    return cells


def _put(cells: Formulas, element: ElementTree.Element, text: str) -> None:
    where = _CELL_REF.fullmatch(element.get("r", ""))
    if where:
        cells.setdefault(int(where.group(2)) - 1, {})[_column_index(where.group(1))] = text


def _without_result(cell: ElementTree.Element) -> bool:
    """No <v>, or an empty one that is not a formula's legitimate empty text (type "str")."""
    value = cell.find(f"{_MAIN}v")
    if value is None:
        return True
    return not (value.text or "") and cell.get("t") != "str"


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1
