"""One dataset sheet of a correction workbook, written with XlsxWriter.

The record key column and the header are locked and the sheet protected, every other cell is
unlocked: an officer corrects values but cannot slip on a key. Cells with open findings are
filled (red for errors, yellow otherwise) and carry a comment with every finding's message and
suggestion. Cells are text-formatted so typed IDs keep their leading zeros; dates are real dates.
"""

from __future__ import annotations

from datetime import date

from lamsach.data import workbook_wording
from lamsach.review.cells import export_value
from lamsach.review.layout import (
    ERROR_FILL,
    FIRST_DATA_ROW,
    HEADER_FILL,
    HEADER_ROW,
    KEY_FILL,
    SHEET_PASSWORD,
    WARNING_FILL,
    action_choices,
    action_labels,
    sheet_columns,
)
from lamsach.review.plan import CellFindings, SheetPlan

_MAX_WIDTH = 60
_PROTECTION = {"autofilter": True, "format_columns": True, "format_rows": True,
               "select_locked_cells": True, "select_unlocked_cells": True, "sort": False}


class Formats:
    """XlsxWriter formats by (locked, fill, is_date), made once per workbook."""

    def __init__(self, workbook) -> None:
        self._workbook = workbook
        self._cache: dict[tuple[bool, str | None, bool], object] = {}
        self.header = workbook.add_format({"bold": True, "bg_color": HEADER_FILL, "border": 1, "text_wrap": True,
                                           "valign": "top", "locked": True})

    def cell(self, locked: bool, fill: str | None = None, is_date: bool = False):
        key = (locked, fill, is_date)
        if key not in self._cache:
            props: dict = {"locked": locked, "num_format": "dd/mm/yyyy" if is_date else "@", "valign": "top"}
            if fill:
                props["bg_color"] = fill
            self._cache[key] = self._workbook.add_format(props)
        return self._cache[key]


def write_dataset_sheet(workbook, formats: Formats, plan: SheetPlan) -> None:
    """Write `plan`'s rows, highlights, comments, protection, filter, frozen header and widths."""
    sheet = workbook.add_worksheet(plan.sheet)
    columns = sheet_columns(plan.schema)
    header_row, first = HEADER_ROW - 1, FIRST_DATA_ROW - 1
    widths = [len(spec.label_vi) + 2 for spec in columns]
    for col, spec in enumerate(columns):
        sheet.write_string(header_row, col, spec.label_vi, formats.header)
    for offset, (key, values) in enumerate(plan.rows):
        row = first + offset
        for col, (spec, value) in enumerate(zip(columns, values, strict=True)):
            locked = col == 0
            found = plan.cells.get((key, spec.name))
            fill = _fill(found) or (KEY_FILL if locked else None)
            cell = export_value(value, spec)
            if isinstance(cell, date):
                sheet.write_datetime(row, col, cell, formats.cell(locked, fill, is_date=True))
            elif cell is None:
                sheet.write_blank(row, col, None, formats.cell(locked, fill))
            else:
                sheet.write_string(row, col, cell, formats.cell(locked, fill))
            if found:
                _comment(sheet, row, col, found, is_record=locked)
            widths[col] = max(widths[col], len(value or "") + 2)
    for col, spec in enumerate(columns):
        sheet.set_column(col, col, min(widths[col], _MAX_WIDTH),
                         formats.cell(col == 0, KEY_FILL if col == 0 else None, spec.type == "date"))
    width = len(columns)
    if plan.actions:
        width += _write_action_columns(sheet, formats, plan, len(columns))
    sheet.set_row(header_row, 32)
    last = first + len(plan.rows) - 1
    sheet.autofilter(header_row, 0, max(last, header_row), width - 1)
    sheet.freeze_panes(FIRST_DATA_ROW - 1, 1)
    sheet.protect(SHEET_PASSWORD, _PROTECTION)


def _write_action_columns(sheet, formats: Formats, plan: SheetPlan, start: int) -> int:
    """The action columns after the fields: unlocked on the rows offered a merge or retirement
    (a list to choose from, the suggested record to keep filled in), locked and grey elsewhere.
    Excel enforces the list; whatever another tool lets through is refused on return."""
    words = workbook_wording()["record_actions"]
    labels = action_labels()
    choices = list(action_choices().values())
    header_row, first = HEADER_ROW - 1, FIRST_DATA_ROW - 1
    for offset, label in enumerate(labels):
        sheet.write_string(header_row, start + offset, label, formats.header)
    for index, (key, _) in enumerate(plan.rows):
        row = first + index
        offered = plan.actions.get(key)
        if offered is None:
            for offset in range(len(labels)):
                sheet.write_blank(row, start + offset, None, formats.cell(True, KEY_FILL))
            continue
        sheet.write_blank(row, start, None, formats.cell(False))
        sheet.data_validation(row, start, row, start, {
            "validate": "list", "source": choices, "ignore_blank": True,
            "input_title": words["prompt_title"][:32], "input_message": words["prompt"][:255],
            "error_title": words["refused_title"][:32], "error_message": words["refused"][:255]})
        into = offered[1]
        if into:
            sheet.write_string(row, start + 1, into, formats.cell(False))
        else:
            sheet.write_blank(row, start + 1, None, formats.cell(False))
        sheet.write_blank(row, start + 2, None, formats.cell(False))
    sheet.set_column(start, start, max(len(c) for c in choices) + 4)
    sheet.set_column(start + 1, start + 1, max(len(labels[1]) + 2, 16))
    sheet.set_column(start + 2, start + 2, 40)
    return len(labels)


def comment_text(found: CellFindings, is_record: bool = False) -> str:
    """Every finding of a cell, one bullet each, with its suggestion when there is one."""
    wording = workbook_wording()["comment"]
    lines = [wording["record_level"]] if is_record else []
    for finding in found.findings:
        lines.append(f"• {finding['message']}")
        if finding.get("suggested_value"):
            lines.append("  " + wording["suggestion"].format(value=finding["suggested_value"]))
    return "\n".join(lines)


def _comment(sheet, row: int, col: int, found: CellFindings, is_record: bool) -> None:
    text = comment_text(found, is_record)
    lines = sum(1 + len(line) // 55 for line in text.splitlines())
    sheet.write_comment(row, col, text, {"author": "lamsach", "x_scale": 3, "y_scale": max(1.2, lines * 0.45)})


def _fill(found: CellFindings | None) -> str | None:
    if found is None:
        return None
    return ERROR_FILL if found.severity == "error" else WARNING_FILL
