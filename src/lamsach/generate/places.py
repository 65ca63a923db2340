"""Where people live: communes of the 2025 catalogue, their hamlets, addresses and old units.

A generated province is a run of neighbouring communes (catalogue codes are grouped by old
district, so consecutive codes are neighbours), about one per `people_per_commune` people.
Each commune knows the birth-registration ID prefix of the pre-2025 province it came from
(a merged province keeps several prefixes) and the abolished communes merged into it, so the
generator can write an address the way it read before 1 July 2025.
"""

from __future__ import annotations

import random
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from lamsach.data import read_csv
from lamsach.generate.reference import Reference


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def in_address(unit_name: str) -> str:
    """A unit's name as an address writes it: "Xã Hậu Lộc" -> "xã Hậu Lộc"."""
    return unit_name[:1].lower() + unit_name[1:]


@dataclass(frozen=True)
class OldUnit:
    """An abolished commune merged into a 2025 commune, with its old district and province."""

    commune: str
    district: str
    province: str


@dataclass(frozen=True)
class Commune:
    code: str
    name: str  # "Xã Hậu Lộc"
    province_code: str
    province_name: str  # "Tỉnh Thanh Hóa"
    urban: bool
    hamlets: tuple[str, ...]
    id_prefix: str  # birth-registration prefix of the pre-2025 province it lies in
    old_units: tuple[OldUnit, ...]
    address_format: str
    old_address_format: str
    _addresses: dict[str, str] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def address(self, hamlet: str) -> str:
        """"Thôn 1, xã Hậu Lộc, tỉnh Thanh Hóa" (memoised: every person and parcel asks)."""
        text = self._addresses.get(hamlet)
        if text is None:
            text = self._addresses[hamlet] = self.address_format.format(
                hamlet=hamlet, commune=in_address(self.name), province=in_address(self.province_name)
            )
        return text

    def old_address(self, hamlet: str, old: OldUnit) -> str:
        return self.old_address_format.format(
            hamlet=hamlet,
            commune=in_address(old.commune),
            district=in_address(old.district),
            province=in_address(old.province),
        )


def province_prefixes(province_code: str) -> tuple[list[str], list[str]]:
    """(the province's own ID prefixes, every other prefix) from the CCCD prefix table."""
    rows = read_csv("catalogues/cccd_province_codes.csv")
    own = [r["cccd_prefix"] for r in rows if r["new_province_code_2025"] == province_code]
    others = [r["cccd_prefix"] for r in rows if r["new_province_code_2025"] != province_code]
    return own, others


def choose_communes(ref: Reference, province_code: str, people: int, rng: random.Random) -> list[Commune]:
    """About one commune per `people_per_commune` people (at least `min_communes`), neighbours."""
    places = ref.config["places"]
    rows = sorted(
        (r for r in read_csv("catalogues/admin_units/communes_2025.csv") if r["province_code"] == province_code),
        key=lambda r: r["commune_code"],
    )
    if not rows:
        raise ValueError(f"province {province_code!r} has no communes in the 2025 catalogue")
    wanted = max(int(places["min_communes"]), round(people / int(places["people_per_commune"])))
    count = min(wanted, len(rows))
    start = rng.randrange(len(rows) - count + 1)
    chosen = rows[start : start + count]
    current_names = {nfc(r["commune_name"]).lower() for r in rows}
    conversion = [
        r for r in read_csv("catalogues/admin_units/conversion_2025.csv") if r["new_province_code"] == province_code
    ]
    own_prefixes, _ = province_prefixes(province_code)
    low, high = places["hamlets_per_commune"]
    communes = []
    for row in chosen:
        name = nfc(row["commune_name"])
        urban = name.startswith(tuple(places["urban_prefixes"]))
        merged = [r for r in conversion if r["new_commune_code"] == row["commune_code"]]
        communes.append(
            Commune(
                code=row["commune_code"],
                name=name,
                province_code=province_code,
                province_name=nfc(row["province_name"]),
                urban=urban,
                hamlets=_hamlets(ref, rng, "urban" if urban else "rural", rng.randint(low, high)),
                id_prefix=_legacy_prefix(merged, own_prefixes),
                old_units=_old_units(merged, name, current_names),
                address_format=places["address_format"],
                old_address_format=places["old_address_format"],
            )
        )
    return communes


def _hamlets(ref: Reference, rng: random.Random, setting: str, count: int) -> tuple[str, ...]:
    names = ref.hamlets[setting]
    chosen: list[str] = []
    for _ in range(count * 20):
        if len(chosen) == min(count, len(names.items)):
            break
        name = names.pick(rng)
        if name not in chosen:
            chosen.append(name)
    return tuple(chosen)


def _legacy_prefix(merged: list[dict[str, str]], own_prefixes: list[str]) -> str:
    """The ID prefix of the old province most of the commune's old communes belonged to."""
    counts = Counter(f"0{r['old_province_code']}" for r in merged)
    for prefix, _ in counts.most_common():
        if prefix in own_prefixes:
            return prefix
    return own_prefixes[0]


def _old_units(merged: list[dict[str, str]], new_name: str, current_names: set[str]) -> tuple[OldUnit, ...]:
    """Old communes whose name no longer exists in the province (an address naming one is dated)."""
    units = []
    for r in merged:
        old = nfc(r["old_commune_name"])
        if old.lower() == new_name.lower() or old.lower() in current_names or not r["old_district_name"]:
            continue
        unit = OldUnit(old, nfc(r["old_district_name"]), nfc(r["old_province_name"]))
        if unit not in units:
            units.append(unit)
    return tuple(units)
