"""The population register extract: people, household by household, as register rows.

`build_people` keeps everyone in memory for a whole province (other datasets refer to them);
`generate_register_rows` streams rows for benchmarks that need a million-row register without
land files or civil records (memory stays at one household plus the set of issued IDs).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date

from lamsach.generate.households import HouseholdBuilder, Person
from lamsach.generate.ids import IdIssuer
from lamsach.generate.names import NameSampler
from lamsach.generate.places import Commune, choose_communes, province_prefixes
from lamsach.generate.reference import Reference, Weighted, reference

DEFAULT_REFERENCE_DATE = date(2026, 11, 1)


def format_date(day: date | None) -> str:
    """dd/mm/yyyy, the way units' files write dates; "" for none."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}" if day else ""


def parse_date(text: str) -> date | None:
    """The date of a dd/mm/yyyy text, or None."""
    try:
        day, month, year = (int(part) for part in text.split("/"))
        return date(year, month, day)
    except ValueError:
        return None


def record_id(ref: Reference, dataset: str, number: int) -> str:
    ids = ref.config["record_ids"]
    digits = ids["household_digits"] if dataset == "household" else ids["digits"]
    return f"{ids['prefixes'][dataset]}{number:0{digits}d}"


def register_row(ref: Reference, person: Person) -> dict[str, str]:
    """A person as the register extract shows them (canonical field names, text values)."""
    labels = ref.labels
    return {
        "record_id": record_id(ref, "population", person.index + 1),
        "citizen_id": person.citizen_id,
        "full_name": person.full_name,
        "date_of_birth": format_date(person.dob),
        "sex": labels["sex"][person.sex],
        "commune_code": person.commune.code,
        "address": person.commune.address(person.hamlet),
        "household_id": record_id(ref, "household", person.household),
        "relation_to_head": labels["relation"][person.relation],
        "status": labels["status"]["dead" if person.died_on else "alive"],
        "date_of_death": format_date(person.died_on),
        "updated_at": format_date(person.updated_at),
    }


class PeopleSource:
    """Households of one province, drawn commune by commune (communes weighted ±30 %)."""

    def __init__(self, ref: Reference, communes: list[Commune], province: str, reference_date: date,
                 ids: IdIssuer, rng: random.Random) -> None:
        _, others = province_prefixes(province)
        self.rng = rng
        self.builder = HouseholdBuilder(ref, NameSampler(ref, province), ids, reference_date, others, rng)
        self.by_code = {c.code: c for c in communes}
        self.communes = Weighted.of([(c.code, rng.uniform(0.7, 1.3)) for c in communes])
        self.households = 0

    def next_household(self, out: list[Person], index_offset: int = 0) -> list[Person]:
        self.households += 1
        commune = self.by_code[self.communes.pick(self.rng)]
        return self.builder.build(out, commune, self.households, index_offset)


def build_people(ref: Reference, communes: list[Commune], province: str, reference_date: date, count: int,
                 ids: IdIssuer, rng: random.Random) -> list[Person]:
    """Exactly `count` people (the last household is cut short, as an extract can be)."""
    source = PeopleSource(ref, communes, province, reference_date, ids, rng)
    people: list[Person] = []
    while len(people) < count:
        source.next_household(people)
    del people[count:]
    for person in people[-8:]:  # only the last household can point past the cut
        for attribute in ("spouse", "father", "mother"):
            if (getattr(person, attribute) or 0) >= count:
                setattr(person, attribute, None)
    return people


def generate_register_rows(n: int, seed: int = 1, province: str = "38",
                           reference_date: date = DEFAULT_REFERENCE_DATE) -> Iterator[dict[str, str]]:
    """`n` clean register rows (canonical field names), streamed household by household.

    The same seed gives the same rows. No defects are planted: this is the fast path for
    benchmarks; `generate_province` builds a full province with defects and truth.
    """
    ref = reference()
    communes = choose_communes(ref, province, n, random.Random(f"{seed}:places"))
    rng = random.Random(f"{seed}:people")
    source = PeopleSource(ref, communes, province, reference_date, IdIssuer(rng), rng)
    produced = 0
    while produced < n:
        household: list[Person] = []
        source.next_household(household, index_offset=produced)
        for person in household[: n - produced]:
            yield register_row(ref, person)
        produced += len(household)
