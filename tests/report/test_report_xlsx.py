"""report.xlsx on a generated province, reopened with openpyxl: sheets, headers, filters, rows."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from lamsach.report.labels import criterion_label, dataset_label, labels, unit_title
from lamsach.report.xlsx_findings import ALL_COLUMNS, UNIT_COLUMNS

WORDS = labels()["xlsx"]


@pytest.fixture(scope="module")
def book(small_pass):
    return load_workbook(small_pass.out / "report.xlsx")


def unit_sheet_name(code: str) -> str:
    title = unit_title(code)
    return f"{code} {title.name}".strip() if code else labels()["unknown_unit"]


def test_sheets_summary_then_one_per_unit_then_all_findings(small_pass, book):
    units = small_pass.units()
    assert book.sheetnames == [WORDS["summary_sheet"], *(unit_sheet_name(u) for u in units),
                               WORDS["findings_sheet"]]
    for name in book.sheetnames:
        assert len(name) <= 31 and not set(name) & set("[]:*?/\\")


def test_each_unit_sheet_holds_exactly_its_findings(small_pass, book):
    headers = [WORDS["finding_headers"][c] for c in UNIT_COLUMNS]
    by_unit = small_pass.unit_findings()
    for unit in small_pass.units():
        sheet = book[unit_sheet_name(unit)]
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) == headers
        expected = by_unit.get(unit, [])
        assert len(rows) - 1 == len(expected), unit
        assert sheet.auto_filter.ref == f"A1:I{max(len(expected), 1) + 1}"
        assert sheet.freeze_panes == "A2"
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert all(sheet.column_dimensions[c].width for c in "ABCDEFGHI")
        ids = sorted(str(r[1]) for r in rows[1:])
        assert ids == sorted(f["record_id"] for f in expected)
        statuses = [r[6] for r in rows[1:]]
        assert statuses == sorted(statuses, key=lambda s: s != labels()["statuses"]["open"])  # open first


def test_all_findings_sheet_kept_below_the_row_limit(small_pass, book):
    sheet = book[WORDS["findings_sheet"]]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [WORDS["finding_headers"][c] for c in ALL_COLUMNS]
    assert len(rows) - 1 == len(small_pass.findings)
    assert sheet.auto_filter.ref == f"A1:K{len(small_pass.findings) + 1}"


def test_summary_has_province_figures_and_coloured_scores_per_unit(small_pass, book):
    sheet = book[WORDS["summary_sheet"]]
    cells = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0] is not None}
    facts = WORDS["facts"]
    summary = small_pass.summary
    assert cells[facts["rows_read"]] == summary.rows_read
    assert cells[facts["rows_rejected"]] == summary.rows_rejected
    assert cells[facts["generated_at"]] == "02/11/2026 08:30"
    header_row = next(r for r in sheet.iter_rows() if r[0].value == WORDS["scores_headers_before"][0])
    head = header_row[0].row
    assert sheet.print_title_rows == f"${head}:${head}"
    assert sheet.auto_filter.ref.startswith(f"A{head}:")
    assert sheet.page_setup.orientation == "landscape" and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert len(sheet.conditional_formatting) >= 1
    headers = [c.value for c in header_row]
    shown = {(row[0], row[2]): row for row in sheet.iter_rows(min_row=head + 1, values_only=True)
             if row[1] != labels()["province_total"]}
    for r in small_pass.scorecard:
        row = shown[(r["unit"], dataset_label(r["dataset"]))]
        assert row[headers.index(criterion_label(r["criterion"]))] == pytest.approx(float(r["score"]))
    for (unit, dataset), (records, passing) in small_pass.overall().items():
        row = shown[(unit, dataset_label(dataset))]
        assert row[headers.index(criterion_label("overall"))] == pytest.approx(round(passing / records, 4))
    links = {row[0].value: row[-1].hyperlink.location for row in sheet.iter_rows(min_row=head + 1)
             if row[-1].hyperlink is not None}
    assert links == {u: f"'{unit_sheet_name(u)}'!A1" for u in small_pass.units()}
