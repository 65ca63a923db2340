"""The findings sheets of `report.xlsx`: one per unit, and all findings together while they fit.

A commune officer filters and prints the unit's own sheet; the province keeps one sheet of
everything as long as it fits Excel's row limit, and numbered parts when it does not. Codes are
turned into Vietnamese words in the engine (one join with a small table of words), and the rows are
read once, in unit order, and streamed to the sheets, so memory does not grow with the findings;
the engine writes each row's sheet XML too (`xlsx_rows`), so Python does not handle every cell.
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
from lamsach.report.xlsx_rows import append_row, plain_sql, row_xml_sql
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


def findings_sql(dialect: Dialect, unit_findings: str, words: str, rows_per_sheet: int,
                 unit_styles: dict[int, int], all_styles: dict[int, int], rows_as_xml: bool = True) -> str:
    """Every finding in words, in unit order, open ones first, then by record: its unit, its index
    in its unit and among all, and the finished `<row>` XML of its unit's sheet and of the sheet of
    all findings (`xlsx_rows`); for a row XlsxWriter must write cell by cell (every row unless
    `rows_as_xml`), its values instead."""
    quote = dialect.quote
    w = quote(words)
    joins = []
    for alias, kind, key in (("wu", "unit", "f.unit"), ("wd", "dataset", "f.dataset"),
                             ("wf", "field", "f.dataset || '.' || f.field"), ("wc", "criterion", "f.criterion"),
                             ("ws", "severity", "f.severity"), ("wt", "status", "f.status")):
        joins.append(f"LEFT JOIN {w} {alias} ON {alias}.kind = '{kind}' AND {alias}.key = {key}")
    values = {"unit": "f.unit", "unit_name": "wu.label", "dataset": "coalesce(wd.label, f.dataset)",
              "record_id": "f.record_id", "field": "coalesce(wf.label, f.field)",
              "criterion": "coalesce(wc.label, f.criterion)", "rule": "f.rule",
              "severity": "coalesce(ws.label, f.severity)", "status": "coalesce(wt.label, f.status)",
              "message": "f.message", "suggested_value": "f.suggested_value"}
    texts = ", ".join(f"coalesce({dialect.cast(v, 'text')}, '') AS v_{c}" for c, v in values.items())
    order = ("f.unit, f.status <> 'open', f.dataset, f.record_id, f.field, f.rule, f.status, f.message, "
             "f.severity, f.suggested_value")
    numbered = (f"SELECT {texts}, row_number() OVER (ORDER BY {order}) - 1 AS i_all "
                f"FROM {quote(unit_findings)} f {' '.join(joins)}")
    plain = " AND ".join(plain_sql(dialect, f"v_{c}") for c in ALL_COLUMNS) if rows_as_xml else "false"
    unit_row = row_xml_sql([f"v_{c}" for c in UNIT_COLUMNS], f"(i_unit % {rows_per_sheet} + 2)", unit_styles)
    all_row = row_xml_sql([f"v_{c}" for c in ALL_COLUMNS], f"(i_all % {rows_per_sheet} + 2)", all_styles)
    kept = ", ".join(f"CASE WHEN plain THEN NULL ELSE v_{c} END AS {c}" for c in ALL_COLUMNS)
    return (f"SELECT v_unit AS sheet_unit, i_unit, i_all, CASE WHEN plain THEN {unit_row} END AS unit_xml, "
            f"CASE WHEN plain THEN {all_row} END AS all_xml, {kept} FROM ("
            f"SELECT *, row_number() OVER (PARTITION BY v_unit ORDER BY i_all) - 1 AS i_unit, {plain} AS plain "
            f"FROM ({numbered}) n) r ORDER BY i_all")


class FindingSheets:
    """The sheets one list of findings is written to, rolling to the next part when one is full."""

    def __init__(self, book: Workbook, plan: SheetPlan, columns: list[str], page_header: str,
                 head_format: Format, wrap_format: Format):
        self.plan, self.columns, self.count = plan, columns, 0
        self.wrap_format = wrap_format
        self.sheets = [book.add_worksheet(name) for name in plan.names]
        headers = labels()["xlsx"]["finding_headers"]
        for sheet in self.sheets:
            sheet.write_row(0, 0, [headers[c] for c in columns], head_format)
            for i, column in enumerate(columns):
                sheet.set_column(i, i, WIDTHS[column], wrap_format if column == "message" else None)
            _set_up_page(sheet, page_header)

    def styles(self) -> dict[int, int]:
        """The format index each column's cells carry (the column's own format: the message wraps)."""
        return {i: self.wrap_format._get_xf_index() for i, c in enumerate(self.columns) if c == "message"}

    def write(self, values: list) -> None:
        """One finding written cell by cell."""
        sheet = self.sheets[self.plan.sheet_of(self.count)]
        sheet.write_row(self.count % self.plan.rows_per_sheet + 1, 0, values)
        self.count += 1

    def put(self, index: int, xml: str | None, values: list) -> None:
        """The `index`-th finding: its finished row `xml`, or, when None, its `values` cell by cell."""
        if index != self.count:
            raise RuntimeError(f"finding {index} of a sheet written as its {self.count}th")
        if xml is None:
            self.write(values)
            return
        append_row(self.sheets[self.plan.sheet_of(self.count)], self.count % self.plan.rows_per_sheet + 1, xml)
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
                    all_sheets: FindingSheets, rows_as_xml: bool = True) -> None:
    """Read the findings once, in unit order, and write each to its unit's sheet and to the all-sheet
    (`rows_as_xml=False`: every row cell by cell, as XlsxWriter alone writes them)."""
    per_sheet = {all_sheets.plan.rows_per_sheet, *(s.plan.rows_per_sheet for s in unit_sheets.values())}
    if len(per_sheet) != 1:
        raise ValueError(f"sheets of different lengths: {sorted(per_sheet)}")
    unit_styles = next(iter(unit_sheets.values())).styles() if unit_sheets else {}
    sql = findings_sql(engine.dialect, unit_findings, words, per_sheet.pop(), unit_styles, all_sheets.styles(),
                       rows_as_xml)
    for batch in engine.batches(sql):
        for unit, i_unit, i_all, unit_xml, all_xml, *values in zip(
                *(column.to_pylist() for column in batch.columns), strict=True):
            unit_sheets[unit].put(i_unit, unit_xml, values[2:])
            all_sheets.put(i_all, all_xml, values)
    for sheets in unit_sheets.values():
        sheets.finish()
    all_sheets.finish()
