"""Writing a generated province the way units send files: CSVs, land workbooks, a manifest.

Files are written deterministically (fixed row order, fixed workbook timestamps, `\\n` line
ends) so one seed gives byte-identical output. Headers are the schema's Vietnamese labels, as
the sample's files use them.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from lamsach.domain.model import DatasetSchema


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_dataset_csv(path: Path, schema: DatasetSchema, rows: Iterable[dict[str, str]], *, bom: bool) -> None:
    """A dataset's rows under its Vietnamese headers, in schema order."""
    names = schema.field_names
    write_csv(path, [f.label_vi for f in schema.fields], ([row.get(n, "") for n in names] for row in rows), bom=bom)


def _parse_date(text: str) -> datetime | None:
    try:
        day, month, year = (int(part) for part in text.split("/"))
        return datetime(year, month, day)
    except ValueError:
        return None


def _number(text: str) -> int | float | None:
    try:
        return int(text) if text.isdigit() else float(text)
    except ValueError:
        return None


class LandWorkbook:
    """One commune's land workbook: title rows, an STT column, Vietnamese headers, data.

    `numeric_fields` are written as Excel numbers (as sector software exports them); a
    commune with the `numeric_ids` quirk also has its owner IDs as numbers (leading zero lost),
    and one with `excel_dates` has real Excel dates in `updated_at`.
    """

    def __init__(self, layout: dict[str, Any], schema: DatasetSchema, created: date) -> None:
        self.layout, self.schema, self.created = layout, schema, created

    def write(self, path: Path, rows: Sequence[dict[str, str]], title_values: dict[str, str],
              quirks: set[str]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        options = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
        workbook = xlsxwriter.Workbook(str(path), options)
        workbook.set_properties({"created": datetime(self.created.year, self.created.month, self.created.day)})
        sheet = workbook.add_worksheet(self.layout["sheet_name"])
        bold = workbook.add_format({"bold": True, "align": "center"})
        header = workbook.add_format({"bold": True, "border": 1, "text_wrap": True, "align": "center"})
        date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
        fields = self.schema.fields
        width = len(fields)  # STT column + fields - 1
        for r, title in enumerate(self.layout["title_rows"]):
            if title:
                sheet.merge_range(r, 0, r, width, title.format(**title_values), bold)
        top = len(self.layout["title_rows"])
        sheet.write_string(top, 0, self.layout["row_number_header"], header)
        for c, spec in enumerate(fields, start=1):
            sheet.write_string(top, c, spec.label_vi, header)
            sheet.set_column(c, c, max(10, min(40, len(spec.label_vi) + 4)))
        numeric = set(self.layout["numeric_fields"])
        for i, row in enumerate(rows, start=1):
            r = top + i
            sheet.write_number(r, 0, i)
            for c, spec in enumerate(fields, start=1):
                value = row.get(spec.name, "")
                if value == "":
                    continue
                typed: Any = None
                if spec.name in numeric or (spec.type == "id" and "numeric_ids" in quirks):
                    typed = _number(value) if value.replace(".", "", 1).isdigit() else None
                    if typed is not None:
                        sheet.write_number(r, c, typed)
                        continue
                if spec.type == "date" and "excel_dates" in quirks:
                    typed = _parse_date(value)
                    if typed is not None:
                        sheet.write_datetime(r, c, typed, date_format)
                        continue
                sheet.write_string(r, c, value)
        workbook.close()


def write_manifest(path: Path, name: str, province: str, reference_date: date,
                   sources: Sequence[tuple[str, str, str | None]]) -> None:
    """The batch contract's manifest; strings double-quoted (JSON strings are YAML strings)."""
    def q(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)

    lines = [f"name: {q(name)}", f"province: {q(province)}", f"reference_date: {q(reference_date.isoformat())}",
             "sources:"]
    for source_path, dataset, unit in sources:
        lines += [f"  - path: {source_path}", f"    dataset: {dataset}"]
        if unit:
            lines.append(f"    unit: {q(unit)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
