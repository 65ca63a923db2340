"""A run's figures grouped by the key database each dataset belongs to, as the weekly report and
the dashboard show them: leaders track the twelve databases, not file names.

Datasets the catalogue does not place are grouped last: the register every database is checked
against, then any other (a province's own dataset not yet in its catalogue).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from lamsach.catalogue.key_databases import KeyDatabaseCatalogue, load_key_databases
from lamsach.catalogue.wording import database_words
from lamsach.data import dataset_names, load_schema
from lamsach.measure import OVERALL


@dataclass(frozen=True)
class DatasetScore:
    dataset: str
    label: str
    records: int
    scores: dict[str, float] = field(default_factory=dict)  # criterion (and overall) -> share passing


@dataclass(frozen=True)
class DatabaseGroup:
    id: str  # a database id, or "reference" / "other"
    name: str
    datasets: tuple[DatasetScore, ...]

    @property
    def records(self) -> int:
        return sum(d.records for d in self.datasets)

    @property
    def scores(self) -> dict[str, float]:
        if not self.records:
            return {}
        criteria = {c for d in self.datasets for c in d.scores}
        return {c: sum(d.scores.get(c, 0.0) * d.records for d in self.datasets) / self.records for c in criteria}

    @property
    def overall(self) -> float | None:
        return self.scores.get(OVERALL)


def group_by_database(scorecard: Iterable[dict], units: set[str] | None = None, lang: str = "vi",
                      catalogue: KeyDatabaseCatalogue | None = None) -> list[DatabaseGroup]:
    """Scorecard rows (unit, dataset, criterion, records, passing) of one run, summed over `units`
    (all when None), per dataset and grouped by key database in the catalogue's order."""
    catalogue = catalogue or load_key_databases()
    records: dict[str, int] = defaultdict(int)
    passing: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in scorecard:
        if units is not None and row["unit"] not in units:
            continue
        if row["criterion"] == OVERALL:  # each criterion row repeats the unit's records: count once
            records[row["dataset"]] += int(row["records"])
        passing[row["dataset"]][row["criterion"]] += int(row["passing"])
    known = set(dataset_names())

    def score(dataset: str) -> DatasetScore:
        n = records[dataset]
        label = load_schema(dataset).label_vi if dataset in known else dataset
        return DatasetScore(dataset, label, n, {c: p / n for c, p in passing[dataset].items()} if n else {})

    groups, placed = [], set()
    for database in catalogue.databases:
        held = [d for d in database.datasets if d in records]
        placed.update(held)
        if held:
            groups.append(DatabaseGroup(database.id, database.name(lang), tuple(score(d) for d in held)))
    reference = [d for d in catalogue.reference_datasets if d in records]
    placed.update(reference)
    if reference:
        groups.append(DatabaseGroup("reference", database_words("reference_group", lang),
                                    tuple(score(d) for d in reference)))
    other = sorted(set(records) - placed)
    if other:
        groups.append(DatabaseGroup("other", database_words("other_group", lang), tuple(score(d) for d in other)))
    return groups
