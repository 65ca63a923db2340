"""The findings sheets of `report.xlsx`: one per unit, and all findings together while they fit.

A commune officer filters and prints the unit's own sheet; the province keeps one sheet of
everything as long as it fits Excel's row limit, and numbered parts when it does not. Codes are
turned into Vietnamese words in the engine (one join with a small table of words), and the rows are
read once, in unit order, and streamed to the sheets, so memory does not grow with the findings.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import suppress

import pyarrow as pa
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from lamsach.backends.engine import Dialect, Engine
from lamsach.data import load_schema
from lamsach.domain import LamsachError
from lamsach.report.labels import dataset_label, labels, unit_title
from lamsach.report.xlsx_sheets import SheetPlan

UNIT_COLUMNS = ["dataset", "record_id", "field", "criterion", "rule", "severity", "status", "message",
                "suggested_value"]
ALL_COLUMNS = ["unit", "unit_name", *UNIT_COLUMNS]
WIDTHS = {"unit": 9, "unit_name": 22, "dataset": 11, "record_id": 14, "field": 22, "criterion": 11,
          "rule": 26, "severity": 9, "status": 10, "message": 72, "suggested_value": 24}


def words_table(engine: Engine, datasets: Iterable[str], units: Iterable[str]) -> str:
    """Engine table (kind, key, label): the words for datasets, fields, criteria, statuses, units."""
    words = labels()
    rows = [("criterion", k, v) for k, v in words["criteria"].items()]
    rows += [("status", k, v) for k, v in words["statuses"].items()]
    rows += [("severity", k, v) for k, v in words["severities"].items()]
    for dataset in datasets:
        rows.append(("dataset", dataset, dataset_label(dataset)))
        rows.append(("field", f"{dataset}.*", words["whole_record"]))
        with suppress(OSError, LamsachError):  # a dataset without a schema file keeps its field codes
            rows += [("field", f"{dataset}.{f.name}", f.label_vi) for f in load_schema(dataset).fields]
    rows += [("unit", code, unit_title(code).name) for code in units]
    kind, key, label = zip(*rows, strict=True) if rows else ((), (), ())
    return engine.register("report_words", pa.table({"kind": pa.array(kind, pa.string()),
                                                     "key": pa.array(key, pa.string()),
                                                     "label": pa.array(label, pa.string())}))


def findings_sql(dialect: Dialect, unit_findings: str, words: str) -> str:
    """Every finding in words, in unit order, open ones first, then by record."""
    quote = dialect.quote
    w = quote(words)
    joins, columns = [], []
    for alias, kind, key in (("wu", "unit", "f.unit"), ("wd", "dataset", "f.dataset"),
                             ("wf", "field", "f.dataset || '.' || f.field"), ("wc", "criterion", "f.criterion"),
                             ("ws", "severity", "f.severity"), ("wt", "status", "f.status")):
        joins.append(f"LEFT JOIN {w} {alias} ON {alias}.kind = '{kind}' AND {alias}.key = {key}")
    columns = ["f.unit", "coalesce(wu.label, '') AS unit_name", "coalesce(wd.label, f.dataset) AS dataset",
               "f.record_id", "coalesce(wf.label, f.field) AS field", "coalesce(wc.label, f.criterion) AS criterion",
               "f.rule", "coalesce(ws.label, f.severity) AS severity", "coalesce(wt.label, f.status) AS status",
               "f.message", "f.suggested_value"]
    return (f"SELECT {', '.join(columns)} FROM {quote(unit_findings)} f {' '.join(joins)} "
            f"ORDER BY f.unit, f.status <> 'open', f.dataset, f.record_id, f.field, f.rule, f.status, f.message")


class FindingSheets:
    """The sheets one list of findings is written to, rolling to the next part when one is full."""

    def __init__(self, book: Workbook, plan: SheetPlan, columns: list[str], page_header: str,
                 head_format: Format, wrap_format: Format):
        self.plan, self.columns, self.count = plan, columns, 0
        self.sheets = [book.add_worksheet(name) for name in plan.names]
        headers = labels()["xlsx"]["finding_headers"]
        for sheet in self.sheets:
            sheet.write_row(0, 0, [headers[c] for c in columns], head_format)
            for i, column in enumerate(columns):
                sheet.set_column(i, i, WIDTHS[column], wrap_format if column == "message" else None)
            _set_up_page(sheet, page_header)

    def write(self, values: list) -> None:
        sheet = self.sheets[self.plan.sheet_of(self.count)]
        sheet.write_row(self.count % self.plan.rows_per_sheet + 1, 0, values)
        self.count += 1

    def finish(self) -> None:
        """Filters over each sheet's rows (set last: only now is each sheet's length known)."""
        for i, sheet in enumerate(self.sheets):
            rows = min(self.plan.rows_per_sheet, max(0, self.count - i * self.plan.rows_per_sheet))
            sheet.autofilter(0, 0, rows, len(self.columns) - 1)


def _set_up_page(sheet: Worksheet, page_header: str) -> None:
    """Frozen header; printed landscape on A4, fit to width, header row and unit on every page."""
    sheet.freeze_panes(1, 0)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)
    sheet.set_header("&L&B" + page_header.replace("&", "&&")[:200])
    sheet.set_footer("&R" + labels()["xlsx"]["page_footer"])


def stream_findings(engine: Engine, unit_findings: str, words: str, unit_sheets: dict[str, FindingSheets],
                    all_sheets: FindingSheets | None) -> None:
    """Read the findings once, in unit order, and write each to its unit's sheet and to the all-sheet."""
    for batch in engine.batches(findings_sql(engine.dialect, unit_findings, words)):
        for row in zip(*(column.to_pylist() for column in batch.columns), strict=True):
            values = ["" if v is None else v for v in row]
            unit_sheets[values[0]].write(values[2:])
            if all_sheets is not None:
                all_sheets.write(values)
    for sheets in unit_sheets.values():
        sheets.finish()
    if all_sheets is not None:
        all_sheets.finish()
