"""The ground truth of a generated province: what was planted, where, and what it should read.

Every defect a planter makes is recorded here as it is made, so the truth cannot drift from
the data. Written as the sample's five files:

- `errors.csv`: dataset, record_id, field, criterion, error_type; one row per planted defect
  (`*` = the whole record);
- `involved.csv`: every record a defect touches, its partners included: the original of a
  duplicate, the other marriage of a bigamist, the death registration the register ignores,
  and every record that refers to a person whose register entry a defect changed;
- `clean_values.csv`: what a repairable field must read after cleaning;
- `links.csv`: the citizen each person field of land, birth, death and marriage really is;
- `duplicates.csv`: record_id, duplicate_of.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lamsach.generate.writers import write_csv

if TYPE_CHECKING:
    from lamsach.generate.households import Person
    from lamsach.generate.world import Dataset


class Truth:
    def __init__(self, criteria: Mapping[str, str]) -> None:
        self.criteria = criteria
        self.errors: list[tuple[str, str, str, str, str]] = []
        self.involved: set[tuple[str, str]] = set()
        self.clean_values: dict[tuple[str, str, str], str] = {}
        self.duplicates: list[tuple[str, str, str]] = []
        self.changed_people: set[int] = set()

    def error(self, dataset: str, record_id: str, field: str, error_type: str) -> None:
        self.errors.append((dataset, record_id, field, self.criteria[error_type], error_type))
        self.involved.add((dataset, record_id))

    def involve(self, dataset: str, record_id: str) -> None:
        self.involved.add((dataset, record_id))

    def involve_person(self, person: int) -> None:
        """A defect changed what the register says about this person: records naming them may flag."""
        self.changed_people.add(person)

    def clean_value(self, dataset: str, record_id: str, field: str, value: str) -> None:
        """The value a repairable field must read after cleaning (the first repair sets it)."""
        self.clean_values.setdefault((dataset, record_id, field), value)

    def duplicate(self, dataset: str, record_id: str, duplicate_of: str) -> None:
        self.duplicates.append((dataset, record_id, duplicate_of))
        self.involved.add((dataset, duplicate_of))

    def links(self, datasets: Mapping[str, Dataset], people: Sequence[Person]) -> list[tuple[str, str, str, str]]:
        rows = []
        for name, dataset in datasets.items():
            if name == "population":
                continue
            for row, persons in zip(dataset.rows, dataset.persons, strict=True):
                for role, person in persons.items():
                    rows.append((name, row["record_id"], role, people[person].citizen_id))
        return sorted(rows, key=lambda r: (r[0], r[1]))

    def finalise(self, datasets: Mapping[str, Dataset]) -> None:
        """Involve every record naming a person whose register entry a defect changed."""
        for name, dataset in datasets.items():
            for row, persons in zip(dataset.rows, dataset.persons, strict=True):
                if not self.changed_people.isdisjoint(persons.values()):
                    self.involved.add((name, row["record_id"]))

    def write(self, folder: Path, datasets: Mapping[str, Dataset], people: Sequence[Person]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        write_csv(folder / "errors.csv", ["dataset", "record_id", "field", "criterion", "error_type"],
                  sorted(set(self.errors)))
        write_csv(folder / "involved.csv", ["dataset", "record_id"], sorted(self.involved))
        write_csv(folder / "clean_values.csv", ["dataset", "record_id", "field", "value"],
                  [(*key, value) for key, value in sorted(self.clean_values.items())])
        write_csv(folder / "links.csv", ["dataset", "record_id", "role", "citizen_id"], self.links(datasets, people))
        write_csv(folder / "duplicates.csv", ["dataset", "record_id", "duplicate_of"], sorted(self.duplicates))
