"""Resolve a parsed address to today's commune, and write it the way the catalogue does.

An address written since July 2025 names a commune and a province ("Thôn 3, xã Nga Sơn, tỉnh
Thanh Hóa"). One that names a district, a town (thị trấn) or a merged province, or a commune that
no longer exists, is of the old era: it is mapped through the conversion table to the commune it
went into — or to the candidates, where the old commune was split ("Nhập một phần") — and
reported as naming an abolished unit. Unit names are written as the catalogue spells them;
hamlet and street parts are only cased, spaced and given the catalogue's tone position.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from lamsach.standardise.address_parse import Part, split_address
from lamsach.standardise.admin_units import (
    Unit,
    catalogue,
    communes_named,
    old_communes_named,
    province_for_key,
    unit_key,
)
from lamsach.standardise.names import clean_name
from lamsach.standardise.tone import traditional_tone

_UNIT_LEVELS = ("commune", "old_commune", "district", "city", "province")


@dataclass(frozen=True)
class ResolvedAddress:
    text: str  # canonical text
    commune_code: str | None
    province_code: str | None
    parts: dict[str, str]  # house, hamlet, commune, district, province (canonical text of each)
    abolished_unit: str | None = None  # the abolished unit named, e.g. "huyện Hậu Lộc"
    suggestions: tuple[str, ...] = ()  # the address rewritten with today's unit(s)


@lru_cache(maxsize=200_000)
def resolve_address(text: str, default_province: str | None = None) -> ResolvedAddress:
    """Parse, resolve and re-write one NFC, encoding-repaired address."""
    parts = list(split_address(text))
    province, old_province_name, p_idx = _find_province(parts)
    province_code = province.code if province else default_province
    d_idx = [i for i, p in enumerate(parts) if i != p_idx and p.level in ("district", "city")]
    c_idx = next((i for i, p in enumerate(parts) if p.level in ("commune", "old_commune")), None)
    if c_idx is None:
        c_idx = _untyped_commune(parts, province_code, p_idx, d_idx)
    commune_part = parts[c_idx] if c_idx is not None else None
    district = parts[d_idx[-1]].name if d_idx else None
    old_era = bool(d_idx) or old_province_name is not None or (commune_part and commune_part.level == "old_commune")

    new_unit: Unit | None = None
    old_targets: list[str] = []
    old_spelling: str | None = None
    if commune_part is not None:
        if not old_era:
            found = communes_named(commune_part.name, province_code)
            if len(found) > 1:  # "Xã Thanh An" and "Phường Thanh An": the type word decides
                found = tuple(u for u in found if u.kind == commune_part.term) or found
            if len(found) == 1:
                new_unit = found[0]
            elif not found:
                old_era = True
        if old_era:
            keys = catalogue().old_province_keys.get(province_code or "", set())
            if old_province_name:
                keys = {unit_key(old_province_name.split(" ", 1)[-1])}
            olds = old_communes_named(commune_part.name, keys, district)
            old_targets = sorted({o.new_code for o in olds})
            if olds:
                old_spelling = f"{olds[0].kind} {olds[0].name}"
    rendered = [_render(p, i) for i, p in enumerate(parts)]
    if commune_part is not None:
        if new_unit is not None:
            rendered[c_idx] = _cap(new_unit.full_name, c_idx)
        elif old_spelling:
            rendered[c_idx] = _cap(old_spelling, c_idx)
    if province is not None and p_idx is not None:
        kind = parts[p_idx].term if parts[p_idx].term in catalogue().province_kinds[province.code] else province.kind
        rendered[p_idx] = _cap(old_province_name or f"{kind} {province.name}", p_idx)
    canonical = ", ".join(rendered)
    split = _named(parts, rendered, c_idx, p_idx, d_idx)
    if not old_era:
        return ResolvedAddress(canonical, new_unit.code if new_unit else None,
                               new_unit.province_code if new_unit else province_code, split)
    abolished = rendered[d_idx[-1]] if d_idx else (rendered[c_idx] if c_idx is not None else None)
    if old_province_name and not d_idx and c_idx is None:
        abolished = old_province_name
    suggestions = tuple(_suggest(rendered, c_idx, p_idx, d_idx, code) for code in old_targets)
    commune_code = old_targets[0] if len(old_targets) == 1 else None
    target_province = catalogue().communes[commune_code].province_code if commune_code else province_code
    return ResolvedAddress(canonical, commune_code, target_province, split, abolished, suggestions)


def _find_province(parts: list[Part]) -> tuple[Unit | None, str | None, int | None]:
    for i in range(len(parts) - 1, -1, -1):
        part = parts[i]
        if part.level in ("province", "city") or (part.level is None and i == len(parts) - 1 and i > 0):
            unit, old_name = province_for_key(part.name)
            if unit is not None and not (part.level == "city" and _later_province(parts, i)):
                return unit, old_name, i
        if part.level in ("province",):
            return None, None, i
    return None, None, None


def _later_province(parts: list[Part], i: int) -> bool:
    return any(p.level == "province" for p in parts[i + 1 :])


def _untyped_commune(parts: list[Part], province_code: str | None, p_idx: int | None, d_idx: list[int]) -> int | None:
    """An untyped part right before the district/province that names a commune."""
    anchor = min([*d_idx, p_idx if p_idx is not None else len(parts)])
    i = anchor - 1
    if i >= 0 and parts[i].level is None and communes_named(parts[i].name, province_code):
        return i
    return None


@lru_cache(maxsize=100_000)
def _render(part: Part, position: int) -> str:
    name = " ".join(_word(w) for w in part.name.split(" ") if w)
    text = f"{part.term} {name}".strip() if part.term else name
    return _cap(text, position)


def _word(word: str) -> str:
    if any(ch.isdigit() for ch in word):
        return word.upper() if len(word) <= 4 else word
    return traditional_tone(clean_name(word)) if word.isalpha() else word


def _cap(text: str, position: int) -> str:
    return text[:1].upper() + text[1:] if position == 0 else text


def _named(parts: list[Part], rendered: list[str], c_idx, p_idx, d_idx) -> dict[str, str]:
    out: dict[str, list[str]] = {"house": [], "hamlet": [], "commune": [], "district": [], "province": []}
    for i, (part, text) in enumerate(zip(parts, rendered, strict=True)):
        if i == c_idx:
            out["commune"].append(text)
        elif i == p_idx:
            out["province"].append(text)
        elif i in d_idx:
            out["district"].append(text)
        elif part.level == "hamlet":
            out["hamlet"].append(text)
        else:
            out["house"].append(text)
    return {k: ", ".join(v) for k, v in out.items() if v}


def _suggest(rendered: list[str], c_idx, p_idx, d_idx, new_code: str) -> str:
    cat = catalogue()
    unit = cat.communes.get(new_code)
    if unit is None:
        return ""
    out = []
    for i, text in enumerate(rendered):
        if i in d_idx:
            continue
        if i == c_idx:
            text = unit.full_name
        elif i == p_idx:
            text = cat.provinces[unit.province_code].full_name
        out.append(text)
    if c_idx is None:
        out.insert(len(out) - (1 if p_idx is not None else 0), unit.full_name)
    if p_idx is None:
        out.append(cat.provinces[unit.province_code].full_name)
    joined = ", ".join(out)
    return joined[:1].upper() + joined[1:]
