"""Vietnamese personal names: family name by region, sex-typed middle and given names by era.

A name is family + middle (one word, sometimes two) + given. Middle names carry sex and era
(Văn and Thị dominate older generations), so both are drawn from the person's sex and birth
era; a child takes the father's family name, a wife keeps her own. `variant` makes the kind
of difference two databases really show for one person.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from lamsach.generate.reference import Reference
from lamsach.generate.spelling import old_tone


@dataclass(frozen=True)
class Name:
    family: str
    middle: str  # one word or two ("Thị Minh")
    given: str

    @property
    def full(self) -> str:
        return f"{self.family} {self.middle} {self.given}" if self.middle else f"{self.family} {self.given}"


class NameSampler:
    """Draws names for one province (its region decides the family-name mix)."""

    def __init__(self, ref: Reference, province_code: str) -> None:
        self._ref = ref
        regions = ref.config["regions"]
        region = max((r for r, start in regions.items() if province_code >= start), key=lambda r: regions[r])
        self._families = ref.family_names[region]
        self._four_syllable_share = float(ref.config["people"]["four_syllable_share"])
        self._variants: dict[str, str] = ref.config.get("family_name_variants", {})

    def family(self, rng: random.Random) -> str:
        return self._families.pick(rng)

    def name(self, rng: random.Random, sex: str, birth_year: int, family: str | None = None) -> Name:
        era = self._ref.era(birth_year)
        family = family or self.family(rng)
        middles = self._ref.middle_names[(sex, era)]
        middle = middles.pick(rng)
        if middle == family:  # "Hoàng Hoàng Mạnh" exists, but rarely: draw once more
            middle = middles.pick(rng)
        if rng.random() < self._four_syllable_share:
            second = middles.pick(rng)
            if second != middle and second != middles.most_common:
                middle = f"{middle} {second}"
        given = self._ref.given_names[(sex, era)].pick(rng)
        if given == middle.split(" ")[-1]:  # "Minh Minh" happens, but rarely: draw once more
            given = self._ref.given_names[(sex, era)].pick(rng)
        return Name(family, middle, given)

    def variant(self, rng: random.Random, name: Name, sex: str, birth_year: int) -> str:
        """The same person's name as another database wrote it: another given or middle name,
        a middle name dropped, the family's other spelling (Vũ/Võ), or the old tone placement."""
        era = self._ref.era(birth_year)
        options: list[str] = []
        other_given = self._ref.given_names[(sex, era)].pick(rng)
        if other_given != name.given:
            options.append(Name(name.family, name.middle, other_given).full)
        other_middle = self._ref.middle_names[(sex, era)].pick(rng)
        if other_middle != name.middle:
            options.append(Name(name.family, other_middle, name.given).full)
        if " " in name.middle:
            options.append(Name(name.family, name.middle.split(" ")[0], name.given).full)
        if self._variants.get(name.family, name.family) != name.family:
            options.append(Name(self._variants[name.family], name.middle, name.given).full)
        if old_tone(name.full) != name.full:
            options.append(old_tone(name.full))
        return rng.choice(options) if options else Name(name.family, "", name.given).full
