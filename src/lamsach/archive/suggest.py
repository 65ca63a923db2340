"""Which records a document is about, read from its text, for an officer to confirm.

A land-use certificate names its serial (two letters and six digits), its owner's 12-digit ID,
its parcel's number and map sheet, its owner's name and birth year; a civil-status extract names
a person and a birth date. Each of these found in the text and equal to a record's values is
evidence; a record named by any of them is suggested, with the evidence listed, never linked
without an officer. Which fields are IDs, names and birth dates comes from the dataset schemas.
"""

from __future__ import annotations

import re
from datetime import date

from lamsach.archive.folding import fold
from lamsach.backends.store import archive as catalogue
from lamsach.data import dataset_names, load_schema

SERIAL = re.compile(r"\b([A-Z]{2}) ?(\d{6})\b")
CITIZEN_ID = re.compile(r"(?<!\d)(\d{12})(?!\d)")
PARCEL = (re.compile(r"thua (?:dat )?(?:so )?(\d+)\D{0,40}?to ban do (?:so )?(\w+)"),  # parcel, then sheet
          re.compile(r"to ban do (?:so )?(\w+)\D{0,40}?thua (?:dat )?(?:so )?(\d+)"))  # sheet, then parcel
DAY = re.compile(r"(?<!\d)(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?!\d)")
BIRTH_YEAR = re.compile(r"(?:nam sinh|sinh nam)\D{0,5}(\d{4})")


def suggest_links(store, text: str) -> list[dict]:
    """Records `text` names: dicts of campaign, dataset, record_key and evidence (Vietnamese)."""
    folded = fold(text)
    found: dict[tuple[str, str, str], list[str]] = {}

    def note(rows: list[dict], evidence: str) -> None:
        for row in rows:
            items = found.setdefault((row["campaign"], row["dataset"], row["record_key"]), [])
            if evidence not in items:
                items.append(evidence)

    serials = {f"{a} {b}" for a, b in SERIAL.findall(text.upper())}
    ids = set(CITIZEN_ID.findall(text))
    for dataset in dataset_names():
        schema = load_schema(dataset)
        fields = {f.name: f for f in schema.fields}
        if "certificate_serial" in fields:
            for serial in serials:
                note(catalogue.records_where(store, dataset, {"certificate_serial": serial}),
                     f"số phát hành GCN {serial}")
        for field in (f for f in schema.fields if f.type == "id" or f.name == "citizen_id"):
            for number in ids:
                note(catalogue.records_where(store, dataset, {field.name: number}),
                     f"{field.label_vi} {number}")
        if {"map_sheet", "parcel_no"} <= fields.keys():
            for sheet, parcel in _parcels(folded):
                note(catalogue.records_where(store, dataset, {"map_sheet": sheet, "parcel_no": parcel}),
                     f"thửa đất số {parcel}, tờ bản đồ số {sheet}")
        for name_field, born_field, kind in _people(schema):
            for value in (_dates(text) if kind == "dob" else set(BIRTH_YEAR.findall(folded))):
                rows = [r for r in catalogue.records_where(store, dataset, {born_field: value})
                        if r["data"].get(name_field) and re.search(rf"\b{re.escape(fold(r['data'][name_field]))}\b",
                                                                   folded)]
                for row in rows:
                    note([row], f"{fields[name_field].label_vi} {row['data'][name_field]}, "
                                f"{fields[born_field].label_vi.lower()} {_show(value)}")
    return [{"campaign": c, "dataset": d, "record_key": k, "evidence": "; ".join(e)}
            for (c, d, k), e in sorted(found.items())]


def _parcels(folded: str) -> set[tuple[str, str]]:
    pairs = {(sheet, parcel) for parcel, sheet in PARCEL[0].findall(folded)}
    return pairs | set(PARCEL[1].findall(folded))


def _people(schema) -> list[tuple[str, str, str]]:
    """(name field, birth date or year field, "dob" or "year") of each person a dataset names."""
    people = []
    for parts in schema.person_roles().values():
        for kind in ("dob", "birth_year"):
            if "name" in parts and kind in parts:
                people.append((parts["name"], parts[kind], "dob" if kind == "dob" else "year"))
    names = {f.name for f in schema.fields}
    if {"full_name", "date_of_birth"} <= names:
        people.append(("full_name", "date_of_birth", "dob"))
    return people


def _dates(text: str) -> set[str]:
    found = set()
    for day, month, year in DAY.findall(text):
        try:
            found.add(date(int(year), int(month), int(day)).isoformat())
        except ValueError:
            continue
    return found


def _show(value: str) -> str:
    return "/".join(reversed(value.split("-"))) if "-" in value else value
