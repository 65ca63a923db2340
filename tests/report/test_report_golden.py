"""Golden file: the outline of the reports of a generated province passed with a fixed clock.

The outline (headings, table and sheet headers) is compared with `golden/outline.json`, so a change
of layout or wording shows as a reviewed diff; figures are not in it, so a change of a rule elsewhere
does not touch it. Regenerate with `LAMSACH_UPDATE_GOLDEN=1 pytest tests/report` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from html_tree import Element, parse_html
from openpyxl import load_workbook

GOLDEN = Path(__file__).parent / "golden" / "outline.json"


def _html_outline(section: Element, headings: set[str]) -> list:
    """Headings and table headers in page order (a unit's h2, its name, is left out)."""
    return [[e.tag, e.text().strip()] if e.tag != "thead" else ["thead", [th.text().strip() for th in e.find_all("th")]]
            for e in section.iter() if e.tag in headings | {"thead"}]


def _bold_rows(sheet) -> list[list]:
    """Titles and header rows of the summary sheet: bold rows not about a unit (a code) or the province."""
    return [[c.value for c in row if c.value is not None] for row in sheet.iter_rows()
            if row[0].font.b and isinstance(row[0].value, str) and not row[0].value[:1].isdigit()]


def outline(out: Path) -> dict:
    page = parse_html((out / "report.html").read_text(encoding="utf-8"))
    book = load_workbook(out / "report.xlsx")
    sheets = book.sheetnames
    return {
        "html": {"province": _html_outline(page.find("section", id="province"), {"h1", "h2", "h3"}),
                 "first_unit": _html_outline(page.find("section", cls="unit"), {"h3"})},
        "xlsx": {"sheets": [sheets[0], "<one per unit>", sheets[-1]],
                 "summary_titles_and_headers": _bold_rows(book[sheets[0]]),
                 "unit_sheet_header": [c.value for c in book[sheets[1]][1]],
                 "findings_sheet_header": [c.value for c in book[sheets[-1]][1]]},
    }


def test_outline_matches_the_golden_file(small_pass):
    actual = outline(small_pass.out)
    if os.environ.get("LAMSACH_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(actual, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert GOLDEN.exists(), f"{GOLDEN} is missing: run with LAMSACH_UPDATE_GOLDEN=1 and review it"
    assert actual == json.loads(GOLDEN.read_text(encoding="utf-8"))
