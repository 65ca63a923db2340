"""`report.xlsx`: a summary sheet, the scorecard, and every finding with filters on, printable."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from lamsach.backends.engine import Engine
from lamsach.report.queries import CRITERION_VI, report_data
from lamsach.validate import quote

FINDING_HEADERS = [("dataset", "Tập dữ liệu"), ("record_id", "Mã hồ sơ"), ("unit", "Đơn vị"),
                   ("field", "Trường"), ("criterion", "Tiêu chí"), ("rule", "Quy tắc"),
                   ("severity", "Mức độ"), ("status", "Trạng thái"), ("message", "Nội dung"),
                   ("suggested_value", "Giá trị đề xuất")]


def write_xlsx_report(engine: Engine, path: Path, findings: str, scorecard: str, summary) -> None:
    data = report_data(engine, findings, scorecard)
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    pct = book.add_format({"num_format": "0.0%"})

    sheet = book.add_worksheet("Tổng hợp")
    sheet.write(0, 0, f"Kết quả làm sạch: {summary.campaign}", bold)
    facts = [("Ngày đối chiếu", summary.reference_date), ("Số dòng đọc", summary.rows_read),
             ("Số dòng lưu", summary.rows_stored), ("Số dòng bị loại", summary.rows_rejected),
             ("Số giá trị tự sửa", summary.repairs), ("Số liên kết với CSDL dân cư", summary.links),
             ("Số bản ghi trùng", summary.duplicates)]
    for i, (label, value) in enumerate(facts, start=2):
        sheet.write(i, 0, label)
        sheet.write(i, 1, value)
    row = len(facts) + 3
    sheet.write_row(row, 0, ["Tiêu chí", "Phát hiện mở", "Đã tự sửa"], head)
    for criterion, counts in summary.findings_by_criterion.items():
        row += 1
        sheet.write_row(row, 0, [CRITERION_VI.get(criterion, criterion), counts.get("open", 0),
                                 counts.get("fixed", 0)])
    sheet.set_column(0, 0, 32)
    sheet.set_column(1, 2, 16)

    cards = book.add_worksheet("Điểm theo đơn vị")
    headers = ["Đơn vị", "Tập dữ liệu", "Số bản ghi"] + [CRITERION_VI[c] for c in data.criteria]
    cards.write_row(0, 0, headers, head)
    for r, unit in enumerate(data.units, start=1):
        cards.write_row(r, 0, [unit["unit"], unit["dataset"], unit["records"]])
        for c, criterion in enumerate(data.criteria, start=3):
            cards.write_number(r, c, unit[criterion] or 0, pct)
    cards.autofilter(0, 0, max(len(data.units), 1), len(headers) - 1)
    cards.freeze_panes(1, 0)
    cards.set_column(0, 2, 14)

    sheet = book.add_worksheet("Phát hiện")
    sheet.write_row(0, 0, [h for _, h in FINDING_HEADERS], head)
    columns = ", ".join(c for c, _ in FINDING_HEADERS)
    n = 0
    for batch in engine.batches(f"SELECT {columns} FROM {quote(findings)} ORDER BY unit, dataset, record_id"):
        for values in zip(*(column.to_pylist() for column in batch.columns), strict=True):
            n += 1
            sheet.write_row(n, 0, ["" if v is None else v for v in values])
    sheet.autofilter(0, 0, max(n, 1), len(FINDING_HEADERS) - 1)
    sheet.freeze_panes(1, 2)
    sheet.set_column(0, 7, 13)
    sheet.set_column(8, 8, 70)
    sheet.set_column(9, 9, 24)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)
    book.close()
