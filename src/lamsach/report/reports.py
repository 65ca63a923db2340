"""Both reports from one computation of their figures, stamped with the time they were made.

The stamp honours `SOURCE_DATE_EPOCH` (the reproducible-builds convention), so the same pass
rendered twice with it set gives byte-identical files: a golden test, or an archived report
re-made for an inspector, compares equal.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

from lamsach.backends.engine import Engine
from lamsach.domain import PassSummary
from lamsach.report.html import write_html_report
from lamsach.report.queries import report_data
from lamsach.report.xlsx import write_xlsx_report

VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")
"""Vietnam keeps UTC+7 all year: reports show the officer's local time."""


def report_clock() -> datetime:
    """Now in Vietnam, to the second; the time `SOURCE_DATE_EPOCH` names when it is set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    now = datetime.fromtimestamp(int(epoch), VIETNAM_TIME) if epoch.isdigit() else datetime.now(VIETNAM_TIME)
    return now.replace(microsecond=0)


def write_reports(engine: Engine, out_dir: Path, tables: dict[str, str], findings: str, scorecard: str,
                  summary: PassSummary, generated_at: datetime | None = None) -> None:
    """`report.html` and `report.xlsx` in `out_dir`, from the pass' record tables, findings and scorecard."""
    data = report_data(engine, tables, findings, scorecard, generated_at or report_clock())
    write_html_report(Path(out_dir) / "report.html", summary, data)
    write_xlsx_report(engine, Path(out_dir) / "report.xlsx", summary, data)
