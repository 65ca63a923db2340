"""Planters for the defects sector datasets show against the register and the land database:
a benefit still paid to someone who died, a beneficiary paid by a commune they do not live in,
an insurance record whose birth date is not the register's, a permit on a parcel the land
database does not hold, to someone who is not its land user, or on farm land, a student in a
grade that does not fit their age.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from lamsach.generate import defect_library_register as register_library
from lamsach.generate.defects import Job, Planter
from lamsach.generate.households import Person, age_on
from lamsach.generate.register import format_date, parse_date
from lamsach.generate.sectors import SECTOR_DATASETS, school_year_start

T = TypeVar("T")


def _pool(job: Job, name: str, keep) -> list[Person]:
    cache = job.world.cache
    if name not in cache:
        cache[name] = [p for p in job.world.people if keep(p)]
    return cache[name]


def _put_person(job: Job, person: Person, role: str | None = None) -> None:
    """Write `person` into every field of the role, as a sector officer would copy them."""
    role = role or job.role or ""
    values = {"name": person.full_name, "id": person.citizen_id, "birth_year": str(person.dob.year),
              "dob": format_date(person.dob), "sex": job.world.ref.labels["sex"][person.sex],
              "address": person.commune.address(person.hamlet)}
    for part, field in job.role_fields(role).items():
        job.set(values[part], field)
    job.dataset.persons[job.index][role] = person.index
    job.world.reserved.add(person.index)


def person_deceased(job: Job) -> bool:
    """The person the record names is one the register shows dead before the record's date (its
    issue date where the schema has one, else its last update): the allowance still paid, the
    contributions still counted, the permit issued to the dead. A person of the record's own
    commune, so that only the death tells."""
    parts = job.role_fields()
    day = parse_date(job.row.get("issue_date") or job.row.get("updated_at", ""))
    code = job.row.get("commune_code")
    dead = _pool(job, f"dead:{code}", lambda p: p.died_on is not None and p.commune.code == code)
    if parts.get("id") != job.field or day is None:
        return False
    choices = [p for p in dead if p.died_on < day and p.index not in job.world.reserved]
    if not choices or not job.claim(*parts.values()):
        return False
    _put_person(job, job.rng.choice(choices))
    job.error()
    return True


def beneficiary_not_resident(job: Job) -> bool:
    """The commune paying is not where the register has the person living."""
    role = next(iter(job.dataset.schema.person_roles()))
    person, id_field = job.person(role), job.role_fields(role).get("id", job.field)
    others = [c for c in job.world.communes if c.code != job.value]
    # the ID is claimed too: the rule needs it intact to find where the register has the person
    if person is None or not others or job.value != person.commune.code or not job.claim(job.field, id_field):
        return False
    job.set(job.rng.choice(others).code)
    job.error()
    return True


def birth_date_differs(job: Job) -> bool:
    """Another day of the same year: the year check stays silent, the full-date check must not."""
    day = parse_date(job.value)
    if day is None or not job.claim(job.field, job.role_fields().get("id", job.field)):
        return False
    for _ in range(10):
        other = day.replace(month=job.rng.randint(1, 12), day=job.rng.randint(1, 28))
        if other != day:
            break
    else:
        return False
    job.set(format_date(other))
    job.error()
    return True


def _per_kind(job: Job, name: str, build: Callable[[], T]) -> T:
    """`build()` once per defect kind being planted, kept with the kind's random generator: the
    land rows a permit defect reads do not change while one kind is planted on permits (another
    kind may change them). Scanning every parcel for each permit instead made a million-person
    province take most of an hour to generate."""
    kept = job.world.cache.get(name)
    if kept is None or kept[0] is not job.rng:
        kept = job.world.cache[name] = (job.rng, build())
    return kept[1]


def _land_keys(job: Job) -> set[tuple[str, str, str]]:
    land = job.world.datasets["land_parcel"]
    return _per_kind(job, "land_keys", lambda: {(r["commune_code"], r["map_sheet"], r["parcel_no"]) for r in land.rows})


def permit_parcel_not_in_land(job: Job) -> bool:
    """The permit names a parcel number the commune's land database does not hold."""
    keys = _land_keys(job)
    if not job.claim("parcel_no", "map_sheet"):
        return False
    sheet = job.row["map_sheet"]
    for _ in range(50):
        number = str(job.rng.randint(1, 999))
        if (job.row["commune_code"], sheet, number) not in keys:
            job.set(number, "parcel_no")
            job.error("parcel_no")
            return True
    return False


def _land_owners(job: Job) -> dict[tuple, set[int]]:
    """(commune, sheet, parcel) -> the indexes of its owners in the land database."""
    def build() -> dict[tuple, set[int]]:
        land = job.world.datasets["land_parcel"]
        index: dict[tuple, set[int]] = {}
        for i, r in enumerate(land.rows):
            index.setdefault((r["commune_code"], r["map_sheet"], r["parcel_no"]), set()).add(land.persons[i]["owner"])
        return index

    return _per_kind(job, "land_owners", build)


def permit_holder_not_land_user(job: Job) -> bool:
    """The permit goes to another living adult of the commune (a son building on his father's land),
    on a parcel the land database holds."""
    holder = job.person("holder")
    code = job.row.get("commune_code")
    pool = _pool(job, f"adults:{code}", lambda p: p.died_on is None and p.commune.code == code
                 and age_on(p.dob, job.world.today) >= 25)
    owners = _land_owners(job).get((code, job.row["map_sheet"], job.row["parcel_no"]), set())
    choices = [p for p in pool if p.index not in owners and p.index not in job.world.reserved]
    # the parcel is claimed too: the rule can only tell a wrong holder on a parcel the land
    # database holds, so no other planter may move the permit off it
    if holder is None or not owners or not choices or not job.claim("holder_id", "holder_name", "map_sheet",
                                                                       "parcel_no"):
        return False
    _put_person(job, job.rng.choice(choices), "holder")
    job.error("holder_id")
    return True


def _farm_plots(job: Job) -> dict[str | None, list[int]]:
    """Commune -> its unclaimed farm plots (rice, perennial crops), in the land database's order."""
    def build() -> dict[str | None, list[int]]:
        land = job.world.datasets["land_parcel"]
        farm: dict[str | None, list[int]] = {}
        for i, r in enumerate(land.rows):
            if r["land_use_code"] in ("LUC", "LUK", "BHK", "CLN", "NTS") and not land.claims.get(i):
                farm.setdefault(r["commune_code"], []).append(i)
        return farm

    return _per_kind(job, "farm_plots", build)


def permit_land_not_buildable(job: Job) -> bool:
    """The permit stands on a farm plot (rice, perennial crops) its user holds: no change of use."""
    land = job.world.datasets["land_parcel"]
    code = job.row.get("commune_code")
    farm = _farm_plots(job).get(code, [])
    if not farm or not job.claim("map_sheet", "parcel_no", "holder_id", "holder_name"):
        return False
    for _ in range(20):
        index = job.rng.choice(farm)
        owner = job.world.people[land.persons[index]["owner"]]
        if owner.died_on is None and owner.index not in job.world.reserved:
            break
    else:
        return False
    row = land.rows[index]
    job.set(row["map_sheet"], "map_sheet")
    job.set(row["parcel_no"], "parcel_no")
    _put_person(job, owner, "holder")
    job.world.cache.setdefault("permit_land", {})[job.record_id] = row["record_id"]
    job.error("map_sheet")
    return True


def age_not_fit_grade(job: Job) -> bool:
    """A grade three to five years away from the one the student's age fits."""
    person = job.person("student")
    if person is None or not job.claim():
        return False
    age = age_on(person.dob, school_year_start(job.world.today))
    grades = [g for g in range(1, 13) if abs(g + 5 - age) >= 4]
    if not grades:
        return False
    job.set(str(job.rng.choice(grades)))
    job.error()
    return True


def sex_differs_from_register(job: Job) -> bool:
    """As for the civil registers; in a sector dataset the ID is claimed with the sex, so no later
    ID defect hides the difference the register join shows."""
    if job.dataset.name not in SECTOR_DATASETS:
        return register_library.sex_differs_from_register(job)
    id_field = job.role_fields().get("id")
    if id_field and not job.free(id_field):
        return False
    if not register_library.sex_differs_from_register(job):
        return False
    if id_field:
        job.claim(id_field)
    return True


PLANTERS: dict[str, Planter] = {
    "sex_differs_from_register": sex_differs_from_register,
    "benefit_paid_after_death": person_deceased,
    "insured_deceased": person_deceased,
    "holder_deceased": person_deceased,
    "guardian_deceased": person_deceased,
    "beneficiary_not_resident": beneficiary_not_resident,
    "birth_date_differs_from_register": birth_date_differs,
    "permit_parcel_not_in_land": permit_parcel_not_in_land,
    "permit_holder_not_land_user": permit_holder_not_land_user,
    "permit_land_not_buildable": permit_land_not_buildable,
    "age_not_fit_grade": age_not_fit_grade,
}
