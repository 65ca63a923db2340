"""`report.xlsx`: a printable summary sheet, a findings sheet per unit, and all findings together.

The summary is what the province sends up each week: its figures, the rules that cost most
records, and every unit's scores coloured against the thresholds, each unit linked to its sheet.
The workbook is written in XlsxWriter's constant-memory mode (rows go to disk as they are
written), so every sheet is written top to bottom, once.
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from lamsach.backends.engine import Engine
from lamsach.domain import PassSummary
from lamsach.report.labels import criterion_label, dataset_label, labels
from lamsach.report.queries import ReportData
from lamsach.report.scores import OVERALL, ScoreRow
from lamsach.report.xlsx_findings import (
    ALL_COLUMNS,
    UNIT_COLUMNS,
    FindingSheets,
    stream_findings,
    words_table,
)
from lamsach.report.xlsx_sheets import EXCEL_MAX_ROWS, plan_sheets, safe_sheet_name


def write_xlsx_report(engine: Engine, path: Path, summary: PassSummary, data: ReportData,
                      max_rows: int = EXCEL_MAX_ROWS) -> None:
    """Write the workbook; `max_rows` is Excel's row limit (lower in tests, to see sheets split)."""
    words = labels()["xlsx"]
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                           "strings_to_urls": False, "constant_memory": True})
    book.set_properties({"title": words["title"].format(campaign=summary.campaign),
                         "created": data.generated_at.replace(tzinfo=None)})
    f = _Formats(book)
    taken: set[str] = set()
    summary_name = safe_sheet_name(words["summary_sheet"], taken)
    unit_plans = {u.title.code: plan_sheets(_unit_sheet_base(u.title), u.total.findings, taken, words["part"],
                                            max_rows) for u in data.units}
    all_plan = plan_sheets(words["findings_sheet"], data.province.findings, taken, words["part"], max_rows)
    _write_summary(book.add_worksheet(summary_name), summary, data, {k: p.names[0] for k, p in unit_plans.items()}, f)
    unit_sheets = {u.title.code: FindingSheets(book, unit_plans[u.title.code], UNIT_COLUMNS,
                                               words["unit_header"].format(unit=u.title.label), f.head, f.wrap)
                   for u in data.units}
    all_sheets = FindingSheets(book, all_plan, ALL_COLUMNS, words["title"].format(campaign=summary.campaign),
                               f.head, f.wrap)
    words_name = words_table(engine, [r.dataset for r in data.by_dataset], unit_plans)
    stream_findings(engine, data.unit_findings, words_name, unit_sheets, all_sheets)
    book.close()


def _unit_sheet_base(title) -> str:
    if not title.code:
        return labels()["unknown_unit"]
    return f"{title.code} {title.name}".strip()


class _Formats:
    def __init__(self, book) -> None:
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.bold = book.add_format({"bold": True})
        self.head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                     "valign": "top"})
        self.pct = book.add_format({"num_format": "0.0%", "border": 1})
        self.pct_bold = book.add_format({"num_format": "0.0%", "border": 1, "bold": True, "bg_color": "#F3F6FA"})
        self.cell = book.add_format({"border": 1})
        self.cell_bold = book.add_format({"border": 1, "bold": True, "bg_color": "#F3F6FA"})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.link = book.add_format({"border": 1, "font_color": "#1F4E79", "underline": 1})
        self.good = book.add_format({"bg_color": "#E8F5E9", "font_color": "#1B5E20"})
        self.fair = book.add_format({"bg_color": "#FFF4D6", "font_color": "#7A5B00"})
        self.poor = book.add_format({"bg_color": "#FFE3E3", "font_color": "#A01010", "bold": True})


def _write_summary(sheet: Worksheet, summary: PassSummary, data: ReportData, unit_sheet: dict[str, str], f: _Formats) -> None:
    words = labels()["xlsx"]
    row = _write_facts(sheet, summary, data, f)
    row = _write_table(sheet, row, words["criteria_title"], words["criteria_headers"], [
        [criterion_label(c), counts.get("open", 0), counts.get("fixed", 0), data.province.scores.get(c)]
        for c, counts in summary.findings_by_criterion.items()], f, pct_columns={3})
    row = _write_table(sheet, row, words["rules_title"], words["rules_headers"], [
        [r["rule"], criterion_label(r["criterion"]), r["findings"], r["records"], r["example"]]
        for r in data.top_rules], f)
    keys = [*data.criteria, OVERALL]
    headers = [*words["scores_headers_before"], *(criterion_label(k) for k in keys), *words["scores_headers_after"]]
    sheet.write(row, 0, words["scores_title"], f.bold)
    thresholds = labels()["thresholds"]
    sheet.write(row + 1, 0, words["legend"].format(good=f"{thresholds['good']:.0%}", fair=f"{thresholds['fair']:.0%}"))
    head = row + 2
    sheet.write_row(head, 0, headers, f.head)
    r = head
    for unit in data.units:
        for line in [unit.total, *unit.datasets]:
            r += 1
            _write_score_row(sheet, r, line, unit.title.name if unit.title.code else unit.title.label, keys, f)
            sheet.write_url(r, len(headers) - 1, f"internal:'{unit_sheet[unit.title.code]}'!A1", f.link,
                            string=unit_sheet[unit.title.code])
    for line in [data.province, *data.by_dataset]:
        r += 1
        _write_score_row(sheet, r, line, labels()["province_total"], keys, f)
    first, last = 4, 4 + len(keys) - 1
    if r > head:
        sheet.conditional_format(head + 1, first, r, last, {"type": "blanks", "stop_if_true": True})
        cell = xl_rowcol_to_cell(head + 1, first)  # relative: Excel shifts it over the range
        for grade, test in (("good", f">={thresholds['good']}"), ("fair", f">={thresholds['fair']}"),
                            ("poor", f"<{thresholds['fair']}")):  # judged as shown (0.0%), like the HTML
            sheet.conditional_format(head + 1, first, r, last, {
                "type": "formula", "criteria": f"=ROUND({cell},3){test}", "format": getattr(f, grade),
                "stop_if_true": True})
    sheet.autofilter(head, 0, max(r, head + 1), len(headers) - 1)
    sheet.repeat_rows(head)
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 24)
    sheet.set_column(2, 3, 13)
    sheet.set_column(4, last, 10)
    sheet.set_column(last + 1, last + 2, 16)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.set_header("&L&B" + words["title"].format(campaign=summary.campaign).replace("&", "&&")[:200])
    sheet.set_footer("&R" + words["page_footer"])


def _write_facts(sheet: Worksheet, summary: PassSummary, data: ReportData, f: _Formats) -> int:
    words = labels()["xlsx"]
    sheet.write(0, 0, words["title"].format(campaign=summary.campaign), f.title)
    values = {"reference_date": summary.reference_date, "run_id": summary.run_id,
              "generated_at": data.generated_at.strftime("%d/%m/%Y %H:%M"), "rows_read": summary.rows_read,
              "rows_stored": summary.rows_stored, "rows_rejected": summary.rows_rejected,
              "repairs": summary.repairs, "links": summary.links, "duplicates": summary.duplicates}
    row = 2
    for key, label in words["facts"].items():
        sheet.write(row, 0, label)
        sheet.write(row, 1, values[key])
        row += 1
    reasons = {}
    for source in summary.sources:
        for rejection in source.get("rejections", []):
            reasons.setdefault(rejection["code"], rejection["message"])
    rows = [[code, count, reasons.get(code, "")] for code, count in sorted(summary.rejection_reasons.items())]
    if rows:
        row = _write_table(sheet, row + 1, words["rejections_title"], words["rejections_headers"], rows, f)
    unmapped = [[Path(source["file"]).name, column["column"],
                 f"{column['closest_label']} ({column['closest']})" if column.get("closest") else ""]
                for source in summary.sources for column in source.get("unmapped_columns", [])]
    if unmapped:
        row = _write_table(sheet, row + 1, words["unmapped_title"], words["unmapped_headers"], unmapped, f)
    return row + 1


def _write_table(sheet: Worksheet, row: int, title: str, headers: list[str], rows: list[list], f: _Formats,
                 pct_columns: frozenset[int] | set[int] = frozenset()) -> int:
    """A titled little table; returns the row after it and a blank line."""
    sheet.write(row, 0, title, f.bold)
    sheet.write_row(row + 1, 0, headers, f.head)
    for i, values in enumerate(rows, start=row + 2):
        for j, value in enumerate(values):
            if value is None:
                sheet.write_blank(i, j, None, f.cell)
            else:
                sheet.write(i, j, value, f.pct if j in pct_columns else f.cell)
    return row + 2 + len(rows) + 1


def _write_score_row(sheet: Worksheet, r: int, line: ScoreRow, name: str, keys: list[str], f: _Formats) -> None:
    total = line.dataset is None
    cell, pct = (f.cell_bold, f.pct_bold) if total else (f.cell, f.pct)
    dataset = labels()["all_datasets"] if total else dataset_label(line.dataset)
    sheet.write_row(r, 0, [line.unit or "", name, dataset, line.records], cell)
    for j, key in enumerate(keys, start=4):
        value = line.scores.get(key)
        if value is None:
            sheet.write_blank(r, j, None, pct)
        else:
            sheet.write_number(r, j, value, pct)
    sheet.write_number(r, 4 + len(keys), line.open_findings, cell)
