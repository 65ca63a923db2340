"""Report: the human-readable results of a pass (HTML and XLSX), for the province and each unit."""

from lamsach.report.html import render_html, write_html_report
from lamsach.report.queries import ReportData, UnitPage, report_data
from lamsach.report.reports import report_clock, write_reports
from lamsach.report.xlsx import write_xlsx_report

__all__ = ["ReportData", "UnitPage", "render_html", "report_clock", "report_data", "write_html_report",
           "write_reports", "write_xlsx_report"]
