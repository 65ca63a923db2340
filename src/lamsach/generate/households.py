"""Households of the register: a head, usually a spouse, children, sometimes grandparents.

People are generated a household at a time so family facts agree: a child is born after the
parents married and while the mother is of child-bearing age, takes the father's family name
and the birth province of the commune; a wife keeps her own name and is more often from
elsewhere. A person's `last_event` (marriage, a child's birth) bounds when they may have died.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from lamsach.generate.ids import IdIssuer
from lamsach.generate.names import Name, NameSampler
from lamsach.generate.places import Commune
from lamsach.generate.reference import Reference, Weighted

DAYS_A_YEAR = 365.2425


def add_years(day: date, years: float) -> date:
    return day + timedelta(days=round(years * DAYS_A_YEAR))


def anniversary(day: date, years: int) -> date:
    """The same calendar day `years` later (29 February falls on 1 March)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def age_on(dob: date, day: date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


@dataclass(slots=True)
class Person:
    """One citizen as the generator knows them (the truth; the register may show less)."""

    index: int
    name: Name
    sex: str  # "M" or "F"
    dob: date
    citizen_id: str
    commune: Commune
    hamlet: str
    household: int
    relation: str  # key of labels.relation: head, wife, husband, child, ...
    spouse: int | None = None
    father: int | None = None
    mother: int | None = None
    married_on: date | None = None
    died_on: date | None = None
    last_event: date | None = None
    updated_at: date | None = None

    @property
    def full_name(self) -> str:
        return self.name.full

    def lived_until(self, day: date) -> None:
        if self.last_event is None or day > self.last_event:
            self.last_event = day


class HouseholdBuilder:
    """Builds one household at a time, appending its people to a caller's list."""

    def __init__(self, ref: Reference, names: NameSampler, ids: IdIssuer, reference_date: date,
                 other_prefixes: list[str], rng: random.Random) -> None:
        self.ref, self.names, self.ids, self.today, self.rng = ref, names, ids, reference_date, rng
        self.p = ref.config["people"]
        self.legal = ref.defects["legal_marriage_age"]  # {"M": 20, "F": 18}: no generated marriage is younger
        self.other_prefixes = other_prefixes
        self.kinds = Weighted.of([(k, float(w)) for k, w in self.p["household_kinds"].items()])
        self.children_counts = Weighted.of([(str(i), float(w)) for i, w in enumerate(self.p["children_weights"])])

    # -- people -----------------------------------------------------------------------------
    def person(self, out: list[Person], sex: str, dob: date, relation: str, *, family: str | None = None,
               migrant_share: float = 0.0) -> Person:
        rng, (commune, hamlet, household) = self.rng, self._home
        prefix = commune.id_prefix
        if rng.random() < migrant_share:
            prefix = rng.choice(self.other_prefixes)
        person = Person(
            index=self._index_offset + len(out), name=self.names.name(rng, sex, dob.year, family), sex=sex,
            dob=dob, citizen_id=self.ids.issue(prefix, sex, dob.year), commune=commune, hamlet=hamlet,
            household=household, relation=relation,
        )
        out.append(person)
        return person

    def _dob_for_age(self, low: float, high: float) -> date:
        return self.today - timedelta(days=round(self.rng.uniform(low, high) * DAYS_A_YEAR))

    def couple(self, out: list[Person], head_dob: date, head_sex: str, spouse_relation: str,
               head_relation: str = "head", family: str | None = None) -> tuple[Person, Person | None]:
        """A head and (if they are old enough to have married by now) a spouse."""
        rng, p = self.rng, self.p
        gap = rng.uniform(*p["spouse_age_gap"])
        husband_dob = head_dob if head_sex == "M" else add_years(head_dob, -gap)
        wife_dob = head_dob if head_sex == "F" else add_years(head_dob, gap)
        married_on = max(add_years(husband_dob, rng.uniform(*p["husband_marriage_age"])),
                         add_years(wife_dob, self.legal["F"] + 0.05 + rng.random()))
        head = self.person(out, head_sex, head_dob, head_relation, family=family,
                           migrant_share=p["migrant_share"])
        if married_on > self.today - timedelta(days=60):
            return head, None
        spouse_sex = "F" if head_sex == "M" else "M"
        spouse = self.person(out, spouse_sex, wife_dob if spouse_sex == "F" else husband_dob, spouse_relation,
                             migrant_share=p["in_law_migrant_share"])
        head.spouse, spouse.spouse = spouse.index, head.index
        for partner in (head, spouse):
            partner.married_on = married_on
            partner.lived_until(married_on)
        return head, spouse

    def child_plan(self, father: Person | None, mother: Person, start: date,
                   count: int | None = None) -> list[tuple[date, str]]:
        """(birth date, sex) of a mother's children born from `start`; the parents lived to see them."""
        rng, p = self.rng, self.p
        wanted = int(self.children_counts.pick(rng)) if count is None else count
        born = add_years(start, rng.uniform(*p["first_child_after_marriage_years"]))
        plan: list[tuple[date, str]] = []
        for _ in range(wanted):
            if born > self.today or age_on(mother.dob, born) > p["mother_max_age"]:
                break
            plan.append((born, "M" if rng.random() < p["male_birth_share"] else "F"))
            for parent in (father, mother):
                if parent is not None:
                    parent.lived_until(born)
            born = add_years(born, rng.uniform(*p["child_spacing_years"]))
        return plan

    def at_home(self, born: date) -> bool:
        """Whether a child of this age still lives in the parents' household."""
        p = self.p
        return age_on(born, self.today) < p["adult_child_leaves_age"] or self.rng.random() < p["adult_child_stay_share"]

    def child(self, out: list[Person], father: Person | None, mother: Person, born: date, sex: str,
              relation: str, family: str) -> Person:
        kid = self.person(out, sex, born, relation, family=family, migrant_share=self.p["child_migrant_share"])
        kid.mother = mother.index
        kid.father = father.index if father else None
        return kid

    def children(self, out: list[Person], father: Person | None, mother: Person, relation: str,
                 start: date, count: int | None = None) -> list[Person]:
        """The children of a couple (or a mother alone) who still live at home."""
        family = father.name.family if father else self.names.family(self.rng)
        return [
            self.child(out, father, mother, born, sex, relation, family)
            for born, sex in self.child_plan(father, mother, start, count)
            if self.at_home(born)
        ]

    # -- households -------------------------------------------------------------------------
    def build(self, out: list[Person], commune: Commune, household: int, index_offset: int = 0) -> list[Person]:
        """Append one household's people to `out`; a person's index is `index_offset + len(out)`."""
        rng, p = self.rng, self.p
        self._index_offset = index_offset
        self._home = (commune, rng.choice(commune.hamlets), household)
        start = len(out)
        kind = self.kinds.pick(rng)
        head_dob = self._dob_for_age(*p["head_age"][kind])
        if kind == "single":
            sex = "M" if rng.random() < p["single_male_share"] else "F"
            self.person(out, sex, head_dob, "head", migrant_share=p["migrant_share"])
        elif kind == "single_parent":
            head = self.person(out, "F", head_dob, "head", migrant_share=p["migrant_share"])
            from_age = add_years(head_dob, rng.uniform(*p["single_parent_first_child_age"]))
            self.children(out, None, head, "child", from_age, rng.randint(1, 3))
        else:
            head_sex = "M" if rng.random() < p["male_head_share"] else "F"
            head, spouse = self.couple(out, head_dob, head_sex, "wife" if head_sex == "M" else "husband")
            if spouse is not None:
                husband, wife = (head, spouse) if head_sex == "M" else (spouse, head)
                if kind == "three_generation":
                    self._three_generations(out, husband, wife)
                elif kind != "elderly_couple":
                    self.children(out, husband, wife, "child", husband.married_on)
            if kind == "with_parent":
                self._head_parents(out, head)
        members = out[start:]
        self._deaths(members)
        return members

    def _three_generations(self, out: list[Person], husband: Person, wife: Person) -> None:
        """The elder couple, their eldest grown son with his wife and children, maybe a sibling."""
        plan = self.child_plan(husband, wife, husband.married_on)
        heir = next((i for i, (born, sex) in enumerate(plan) if sex == "M" and age_on(born, self.today) >= self.p["heir_min_age"]), None)
        son = None
        for i, (born, sex) in enumerate(plan):
            if i == heir or self.at_home(born):
                kid = self.child(out, husband, wife, born, sex, "child", husband.name.family)
                son = kid if i == heir else son
        if son is None:
            return
        daughter_in_law = self._married_child(out, son)
        if daughter_in_law is not None:
            self.children(out, son, daughter_in_law, "grandchild", son.married_on)

    def _married_child(self, out: list[Person], son: Person) -> Person | None:
        rng, p = self.rng, self.p
        wife_dob = add_years(son.dob, rng.uniform(*p["spouse_age_gap"]))
        married_on = max(add_years(son.dob, rng.uniform(*p["husband_marriage_age"])), add_years(wife_dob, self.legal["F"] + 0.5))
        if married_on > self.today - timedelta(days=60):
            return None
        wife = self.person(out, "F", wife_dob, "daughter_in_law", migrant_share=p["in_law_migrant_share"])
        son.spouse, wife.spouse = wife.index, son.index
        for partner in (son, wife):
            partner.married_on = married_on
            partner.lived_until(married_on)
        return wife

    def _head_parents(self, out: list[Person], head: Person) -> None:
        """The head's widowed mother, or both parents, living with the head's family."""
        rng, cfg = self.rng, self.p["parents_living_in"]
        mother_dob = add_years(head.dob, -rng.uniform(*cfg["mother_age_at_head_birth"]))
        father_dob = add_years(mother_dob, -rng.uniform(*self.p["spouse_age_gap"]))
        family = head.name.family if head.sex == "M" else None
        mother = father = None
        if age_on(mother_dob, self.today) <= cfg["max_age"]:
            mother = self.person(out, "F", mother_dob, "mother", migrant_share=self.p["migrant_share"])
            head.mother = mother.index
            mother.lived_until(head.dob)
        if rng.random() < cfg["father_present_share"] and age_on(father_dob, self.today) <= cfg["max_age"]:
            father = self.person(out, "M", father_dob, "father", family=family, migrant_share=self.p["migrant_share"])
            head.father = father.index
            father.lived_until(head.dob)
        if mother is not None and father is not None:
            mother.spouse, father.spouse = father.index, mother.index
            married_on = max(add_years(head.dob, -rng.uniform(0.8, 3)), add_years(mother.dob, self.legal["F"] + 0.2),
                             add_years(father.dob, self.legal["M"] + 0.2))
            for partner in (mother, father):
                partner.married_on = married_on
                partner.lived_until(married_on)

    def _deaths(self, members: list[Person]) -> None:
        """Mark some (mostly old) people dead, after their last event and within the window."""
        rng, p, today = self.rng, self.p, self.today
        window_start = add_years(today, -p["death_window_years"])
        recent = self.ref.config["civil"]["recent_update_days"]
        for person in members:
            share = p["deceased_share_over_60"] if age_on(person.dob, today) >= 60 else p["deceased_share_under_60"]
            if rng.random() < share:
                earliest = max(window_start, person.dob, person.last_event or person.dob) + timedelta(days=1)
                latest = today - timedelta(days=1)
                if earliest < latest:
                    person.died_on = earliest + timedelta(days=rng.randrange((latest - earliest).days))
            floor = person.died_on or today - timedelta(days=recent)
            floor = max(floor, today - timedelta(days=recent))
            person.updated_at = floor + timedelta(days=rng.randrange((today - floor).days + 1))
