"""Report: the human-readable results of a pass (HTML and XLSX)."""

from lamsach.report.html import write_html_report
from lamsach.report.xlsx import write_xlsx_report

__all__ = ["write_html_report", "write_xlsx_report"]
