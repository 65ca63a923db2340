"""Names people read for codes: datasets, fields, units (from the schemas and the catalogue), and times."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from lamsach.data import catalogue_rows, load_schema
from lamsach.domain import LamsachError


def time_label(moment: datetime | str) -> str:
    """A stored time as people read it, to the second: `2026-11-26 09:15:03` (UTC)."""
    text = moment.isoformat(sep=" ") if isinstance(moment, datetime) else moment
    return text[:19].replace("T", " ")


@cache
def unit_names() -> dict[str, str]:
    return {r["commune_code"]: r["commune_name"] for r in catalogue_rows("admin_units/communes_2025")}


def unit_label(code: str | None) -> str:
    if not code:
        return "–"
    name = unit_names().get(code)
    return f"{name} ({code})" if name else code


@cache
def field_label(dataset: str, field: str) -> str:
    try:
        return load_schema(dataset).field(field).label_vi
    except (KeyError, LamsachError, OSError, StopIteration, ValueError):
        return field


@cache
def id_fields(dataset: str) -> frozenset[str]:
    """The fields of `dataset` holding a personal ID number (masked for some roles)."""
    try:
        return frozenset(f.name for f in load_schema(dataset).fields if f.type == "id")
    except (LamsachError, OSError):
        return frozenset()


@cache
def dataset_fields(dataset: str) -> tuple[str, ...]:
    try:
        return tuple(load_schema(dataset).field_names)
    except (LamsachError, OSError):
        return ()
