"""Standardising a dataset from each column's distinct values, so the work can run where the data is.

Every standardiser works each distinct cell out once and fans the result out over the rows, and
what a cell becomes depends only on its own value and on the set of its column's distinct
values (the encoding vote of `repair_text_map` is taken over distinct cells, not rows). So a
column's distinct values, standardised together anywhere — one Spark worker per column
(`standardise.on_spark`) — give each row exactly what standardising the whole column gives it;
`fan_out` puts them back in the rows' order, and the checks that span fields run on the rows.
tests/standardise/test_standardise_distinct.py holds the two ways to identity.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from lamsach.domain import CellProblem, DatasetSchema, FieldSpec, Repair
from lamsach.standardise.cross_field import cross_field_problems
from lamsach.standardise.dataset import StandardisedDataset, standardise_field


@dataclass(frozen=True)
class ValueOutcome:
    """What standardising made of one distinct cell of a column."""

    value: str | None
    derived: dict[str, Any]
    repairs: tuple[tuple[str, str | None, str | None], ...] = ()
    """(rule, original, value) of each repair, in the order the standardiser made them."""
    problems: tuple[CellProblem, ...] = ()
    """Its problems of form, with index 0 (the row is set when fanned out)."""


@dataclass(frozen=True)
class ColumnOutcomes:
    derived_names: tuple[str, ...]
    by_value: dict[str | None, ValueOutcome]


def standardise_distinct(spec: FieldSpec, distinct: list[str | None], today: date,
                         province: str | None = None) -> ColumnOutcomes:
    """Each of a column's distinct cells (all of them, each once) standardised as its column."""
    result = standardise_field(list(distinct), spec, today, province)
    repairs: dict[int, list[tuple[str, str | None, str | None]]] = defaultdict(list)
    problems: dict[int, list[CellProblem]] = defaultdict(list)
    for repair in result.repairs:
        repairs[repair.index].append((repair.rule, repair.original, repair.value))
    for problem in result.problems:
        problems[problem.index].append(replace(problem, index=0))
    by_value = {
        raw: ValueOutcome(result.values[i], {name: values[i] for name, values in result.derived.items()},
                          tuple(repairs.get(i, ())), tuple(problems.get(i, ())))
        for i, raw in enumerate(distinct)}
    return ColumnOutcomes(tuple(result.derived), by_value)


def fan_out(schema: DatasetSchema, columns: dict[str, list[str | None]],
            outcomes: dict[str, ColumnOutcomes]) -> StandardisedDataset:
    """The dataset `standardise_dataset(schema, columns)` gives, from each field's outcomes."""
    rows = max((len(v) for v in columns.values()), default=0)
    out = StandardisedDataset(columns={})
    for spec in schema.fields:
        column = outcomes[spec.name]
        picked = [column.by_value[v] for v in (columns.get(spec.name) or [None] * rows)]
        out.columns[spec.name] = [o.value for o in picked]
        for name in column.derived_names:
            out.derived[name] = [o.derived[name] for o in picked]
        out.repairs[spec.name] = [Repair(i, *r) for i, o in enumerate(picked) for r in o.repairs]
        out.problems.extend(replace(p, index=i) for i, o in enumerate(picked) for p in o.problems)
    out.problems.extend(cross_field_problems(schema, out.columns, out.derived, out.problems))
    return out

