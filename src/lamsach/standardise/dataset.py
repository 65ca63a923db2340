"""Standardise a whole dataset: each field by its type, then the checks that span fields.

The pipeline hands over a dataset's columns as text (ingest keeps every cell as read); this
returns the canonical values, the derived columns the validate stage's rules need, every
automatic repair and every problem of form. Nothing is dropped: a value that cannot be made
canonical is kept as its (encoding-repaired, trimmed) text and reported.
"""

from __future__ import annotations

import multiprocessing
import threading
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from lamsach.domain import CellProblem, DatasetSchema, FieldSpec, Repair
from lamsach.standardise.addresses import standardise_addresses, standardise_commune_codes
from lamsach.standardise.codes import code_table, standardise_codes, standardise_serials
from lamsach.standardise.column import ColumnResult
from lamsach.standardise.cross_field import cross_field_problems
from lamsach.standardise.dates import standardise_dates, standardise_years
from lamsach.standardise.ids import standardise_ids
from lamsach.standardise.names import standardise_names
from lamsach.standardise.numbers import standardise_numbers
from lamsach.standardise.text import canonical_text_mask, repair_text_column


@dataclass
class StandardisedDataset:
    """The canonical columns of a dataset and what standardising found.

    `columns` has every schema field, same length and order as the input; `derived` holds extra
    columns named `<field>__<what>` (`__key`, `__year`, `__kind`, `__commune_code`, …); `repairs`
    lists automatic repairs per field; `problems` the values wrong in form.
    """

    columns: dict[str, list[str | None]]
    derived: dict[str, list[Any]] = field(default_factory=dict)
    repairs: dict[str, list[Repair]] = field(default_factory=dict)
    problems: list[CellProblem] = field(default_factory=list)


def standardise_dataset(
    schema: DatasetSchema,
    columns: dict[str, list[str | None]],
    reference_date: date | None = None,
    *,
    province: str | None = None,
    workers: int = 1,
) -> StandardisedDataset:
    """Standardise `columns` (field name -> cells as text) of a dataset declared by `schema`.

    Fields of the schema missing from `columns` come back as all-None columns; columns the schema
    does not declare are ignored. `reference_date` is "today" for future-date checks;
    `province` (2025 province code, e.g. the manifest's) is assumed where an address names none.
    With `workers` > 1 and at least `PARALLEL_MIN_ROWS` rows, the fields are standardised in that
    many forked processes (each field on its own depends on nothing else: the same result).
    """
    today = reference_date or date.today()
    rows = max((len(v) for v in columns.values()), default=0)
    out = StandardisedDataset(columns={})
    # forked only from a main thread: a server's worker thread is not alone in its process
    if (workers > 1 and rows >= PARALLEL_MIN_ROWS and len(schema.fields) > 1
            and threading.current_thread() is threading.main_thread()):
        results = _fields_in_parallel(schema, columns, rows, today, province, workers)
    else:
        results = [standardise_field(list(columns.get(spec.name) or [None] * rows), spec, today, province)
                   for spec in schema.fields]
    for spec, result in zip(schema.fields, results, strict=True):
        out.columns[spec.name] = result.values
        out.derived.update(result.derived)
        out.repairs[spec.name] = sorted(result.repairs, key=lambda r: r.index)
        out.problems.extend(result.problems)
    out.problems.extend(cross_field_problems(schema, out.columns, out.derived, out.problems))
    return out


PARALLEL_MIN_ROWS = 20_000
"""Below this many rows, forking processes costs more than the fields take one after another."""

_FORKED: tuple | None = None  # what forked workers read: set before the fork, never sent to them


def _fields_in_parallel(schema: DatasetSchema, columns: dict[str, list[str | None]], rows: int, today: date,
                        province: str | None, workers: int) -> list[ColumnResult]:
    """Each field in one of `workers` forked processes, the slowest (names, addresses) first so
    the others fill in beside them; the columns reach the workers by the fork, not by pickling."""
    global _FORKED
    weight = {"address": 0, "name": 1}
    order = sorted(range(len(schema.fields)), key=lambda i: (weight.get(schema.fields[i].type, 2), i))
    _FORKED = (schema, columns, rows, today, province)
    try:
        with multiprocessing.get_context("fork").Pool(min(workers, len(order))) as pool:
            done = dict(zip(order, pool.map(_field_in_worker, order, chunksize=1), strict=True))
    finally:
        _FORKED = None
    return [done[i] for i in range(len(schema.fields))]


def _field_in_worker(index: int) -> ColumnResult:
    assert _FORKED is not None
    schema, columns, rows, today, province = _FORKED
    spec = schema.fields[index]
    return standardise_field(list(columns.get(spec.name) or [None] * rows), spec, today, province)


_TYPED = frozenset({"name", "id", "date", "year", "number", "code", "sex", "address", "commune"})
"""The field types with a standardiser of their own (`standardise_field`)."""


def is_plain_text(spec: FieldSpec) -> bool:
    """Whether `standardise_field` gives the field Unicode repair alone (`repair_text_column`):
    record keys, registration and parcel numbers — no type, code table or derived column."""
    return spec.type not in _TYPED and not _is_serial(spec)


def _is_serial(spec: FieldSpec) -> bool:
    return spec.type not in _TYPED and (spec.code_table == "certificate_serial" or spec.name == "certificate_serial")


def kept_as_is(spec: FieldSpec, values: pa.Array) -> pa.Array | None:
    """True for each of a column's distinct cells that `standardise_field` gives back unchanged,
    with no repair and no problem, whatever else the column holds: plain text already canonical
    (`canonical_text_mask`), and of those in a serial field the serials already in their form
    ("AO 510559"). None for the field types without such a test (their cells have derived values).
    The pass leaves these cells out of the Python work (`in_engine`); a million record keys and
    certificate serials are most of what a province's files hold in such fields."""
    if is_plain_text(spec):
        return canonical_text_mask(values)
    if _is_serial(spec):
        pattern = code_table("certificate_serial").pattern
        assert pattern is not None
        formed = pc.fill_null(pc.match_substring_regex(values, pattern.pattern), False)
        return pc.and_(canonical_text_mask(values), formed)
    return None


def standardise_field(
    values: list[str | None], spec: FieldSpec, today: date, province: str | None = None
) -> ColumnResult:
    """One column by its field type (text, id, date, year, number, code, sex, name, address, commune)."""
    if is_plain_text(spec):
        text, repairs = repair_text_column(values)
        return ColumnResult(values=text, repairs=repairs)
    kind = spec.type
    if kind == "name":
        return standardise_names(values, spec)
    if kind == "id":
        return standardise_ids(values, spec)
    if kind == "date":
        return standardise_dates(values, spec, today)
    if kind == "year":
        return standardise_years(values, spec, today)
    if kind == "number":
        return standardise_numbers(values, spec)
    if kind in ("code", "sex"):
        return standardise_codes(values, spec)
    if kind == "address":
        return standardise_addresses(values, spec, province)
    if kind == "commune":
        return standardise_commune_codes(values, spec)
    return standardise_serials(values, spec)
