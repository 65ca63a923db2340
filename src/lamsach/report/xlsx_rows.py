"""Findings rows of `report.xlsx` written as finished sheet XML built by the engine.

A province's report holds hundreds of thousands of findings, each written twice (the unit's
sheet and the sheet of all findings) in about ten cells. Handing XlsxWriter one cell at a time
cost about 5 µs a cell in Python — most of the report stage on a weekly re-run. The engine builds
each row's `<row>` element instead, column by column, exactly as XlsxWriter's constant-memory mode
writes it (inline strings, the column's format index, XML escapes), and the row goes into the
sheet's row data as one string (`append_row`).

Only values XlsxWriter writes plainly are built this way (`PLAIN`): text without control
characters, without a literal `_xHHHH_` (which XlsxWriter escapes again), without leading or
trailing white space (which needs `xml:space`), not a rich string `<r>…</r>` and short enough to
need no truncation. A row holding any other value is written cell by cell as before, so the
workbook is the one XlsxWriter itself writes (`tests/report/test_xlsx_rows.py` compares the sheet
XML of both ways byte for byte).

XlsxWriter (pinned in pyproject.toml) has no public call for a finished row; `append_row` uses
what its own constant-memory writer uses: the row data file (`fh`), the row it holds back
(`_write_single_row`) and the sheet's extent (`dim_rowmax`).
"""

from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from lamsach.backends.engine import Dialect

_CONTROL = r"\x{0}-\x{8}\x{b}-\x{1f}"
_SPACE = (r"\t\n\x{b}\x{c}\r\x{1c}-\x{1f} \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}"
          r"\x{205f}\x{3000}")  # what Python's \s matches, as XlsxWriter tests it
PLAIN = f"[^{_CONTROL}{_SPACE}]([^{_CONTROL}]*[^{_CONTROL}{_SPACE}])?"
"""A value XlsxWriter writes as it is, but for &, < and >: no control character, no white space first
or last (and not empty: an empty value is no cell at all)."""
MAX_PLAIN_LENGTH = 16_383
"""Longer text may exceed Excel's 32,767 UTF-16 units a cell, which XlsxWriter truncates."""


def plain_sql(dialect: Dialect, value: str) -> str:
    """SQL: whether `value` (text, never NULL) is empty or written as it is."""
    return (f"({value} = '' OR ({dialect.full_match(value, PLAIN)} AND strpos({value}, '_x') = 0 "
            f"AND length({value}) <= {MAX_PLAIN_LENGTH} AND NOT ({value} LIKE '<r>%' AND {value} LIKE '%</r>')))")


def row_xml_sql(values: list[str], sheet_row: str, styles: dict[int, int]) -> str:
    """SQL: the `<row>` element of one sheet row (`sheet_row`, 1-based) whose cells, from column A,
    are `values` (text SQL, '' for no cell); `styles` gives a column's format index."""
    cells = []
    for col, value in enumerate(values):
        ref = f"'<c r=\"{xl_col_to_name(col)}' || {sheet_row} || '\""
        style = f" s=\"{styles[col]}\"" if col in styles else ""
        escaped = f"replace(replace(replace({value}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"
        cells.append(f"CASE WHEN {value} = '' THEN '' ELSE {ref}{style} t=\"inlineStr\"><is><t>' || {escaped} "
                     f"|| '</t></is></c>' END")
    return f"'<row r=\"' || {sheet_row} || '\">' || " + " || ".join(cells) + " || '</row>'"


def append_row(sheet: Worksheet, row: int, xml: str) -> None:
    """Write the finished `<row>` element of sheet row `row` (0-based), after the rows before it."""
    sheet._write_single_row(row)  # the row XlsxWriter holds back (a header, a row written cell by cell)
    sheet.fh.write(xml)
    if sheet.dim_rowmax is None or row > sheet.dim_rowmax:
        sheet.dim_rowmax = row
    if sheet.dim_rowmin is None:
        sheet.dim_rowmin = row
