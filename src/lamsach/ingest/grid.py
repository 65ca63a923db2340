"""The shape both readers hand on: a sheet (or a CSV file) as rows of text cells.

CSV and workbooks differ in how they are decoded, not in what happens next: header search, column
mapping and row checks work on a `Grid`, so they are written once. Each row keeps the number the
user sees (the Excel row, the CSV line where the record starts), because every message must point
at the place the clerk can open.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

MergedRange = tuple[int, int, int, int]
"""(first_row, first_col, last_row, last_col), zero-based indexes into `Grid.rows`, inclusive."""


@dataclass
class Grid:
    """Cells as text (None when empty) with the user-visible number of each row."""

    sheet: str | None
    rows: list[list[str | None]]
    row_numbers: list[int]
    merged: list[MergedRange] = field(default_factory=list)
    stray_bytes: bool = False  # cells may hold undecodable bytes (as lone surrogates) to reject
    formulas: dict[int, dict[int, str]] = field(default_factory=dict)
    """Row index -> column index -> formula text, for formula cells with no saved result (read
    as empty by the reader, so their rows are refused instead; see xlsx_formulas.py)."""
    cell_errors: dict[int, dict[int, str]] = field(default_factory=dict)
    """Row index -> column index -> an error value such as "#N/A", which the reader also reads as
    empty: refused likewise."""
    rest: Iterator[tuple[list[str | None], int]] | None = field(default=None, repr=False)
    """Rows after `rows`, with their numbers, still to be read (a CSV file is parsed as its rows
    are used: `rows` holds only the top rows the header search needs). Read once, by `data_rows`."""

    def data_rows(self, start: int) -> Iterator[tuple[int, list[str | None], int]]:
        """(index, cells, row number) of every row from `start` on, reading the rest as it goes."""
        for i in range(start, len(self.rows)):
            yield i, self.rows[i], self.row_numbers[i]
        rest, self.rest = self.rest, None
        for i, (cells, number) in enumerate(rest or (), len(self.rows)):
            if i >= start:
                yield i, cells, number

    def drain(self) -> None:
        """Read the rest without keeping it: a file that fails further down (a CSV quote never
        closed) reports that, as it would had it been read whole before anything else."""
        rest, self.rest = self.rest, None
        for _ in rest or ():
            pass

    def cell(self, row: int, col: int) -> str | None:
        cells = self.rows[row]
        return cells[col] if col < len(cells) else None

    def is_blank_row(self, row: int) -> bool:
        return all(is_blank(value) for value in self.rows[row])

    def is_empty(self) -> bool:
        """No row with a value; for a streamed grid whose top rows are all blank, the rest is read
        up to its first row with a value (and then no header can be found in the top rows)."""
        if not all(self.is_blank_row(i) for i in range(len(self.rows))):
            return False
        return all(all(is_blank(value) for value in cells) for cells, _ in self.rest or ())


def is_blank(value: str | None) -> bool:
    """Empty or only spaces: a cell that holds nothing (spacing is no information to keep)."""
    return value is None or not value.strip()


def column_letter(index: int) -> str:
    """Excel's letter for a zero-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def column_label(header: str | None, index: int) -> str:
    """How a location names a column: the header text and the letter, e.g. `Mã hồ sơ (B)`."""
    letter = column_letter(index)
    return f"{header.strip()} ({letter})" if not is_blank(header) else letter
