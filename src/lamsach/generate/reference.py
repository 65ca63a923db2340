"""The generator's reference data, read once from `data/catalogues/people/`.

Everything that makes the synthetic province look Vietnamese (name frequencies, hamlet names,
the words a register writes, land-use mix, defect rates) is data, so a reviewer can change how
the province looks without reading code. This module turns those files into small typed
objects the hot loops can use (cumulative weights for `bisect`, tuples instead of dicts).
"""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass
from functools import cache, cached_property
from itertools import accumulate
from typing import Any

from lamsach.data import load_yaml, read_csv

FOLDER = "catalogues/people"


@dataclass(frozen=True)
class Weighted:
    """Items with weights; `pick` is a bisect over cumulative weights, O(log n) a draw."""

    items: tuple[str, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def of(cls, pairs: list[tuple[str, float]]) -> Weighted:
        kept = [(item, weight) for item, weight in pairs if weight > 0]
        return cls(tuple(i for i, _ in kept), tuple(accumulate(w for _, w in kept)))

    def pick(self, rng: random.Random) -> str:
        return self.items[bisect(self.cumulative, rng.random() * self.cumulative[-1])]

    @cached_property
    def most_common(self) -> str:
        weights = [b - a for a, b in zip((0.0, *self.cumulative), self.cumulative, strict=False)]
        return self.items[weights.index(max(weights))]


@dataclass(frozen=True)
class LandUse:
    """A land-use code, how often a holding has it (rural / urban) and its plausible area."""

    code: str
    kind: str  # residential or agricultural
    rural_weight: float
    urban_weight: float
    min_m2: float
    max_m2: float


@dataclass(frozen=True)
class Reference:
    """The generator's data: the YAML parameters plus parsed name, hamlet and land tables."""

    config: dict[str, Any]
    defects: dict[str, Any]
    family_names: dict[str, Weighted]  # region -> weighted family names
    middle_names: dict[tuple[str, int], Weighted]  # (sex, era index) -> weighted middle names
    given_names: dict[tuple[str, int], Weighted]  # (sex, era index) -> weighted given names
    era_starts: tuple[int, ...]  # first birth year of each era, ascending
    hamlets: dict[str, Weighted]  # rural / urban -> weighted hamlet names
    land_uses: tuple[LandUse, ...]

    @property
    def labels(self) -> dict[str, dict[str, str]]:
        return self.config["labels"]

    def era(self, birth_year: int) -> int:
        """Index of the naming era a birth year falls in (names went out of fashion by era)."""
        return bisect(self.era_starts, birth_year) - 1

    def land_use(self, code: str) -> LandUse | None:
        for land_use in self.land_uses:
            if land_use.code == code:
                return land_use
        return None


def _by_sex_and_era(rows: list[dict[str, str]], era_columns: list[str]) -> dict[tuple[str, int], Weighted]:
    table: dict[tuple[str, int], Weighted] = {}
    for sex in sorted({row["sex"] for row in rows}):
        for era, column in enumerate(era_columns):
            table[(sex, era)] = Weighted.of([(r["name"], float(r[column])) for r in rows if r["sex"] == sex])
    return table


@cache
def reference() -> Reference:
    """The generator's reference data (cached: the files are package data and do not change)."""
    config = load_yaml(f"{FOLDER}/generator.yaml", "catalogue")
    files = config["files"]
    defects = load_yaml(f"{FOLDER}/{files['defect_rates']}", "catalogue")
    eras = config["name_eras"]
    era_columns = [f"weight_{name}" for name in eras]
    family_rows = read_csv(f"{FOLDER}/{files['family_names']}")
    hamlet_rows = read_csv(f"{FOLDER}/{files['hamlets']}")
    return Reference(
        config=config,
        defects=defects,
        family_names={
            region: Weighted.of([(r["name"], float(r[f"weight_{region}"])) for r in family_rows])
            for region in config["regions"]
        },
        middle_names=_by_sex_and_era(read_csv(f"{FOLDER}/{files['middle_names']}"), era_columns),
        given_names=_by_sex_and_era(read_csv(f"{FOLDER}/{files['given_names']}"), era_columns),
        era_starts=tuple(int(start) for start in eras.values()),
        hamlets={
            setting: Weighted.of([(r["name"], float(r["weight"])) for r in hamlet_rows if r["setting"] == setting])
            for setting in ("rural", "urban")
        },
        land_uses=tuple(
            LandUse(
                code=r["code"],
                kind=r["kind"],
                rural_weight=float(r["rural_weight"]),
                urban_weight=float(r["urban_weight"]),
                min_m2=float(r["min_m2"]),
                max_m2=float(r["max_m2"]),
            )
            for r in read_csv(f"{FOLDER}/{files['land_use_mix']}")
        ),
    )
