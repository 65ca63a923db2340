"""Workbooks (.xlsx, .xlsm, .xlsb, .xls, .ods) as `Grid`s, one per sheet, read with python-calamine.

Cells become the text the clerk meant: an Excel date is a date (`2026-10-10`, the time of a
date-time dropped, since every dataset field is a date), a whole number has no `.0` (an ID stored
as the number 38078451567 stays "38078451567"; standardise restores its lost zero), a fraction is
its shortest exact decimal ("123.5"), a boolean TRUE/FALSE. Whatever a library raises on a bad
file — not a workbook, truncated, password-protected — becomes a LamsachError naming the file, and
an encrypted Office file (an OLE container holding "EncryptedPackage") is recognised before any
library tries it.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from lamsach.domain import ErrorCode, LamsachError, Location
from lamsach.ingest.grid import Grid
from lamsach.ingest.headers import fold
from lamsach.ingest.ods_formulas import hidden_cells_ods
from lamsach.ingest.xls_errors import hidden_cells_xls
from lamsach.ingest.xlsx_formulas import HiddenCells, hidden_cells

WORKBOOK_FORMATS = ("xlsx", "xlsm", "xlsb", "xls", "ods")
FORMULA_FORMATS = ("xlsx", "xlsm", "ods", "xls")  # an .xlsb is read as calamine reads it
_ZIP = b"PK\x03\x04"
_OLE = bytes.fromhex("d0cf11e0a1b11ae1")
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


def read_workbook(content: bytes, file: str, fmt: str, sheet: str | None, head_rows: int | None = None
                  ) -> list[Grid]:
    """The grids of the sheets to read: the one the manifest names, else every visible worksheet.

    With `head_rows`, only a sheet's top rows are turned into text at once (for the header
    search); the others are turned as they are used (`Grid.rest`), each row's raw values let go
    as it is, so a sheet is not held twice over."""
    _check_container(content, file, fmt)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        names = _sheets_to_read(workbook, file, sheet)
        sheets = [_read_sheet(workbook, name, file, fmt, head_rows) for name in names]
    except LamsachError:
        raise
    except PasswordError:
        raise LamsachError(ErrorCode.INGEST_FILE_ENCRYPTED, Location(file=file)) from None
    except Exception as exc:  # any failure of the library on this file is the file's fault
        raise _corrupt(file, fmt, exc) from None
    if fmt in FORMULA_FORMATS:
        finder = {"ods": hidden_cells_ods, "xls": hidden_cells_xls}.get(fmt, hidden_cells)
        hidden = finder(content, names)
        for grid, count in sheets:
            if grid.sheet in hidden:
                _mark_hidden(grid, hidden[grid.sheet], count)
    return [grid for grid, _ in sheets]


def _mark_hidden(grid: Grid, cells: HiddenCells, count: int) -> None:
    """Attach a sheet's formula cells without result and its error cells; rows beyond what the
    reader returned (only such cells on them) are added, empty, so they are counted and refused."""
    grid.formulas, grid.cell_errors = cells.formulas, cells.errors
    last = max([*cells.formulas, *cells.errors])
    if grid.rest is not None:
        grid.rest = itertools.chain(grid.rest, (([], i + 1) for i in range(count, last + 1)))
        return
    while len(grid.rows) <= last:
        grid.rows.append([])
        grid.row_numbers.append(len(grid.rows))


def _check_container(content: bytes, file: str, fmt: str) -> None:
    if content.startswith(_OLE):
        if _ENCRYPTED_STREAM in content:
            raise LamsachError(ErrorCode.INGEST_FILE_ENCRYPTED, Location(file=file))
        return
    if not content.startswith(_ZIP):
        raise LamsachError(
            ErrorCode.INGEST_FILE_CORRUPT,
            Location(file=file),
            {"expected": f".{fmt}", "reason": "no workbook signature"},
        )


def _sheets_to_read(workbook: CalamineWorkbook, file: str, wanted: str | None) -> list[str]:
    metadata = workbook.sheets_metadata
    if wanted is not None:
        for name in (m.name for m in metadata):
            if name == wanted or fold(name) == fold(wanted):
                return [name]
        raise LamsachError(
            ErrorCode.INGEST_SHEET_NOT_FOUND,
            Location(file=file),
            {"value": wanted, "expected": ", ".join(f"“{m.name}”" for m in metadata)},
        )
    return [
        m.name for m in metadata if m.typ == SheetTypeEnum.WorkSheet and m.visible == SheetVisibleEnum.Visible
    ]


def _read_sheet(workbook: CalamineWorkbook, name: str, file: str, fmt: str, head_rows: int | None
                ) -> tuple[Grid, int]:
    """A sheet's grid and how many rows it has."""
    try:
        sheet = workbook.get_sheet_by_name(name)
        values = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges or []
    except Exception as exc:
        raise _corrupt(file, fmt, exc, sheet=name) from None
    head = len(values) if head_rows is None else min(head_rows, len(values))
    rows = [[cell_text(v) for v in row] for row in values[:head]]
    grid = Grid(
        sheet=name,
        rows=rows,
        row_numbers=list(range(1, len(rows) + 1)),
        merged=[(top, left, bottom, right) for (top, left), (bottom, right) in merged],
        rest=_as_text(values, head) if head < len(values) else None,
    )
    return grid, len(values)


def _as_text(values: list[list[Any]], start: int) -> Iterator[tuple[list[str | None], int]]:
    """Rows from `start` as text, each row's raw values dropped once it is turned."""
    for i in range(start, len(values)):
        row, values[i] = values[i], None
        yield [cell_text(v) for v in row], i + 1


def cell_text(value: Any) -> str | None:
    """A cell's value as text, as the clerk reads it in Excel; None for an empty cell."""
    kind = type(value)
    if kind is str:  # the common cases first: this runs for every cell of every sheet
        return value or None
    if kind is float:
        return _number_text(value)
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        hours, rest = divmod(int(value.total_seconds()), 3600)
        return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
    return str(value)


def _number_text(value: float) -> str:
    if value.is_integer():
        return str(int(value))
    text = repr(value)
    if "e" in text and math.isfinite(value):
        return format(Decimal(text), "f")
    return text


def _corrupt(file: str, fmt: str, exc: Exception, sheet: str | None = None) -> LamsachError:
    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    return LamsachError(
        ErrorCode.INGEST_FILE_CORRUPT,
        Location(file=file, sheet=sheet),
        {"expected": f".{fmt}", "reason": reason},
    )
