"""12-digit IDs agree with the person's sex, birth year and a birth-registration province."""

from __future__ import annotations

import csv
import random

from lamsach.data import read_csv
from lamsach.generate.ids import IdIssuer, century_sex_digit, id_birth_year, id_sex

PREFIXES = {r["cccd_prefix"] for r in read_csv("catalogues/cccd_province_codes.csv")}


def test_century_sex_digit_follows_the_law():
    assert century_sex_digit("M", 1985) == 0
    assert century_sex_digit("F", 1985) == 1
    assert century_sex_digit("M", 2003) == 2
    assert century_sex_digit("F", 2003) == 3
    assert id_birth_year("038203000001") == 2003 and id_sex("038303000001") == "F"


def test_issuer_never_repeats_a_number():
    issuer = IdIssuer(random.Random(4))
    ids = [issuer.issue("038", "F", 1990) for _ in range(20_000)]
    assert len(set(ids)) == len(ids)
    variant = issuer.variant(ids[0], yy=91)
    assert variant[:6] == "038191" and variant not in ids[1:]
    cmnd = issuer.cmnd_for(ids[0])
    assert len(cmnd) == 9 and cmnd[0] != "0" and issuer.cmnd_for(ids[0]) == cmnd


def test_every_clean_register_id_agrees_with_its_person(province):
    with (province.folder / "truth" / "errors.csv").open(encoding="utf-8") as handle:
        flagged = {r["record_id"] for r in csv.DictReader(handle)
                   if r["dataset"] == "population" and r["field"] in ("citizen_id", "date_of_birth", "sex", "*")}
    sexes = {label: key for key, label in province.world.ref.labels["sex"].items()}
    checked = 0
    for row in province.world.datasets["population"].rows:
        if row["record_id"] in flagged:
            continue
        citizen_id, year = row["citizen_id"], int(row["date_of_birth"][-4:])
        assert len(citizen_id) == 12 and citizen_id.isdigit()
        assert citizen_id[:3] in PREFIXES
        assert id_birth_year(citizen_id) == year
        assert id_sex(citizen_id) == sexes[row["sex"]]
        checked += 1
    assert checked > 2800
    ids = [row["citizen_id"] for row in province.world.datasets["population"].rows]
    duplicates = sum(1 for r in province.world.truth.duplicates if r[0] == "population")
    assert len(ids) - len(set(ids)) == duplicates


def test_most_people_were_born_in_the_province(province):
    own = {p.commune.id_prefix for p in province.world.people}
    share = sum(p.citizen_id[:3] in own for p in province.world.people) / len(province.world.people)
    assert 0.85 < share < 0.99
