"""Sector datasets of the sample province, built from its people and its land: monthly social
allowances, social insurance participants, building permits and school students.

Each row copies what the register knows of its person (as a sector officer copies the ID card),
so a planted defect is the only thing that makes it disagree; `Dataset.persons` keeps who each
person reference really is. The datasets are built after the civil registers and before defects
of meaning, each from its own seeded stream: the datasets generated before them stay identical.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from functools import cache
from typing import Any

from lamsach.data import load_yaml, read_csv
from lamsach.generate.civil import updated_after
from lamsach.generate.households import Person, add_years, age_on, anniversary
from lamsach.generate.register import format_date
from lamsach.generate.world import World

SECTOR_DATASETS = ("social_protection", "social_insurance", "building_permit", "student")
BUILDABLE = frozenset({"ONT", "ODT"})


@cache
def sector_config() -> dict[str, Any]:
    return load_yaml("catalogues/people/sectors.yaml", "catalogue")


@cache
def _benefits() -> dict[str, dict[str, str]]:
    return {r["code"]: r for r in read_csv("code_tables/social_benefit.csv")}


def _between(rng: random.Random, low: date, high: date) -> date:
    return low + timedelta(days=rng.randrange(max((high - low).days, 0) + 1))


def _living(world: World) -> list[Person]:
    return [p for p in world.people if p.died_on is None]


def build_sectors(world: World) -> None:
    """The four sector datasets, in this order (each on its own random stream)."""
    build_social_protection(world)
    build_social_insurance(world)
    build_building_permits(world)
    build_students(world)


def _benefit_type(rng: random.Random, cfg: dict, age: int) -> str | None:
    if age >= 80 and rng.random() < cfg["elderly_80_share"]:
        return "NCT_80"
    if 60 <= age < 80 and rng.random() < cfg["elderly_poor_share"]:
        return "NCT_NGHEO"
    if age < 16 and rng.random() < cfg["orphan_share"]:
        return "TE_MC"
    if age >= 6 and rng.random() < cfg["disabled_share"]:
        return rng.choice(("NKT_N", "NKT_DBN"))
    return None


def build_social_protection(world: World) -> None:
    rng, cfg, today = world.rng("sector:social_protection"), sector_config()["social_protection"], world.today
    dataset, benefits = world.dataset("social_protection"), _benefits()
    decisions = 0
    for person in _living(world):
        code = _benefit_type(rng, cfg, age_on(person.dob, today))
        if code is None:
            continue
        min_age = int(benefits[code]["min_age"] or 0)
        entitled = anniversary(person.dob, min_age) if min_age else person.dob + timedelta(days=1)
        earliest = max(entitled, add_years(today, -cfg["years_back"]))
        latest = today - timedelta(days=30)
        if earliest > latest:
            continue
        start = _between(rng, earliest, latest)
        decisions += 1
        amount = round(cfg["base_amount"] * float(benefits[code]["coefficient"]))
        dataset.add(world.ref, {
            "commune_code": person.commune.code,
            "beneficiary_name": person.full_name,
            "beneficiary_id": person.citizen_id,
            "beneficiary_dob": format_date(person.dob),
            "benefit_type": code,
            "monthly_amount": str(amount),
            "decision_no": f"{decisions}/QĐ-UBND",
            "start_date": format_date(start),
            "updated_at": updated_after(world, rng, start),
        }, {"beneficiary": person.index})


def build_social_insurance(world: World) -> None:
    rng, cfg, today = world.rng("sector:social_insurance"), sector_config()["social_insurance"], world.today
    dataset, low, high = world.dataset("social_insurance"), *cfg["working_ages"]
    for person in _living(world):
        if not low <= age_on(person.dob, today) <= high or rng.random() >= cfg["share"]:
            continue
        voluntary = rng.random() < cfg["voluntary_share"]
        earliest = max(anniversary(person.dob, 18), add_years(today, -cfg["years_back"]))
        start = _between(rng, earliest, today - timedelta(days=30))
        dataset.add(world.ref, {
            "commune_code": person.commune.code,
            "insured_id": person.citizen_id,
            "insured_name": person.full_name,
            "insured_dob": format_date(person.dob),
            "insured_sex": world.ref.labels["sex"][person.sex],
            "participation_type": "TN" if voluntary else "BB",
            "employer": "" if voluntary else rng.choice(cfg["employers"]),
            "start_date": format_date(start),
            "updated_at": updated_after(world, rng, start),
        }, {"insured": person.index})


def build_building_permits(world: World) -> None:
    """Permits on residential plots, issued to the plot's land user; which land row each permit
    stands on is kept (`world.cache["permit_land"]`) so a defect planted on that row later
    involves the permit too."""
    rng, cfg, today = world.rng("sector:building_permit"), sector_config()["building_permit"], world.today
    dataset, land = world.dataset("building_permit"), world.datasets["land_parcel"]
    types = list(cfg["types"].items())
    on_land: dict[str, str] = world.cache.setdefault("permit_land", {})
    for index, row in enumerate(land.rows):
        owner = world.people[land.persons[index]["owner"]]
        if row["land_use_code"] not in BUILDABLE or owner.died_on is not None or rng.random() >= cfg["share"]:
            continue
        earliest = max(anniversary(owner.dob, 18), add_years(today, -cfg["years_back"]))
        issued = _between(rng, earliest, today - timedelta(days=10))
        floors = rng.randint(*cfg["floors"])
        number = len(dataset.rows) + 1
        at = dataset.add(world.ref, {
            "permit_no": f"{number}/GPXD-{row['commune_code']}",
            "issue_date": format_date(issued),
            "commune_code": row["commune_code"],
            "map_sheet": row["map_sheet"],
            "parcel_no": row["parcel_no"],
            "holder_name": owner.full_name,
            "holder_id": owner.citizen_id,
            "construction_type": rng.choices([t for t, _ in types], [w for _, w in types])[0],
            "floors": str(floors),
            "floor_area_m2": f"{floors * rng.uniform(*cfg['floor_area_per_floor_m2']):.1f}",
            "updated_at": updated_after(world, rng, issued),
        }, {"holder": owner.index})
        on_land[dataset.record_id(at)] = row["record_id"]


def _school(cfg: dict, grade: int, commune_name: str) -> str:
    level = "primary" if grade <= 5 else "lower" if grade <= 9 else "upper"
    return cfg["schools"][level].format(commune=commune_name)


def school_year_start(today: date) -> date:
    start = date(today.year, 9, 5)
    return start if start <= today else date(today.year - 1, 9, 5)


def build_students(world: World) -> None:
    """Children of school age on the roll of their commune's school, a living parent as guardian."""
    rng, cfg = world.rng("sector:student"), sector_config()["student"]
    dataset, start, (low, high) = world.dataset("student"), school_year_start(world.today), cfg["school_ages"]
    for person in _living(world):
        age = age_on(person.dob, start)
        if not low <= age <= high or rng.random() >= cfg["share"]:
            continue
        parents = [world.people[i] for i in (person.father, person.mother) if i is not None]
        guardians = [p for p in parents if p.died_on is None]
        if not guardians:
            continue
        guardian = guardians[0]
        grade = age - 5
        dataset.add(world.ref, {
            "commune_code": person.commune.code,
            "school_name": _school(cfg, grade, person.commune.name),
            "grade": str(grade),
            "student_name": person.full_name,
            "student_id": person.citizen_id,
            "student_dob": format_date(person.dob),
            "student_sex": world.ref.labels["sex"][person.sex],
            "guardian_name": guardian.full_name,
            "guardian_id": guardian.citizen_id,
            "updated_at": updated_after(world, rng, start),
        }, {"student": person.index, "guardian": guardian.index})


def involve_sector_stories(world: World) -> None:
    """Records a defect elsewhere reaches, recorded as involved before the truth is finalised:
    a permit whose land row carries a defect, and a record naming a person some defect tells a
    story about (a death the register never took in, a replaced land user)."""
    truth = world.truth
    # a land defect in a field the permit rules read (not, say, the parcel address's encoding)
    read = {"*", "commune_code", "map_sheet", "parcel_no", "owner_id", "land_use_code"}
    touched = {record for dataset, record, field, _, _ in truth.errors if dataset == "land_parcel" and field in read}
    for permit, land_record in world.cache.get("permit_land", {}).items():
        if land_record in touched:
            truth.involve("building_permit", permit)
    for name in SECTOR_DATASETS:
        dataset = world.datasets.get(name)
        if dataset is None:
            continue
        for row, persons in zip(dataset.rows, dataset.persons, strict=True):
            if world.reserved.intersection(persons.values()):
                truth.involve(name, row["record_id"])
