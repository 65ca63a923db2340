"""Reports on a hand-made engine: sheets split at the row limit, units outside the catalogue or missing."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa
import pytest
from html_tree import parse_html
from openpyxl import load_workbook

from lamsach.backends.engine import DuckDBEngine
from lamsach.measure import build_scorecard
from lamsach.report import render_html, report_clock, report_data, write_xlsx_report
from lamsach.report.labels import labels
from lamsach.report.reports import VIETNAM_TIME
from lamsach.runner import PassSummary
from lamsach.validate import FINDING_COLUMNS

WORDS = labels()["xlsx"]
UNITS = {"P1": "15085", "P2": "15085", "P3": "15085", "P4": "99999", "P5": None}
FINDINGS = [  # record, criterion, rule, status
    ("P1", "correct", "area_out_of_range", "open"),
    ("P1", "complete", "missing_required", "open"),
    ("P2", "correct", "area_out_of_range", "open"),
    ("P2", "clean", "encoding_tcvn3", "fixed"),
    ("P4", "unified", "name_differs_from_register", "open"),
    ("P4", "shared", "not_published", "open"),  # not one of the five: overall still passes on it
    ("P5", "live", "stale_record", "open"),
]


@pytest.fixture
def engine_data():
    engine = DuckDBEngine()
    tables = {"land_parcel": engine.register("ds_land_parcel", pa.table({
        "record_id": list(UNITS), "__unit": list(UNITS.values()), "commune_code": list(UNITS.values())}))}
    rows = [{"dataset": "land_parcel", "record_id": r, "unit": UNITS[r], "field": "area_m2", "criterion": c,
             "rule": rule, "severity": "error", "status": s, "message": f"{rule} ở {r}", "suggested_value": None}
            for r, c, rule, s in FINDINGS]
    findings = engine.register("findings", pa.Table.from_pylist(
        rows, schema=pa.schema([(c, pa.string()) for c in FINDING_COLUMNS])))
    scorecard = build_scorecard(engine, tables, findings)
    data = report_data(engine, tables, findings, scorecard, datetime(2026, 1, 2, 3, 4, tzinfo=VIETNAM_TIME))
    summary = PassSummary("Chiến dịch thử", 7, "out", "2026-01-01")
    return engine, data, summary


def test_units_outside_the_catalogue_and_without_a_unit_get_their_own_page(engine_data):
    _, data, summary = engine_data
    page = parse_html(render_html(summary, data))
    sections = {s.attrs["data-unit"]: s for s in page.find_all("section", cls="unit")}
    assert set(sections) == {"", "15085", "99999"}
    assert "Xã Thạch Lập (15085)" in sections["15085"].find("h2").text()
    assert sections["99999"].find("h2").text() == "99999"
    assert sections[""].find("h2").text() == labels()["unknown_unit"]
    total = sections["99999"].find("tr", data_dataset="*")
    assert total.find("td", data_criterion="unified").attrs["data-score"] == "0.0"
    assert total.find("td", data_criterion="overall").attrs["data-passing"] == "0"
    unit = sections["15085"].find("tr", data_dataset="*")
    assert unit.find("td", data_criterion="overall").attrs["data-passing"] == "1"  # P3 only; P2's fix is closed


def test_findings_sheets_split_when_they_pass_the_row_limit(engine_data, tmp_path):
    engine, data, summary = engine_data
    path = tmp_path / "report.xlsx"
    write_xlsx_report(engine, path, summary, data, max_rows=3)  # two findings per sheet under the header
    book = load_workbook(path)
    all_parts = [f"{WORDS['findings_sheet']} (1)", f"{WORDS['findings_sheet']} (2)",
                 f"{WORDS['findings_sheet']} (3)", f"{WORDS['findings_sheet']} (4)"]
    assert book.sheetnames == [WORDS["summary_sheet"], "15085 Xã Thạch Lập (1)", "15085 Xã Thạch Lập (2)",
                               "99999", labels()["unknown_unit"], *all_parts]
    rows = {name: list(book[name].iter_rows(values_only=True))[1:] for name in book.sheetnames[1:]}
    assert [len(rows[n]) for n in book.sheetnames[1:]] == [2, 2, 2, 1, 2, 2, 2, 1]
    assert book["15085 Xã Thạch Lập (2)"].auto_filter.ref == "A1:I3"
    assert book[all_parts[-1]].auto_filter.ref == "A1:K2"
    assert sum(len(rows[n]) for n in all_parts) == len(FINDINGS)
    assert rows["15085 Xã Thạch Lập (2)"][-1][6] == labels()["statuses"]["fixed"]  # open findings first


def test_rejected_rows_are_counted_by_reason_with_an_example(engine_data):
    _, data, summary = engine_data
    rejection = {"sheet": None, "row": 4, "column": None, "code": "INGEST_KEY_MISSING",
                 "message": "Tệp a.csv, dòng 4: thiếu Mã hồ sơ."}
    summary.sources = [{"file": "/x/a.csv", "dataset": "land_parcel", "unit": "15085", "rows_read": 3,
                        "rows_stored": 1, "rows_rejected": 2, "rejections": [rejection, dict(rejection, row=5)]}]
    summary.rows_read, summary.rows_stored, summary.rows_rejected = 3, 1, 2
    summary.rejection_reasons = {"INGEST_KEY_MISSING": 2}
    page = parse_html(render_html(summary, data))
    province = page.find("section", id="province")
    row = next(tr for tr in province.find_all("tr") if "INGEST_KEY_MISSING" in tr.text())
    assert [td.text() for td in row.find_all("td")] == ["INGEST_KEY_MISSING", "2", rejection["message"]]
    assert province.find("td", cls="file").text() == "a.csv"


def test_same_figures_and_clock_give_byte_identical_reports(engine_data, tmp_path, monkeypatch):
    engine, data, summary = engine_data
    for name in ("a", "b"):
        write_xlsx_report(engine, tmp_path / f"{name}.xlsx", summary, data)
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    assert render_html(summary, data) == render_html(summary, data)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793000000")
    assert report_clock() == datetime(2026, 10, 26, 14, 33, 20, tzinfo=VIETNAM_TIME)
