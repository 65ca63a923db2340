"""The first sheet, "Hướng dẫn": what the file is, what to do and not do, how to send it back.

All wording comes from `data/messages/workbook.yaml`, so the working group can reword it without
touching code.
"""

from __future__ import annotations

from datetime import date, datetime

from lamsach.data import workbook_wording
from lamsach.review.layout import ERROR_FILL, KEY_FILL, WARNING_FILL
from lamsach.review.plan import ExportPlan

_TEXT_WIDTH = 110


def write_instructions(workbook, plan: ExportPlan, exported_at: str) -> None:
    """Add and activate the instructions sheet (it must be the first sheet added)."""
    words = workbook_wording()
    sheet = workbook.add_worksheet(words["sheet_names"]["instructions"])
    sheet.activate()
    title = workbook.add_format({"bold": True, "font_size": 14})
    bold = workbook.add_format({"bold": True})
    heading = workbook.add_format({"bold": True, "font_size": 12, "bottom": 1})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    sheet.set_column(0, 0, _TEXT_WIDTH)
    sheet.set_column(1, 2, 18)
    sheet.write_string(0, 0, words["title"].format(unit=plan.unit), title)
    facts = words["facts"]
    values = {"campaign": plan.campaign, "unit": plan.unit, "round": str(plan.round),
              "exported_at": datetime.fromisoformat(exported_at).strftime("%d/%m/%Y %H:%M"),
              "reference_date": _day(plan.reference_date)}
    row = 2
    for name, label in facts.items():
        sheet.write_rich_string(row, 0, bold, f"{label}: ", values.get(name, ""))
        row += 1
    row = _sheets_table(sheet, row + 1, plan, words["sheets_table"], heading, bold)
    row = _legend(workbook, sheet, row + 1, words["legend"], heading)
    for section in words["sections"]:
        row += 1
        sheet.write_string(row, 0, section["heading"], heading)
        row += 1
        for line in section["lines"]:
            sheet.write_string(row, 0, f"• {line}", wrap)
            sheet.set_row(row, 15 * (1 + len(line) // (_TEXT_WIDTH - 8)))
            row += 1
    sheet.hide_gridlines(2)


def _sheets_table(sheet, row: int, plan: ExportPlan, words: dict, heading, bold) -> int:
    sheet.write_string(row, 0, words["heading"], heading)
    row += 1
    if not plan.sheets:
        sheet.write_string(row, 0, words["empty"])
        return row + 1
    sheet_label, dataset_label, records_label, cells_label = words["columns"]
    sheet.write_string(row, 0, f"{sheet_label} — {dataset_label}", bold)
    sheet.write_string(row, 1, records_label, bold)
    sheet.write_string(row, 2, cells_label, bold)
    for part in plan.sheets:
        row += 1
        sheet.write_string(row, 0, f"{part.sheet} — {part.schema.label_vi}")
        sheet.write_number(row, 1, len(part.rows))
        sheet.write_number(row, 2, len(part.cells))
    return row + 1


def _legend(workbook, sheet, row: int, words: dict, heading) -> int:
    sheet.write_string(row, 0, words["heading"], heading)
    for name, fill in (("error", ERROR_FILL), ("warning", WARNING_FILL), ("key", KEY_FILL)):
        row += 1
        sheet.write_string(row, 0, words[name], workbook.add_format({"bg_color": fill}))
    return row + 1


def _day(iso: str | None) -> str:
    """A reference date as officers write it (dd/mm/yyyy)."""
    try:
        return date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else ""
    except ValueError:
        return iso or ""
