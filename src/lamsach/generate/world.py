"""The generated province in memory: its people, its datasets' rows, and what was planted.

Each dataset keeps, beside every row, which register person each person role really is
(`persons[i] = {"owner": 17}`); that is the ground truth `links.csv` is written from, and it
survives whatever a defect does to the row's text. `claims` records which fields of a row a
defect already changed, so two defects never fight over one value.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lamsach.data import load_schema
from lamsach.domain.model import DatasetSchema
from lamsach.generate.households import Person
from lamsach.generate.ids import IdIssuer
from lamsach.generate.names import NameSampler
from lamsach.generate.places import Commune
from lamsach.generate.reference import Reference
from lamsach.generate.register import record_id
from lamsach.generate.truth import Truth

WHOLE_RECORD = "*"


@dataclass
class Dataset:
    """One dataset's rows (canonical field names, text values) and their true persons."""

    name: str
    schema: DatasetSchema
    rows: list[dict[str, str]] = field(default_factory=list)
    persons: list[dict[str, int]] = field(default_factory=list)
    claims: dict[int, set[str]] = field(default_factory=dict)
    next_number: int = 1

    def add(self, ref: Reference, values: dict[str, str], persons: dict[str, int]) -> int:
        """Append a row under a fresh record id; returns its position."""
        row = {"record_id": record_id(ref, self.name, self.next_number)}
        row.update(values)
        self.next_number += 1
        self.rows.append(row)
        self.persons.append(persons)
        return len(self.rows) - 1

    def record_id(self, index: int) -> str:
        return self.rows[index]["record_id"]

    def claim(self, index: int, *fields: str) -> bool:
        """Reserve fields of a row for one defect; False if any (or the whole row) is taken."""
        taken = self.claims.setdefault(index, set())
        if WHOLE_RECORD in taken or (WHOLE_RECORD in fields and taken) or taken.intersection(fields):
            return False
        taken.update(fields)
        return True

    def claimed(self, index: int, name: str) -> bool:
        taken = self.claims.get(index, ())
        return name in taken or WHOLE_RECORD in taken


@dataclass
class World:
    """Everything one `generate_province` call builds before writing it out."""

    ref: Reference
    seed: int
    province: str
    today: date
    communes: list[Commune]
    ids: IdIssuer
    names: NameSampler
    truth: Truth
    people: list[Person] = field(default_factory=list)
    datasets: dict[str, Dataset] = field(default_factory=dict)
    registration_counters: dict[tuple[str, str, int], int] = field(default_factory=dict)
    reserved: set[int] = field(default_factory=set)  # people a defect already tells a story about
    owners: set[int] = field(default_factory=set)  # people who hold land (their death would show)
    file_quirks: dict[str, str] = field(default_factory=dict)  # quirk -> commune code
    cache: dict[str, Any] = field(default_factory=dict)  # pools planters draw people from

    def rng(self, purpose: str) -> random.Random:
        """An independent, seeded stream per purpose: changing one step leaves the others alone."""
        return random.Random(f"{self.seed}:{purpose}")

    def dataset(self, name: str) -> Dataset:
        if name not in self.datasets:
            self.datasets[name] = Dataset(name, load_schema(name))
        return self.datasets[name]

    def commune(self, code: str) -> Commune:
        return next(c for c in self.communes if c.code == code)

    def quirk_fields(self, dataset: str, row: dict[str, str]) -> set[str]:
        """Fields a whole-file quirk rewrites in this row (land workbooks only)."""
        if dataset != "land_parcel":
            return set()
        quirks = self.ref.defects["file_quirks"]
        return {f for q, code in self.file_quirks.items() if code == row["commune_code"] for f in quirks[q]["fields"]}
