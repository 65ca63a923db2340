"""What standardising one column produces, and the per-unique-value cache that makes it fast.

Columns repeat values heavily (names, hamlets, dates), so each standardiser works on one distinct
value at a time and `map_unique` fans the result back out over the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from lamsach.domain import CellProblem, Repair

T = TypeVar("T")


@dataclass
class ColumnResult:
    """Cleaned values of one field, plus derived columns, repairs and problems found."""

    values: list[str | None]
    derived: dict[str, list[Any]] = field(default_factory=dict)
    repairs: list[Repair] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)


def map_unique(values: list[Any], func: Callable[[Any], T]) -> list[T]:
    """`[func(v) for v in values]`, calling `func` once per distinct value."""
    cache: dict[Hashable, T] = {}
    out: list[T] = []
    append = out.append
    for value in values:
        try:
            append(cache[value])
        except KeyError:
            result = cache[value] = func(value)
            append(result)
    return out


def blank(value: str | None) -> bool:
    """True for a missing cell: None, empty or only spaces."""
    return value is None or not value.strip()
