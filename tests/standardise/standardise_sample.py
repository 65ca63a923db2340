"""Read the Hậu Lộc sample directly (csv, python-calamine), the way ingest will hand it over.

The ingest stage is written elsewhere; these tests must not depend on it, so this module does
the little they need: find the header row, map headers to fields through the schema's aliases,
turn Excel numbers and dates into the text ingest produces (integral floats without ".0", dates
as ISO).
"""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineWorkbook

from lamsach.data import load_schema
from lamsach.domain import DatasetSchema

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "samples" / "hau-loc"  # beside the repository root
CSV_DATASETS = {"population": "population.csv", "birth": "birth.csv", "death": "death.csv", "marriage": "marriage.csv"}


@dataclass
class SampleTable:
    dataset: str
    schema: DatasetSchema
    source: str
    record_ids: list[str]
    columns: dict[str, list[str | None]]


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


def _header_map(schema: DatasetSchema, headers: list[str]) -> dict[int, str]:
    aliases = {}
    for spec in schema.fields:
        for alias in (spec.label_vi, *spec.aliases):
            aliases.setdefault(_fold(alias), spec.name)
    out: dict[int, str] = {}
    for i, header in enumerate(headers):
        name = aliases.get(_fold(str(header)))
        if name and name not in out.values():
            out[i] = name
    return out


def _cell(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:10]
    return str(value)


def _table(dataset: str, source: str, rows: list[list]) -> SampleTable:
    schema = load_schema(dataset)
    header_row = next(i for i, row in enumerate(rows) if "mã hồ sơ" in {_fold(str(c)) for c in row})
    mapping = _header_map(schema, [str(c) for c in rows[header_row]])
    columns: dict[str, list[str | None]] = {name: [] for name in mapping.values()}
    for row in rows[header_row + 1 :]:
        if all(c in (None, "") for c in row):
            continue
        for i, name in mapping.items():
            columns[name].append(_cell(row[i]) if i < len(row) else None)
    return SampleTable(dataset, schema, source, [str(v) for v in columns["record_id"]], columns)


def load_tables() -> list[SampleTable]:
    tables = []
    for dataset, name in CSV_DATASETS.items():
        with open(SAMPLE / name, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        tables.append(_table(dataset, name, rows))
    for path in sorted((SAMPLE / "land").glob("*.xlsx")):
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        tables.append(_table("land_parcel", f"land/{path.name}", rows))
    return tables


def load_truth() -> tuple[list[dict[str, str]], dict[tuple[str, str, str], str]]:
    with open(SAMPLE / "truth/errors.csv", encoding="utf-8") as handle:
        errors = list(csv.DictReader(handle))
    with open(SAMPLE / "truth/clean_values.csv", encoding="utf-8") as handle:
        clean = {(r["dataset"], r["record_id"], r["field"]): r["value"] for r in csv.DictReader(handle)}
    return errors, clean
