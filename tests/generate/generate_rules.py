"""An independent, deliberately simple checker of a generated province's rows.

It applies the rules a cleaning pass applies (ID digits, dates, legal ages, register
agreement, codes, areas, addresses, duplicates) to the in-memory rows and returns every record
that breaks one. On the clean twin it must find nothing; on the planted province everything it
finds must be listed in `truth/involved.csv`. It shares no code with the planters on purpose.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, timedelta

from lamsach.data import read_csv
from lamsach.generate.world import World

PREFIXES = {r["cccd_prefix"] for r in read_csv("catalogues/cccd_province_codes.csv")}
SERIAL = re.compile(r"^[A-Z]{2} \d{6}$")


def day(text: str) -> date | None:
    try:
        d, m, y = (int(x) for x in text.split("/"))
        return date(y, m, d)
    except ValueError:
        return None


def id_agrees(citizen_id: str, birth_year: int | None, sex: str | None) -> bool:
    if len(citizen_id) != 12 or not citizen_id.isdigit() or citizen_id[:3] not in PREFIXES:
        return False
    g, yy = int(citizen_id[3]), int(citizen_id[4:6])
    if birth_year is not None and (1900 + 100 * (g // 2) + yy != birth_year):
        return False
    return sex is None or (g % 2 == 1) == (sex == "F")


def legal_on(dob: date, registered: date, years: int) -> bool:
    return (registered.year - dob.year - ((registered.month, registered.day) < (dob.month, dob.day))) >= years


def repaired(world: World) -> dict[str, list[dict[str, str]]]:
    """Every dataset's rows after a perfect automatic repair (`clean_values` applied): rules
    judge values after standardisation, as a cleaning pass does."""
    fixes: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for (dataset, record, field), value in world.truth.clean_values.items():
        fixes[(dataset, record)][field] = value
    return {
        name: [{**row, **fixes.get((name, row["record_id"]), {})} for row in ds.rows]
        for name, ds in world.datasets.items()
    }


def violations(world: World) -> set[tuple[str, str]]:
    today, ref = world.today, world.ref
    rows = repaired(world)
    sex_of = {label: key for key, label in ref.labels["sex"].items()}
    dead_label = ref.labels["status"]["dead"]
    hamlet_addresses = {c.code: {c.address(h) for h in c.hamlets} for c in world.communes}
    flagged: set[tuple[str, str]] = set()
    population = rows["population"]
    register: dict[str, list[dict[str, str]]] = defaultdict(list)  # a duplicated ID has two entries
    seen: dict[str, list[str]] = defaultdict(list)
    for row in population:
        rid, dob = row["record_id"], day(row["date_of_birth"])
        register[row["citizen_id"]].append(row)
        seen[row["citizen_id"]].append(rid)
        bad = (
            dob is None or dob > today
            or not id_agrees(row["citizen_id"], dob.year, sex_of.get(row["sex"]))
            or row["address"] not in hamlet_addresses[row["commune_code"]]
            or (row["status"] == dead_label) != bool(row["date_of_death"])
            or (day(row["updated_at"]) or today) < today - timedelta(days=730)
        )
        if bad:
            flagged.add(("population", rid))
    for rids in seen.values():
        if len(rids) > 1:
            flagged.update(("population", r) for r in rids)

    def person_ok(citizen_id: str, name: str | None = None, dob: str | None = None, year: str | None = None,
                  sex: str | None = None, alive: bool = True) -> bool:
        entries = register.get(citizen_id)
        return bool(entries) and not any(
            (name is not None and name != entry["full_name"])
            or (dob is not None and dob != entry["date_of_birth"])
            or (year is not None and year != entry["date_of_birth"][-4:])
            or (sex is not None and sex != entry["sex"])
            or (alive and entry["status"] == dead_label)
            for entry in entries
        )

    parcels: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for row in rows["land_parcel"]:
        rid, land_use = row["record_id"], ref.land_use(row["land_use_code"])
        parcels[(row["commune_code"], row["map_sheet"], row["parcel_no"])].append(rid)
        area = float(row["area_m2"]) if row["area_m2"] else None
        year = int(row["owner_birth_year"]) if row["owner_birth_year"].isdigit() else None
        bad = (
            land_use is None or area is None or not land_use.min_m2 <= area <= land_use.max_m2
            or not (row["certificate_serial"] == "" or SERIAL.match(row["certificate_serial"]))
            or row["parcel_address"] not in hamlet_addresses[row["commune_code"]]
            or not id_agrees(row["owner_id"], year, None)
            or not person_ok(row["owner_id"], row["owner_name"], year=row["owner_birth_year"])
            or any(row["owner_address"] != entry["address"] for entry in register.get(row["owner_id"], []))
            or (day(row["updated_at"]) or today) < today - timedelta(days=365)
        )
        if bad:
            flagged.add(("land_parcel", rid))
    for rids in parcels.values():
        if len(rids) > 1:
            flagged.update(("land_parcel", r) for r in rids)

    for row in rows["birth"]:
        born, registered = day(row["child_dob"]), day(row["registration_date"])
        bad = (
            born is None or registered is None or registered < born or registered > today
            or not person_ok(row["child_id"], row["child_name"], row["child_dob"], sex=row["child_sex"], alive=False)
            or not person_ok(row["mother_id"], row["mother_name"], alive=False)
            or (row["father_id"] != "" and not person_ok(row["father_id"], row["father_name"], alive=False))
            or not id_agrees(row["child_id"], born.year, sex_of.get(row["child_sex"]))
            or (row["father_id"] != "" and not id_agrees(row["father_id"], None, "M"))
            or not id_agrees(row["mother_id"], None, "F")
        )
        if bad:
            flagged.add(("birth", row["record_id"]))

    for row in rows["death"]:
        died, registered = day(row["date_of_death"]), day(row["registration_date"])
        entries = register.get(row["deceased_id"], [])
        bad = (
            died is None or registered is None or registered < died or died > today or not entries
            or any(e["status"] != dead_label or e["date_of_death"] != row["date_of_death"] for e in entries)
            or not person_ok(row["deceased_id"], row["deceased_name"], row["deceased_dob"], alive=False)
        )
        if bad:
            flagged.add(("death", row["record_id"]))

    married: dict[str, list[tuple[date, str, str]]] = defaultdict(list)
    for row in rows["marriage"]:
        registered = day(row["registration_date"])
        h_dob, w_dob = day(row["husband_dob"]), day(row["wife_dob"])
        bad = (
            registered is None or h_dob is None or w_dob is None or registered > today
            or not legal_on(h_dob, registered, 20) or not legal_on(w_dob, registered, 18)
            or not person_ok(row["husband_id"], row["husband_name"], row["husband_dob"], sex=ref.labels["sex"]["M"],
                             alive=False)
            or not person_ok(row["wife_id"], row["wife_name"], row["wife_dob"], sex=ref.labels["sex"]["F"], alive=False)
            or not id_agrees(row["husband_id"], h_dob.year, "M") or not id_agrees(row["wife_id"], w_dob.year, "F")
        )
        if bad:
            flagged.add(("marriage", row["record_id"]))
        for role, partner in (("husband_id", "wife_id"), ("wife_id", "husband_id")):
            if registered is not None and row[role]:
                married[row[role]].append((registered, row[partner], row["record_id"]))
    for unions in married.values():
        if len({partner for _, partner, _ in unions}) > 1:
            flagged.update(("marriage", rid) for _, _, rid in unions)
    return flagged
