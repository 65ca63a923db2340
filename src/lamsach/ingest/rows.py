"""Data rows under a header: each becomes a record (field -> raw text) or a rejection with a reason.

"Nothing is lost": every non-blank row below the header is counted, and is either kept or
rejected — its key missing, its key already used higher up in the same file, cells beyond the
last header column, bytes that are not text, a formula whose result was never saved, an error
value such as #N/A — so `rows_read == len(rows) + len(rejections)`.
Blank rows are not data. Neither is the row of column numbers "(1) (2) (3) …" that Vietnamese
forms print under the header, which is skipped when it directly follows the header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lamsach.domain import DatasetSchema, ErrorCode, LamsachError, Location, Rejection
from lamsach.ingest.grid import Grid, column_letter, is_blank
from lamsach.ingest.headers import ColumnMapping, unnamed_label

_COLUMN_NUMBER = re.compile(r"^\(?(\d{1,3})\)?$")
_MIN_NUMBERED_COLUMNS = 3
_EXTRA_SHOWN = 5
_STRAY_BYTE = re.compile("[\udc80-\udcff]")
"""Lone surrogates: bytes that were not valid UTF-8 in a file otherwise UTF-8 (see encoding.py)."""


@dataclass
class RowsOut:
    """Rows gathered from one or more grids of one file, in the order read."""

    rows: list[dict[str, str | None]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    sheets: list[str | None] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    rows_read: int = 0
    unnamed_with_data: list[str] = field(default_factory=list)
    seen_keys: dict[str, tuple[str | None, int]] = field(default_factory=dict)


def extract_rows(
    grid: Grid, mapping: ColumnMapping, schema: DatasetSchema, file: str, lang: str, out: RowsOut
) -> None:
    """Add the grid's data rows below `mapping`'s header row to `out`."""
    key_col = next(c for c, f in mapping.fields.items() if f == schema.key)
    first = mapping.row_index + 1
    numbering = _first_non_blank(grid, first)
    if numbering >= 0 and not _is_column_numbers(grid.rows[numbering]):
        numbering = -1
    unnamed_seen: set[int] = set()
    template: dict[str, str | None] = dict.fromkeys(schema.field_names)
    columns = list(mapping.fields.items())
    for i in range(first, len(grid.rows)):
        cells = grid.rows[i]
        formulas, errors = grid.formulas.get(i), grid.cell_errors.get(i)
        if i == numbering or not (any(v and not v.isspace() for v in cells) or formulas or errors):
            continue
        out.rows_read += 1
        where = Location(file=file, sheet=grid.sheet, row=grid.row_numbers[i])
        if mapping.unnamed:
            unnamed_seen.update(c for c in mapping.unnamed if c < len(cells) and not is_blank(cells[c]))
        problem = _hidden_problem(formulas, ErrorCode.INGEST_FORMULA_WITHOUT_RESULT, "=", mapping, where)
        problem = problem or _hidden_problem(errors, ErrorCode.INGEST_CELL_ERROR_VALUE, "", mapping, where)
        problem = problem or _row_problem(cells, mapping, key_col, where, out, grid.stray_bytes)
        if problem is not None:
            out.rejections.append(_rejection(problem, lang))
            continue
        record = template.copy()
        width = len(cells)
        for col, name in columns:
            value = cells[col] if col < width else None
            record[name] = value if value and not value.isspace() else None
        out.seen_keys[cells[key_col].strip()] = (grid.sheet, where.row)
        out.rows.append(record)
        out.row_numbers.append(where.row)
        out.sheets.append(grid.sheet)
    out.unnamed_with_data.extend(unnamed_label(c) for c in sorted(unnamed_seen))


def _hidden_problem(
    hidden: dict[int, str] | None, code: ErrorCode, prefix: str, mapping: ColumnMapping, where: Location
) -> LamsachError | None:
    """A read column holding a formula with no saved result, or an error value: the row is
    refused naming the cells, since reading them as empty would lose their values without a word."""
    cols = sorted(c for c in hidden or () if c in mapping.fields)
    if not cols:
        return None
    refs = [f"{column_letter(c)}{where.row}" for c in cols]
    shown = "; ".join(f"{ref}: {prefix}{hidden[c]}" if hidden[c] else ref
                      for ref, c in zip(refs[:_EXTRA_SHOWN], cols, strict=False))
    return LamsachError(code, _at(where, mapping.labels[cols[0]]), {"cell": ", ".join(refs), "value": shown})


def _row_problem(
    cells: list[str | None],
    mapping: ColumnMapping,
    key_col: int,
    where: Location,
    out: RowsOut,
    stray_bytes: bool,
) -> LamsachError | None:
    extra = [(c, v) for c, v in enumerate(cells[mapping.width :], mapping.width) if not is_blank(v)]
    if extra:
        shown = " | ".join(v for _, v in extra[:_EXTRA_SHOWN]) + (" | …" if len(extra) > _EXTRA_SHOWN else "")
        return LamsachError(
            ErrorCode.INGEST_ROW_TOO_LONG,
            _at(where, column_letter(extra[0][0])),
            {"count": extra[-1][0] + 1, "expected": mapping.width, "value": shown},
        )
    for col in mapping.fields if stray_bytes else ():
        value = cells[col] if col < len(cells) else None
        if value is not None and _STRAY_BYTE.search(value):
            return LamsachError(
                ErrorCode.INGEST_ROW_ENCODING_INVALID,
                _at(where, mapping.labels[col]),
                {"value": value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")},
            )
    key = cells[key_col] if key_col < len(cells) else None
    if is_blank(key):
        return LamsachError(ErrorCode.INGEST_ROW_KEY_MISSING, _at(where, mapping.labels[key_col]))
    first = out.seen_keys.get(key.strip())
    if first is not None:
        sheet, row = first
        first_row = str(row) if sheet == where.sheet else f"{row} ({sheet})"
        return LamsachError(
            ErrorCode.INGEST_ROW_KEY_DUPLICATE,
            _at(where, mapping.labels[key_col]),
            {"value": key.strip(), "first_row": first_row},
        )
    return None


def _at(where: Location, column: str) -> Location:
    return Location(file=where.file, sheet=where.sheet, row=where.row, column=column)


def _rejection(error: LamsachError, lang: str) -> Rejection:
    where = error.location
    return Rejection(
        file=where.file or "",
        sheet=where.sheet,
        row=where.row or 0,
        column=where.column,
        code=error.code.value,
        message=error.message(lang),
    )


def _first_non_blank(grid: Grid, start: int) -> int:
    for i in range(start, len(grid.rows)):
        if not grid.is_blank_row(i):
            return i
    return -1


def _is_column_numbers(cells: list[str | None]) -> bool:
    """A row like "(1) (2) (3) …" or "1 2 3 …": at least three cells, consecutive numbers, nothing else."""
    numbers: list[int] = []
    for value in cells:
        if is_blank(value):
            continue
        match = _COLUMN_NUMBER.match(value.strip())
        if match is None:
            return False
        numbers.append(int(match.group(1)))
    return len(numbers) >= _MIN_NUMBERED_COLUMNS and numbers == list(
        range(numbers[0], numbers[0] + len(numbers))
    )
