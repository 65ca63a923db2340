"""The shape both readers hand on: a sheet (or a CSV file) as rows of text cells.

CSV and workbooks differ in how they are decoded, not in what happens next: header search, column
mapping and row checks work on a `Grid`, so they are written once. Each row keeps the number the
user sees (the Excel row, the CSV line where the record starts), because every message must point
at the place the clerk can open.
"""

from __future__ import annotations

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

    def cell(self, row: int, col: int) -> str | None:
        cells = self.rows[row]
        return cells[col] if col < len(cells) else None

    def is_blank_row(self, row: int) -> bool:
        return all(is_blank(value) for value in self.rows[row])

    def is_empty(self) -> bool:
        return all(self.is_blank_row(i) for i in range(len(self.rows)))


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
