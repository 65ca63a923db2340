"""Data rows under a header: each becomes a record (field -> raw text) or a rejection with a reason.

"Nothing is lost": every non-blank row below the header is counted, and is either kept or
rejected — its key missing, its key already used higher up in the same file, cells beyond the
last header column, bytes that are not text, a formula whose result was never saved, an error
value such as #N/A — so `rows_read == len(rows) + len(rejections)`. Kept rows are held as
columns (`records.Records`), never as a dict per row.
Blank rows are not data. Neither is the row of column numbers "(1) (2) (3) …" that Vietnamese
forms print under the header, which is skipped when it directly follows the header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lamsach.domain import DatasetSchema, ErrorCode, LamsachError, Location, Rejection
from lamsach.ingest.grid import Grid, column_letter, is_blank
from lamsach.ingest.headers import ColumnMapping, unnamed_label
from lamsach.ingest.records import KEY_COLUMN, Records, RecordsBuilder

_COLUMN_NUMBER = re.compile(r"^\(?(\d{1,3})\)?$")
_MIN_NUMBERED_COLUMNS = 3
_EXTRA_SHOWN = 5
_STRAY_BYTE = re.compile("[\udc80-\udcff]")
"""Lone surrogates: bytes that were not valid UTF-8 in a file otherwise UTF-8 (see encoding.py)."""


@dataclass
class RowsOut:
    """Rows gathered from one or more grids of one file, in the order read: the kept rows as
    columns (`records`, built as rows come), the others as rejections."""

    fields: tuple[str, ...]
    records: RecordsBuilder = field(init=False)
    row_numbers: list[int] = field(default_factory=list)
    sheets: list[str | None] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    rows_read: int = 0
    unnamed_with_data: list[str] = field(default_factory=list)
    _grids: list[tuple[str | None, str]] = field(default_factory=list)  # each grid's sheet and key column
    _rejected_at: list[tuple[int, int]] = field(default_factory=list)  # (grid, row) of each rejection

    def __post_init__(self) -> None:
        self.records = RecordsBuilder(self.fields)

    def finish(self, file: str, lang: str) -> Records:
        """The kept rows, once every grid is read: a row whose key a row above it already took is
        rejected now (`INGEST_ROW_KEY_DUPLICATE`), found over the key column rather than by holding
        every key seen in a Python dict, and rejections are put back in the order rows were read."""
        records = self.records.finish()
        repeated = records.duplicated()
        if not repeated:
            return records
        keys = records.table.column(KEY_COLUMN)
        grid_of = {sheet: i for i, (sheet, _) in enumerate(self._grids)}  # one grid per sheet
        for i, first in sorted(repeated.items()):
            grid, row = grid_of[self.sheets[i]], self.row_numbers[i]
            sheet, label = self._grids[grid]
            first_sheet, first_row = self.sheets[first], self.row_numbers[first]
            error = LamsachError(
                ErrorCode.INGEST_ROW_KEY_DUPLICATE,
                Location(file=file, sheet=sheet, row=row, column=label),
                {"value": keys[i].as_py(),
                 "first_row": str(first_row) if first_sheet == sheet else f"{first_row} ({first_sheet})"},
            )
            self.rejections.append(_rejection(error, lang))
            self._rejected_at.append((grid, row))
        order = sorted(range(len(self.rejections)), key=self._rejected_at.__getitem__)
        self.rejections = [self.rejections[i] for i in order]
        keep = [i for i in range(len(records)) if i not in repeated]
        self.row_numbers = [self.row_numbers[i] for i in keep]
        self.sheets = [self.sheets[i] for i in keep]
        return records.take(keep)


def extract_rows(
    grid: Grid, mapping: ColumnMapping, schema: DatasetSchema, file: str, lang: str, out: RowsOut
) -> None:
    """Add the grid's data rows below `mapping`'s header row to `out`, reading a streamed grid's
    rows as they come (see `Grid.rest`)."""
    key_col = next(c for c, f in mapping.fields.items() if f == schema.key)
    grid_index = len(out._grids)
    out._grids.append((grid.sheet, mapping.labels[key_col]))
    unnamed_seen: set[int] = set()
    by_field = {f: c for c, f in mapping.fields.items()}
    columns = [by_field.get(name) for name in out.fields]
    numbering_checked = False
    for i, cells, number in grid.data_rows(mapping.row_index + 1):
        formulas, errors = grid.formulas.get(i), grid.cell_errors.get(i)
        filled = any(v and not v.isspace() for v in cells)
        if filled and not numbering_checked:
            numbering_checked = True  # only the first row with a value may be the numbers' row
            if _is_column_numbers(cells):
                continue
        if not (filled or formulas or errors):
            continue
        out.rows_read += 1
        if mapping.unnamed:
            unnamed_seen.update(c for c in mapping.unnamed if c < len(cells) and not is_blank(cells[c]))
        width = len(cells)
        # most rows have nothing to refuse: the checks below are made only for a row that may
        if (formulas or errors or grid.stray_bytes or key_col >= width or is_blank(cells[key_col])
                or (width > mapping.width and not all(is_blank(v) for v in cells[mapping.width:]))):
            where = Location(file=file, sheet=grid.sheet, row=number)
            problem = _hidden_problem(formulas, ErrorCode.INGEST_FORMULA_WITHOUT_RESULT, "=", mapping, where)
            problem = problem or _hidden_problem(errors, ErrorCode.INGEST_CELL_ERROR_VALUE, "", mapping, where)
            problem = problem or _row_problem(cells, mapping, key_col, where, grid.stray_bytes)
            if problem is not None:
                out.rejections.append(_rejection(problem, lang))
                out._rejected_at.append((grid_index, number))
                continue
        values = [None if c is None or c >= width or not cells[c] or cells[c].isspace() else cells[c]
                  for c in columns]
        out.records.append(values, cells[key_col].strip())
        out.row_numbers.append(number)
        out.sheets.append(grid.sheet)
    out.unnamed_with_data.extend(unnamed_label(c) for c in sorted(unnamed_seen))


def _hidden_problem(
    hidden: dict[int, str] | None, code: ErrorCode, prefix: str, mapping: ColumnMapping, where: Location
) -> LamsachError | None:
    """A read column holding a formula with no saved result, or an error value: the row is
    refused naming the cells, since reading them as empty would lose their values without a word."""
    if not hidden:
        return None
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
