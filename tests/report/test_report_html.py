"""report.html on a generated province: a page per unit whose figures equal the contract files."""

from __future__ import annotations

import re

import pytest
from html_tree import Element, parse_html

from lamsach.data import catalogue_rows
from lamsach.domain import CRITERIA, DATA_CRITERIA

FIVE = [c.value for c in DATA_CRITERIA]
SIX = [c.value for c in CRITERIA]  # the pass publishes, so shared is scored beside the five


@pytest.fixture(scope="module")
def page(small_pass) -> Element:
    return parse_html((small_pass.out / "report.html").read_text(encoding="utf-8"))


def unit_sections(page: Element) -> list[Element]:
    return page.find_all("section", cls="unit")


def test_one_unit_section_per_unit_in_the_scorecard(small_pass, page):
    sections = unit_sections(page)
    assert [s.attrs["data-unit"] for s in sections] == small_pass.units()
    assert len(small_pass.units()) >= 2
    assert {s.attrs["id"] for s in sections} == {f"unit-{u}" for u in small_pass.units()}


def test_units_are_named_from_the_admin_catalogue(small_pass, page):
    names = {r["commune_code"]: r["commune_name"] for r in catalogue_rows("admin_units/communes_2025")}
    for section in unit_sections(page):
        code = section.attrs["data-unit"]
        heading = section.find("h2").text()
        assert code in heading
        if code in names:
            assert names[code] in heading


def test_scores_per_dataset_and_criterion_equal_the_scorecard(small_pass, page):
    by_unit = {s.attrs["data-unit"]: s for s in unit_sections(page)}
    checked = 0
    for row in small_pass.scorecard:
        if row["criterion"] not in SIX:
            continue
        table = by_unit[row["unit"]].find("table", cls="unit-scores")
        cell = table.find("tr", data_dataset=row["dataset"]).find("td", data_criterion=row["criterion"])
        assert float(cell.attrs["data-score"]) == pytest.approx(float(row["score"]), abs=1e-9)
        assert int(cell.attrs["data-passing"]) == int(row["passing"])
        shown = float(cell.text().rstrip("%").replace(",", ".")) / 100
        assert shown == pytest.approx(float(row["score"]), abs=0.0005 + 1e-9)  # one decimal of a percent
        checked += 1
    assert checked == len([r for r in small_pass.scorecard if r["criterion"] in SIX])


def test_overall_equals_a_recomputation_from_findings(small_pass, page):
    overall = small_pass.overall()
    by_unit = {s.attrs["data-unit"]: s for s in unit_sections(page)}
    for (unit, dataset), (records, passing) in overall.items():
        row = by_unit[unit].find("table", cls="unit-scores").find("tr", data_dataset=dataset)
        cell = row.find("td", data_criterion="overall")
        assert int(cell.attrs["data-passing"]) == passing, (unit, dataset)
        assert float(cell.attrs["data-score"]) == pytest.approx(round(passing / records, 4), abs=1e-9)
    for unit, section in by_unit.items():
        records = sum(r for (u, _), (r, _) in overall.items() if u == unit)
        passing = sum(p for (u, _), (_, p) in overall.items() if u == unit)
        total = section.find("tr", data_dataset="*").find("td", data_criterion="overall")
        assert int(total.attrs["data-passing"]) == passing
        assert float(total.attrs["data-score"]) == pytest.approx(round(passing / records, 4), abs=1e-9)
    # the record-to-unit mapping used here agrees with the scorecard's denominators
    for row in small_pass.scorecard:
        assert overall[(row["unit"], row["dataset"])][0] == int(row["records"])


def test_province_page_reconciles_rows_and_findings(small_pass, page):
    summary = small_pass.summary
    province = page.find("section", id="province")
    numbers = {k: int(province.find(id=k).text().replace(".", "")) for k in ("rows-read", "rows-stored", "rows-rejected")}
    assert numbers == {"rows-read": summary.rows_read, "rows-stored": summary.rows_stored,
                       "rows-rejected": summary.rows_rejected}
    assert numbers["rows-read"] == numbers["rows-stored"] + numbers["rows-rejected"]
    for criterion, counts in summary.findings_by_criterion.items():
        row = province.find("tr", data_criterion=criterion)
        cells = [c.text() for c in row.find_all("td")]
        expected_open = sum(1 for f in small_pass.findings if f["criterion"] == criterion and f["status"] == "open")
        assert int(cells[1].replace(".", "")) == counts.get("open", 0) == expected_open
    overall = small_pass.overall()
    passing = sum(p for _, p in overall.values())
    records = sum(r for r, _ in overall.values())
    total = province.find("table", id="province-scores").find("tr", data_dataset="*")
    assert int(total.find("td", data_criterion="overall").attrs["data-passing"]) == passing
    assert int(total.find_all("td")[1].text().replace(".", "")) == records


def test_charts_are_inline_svg_one_per_unit_and_the_page_needs_no_network(small_pass, page):
    text = (small_pass.out / "report.html").read_text(encoding="utf-8")
    for section in unit_sections(page):
        svg = section.find("svg")
        assert len(svg.find_all("rect")) == len(SIX) + 1
    ranked = page.find("section", id="province").find_all("svg")
    assert sum(len(s.find_all("a")) for s in ranked) == len(small_pass.units())
    assert not page.find_all("script") and not page.find_all("link") and not page.find_all("img")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)
    assert "@import" not in text and "url(" not in text


def test_top_rules_and_worst_records_per_unit(small_pass, page):
    by_unit = small_pass.unit_findings()
    for section in unit_sections(page):
        open_ = [f for f in by_unit.get(section.attrs["data-unit"], []) if f["status"] == "open"]
        rows = section.find("table", cls="unit-rules").find_all("tr") if open_ else []
        for row in rows[1:]:
            rule = row.attrs["data-rule"]
            cells = [c.text() for c in row.find_all("td")]
            assert int(cells[2]) == sum(1 for f in open_ if f["rule"] == rule)
            assert int(cells[3]) == len({(f["dataset"], f["record_id"]) for f in open_ if f["rule"] == rule})
        if open_:
            worst = section.find("table", cls="worst-records").find_all("tr")[1]
            key = (worst.attrs["data-dataset"], worst.attrs["data-record"])
            messages = [li.text() for li in worst.find_all("li")]
            expected = sorted(f["message"] for f in open_ if (f["dataset"], f["record_id"]) == key)
            assert sorted(messages) == expected
            most = max(sum(1 for f in open_ if (f["dataset"], f["record_id"]) == k)
                       for k in {(f["dataset"], f["record_id"]) for f in open_})
            assert len(messages) == most


def test_the_fixed_clock_and_campaign_are_shown(small_pass, page):
    meta = page.find("p", cls="meta").text()
    assert "08:30 ngày 02/11/2026" in meta
    assert small_pass.summary.reference_date in meta
    assert small_pass.summary.campaign in page.find("title").text()
