"""Planting defects: which, where and how many come from `defect_rates.yaml`; how is code.

Each entry of the rates file names a dataset, a field and an error type; the planter
registered for the error type tries records drawn at random until it has planted
`max(min_count, round(rate x records))` or run out of candidates. A planter changes the row,
claims the fields it touched (so no other defect overwrites them) and records the defect in the
truth in the same step, which is what keeps `errors.csv` honest.

Phases keep the story consistent: register ID defects come first (before land and civil records
copy people's IDs), then defects of meaning, then duplicates (copies of rows already defective
or not), then surface defects (encodings, spacing), which a cleaner must see on the final text.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain
from typing import Any

from lamsach.generate.households import Person
from lamsach.generate.world import Dataset, World

PERSON, MEANING, DUPLICATE, SURFACE = "person", "meaning", "duplicate", "surface"
PHASES = (PERSON, MEANING, DUPLICATE, SURFACE)
REGISTER_ID_DEFECTS = frozenset({"id_birth_year_mismatch", "id_sex_century_mismatch"})
SURFACE_TYPES = frozenset({"spacing_case", "old_tone", "id_leading_zero_lost"})


@dataclass(frozen=True)
class DefectSpec:
    dataset: str
    field: str
    error_type: str
    rate: float
    min_count: int = 1

    @property
    def phase(self) -> str:
        if self.dataset == "population" and self.error_type in REGISTER_ID_DEFECTS:
            return PERSON
        if self.error_type == "duplicate_record":
            return DUPLICATE
        if self.error_type.startswith("encoding_") or self.error_type in SURFACE_TYPES:
            return SURFACE
        return MEANING


@dataclass
class Job:
    """One attempt to plant one defect in one row: the row, helpers, and the truth to tell."""

    world: World
    dataset: Dataset
    index: int
    field: str
    error_type: str
    rng: random.Random

    @property
    def row(self) -> dict[str, str]:
        return self.dataset.rows[self.index]

    @property
    def value(self) -> str:
        return self.row.get(self.field, "")

    @property
    def record_id(self) -> str:
        return self.dataset.record_id(self.index)

    @property
    def config(self) -> dict[str, Any]:
        return self.world.ref.defects

    def claim(self, *fields: str) -> bool:
        return self.dataset.claim(self.index, *(fields or (self.field,)))

    def free(self, *fields: str) -> bool:
        return not any(self.dataset.claimed(self.index, f) for f in (fields or (self.field,)))

    def set(self, value: str, field: str | None = None) -> None:
        self.row[field or self.field] = value

    def error(self, field: str | None = None, index: int | None = None) -> None:
        record = self.dataset.record_id(self.index if index is None else index)
        self.world.truth.error(self.dataset.name, record, field or self.field, self.error_type)

    def register_changed(self) -> None:
        """A population row now says something else about its person: records naming them may flag."""
        if self.dataset.name == "population":
            self.world.truth.involve_person(self.dataset.persons[self.index]["person"])

    def clean(self, value: str, field: str | None = None) -> None:
        self.world.truth.clean_value(self.dataset.name, self.record_id, field or self.field, value)

    def person(self, role: str | None = None) -> Person | None:
        """The register person behind a role of this row (population rows: role "person")."""
        index = self.dataset.persons[self.index].get(role or self.role or "person")
        return None if index is None else self.world.people[index]

    @property
    def role(self) -> str | None:
        try:
            return self.dataset.schema.field(self.field).person_role
        except KeyError:
            return None

    def role_fields(self, role: str | None = None) -> dict[str, str]:
        """{part: field} of a person role, e.g. {"name": "owner_name", "id": "owner_id", ...}."""
        return self.dataset.schema.person_roles().get(role or self.role or "", {})


Planter = Callable[[Job], bool]


def planters() -> dict[str, Planter]:
    """Error type -> planter, from the three planter catalogues."""
    from lamsach.generate import (
        defect_library_form,
        defect_library_register,
        defect_library_sector,
        defect_library_surface,
    )

    table: dict[str, Planter] = {}
    for module in (defect_library_form, defect_library_register, defect_library_surface, defect_library_sector):
        table.update(module.PLANTERS)
    return table


def specs(world: World) -> list[DefectSpec]:
    return [
        DefectSpec(d["dataset"], d["field"], d["error_type"], float(d["rate"]), int(d.get("min_count", 1)))
        for d in world.ref.defects["defects"]
    ]


def plant_phase(world: World, phase: str) -> dict[DefectSpec, int]:
    """Plant every spec of a phase, in file order; returns how many of each were planted."""
    table = planters()
    planted = {}
    for number, spec in enumerate(specs(world)):
        if spec.phase != phase or spec.dataset not in world.datasets:
            continue
        if spec.error_type not in table:
            raise ValueError(f"defect_rates.yaml: no planter for error type {spec.error_type!r}")
        rng = world.rng(f"defect:{number}:{spec.error_type}")
        planted[spec] = _plant(world, spec, table[spec.error_type], rng)
    return planted


def _plant(world: World, spec: DefectSpec, planter: Planter, rng: random.Random) -> int:
    dataset = world.datasets[spec.dataset]
    total = len(dataset.rows)
    if total == 0:
        return 0
    target = max(spec.min_count, round(spec.rate * total))
    start = rng.randrange(total)
    probes = chain(  # random rows first; rare candidates are then found by one full pass
        rng.sample(range(total), min(total, 40 * target + 100)), ((start + i) % total for i in range(total))
    )
    planted = 0
    for index in probes:
        if planted >= target:
            break
        if planter(Job(world, dataset, index, spec.field, spec.error_type, rng)):
            planted += 1
    return planted
