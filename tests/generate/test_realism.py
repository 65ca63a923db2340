"""The province looks like a Vietnamese one: names, households, ages, land, other provinces."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from generate_rules import violations

from lamsach.generate import build_world
from lamsach.generate.households import age_on


def test_family_names_follow_national_frequencies(province):
    people = province.clean.people
    counts = Counter(p.name.family for p in people)
    assert 0.32 < counts["Nguyễn"] / len(people) < 0.45
    assert [name for name, _ in counts.most_common(3)] == ["Nguyễn", "Trần", "Lê"]
    assert len(counts) > 25


def test_middle_names_are_sex_typed(province):
    middles = defaultdict(Counter)
    for person in province.clean.people:
        middles[person.sex][person.name.middle.split(" ")[0]] += 1
    assert middles["F"].most_common(1)[0][0] == "Thị" and middles["M"].most_common(1)[0][0] == "Văn"
    assert middles["F"]["Văn"] == 0 and middles["M"]["Thị"] == 0


def test_households_have_one_head_and_plausible_families(province):
    people = province.clean.people
    by_household = defaultdict(list)
    for person in people:
        by_household[person.household].append(person)
    heads = Counter(sum(p.relation == "head" for p in members) for members in by_household.values())
    assert set(heads) <= {0, 1} and heads[0] <= 1  # only the cut-off last household may lack one
    for person in people:
        if person.spouse is not None:
            spouse = people[person.spouse]
            assert spouse.sex != person.sex and spouse.spouse == person.index
        for parent in (person.father, person.mother):
            if parent is not None:
                assert 17 <= age_on(people[parent].dob, person.dob) <= 50
    sizes = Counter(len(m) for m in by_household.values())
    assert 2.8 < len(people) / len(by_household) < 4.5 and max(sizes) <= 12


def test_the_register_has_the_dead_and_all_ages(province):
    rows = province.clean.datasets["population"].rows
    dead = [r for r in rows if r["date_of_death"]]
    assert 0.005 < len(dead) / len(rows) < 0.05
    assert {r["status"] for r in dead} == {"Đã chết"}
    ages = Counter(min(province.clean.today.year - int(r["date_of_birth"][-4:]), 99) // 20 for r in rows)
    assert all(ages[band] > 0.05 * len(rows) for band in range(4))
    assert {r["relation_to_head"] for r in rows} >= {"Chủ hộ", "Vợ", "Con", "Cháu"}


def test_addresses_use_the_2025_catalogue_without_districts(province):
    for row in province.clean.datasets["population"].rows[:500]:
        assert re.fullmatch(r"[^,]+, (xã|phường|đặc khu) [^,]+, tỉnh Thanh Hóa", row["address"]), row["address"]


def test_land_users_hold_plausible_parcels(province):
    land = province.clean.datasets["land_parcel"].rows
    assert 0.4 < len(land) / len(province.clean.people) < 1.2
    codes = Counter(r["land_use_code"] for r in land)
    assert codes.most_common(1)[0][0] in ("ONT", "ODT", "LUC") and len(codes) >= 5
    serials = [r["certificate_serial"] for r in land if r["certificate_serial"]]
    assert len(serials) == len(set(serials)) and all(re.fullmatch(r"[A-Z]{2} \d{6}", s) for s in serials)


def test_another_province_other_names_and_urban_wards():
    world = build_world(1200, seed=3, province="79")
    families = Counter(p.name.family for p in world.people)
    assert families["Huỳnh"] + families["Võ"] > families["Hoàng"] + families["Vũ"]
    assert any(c.urban for c in world.communes)
    assert all(r["address"].endswith("thành phố Hồ Chí Minh") for r in world.datasets["population"].rows
               if r["record_id"] not in {e[1] for e in world.truth.errors})
    assert violations(build_world(1200, seed=3, province="79", defects=False)) == set()


def test_a_tiny_province_still_generates():
    world = build_world(40, seed=9)
    assert len(world.communes) == 3 and len(world.people) == 40
    assert violations(build_world(40, seed=9, defects=False)) == set()
