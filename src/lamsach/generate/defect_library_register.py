"""Planters for defects seen against the population register: identity, life and marriage.

An ID whose digits disagree with the person, an ID the register does not know, an old 9-digit
CMND, a name or sex that differs from the register's, a land user who has died, a death the
register never took in, a second marriage while the first stands, a marriage below legal age.
The row keeps pointing at its true person (`Dataset.persons`), so `links.csv` stays right.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from lamsach.generate.civil import (
    death_registration,
    death_values,
    legal_from,
    marriage_values,
    registration_no,
)
from lamsach.generate.defects import Job, Planter
from lamsach.generate.households import Person, add_years, age_on
from lamsach.generate.register import format_date, parse_date


def _shift_year_digits(job: Job, citizen_id: str) -> str:
    yy = int(citizen_id[4:6])
    new = (yy + job.rng.choice((-10, -3, -2, -1, 1, 2, 3, 10))) % 100
    return job.world.ids.variant(citizen_id, yy=new)


def _register_id(job: Job, error_type: str) -> bool:
    """Population: the person's one ID disagrees with them; every database copies it."""
    person = job.person()
    if person is None or job.value != person.citizen_id or not job.claim():
        return False
    if error_type == "id_birth_year_mismatch":
        new = _shift_year_digits(job, person.citizen_id)
    else:
        g = int(person.citizen_id[3])
        new = job.world.ids.variant(person.citizen_id, g=job.rng.choices((g ^ 1, g ^ 2, g ^ 3), (6, 3, 1))[0])
    person.citizen_id = new
    job.set(new)
    job.error()
    job.register_changed()
    job.world.reserved.add(person.index)
    return True


def _role_id(job: Job) -> tuple[Person, dict[str, str]] | None:
    """The true person of an ID field still showing their 12-digit ID, and the role's fields."""
    parts = job.role_fields()
    person = job.person()
    if person is None or parts.get("id") != job.field or job.value != person.citizen_id:
        return None
    return person, parts


def id_birth_year_mismatch(job: Job) -> bool:
    if job.dataset.name == "population":
        return _register_id(job, job.error_type)
    found = _role_id(job)
    born = found and (found[1].get("dob") or found[1].get("birth_year"))
    if not found or not born or not job.claim(job.field, born):
        return False
    job.set(_shift_year_digits(job, found[0].citizen_id))
    job.error()
    return True


def id_sex_century_mismatch(job: Job) -> bool:
    """Record: the G digit claims the other sex (roles with a sex) or century (with a birth year)."""
    if job.dataset.name == "population":
        return _register_id(job, job.error_type)
    found = _role_id(job)
    if not found:
        return False
    person, parts = found
    g = int(person.citizen_id[3])
    born = parts.get("dob") or parts.get("birth_year")
    if "sex" in parts or job.role in job.config["role_sex"]:
        new_g, fields = g ^ 1, [job.field, *([parts["sex"]] if "sex" in parts else [])]
    elif born:
        new_g, fields = g ^ 2, [job.field, born]
    else:
        return False
    if not job.claim(*fields):
        return False
    job.set(job.world.ids.variant(person.citizen_id, g=new_g))
    job.error()
    return True


def id_not_in_register(job: Job) -> bool:
    """A well-formed ID, right for the person's sex and year, that belongs to nobody."""
    found = _role_id(job)
    if not found or not job.claim():
        return False
    job.set(job.world.ids.variant(found[0].citizen_id))
    job.error()
    return True


def legacy_id_document(job: Job) -> bool:
    found = _role_id(job)
    if not found or not job.claim():
        return False
    job.set(job.world.ids.cmnd_for(found[0].citizen_id))
    job.error()
    return True


def name_differs_from_register(job: Job) -> bool:
    """Another spelling or another name for the person the record's (intact) ID points at."""
    person, parts = job.person(), job.role_fields()
    if person is None or parts.get("name") != job.field or job.value != person.full_name:
        return False
    id_field = parts.get("id", job.field)
    variant = job.world.names.variant(job.rng, person.name, person.sex, person.dob.year)
    if variant == job.value or job.row.get(id_field) != person.citizen_id or not job.claim(job.field, id_field):
        return False
    job.set(variant)
    job.error()
    return True


def sex_differs_from_register(job: Job) -> bool:
    """A sex field with the other sex, or husband and wife entered the wrong way round."""
    labels = job.world.ref.labels["sex"]
    if job.role_fields().get("sex") == job.field:
        other = {v: labels["F" if k == "M" else "M"] for k, v in labels.items()}
        if job.value not in other or not job.claim():
            return False
        job.set(other[job.value])
        job.error()
        return True
    husband, wife = job.role_fields("husband"), job.role_fields("wife")
    persons = job.dataset.persons[job.index]
    if job.role not in ("husband", "wife") or not job.claim(*husband.values(), *wife.values()):
        return False
    for part in husband.keys() & wife.keys():
        a, b = job.row[husband[part]], job.row[wife[part]]
        job.set(b, husband[part])
        job.set(a, wife[part])
    persons["husband"], persons["wife"] = persons["wife"], persons["husband"]
    job.error()
    return True


def _pool(job: Job, name: str, keep: Callable[[Person], bool]) -> list[Person]:
    """People a planter may draw (cached per world: one pass over the register)."""
    cache = job.world.cache
    if name not in cache:
        cache[name] = [p for p in job.world.people if keep(p)]
    return cache[name]


def owner_deceased(job: Job) -> bool:
    """The land user shown is a person the register records as dead."""
    parts = job.role_fields()
    updated = parse_date(job.row.get("updated_at", ""))
    dead = _pool(job, "dead", lambda p: p.died_on is not None)
    if parts.get("id") != job.field or updated is None or not dead:
        return False
    for _ in range(20):
        person = job.rng.choice(dead)
        if person.died_on < updated and person.index not in job.world.reserved:
            break
    else:
        return False
    if not job.claim(*parts.values()):
        return False
    values = {"name": person.full_name, "id": person.citizen_id, "birth_year": str(person.dob.year),
              "dob": format_date(person.dob), "address": person.commune.address(person.hamlet)}
    for part, field in parts.items():
        job.set(values[part], field)
    job.dataset.persons[job.index][job.role] = person.index
    job.world.reserved.add(person.index)
    job.error()
    return True


def death_not_reflected(job: Job) -> bool:
    """A registered death the register still shows alive (the person holds no land)."""
    world, person = job.world, job.person()
    if person is None or person.died_on is not None or age_on(person.dob, world.today) < 60:
        return False
    if person.index in world.owners or person.index in world.reserved:
        return False
    earliest = max(person.last_event or person.dob, world.today - timedelta(days=730)) + timedelta(days=1)
    latest = world.today - timedelta(days=20)
    if earliest >= latest or not job.claim(job.field, "date_of_death"):
        return False
    died = earliest + timedelta(days=job.rng.randrange((latest - earliest).days))
    deaths = world.dataset("death")
    registered = death_registration(world, job.rng, died)
    index = deaths.add(world.ref, death_values(world, job.rng, person, died, registered), {"deceased": person.index})
    deaths.claim(index, "*")
    world.reserved.add(person.index)
    job.error()
    world.truth.involve("death", deaths.record_id(index))
    return True


def already_married(job: Job) -> bool:
    """A new marriage of someone whose registered marriage still stands (spouse alive)."""
    world, role = job.world, job.role
    if role not in ("husband", "wife") or not job.free("already_married"):
        return False
    person, spouse = job.person(role), job.person("wife" if role == "husband" else "husband")
    married = parse_date(job.row.get("registration_date", ""))
    if not person or not spouse or married is None or {person.index, spouse.index} & world.reserved:
        return False
    if person.died_on or spouse.died_on:
        return False
    other_sex = "F" if person.sex == "M" else "M"
    pool = _pool(job, f"single:{other_sex}", lambda p: p.sex == other_sex and p.spouse is None
                 and p.died_on is None and 18 <= age_on(p.dob, world.today) <= 45)
    if not pool:
        return False
    partner = job.rng.choice(pool)
    earliest = max(add_years(married, 1), legal_from(world, partner), legal_from(world, person))
    latest = world.today - timedelta(days=10)
    if partner.index in world.reserved or earliest >= latest or not job.claim("already_married"):
        return False
    registered = earliest + timedelta(days=job.rng.randrange((latest - earliest).days))
    husband, wife = (person, partner) if person.sex == "M" else (partner, person)
    index = job.dataset.add(world.ref, marriage_values(world, job.rng, husband, wife, registered),
                            {"husband": husband.index, "wife": wife.index})
    job.dataset.claim(index, "*")
    world.reserved.update((person.index, partner.index))
    job.error(index=index)
    world.truth.involve(job.dataset.name, job.record_id)
    return True


def under_legal_age(job: Job) -> bool:
    """The registration date moved before one partner's legal age (20 men, 18 women)."""
    role, world = job.role, job.world
    if role not in ("husband", "wife") or job.role_fields().get("dob") != job.field:
        return False
    person, other = job.person(role), job.person("wife" if role == "husband" else "husband")
    if person is None or other is None:
        return False
    legal = legal_from(world, person)
    earliest, latest = add_years(legal, -1.9), legal - timedelta(days=20)
    registered = earliest + timedelta(days=job.rng.randrange((latest - earliest).days))
    other_dob_field = job.role_fields("wife" if role == "husband" else "husband")["dob"]
    if registered < legal_from(world, other) or registered > world.today or registered < date(1960, 1, 1):
        return False
    if not job.claim("registration_date", "registration_no", job.field, other_dob_field):
        return False
    job.set(format_date(registered), "registration_date")
    # the next number of that year's book: keeping the old number could give two marriages one number
    job.set(registration_no(world, "marriage", job.row["commune_code"], registered), "registration_no")
    job.error()
    return True


PLANTERS: dict[str, Planter] = {
    "id_birth_year_mismatch": id_birth_year_mismatch,
    "id_sex_century_mismatch": id_sex_century_mismatch,
    "id_not_in_register": id_not_in_register,
    "legacy_id_document": legacy_id_document,
    "name_differs_from_register": name_differs_from_register,
    "sex_differs_from_register": sex_differs_from_register,
    "owner_deceased": owner_deceased,
    "death_not_reflected": death_not_reflected,
    "already_married": already_married,
    "under_legal_age": under_legal_age,
}
