"""Excel's types read back as what the officer meant; wording and error templates complete."""

from __future__ import annotations

import re
from datetime import date, datetime
from string import Formatter

import pytest

from lamsach.data import error_templates, load_schema, workbook_wording
from lamsach.domain import ErrorCode
from lamsach.review.cells import cell_text, export_value, same_value

LAND = load_schema("land_parcel")


def spec(name: str):
    return LAND.field(name)


@pytest.mark.parametrize(("value", "field", "meant"), [
    (38099027131, "owner_id", "038099027131"),          # 12-digit ID that lost its leading zero
    (38099027131.0, "owner_id", "038099027131"),
    (1175290729, "owner_id", "001175290729"),          # Hà Nội's 001 loses two zeros
    (12345678, "owner_id", "012345678"),               # 9-digit CMND starting with 0
    ("038099027131 ", "owner_id", "038099027131"),
    (1234, "commune_code", "01234"),
    (120.5, "area_m2", "120.5"),
    (120.0, "area_m2", "120"),
    (1984, "owner_birth_year", "1984"),
    (datetime(2026, 8, 2), "updated_at", "02/08/2026"),
    (date(2026, 8, 2), "updated_at", "02/08/2026"),
    ("   ", "owner_name", None),
    (None, "owner_name", None),
])
def test_cell_text(value, field, meant):
    assert cell_text(value, spec(field)) == meant


def test_dates_are_compared_as_days_and_exported_as_date_cells():
    updated = spec("updated_at")
    assert same_value("2026-08-02", "02/08/2026", updated) and same_value("02/08/2026", "2/8/2026", updated)
    assert not same_value("02/08/2026", "03/08/2026", updated)
    assert not same_value("2026-08-02", "02/08/2026", spec("owner_name"))
    assert export_value("02/08/2026", updated) == date(2026, 8, 2) == export_value("2026-08-02", updated)
    assert export_value("31/02/2026", updated) == "31/02/2026"
    assert export_value("038099027131", spec("owner_id")) == "038099027131"


@pytest.mark.parametrize("code", [c for c in ErrorCode if c.value.startswith("REVIEW_")], ids=str)
def test_review_errors_have_both_languages_with_the_same_placeholders(code):
    templates = error_templates()[code.value]
    names = [{n for _, n, _, _ in Formatter().parse(templates[lang]) if n} for lang in ("vi", "en")]
    assert templates["vi"] and templates["en"] and names[0] == names[1]


def test_workbook_wording_is_complete():
    words = workbook_wording()
    assert words["kind"] == "workbook_wording" and words["format_version"] == 1
    assert [s["heading"][:2] for s in words["sections"]] == ["1.", "2.", "3."]
    assert set(re.findall(r"{(\w+)}", words["change_reason"])) == {"file", "sheet", "cell", "round"}
