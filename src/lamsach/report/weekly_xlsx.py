"""The weekly report as a workbook: the summary and unit table, the lagging units, the figures per key
database (leaders track the twelve databases, not file names), the weekly series."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import xlsxwriter

from lamsach.campaign.model import CampaignProgress
from lamsach.catalogue import group_by_database
from lamsach.report.weekly_words import CRITERIA_COLUMNS as CRITERIA


def write_weekly_xlsx(progress: CampaignProgress, path: Path, issued: date) -> None:
    spec, week = progress.spec, progress.weeks[-1]
    book = xlsxwriter.Workbook(str(path))
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True, "valign": "top"})
    pct = book.add_format({"num_format": "0.0%", "border": 1})
    cell = book.add_format({"border": 1})
    lag = book.add_format({"border": 1, "bg_color": "#FDE9E7"})

    sheet = book.add_worksheet("Theo đơn vị")
    sheet.write(0, 0, f"Tiến độ làm sạch dữ liệu: {spec.name} — tuần {week}", bold)
    sheet.write(1, 0, f"Ngày lập: {issued.strftime('%d/%m/%Y')}; hạn: {spec.deadline.strftime('%d/%m/%Y')}; "
                      f"chỉ tiêu: {', '.join(f'{k} {v:.0%}' for k, v in spec.targets.items())}")
    headers = ["Hạng", "Mã", "Đơn vị", "Số bản ghi", *[label for _, label in CRITERIA], "Thay đổi",
               "Dự báo đến hạn", "Dự báo thấp", "Dự báo cao", "Chậm tiến độ", "Lỗi cần sửa trước"]
    sheet.write_row(3, 0, headers, head)
    rows = progress.latest()
    for i, r in enumerate(rows, start=4):
        style = lag if r.lagging else cell
        sheet.write_row(i, 0, [r.rank, r.unit, r.unit_name, r.records], style)
        for j, (key, _) in enumerate(CRITERIA, start=4):
            _pct(sheet, i, j, r.scores.get(key), pct)
        after = 4 + len(CRITERIA)  # the columns after the criteria
        _pct(sheet, i, after, r.change, pct)
        _pct(sheet, i, after + 1, r.forecast, pct)
        _pct(sheet, i, after + 2, r.forecast_low, pct)
        _pct(sheet, i, after + 3, r.forecast_high, pct)
        sheet.write(i, after + 4, ", ".join(r.lagging_reasons), style)
        sheet.write(i, after + 5, "; ".join(f"{rule}: {n}" for rule, n in r.top_rules), style)
    sheet.autofilter(3, 0, 3 + max(len(rows), 1), len(headers) - 1)
    sheet.freeze_panes(4, 3)
    sheet.set_column(0, 1, 8)
    sheet.set_column(2, 2, 26)
    sheet.set_column(3, 7 + len(CRITERIA), 11)
    sheet.set_column(8 + len(CRITERIA), 9 + len(CRITERIA), 40)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(3)

    _write_databases(book.add_worksheet("Theo CSDL"), progress, head, cell, pct)

    series = book.add_worksheet("Theo tuần")
    series.write_row(0, 0, ["Mã", "Đơn vị", *progress.weeks], head)
    for i, (unit, weeks) in enumerate(sorted(progress.units.items()), start=1):
        series.write_row(i, 0, [unit, weeks[-1].unit_name], cell)
        by_week = {w.week: w.scores.get("overall") for w in weeks}
        for j, week_name in enumerate(progress.weeks, start=2):
            _pct(series, i, j, by_week.get(week_name), pct)
    series.freeze_panes(1, 2)
    series.set_column(1, 1, 26)
    if progress.units:
        chart = book.add_chart({"type": "line"})
        for i in range(1, min(len(progress.units), 10) + 1):
            chart.add_series({"name": ["Theo tuần", i, 1], "categories": ["Theo tuần", 0, 2, 0, 1 + len(progress.weeks)],
                              "values": ["Theo tuần", i, 2, i, 1 + len(progress.weeks)]})
        chart.set_title({"name": "Tỷ lệ đạt cả 5 tiêu chí theo tuần"})
        chart.set_y_axis({"num_format": "0%", "min": 0, "max": 1})
        series.insert_chart(len(progress.units) + 3, 1, chart, {"x_scale": 1.6, "y_scale": 1.3})
    book.close()


def _write_databases(sheet, progress: CampaignProgress, head, cell, pct) -> None:
    """One line per key database (its datasets summed, weighted by records), then one per dataset
    under it, as the HTML and PDF report's section "Theo cơ sở dữ liệu trọng điểm" shows them."""
    sheet.write_row(0, 0, ["CSDL trọng điểm", "Dữ liệu", "Số bản ghi", *[label for _, label in CRITERIA]], head)
    row = 1
    for group in group_by_database(progress.scorecard):
        lines = [(group.name, "", group.records, group.scores)]
        lines += [("", d.label, d.records, d.scores) for d in group.datasets]
        for name, label, records, scores in lines:
            sheet.write_row(row, 0, [name, label, records], cell)
            for j, (key, _) in enumerate(CRITERIA, start=3):
                _pct(sheet, row, j, scores.get(key), pct)
            row += 1
    sheet.freeze_panes(1, 2)
    sheet.set_column(0, 1, 32)
    sheet.set_column(2, 2 + len(CRITERIA), 11)


def _pct(sheet, row: int, col: int, value: float | None, fmt) -> None:
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    else:
        sheet.write_number(row, col, value, fmt)
