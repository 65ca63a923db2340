"""Names people read for codes: datasets, fields, units (from the schemas and the catalogue), and times."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache

from lamsach.data import catalogue_rows, load_schema
from lamsach.domain import LamsachError
from lamsach.domain.clock import in_vietnam
from lamsach.report.labels import day, decimal


def time_label(moment: datetime | str | None) -> str:
    """A stored (UTC) time as an officer reads it, in Vietnam's time, to the second:
    `26/11/2026 16:15:03`."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace(" ", "T") if "T" not in moment else moment)
    local = in_vietnam(moment)
    return local.strftime("%d/%m/%Y %H:%M:%S") if local else ""


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


@cache
def field_types(dataset: str) -> dict[str, str]:
    try:
        return {f.name: f.type for f in load_schema(dataset).fields}
    except (LamsachError, OSError):
        return {}


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def value_label(dataset: str, field: str, value: str | None) -> str | None:
    """A stored value as an officer reads it: a number with a decimal comma (813,8), an ISO date
    as 05/10/2026; anything else, or a value that is not what its type says, as it is."""
    if value is None:
        return None
    kind = field_types(dataset).get(field)
    text = str(value)
    if kind == "number" and _PLAIN_NUMBER.fullmatch(text):
        digits = len(text.split(".", 1)[1]) if "." in text else 0
        return decimal(text, digits)
    if kind == "date" and _ISO_DAY.fullmatch(text):
        return day(text)
    return text
