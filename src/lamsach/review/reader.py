"""Reading a returned correction workbook: open it, then each dataset sheet's rows by key.

Structure is checked before any value: the header must be as exported and every exported record
must be there exactly once under its own key. Each departure is reported where the officer can
find it (sheet, row, column) and the sheet's values are then not read, since a moved column or
row would pair values with the wrong field or record.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from lamsach.data import load_schema
from lamsach.domain import DatasetSchema, ErrorCode, FieldSpec, LamsachError, Location
from lamsach.review.cells import cell_text
from lamsach.review.layout import (
    FIRST_DATA_ROW,
    HEADER_ROW,
    action_labels,
    column_label,
    column_letter,
    header_label,
)
from lamsach.review.metadata import SheetMetadata

TEXT_CELL = FieldSpec("text", "text", "")
"""How a cell that is not a field's is read (a header, an action column): plain text."""


@dataclass
class ReturnedSheet:
    """A dataset sheet whose structure matches its export: raw cell values per key, with rows."""

    meta: SheetMetadata
    schema: DatasetSchema
    columns: list[FieldSpec]
    # key -> (Excel row, cells): the fields' cells, then the action columns' when the sheet has them
    rows: dict[str, tuple[int, tuple]] = field(default_factory=dict)


def open_workbook(path: Path, file: str):
    """The workbook as openpyxl reads it, formulas as formulas (a formula's cached value may be
    missing or stale, so a formula cell is refused rather than read), or `LamsachError`."""
    if not path.is_file():
        raise LamsachError(ErrorCode.REVIEW_FILE_NOT_FOUND, Location(file=file))
    try:
        return load_workbook(path, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, EOFError) as exc:
        raise LamsachError(ErrorCode.REVIEW_WORKBOOK_CORRUPT, Location(file=file),
                           {"reason": f"{type(exc).__name__}: {exc}"[:200]}) from None


def read_sheet(book, meta: SheetMetadata, file: str) -> tuple[ReturnedSheet | None, list[LamsachError]]:
    """The sheet's rows by key if its structure is intact, and every structural problem found."""
    if meta.sheet not in book.sheetnames:
        return None, [LamsachError(ErrorCode.REVIEW_SHEET_MISSING, Location(file=file), {"value": meta.sheet})]
    schema = load_schema(meta.dataset)
    columns = [schema.field(name) for name in meta.fields]
    labels = [spec.label_vi for spec in columns] + (action_labels() if meta.actions else [])
    names = [column_label(spec, i) for i, spec in enumerate(columns)] + [
        header_label(label, i) for i, label in enumerate(labels) if i >= len(columns)]
    worksheet = book[meta.sheet]
    width = max(len(labels), worksheet.max_column)
    errors = _header_errors(worksheet, labels, names, width, file, meta.sheet)
    if errors:
        return None, errors
    returned = ReturnedSheet(meta, schema, columns)
    found: list[tuple[int, str | None, tuple]] = []
    for row, line in enumerate(worksheet.iter_rows(min_row=FIRST_DATA_ROW, max_col=len(labels)),
                               start=FIRST_DATA_ROW):
        for index, cell in enumerate(line):
            if cell.data_type == "f":  # "=B2", "=SUM(…)": never a value an officer typed
                errors.append(LamsachError(ErrorCode.REVIEW_CELL_FORMULA, Location(
                    file=file, sheet=meta.sheet, row=row, column=names[index]),
                    {"value": str(getattr(cell.value, "text", cell.value))[:80]}))
        cells = tuple(c.value for c in line)
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        found.append((row, cell_text(cells[0], columns[0]), cells))
    if errors:
        return None, errors
    errors = _key_errors(found, meta, columns[0], file)
    if errors:
        return None, errors
    returned.rows = {key: (row, cells) for row, key, cells in found if key is not None}
    return returned, []


def _header_errors(worksheet, labels: list[str], names: list[str], width: int, file: str,
                   sheet: str) -> list[LamsachError]:
    header = next(worksheet.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW, max_col=width, values_only=True),
                  ())
    errors = []
    for index in range(width):
        expected = labels[index] if index < len(labels) else None
        actual = cell_text(header[index], TEXT_CELL) if index < len(header) else None
        if actual != expected:
            where = names[index] if index < len(names) else f"({column_letter(index)})"
            errors.append(LamsachError(ErrorCode.REVIEW_HEADER_CHANGED,
                                       Location(file=file, sheet=sheet, row=HEADER_ROW, column=where),
                                       {"value": actual or "", "expected": expected or ""}))
    return errors


def _key_errors(found: list[tuple[int, str | None, tuple]], meta: SheetMetadata, key_spec: FieldSpec,
                file: str) -> list[LamsachError]:
    """Keys edited, duplicated, added or removed; a key that differs from the one exported on the
    same row, while that one is gone, is reported as edited rather than as one row added and
    another removed."""
    exported = meta.keys
    known = set(exported)
    column = column_label(key_spec, 0)
    seen: dict[str, int] = {}
    unknown: list[tuple[int, str | None]] = []
    errors: list[LamsachError] = []
    for row, key, _ in found:
        if key not in known:
            unknown.append((row, key))
        elif key in seen:
            errors.append(LamsachError(ErrorCode.REVIEW_KEY_DUPLICATE,
                                       Location(file=file, sheet=meta.sheet, row=row, column=column),
                                       {"value": key, "first_row": seen[key]}))
        else:
            seen[key] = row
    missing = [k for k in exported if k not in seen]
    for row, key in unknown:
        position = row - FIRST_DATA_ROW
        original = exported[position] if 0 <= position < len(exported) else None
        where = Location(file=file, sheet=meta.sheet, row=row, column=column)
        if original in missing:
            missing.remove(original)
            errors.append(LamsachError(ErrorCode.REVIEW_KEY_CHANGED, where,
                                       {"value": key or "", "original": original}))
        else:
            errors.append(LamsachError(ErrorCode.REVIEW_ROW_ADDED, where, {"value": key or ""}))
    for key in missing:
        row = FIRST_DATA_ROW + exported.index(key)
        errors.append(LamsachError(ErrorCode.REVIEW_ROW_REMOVED,
                                   Location(file=file, sheet=meta.sheet, row=row, column=column), {"value": key}))
    return sorted(errors, key=lambda e: e.location.row or 0)

