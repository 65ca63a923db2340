"""The officer's side of the round trip: corrections from the generated province's ground
truth, typed into a returned workbook with openpyxl (as Excel would hand them back)."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook

from lamsach.data import catalogue_rows, load_schema
from lamsach.review.layout import FIRST_DATA_ROW, sheet_columns

ID_RULES = {"id_not_in_register", "id_sex_century_mismatch", "id_birth_year_mismatch", "missing_required"}


def _truth(manifest: Path, name: str) -> list[dict[str, str]]:
    with (manifest.parent / "truth" / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def true_ids(manifest: Path) -> dict[tuple[str, str, str], str]:
    """(dataset, record_id, id field) -> the person's real 12-digit number."""
    found = {}
    for row in _truth(manifest, "links.csv"):
        schema = load_schema(row["dataset"])
        field = next(f.name for f in schema.fields if f.person_role == row["role"] and f.role_part == "id")
        found[(row["dataset"], row["record_id"], field)] = row["citizen_id"]
    return found


def planted(manifest: Path) -> set[tuple[str, str, str, str]]:
    """(dataset, record_id, field, rule) of every defect the generator planted."""
    return {(r["dataset"], r["record_id"], r["field"], r["error_type"]) for r in _truth(manifest, "errors.csv")}


def officer_fixes(manifest: Path, findings: list[dict], records: dict[tuple[str, str], dict]) -> dict:
    """(dataset, key, field) -> the value an officer types for the unit's planted defects that a
    cell can fix, as Excel would hand it back: IDs as numbers (leading zero lost), dates as dates."""
    ids, defects = true_ids(manifest), planted(manifest)
    areas = {r["land_use_code"]: (float(r["min_m2"]), float(r["max_m2"])) for r in
             catalogue_rows("rules/area_plausibility")}
    fixes: dict[tuple[str, str, str], object] = {}
    for f in findings:
        cell = (f["dataset"], f["record_key"], f["field"])
        if (*cell, f["rule"]) not in defects:
            continue
        data = records[(f["dataset"], f["record_key"])]
        if f["rule"] in ID_RULES and cell in ids:
            fixes[cell] = int(ids[cell])
        elif f["field"] == "area_m2" and f["rule"] == "missing_required" and data.get("land_use_code") in areas:
            low, high = areas[data["land_use_code"]]
            fixes[cell] = round((low + high) / 2, 1) if high < 1000 else round(low * 2 + 0.5, 1)
        elif f["field"] == "certificate_serial":
            fixes[cell] = "AB 123456"
        elif f["dataset"] == "population" and f["field"] == "date_of_birth" and data.get("citizen_id"):
            digits = data["citizen_id"]
            fixes[cell] = datetime(1900 + 100 * (int(digits[3]) // 2) + int(digits[4:6]), 6, 15)
    return fixes


def locate(sheet, dataset: str, key: str, field: str) -> str:
    """The A1 name of a record's field in a dataset sheet."""
    columns = [f.name for f in sheet_columns(load_schema(dataset))]
    for row in range(FIRST_DATA_ROW, sheet.max_row + 1):
        if sheet.cell(row, 1).value == key:
            return sheet.cell(row, columns.index(field) + 1).coordinate
    raise KeyError((dataset, key))


def edit_workbook(source: Path, target: Path, edits: dict[tuple[str, str, str], object]) -> dict:
    """Save a copy of `source` with (dataset, key, field) cells set; returns their A1 names."""
    book = load_workbook(source)
    where = {}
    for (dataset, key, field), value in edits.items():
        cell = locate(book[dataset], dataset, key, field)
        book[dataset][cell] = value
        where[(dataset, key, field)] = cell
    book.save(target)
    return where
