"""The administrative-unit catalogue in force since 1 July 2025, indexed for address resolution.

Three data files (`catalogues/admin_units/`): the 34 provinces, the 3,321 communes and the
statistics office's old-to-new conversion table. Names are looked up through `unit_key` (case,
spacing and tone position ignored), with an accent-free key as a fallback for text typed without
diacritics. Codes alone do not say their era (new communes reuse old codes), and published copies
disagree on a few codes: `catalogue.yaml` lists those as `known_conflicts`, which become findings.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache, lru_cache

from lamsach.data import load_yaml, read_csv
from lamsach.standardise.names import name_key

_FOLDER = "catalogues/admin_units"
UNIT_TYPES: tuple[str, ...] = (
    "thành phố", "thị trấn", "thị xã", "đặc khu", "phường", "huyện", "quận", "tỉnh", "xã",
)
"""Type words that open a unit's official name ("Xã Nga Sơn" -> xã + Nga Sơn), longest first."""


def split_unit_name(full_name: str) -> tuple[str, str]:
    """("xã", "Nga Sơn") for "Xã Nga Sơn"; ("", name) when no type word opens it."""
    lower = full_name.lower()
    for kind in UNIT_TYPES:
        if lower.startswith(kind + " "):
            return kind, full_name[len(kind) + 1 :].strip()
    return "", full_name.strip()


def unit_key(name: str) -> str:
    return name_key(name)


def loose_key(name: str) -> str:
    """Accent-free key, for names typed without diacritics ("Nga Son")."""
    return name_key(name, strip_tones=True)


@dataclass(frozen=True)
class Unit:
    code: str
    kind: str  # xã, phường, đặc khu, tỉnh, thành phố
    name: str  # without the type word, as the catalogue spells it
    province_code: str

    @property
    def full_name(self) -> str:
        return f"{self.kind} {self.name}"


@dataclass(frozen=True)
class OldCommune:
    """A pre-2025 commune and the new commune it went (wholly or partly) into."""

    code: str
    kind: str
    name: str
    district: str
    province_name: str
    new_code: str
    partial: bool


@dataclass
class Catalogue:
    provinces: dict[str, Unit] = field(default_factory=dict)
    province_by_key: dict[str, list[Unit]] = field(default_factory=lambda: defaultdict(list))
    province_by_loose: dict[str, list[Unit]] = field(default_factory=lambda: defaultdict(list))
    legacy_provinces: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (name, new code)
    communes: dict[str, Unit] = field(default_factory=dict)
    commune_by_key: dict[str, list[Unit]] = field(default_factory=lambda: defaultdict(list))
    commune_by_loose: dict[str, list[Unit]] = field(default_factory=lambda: defaultdict(list))
    old_by_key: dict[str, list[OldCommune]] = field(default_factory=lambda: defaultdict(list))
    old_by_loose: dict[str, list[OldCommune]] = field(default_factory=lambda: defaultdict(list))
    legacy_provinces_loose: dict[str, tuple[str, str]] = field(default_factory=dict)
    old_codes: dict[str, list[OldCommune]] = field(default_factory=lambda: defaultdict(list))
    conflicts: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # alt code -> (code, all)
    old_province_keys: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # new code -> keys
    province_kinds: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # code -> tỉnh/thành phố


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


@cache
def catalogue() -> Catalogue:
    """The catalogue, loaded once (names NFC: a few published names are decomposed)."""
    doc = load_yaml(f"{_FOLDER}/catalogue.yaml", "catalogue")
    files = doc["files"]
    cat = Catalogue()
    for row in read_csv(f"{_FOLDER}/{files['provinces']}"):
        kind, name = split_unit_name(_nfc(row["name"]))
        unit = Unit(row["code"], kind, name, row["code"])
        cat.provinces[unit.code] = unit
        cat.province_by_key[unit_key(name)].append(unit)
        cat.province_by_loose[loose_key(name)].append(unit)
        cat.old_province_keys[unit.code].add(unit_key(name))
        cat.province_kinds[unit.code].add(kind)
        for old in row["legacy_province_names"].split(";"):
            old_kind, old_name = split_unit_name(_nfc(old))
            cat.old_province_keys[unit.code].add(unit_key(old_name))
            if unit_key(old_name) != unit_key(name):
                cat.legacy_provinces[unit_key(old_name)] = (f"{old_kind} {old_name}", unit.code)
                cat.legacy_provinces_loose[loose_key(old_name)] = (f"{old_kind} {old_name}", unit.code)
    for row in read_csv(f"{_FOLDER}/{files['communes']}"):
        kind, name = split_unit_name(_nfc(row["commune_name"]))
        unit = Unit(row["commune_code"], kind, name, row["province_code"])
        cat.communes[unit.code] = unit
        # The two files disagree on a few provinces' type (tỉnh / thành phố): both are accepted.
        cat.province_kinds[unit.province_code].add(split_unit_name(_nfc(row["province_name"]))[0])
        cat.commune_by_key[unit_key(name)].append(unit)
        cat.commune_by_loose[loose_key(name)].append(unit)
    for row in read_csv(f"{_FOLDER}/{files['conversion']}"):
        kind, name = split_unit_name(_nfc(row["old_commune_name"]))
        old = OldCommune(
            row["old_commune_code"], kind, name, split_unit_name(_nfc(row["old_district_name"]))[1],
            _nfc(row["old_province_name"]), row["new_commune_code"], "một phần" in row["note"].lower(),
        )
        cat.old_by_key[unit_key(name)].append(old)
        cat.old_by_loose[loose_key(name)].append(old)
        cat.old_codes[old.code].append(old)
    for conflict in doc.get("known_conflicts", ()):
        codes = [str(c) for c in conflict["codes"]]
        current = next((c for c in codes if c in cat.communes), codes[0])
        for code in codes:
            if code != current:
                cat.conflicts[code] = (current, codes)
    return cat


@lru_cache(maxsize=10_000)
def province_for_key(name: str) -> tuple[Unit | None, str | None]:
    """(the 2025 province named, None) or (the province it went into, the abolished name)."""
    cat = catalogue()
    lookups = ((cat.province_by_key, cat.legacy_provinces, unit_key(name)),
               (cat.province_by_loose, cat.legacy_provinces_loose, loose_key(name)))
    for current, legacy, key in lookups:
        found = current.get(key)
        if found and len(found) == 1:
            return found[0], None
        if key in legacy:
            old_name, code = legacy[key]
            return cat.provinces[code], old_name
    return None, None


@lru_cache(maxsize=50_000)
def communes_named(name: str, province_code: str | None) -> tuple[Unit, ...]:
    """2025 communes called `name` (in the province, when given); exact key before accent-free."""
    cat = catalogue()
    for index, key in ((cat.commune_by_key, unit_key(name)), (cat.commune_by_loose, loose_key(name))):
        found = tuple(u for u in index.get(key, ()) if province_code in (None, u.province_code))
        if found:
            return found
    return ()


def old_communes_named(name: str, province_names: set[str], district: str | None) -> list[OldCommune]:
    """Pre-2025 communes called `name`, narrowed by old province names and district when given."""
    cat = catalogue()
    for index, key in ((cat.old_by_key, unit_key(name)), (cat.old_by_loose, loose_key(name))):
        found = list(index.get(key, ()))
        if province_names:
            found = [o for o in found if unit_key(split_unit_name(o.province_name)[1]) in province_names]
        if district:
            narrowed = [o for o in found if loose_key(o.district) == loose_key(district)]
            found = narrowed or found
        if found:
            return found
    return []
