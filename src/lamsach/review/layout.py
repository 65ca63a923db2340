"""Where things are in a correction workbook: sheets, columns, rows, colours.

Export writes and apply reads the same layout, so both take it from here: the header is row 1,
records start on row 2, the record key is the first column and the dataset's other fields follow
in schema order under their Vietnamese labels.
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from lamsach.data import workbook_wording
from lamsach.domain import DatasetSchema, FieldSpec

METADATA_SHEET = "_lamsach"
"""The very hidden sheet holding campaign, unit, round, checksums and the exported values."""

WORKBOOK_KIND = "lamsach_correction_workbook"
FORMAT_VERSION = "1"

SOURCE = "unit workbook"
"""`ValueChange.source` of every change made through a correction workbook."""

HEADER_ROW = 1
FIRST_DATA_ROW = 2

ERROR_FILL = "#FFC7CE"
"""Fill of a cell with an open finding of severity error."""
WARNING_FILL = "#FFEB9C"
"""Fill of a cell whose open findings are all warnings or information."""
KEY_FILL = "#E7E6E6"
"""Fill of the locked key column (no finding on the cell)."""
HEADER_FILL = "#DDEBF7"

SHEET_PASSWORD = ""
"""Sheets are protected without a password: protection stops slips, not a determined user; keys
edited anyway are caught on return by comparison with the hidden copy."""


def sheet_columns(schema: DatasetSchema) -> list[FieldSpec]:
    """The record key first, then the dataset's other fields in schema order."""
    key = schema.field(schema.key)
    return [key, *(f for f in schema.fields if f.name != schema.key)]


ACTION_COLUMNS = ("action", "into", "reason")
"""The columns after the fields on a sheet with a duplicate or withdrawn record: what to do with
the record (a list to choose from), the key of the record kept, and the reason."""


def action_labels() -> list[str]:
    """The action columns' headers, as the officer reads them (data/messages/workbook.yaml)."""
    words = workbook_wording()["record_actions"]["columns"]
    return [words[name] for name in ACTION_COLUMNS]


def action_choices() -> dict[str, str]:
    """What the action column's list offers: kind ("merge", "retire") -> the text in the cell."""
    return dict(workbook_wording()["record_actions"]["choices"])


def column_letter(index: int) -> str:
    """Excel letter of a zero-based column index (0 -> A)."""
    return get_column_letter(index + 1)


def column_label(spec: FieldSpec, index: int) -> str:
    """How an error names a column: header text and letter, e.g. "Diện tích (m2) (E)"."""
    return f"{spec.label_vi} ({column_letter(index)})"


def header_label(label: str, index: int) -> str:
    """How an error names a column that is not a field (the action columns): header and letter."""
    return f"{label} ({column_letter(index)})"


def cell_name(index: int, row: int) -> str:
    """A1-style name of a cell: zero-based column, Excel row number."""
    return f"{column_letter(index)}{row}"
