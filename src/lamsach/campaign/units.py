"""The units a campaign measures, as a hierarchy: the province, under it its communes and wards
(2025 catalogue) and its departments (a data file). Scores roll up by summing numerators and
denominators, never by averaging shares."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from lamsach.data import catalogue_rows


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str  # province, commune, department
    parent: str | None


@cache
def unit_catalogue(province: str) -> dict[str, Unit]:
    """Every unit of `province` (2025 code), keyed by code; the province itself under its code."""
    communes = [r for r in catalogue_rows("admin_units/communes_2025") if r["province_code"] == province]
    name = communes[0]["province_name"] if communes else f"Tỉnh {province}"
    units = {province: Unit(province, name, "province", None)}
    units.update({r["commune_code"]: Unit(r["commune_code"], r["commune_name"], "commune", province)
                  for r in communes})
    units.update({r["code"]: Unit(r["code"], r["name"], "department", province)
                  for r in catalogue_rows("units/departments")})
    return units


def unit_name(province: str, code: str) -> str:
    unit = unit_catalogue(province).get(code)
    if unit:
        return unit.name
    other = {r["commune_code"]: r["commune_name"] for r in catalogue_rows("admin_units/communes_2025")}
    return other.get(code, code)
