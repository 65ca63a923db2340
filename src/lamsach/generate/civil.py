"""Civil-status registers: births, deaths and marriages of the register's people.

A birth is registered weeks after it, in the mother's commune, naming the child and the
parents the register knows; a death is registered within a month for a person the register
shows dead; a marriage is registered when both partners were of legal age. Registration
numbers run per commune and year in date order, as a paper book's do.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from lamsach.generate.households import Person, anniversary
from lamsach.generate.register import format_date
from lamsach.generate.world import World


def registration_no(world: World, dataset: str, commune: str, day: date) -> str:
    """The next number in the commune's book for that year: "170/2023"."""
    key = (dataset, commune, day.year)
    world.registration_counters[key] = world.registration_counters.get(key, 0) + 1
    return f"{world.registration_counters[key]}/{day.year}"


def updated_after(world: World, rng: random.Random, day: date) -> str:
    """A last-update date after `day`, within the recent window, not after the reference date."""
    recent = world.ref.config["civil"]["recent_update_days"]
    floor = max(day, world.today - timedelta(days=recent))
    return format_date(floor + timedelta(days=rng.randrange((world.today - floor).days + 1)))


def birth_values(world: World, rng: random.Random, child: Person, registered: date) -> dict[str, str]:
    people = world.people
    father = people[child.father] if child.father is not None else None
    mother = people[child.mother] if child.mother is not None else None
    return {
        "registration_no": registration_no(world, "birth", child.commune.code, registered),
        "registration_date": format_date(registered),
        "commune_code": child.commune.code,
        "child_name": child.full_name,
        "child_dob": format_date(child.dob),
        "child_sex": world.ref.labels["sex"][child.sex],
        "child_id": child.citizen_id,
        "father_name": father.full_name if father else "",
        "father_id": father.citizen_id if father else "",
        "mother_name": mother.full_name if mother else "",
        "mother_id": mother.citizen_id if mother else "",
        "updated_at": updated_after(world, rng, registered),
    }


def death_values(world: World, rng: random.Random, person: Person, died: date, registered: date) -> dict[str, str]:
    return {
        "registration_no": registration_no(world, "death", person.commune.code, registered),
        "registration_date": format_date(registered),
        "commune_code": person.commune.code,
        "deceased_name": person.full_name,
        "deceased_id": person.citizen_id,
        "deceased_dob": format_date(person.dob),
        "date_of_death": format_date(died),
        "updated_at": updated_after(world, rng, registered),
    }


def marriage_values(world: World, rng: random.Random, husband: Person, wife: Person, registered: date) -> dict[str, str]:
    return {
        "registration_no": registration_no(world, "marriage", husband.commune.code, registered),
        "registration_date": format_date(registered),
        "commune_code": husband.commune.code,
        "husband_name": husband.full_name,
        "husband_id": husband.citizen_id,
        "husband_dob": format_date(husband.dob),
        "wife_name": wife.full_name,
        "wife_id": wife.citizen_id,
        "wife_dob": format_date(wife.dob),
        "updated_at": updated_after(world, rng, registered),
    }


def death_registration(world: World, rng: random.Random, died: date) -> date:
    low, high = world.ref.config["civil"]["death_registration_delay_days"]
    return min(died + timedelta(days=rng.randint(low, high)), world.today)


def build_civil(world: World) -> None:
    """The birth, death and marriage datasets, each in registration-date order."""
    rng, cfg, today = world.rng("civil"), world.ref.config["civil"], world.today
    births, deaths, marriages = [], [], []
    born_from = date(today.year - cfg["births_registered_years"], 1, 1)
    married_from = date(cfg["marriages_registered_from"], 1, 1)
    low, high = cfg["birth_registration_delay_days"]
    for person in world.people:
        if person.mother is not None and person.dob >= born_from and rng.random() < cfg["birth_record_share"]:
            registered = person.dob + timedelta(days=rng.randint(low, high))
            if registered <= today:
                births.append((registered, person.index))
        if person.died_on is not None and rng.random() < cfg["death_record_share"]:
            deaths.append((death_registration(world, rng, person.died_on), person.index))
        spouse = person.spouse
        if (person.sex == "M" and spouse is not None and person.married_on and person.married_on >= married_from
                and rng.random() < cfg["marriage_record_share"]):
            marriages.append((person.married_on, person.index))
    people, ref = world.people, world.ref
    for registered, index in sorted(births):
        child = people[index]
        persons = {"child": index, "mother": child.mother}
        if child.father is not None:
            persons = {"child": index, "father": child.father, "mother": child.mother}
        world.dataset("birth").add(ref, birth_values(world, rng, child, registered), persons)
    for registered, index in sorted(deaths):
        person = people[index]
        world.dataset("death").add(ref, death_values(world, rng, person, person.died_on, registered),
                                   {"deceased": index})
    for registered, index in sorted(marriages):
        husband = people[index]
        wife = people[husband.spouse]
        world.dataset("marriage").add(ref, marriage_values(world, rng, husband, wife, registered),
                                      {"husband": index, "wife": wife.index})


def legal_from(world: World, person: Person) -> date:
    """The day a person reaches the legal marriage age (20 for men, 18 for women)."""
    return anniversary(person.dob, world.ref.defects["legal_marriage_age"][person.sex])
