"""Standardising a dataset inside the batch engine, one column's distinct values at a time.

A province's register has a million rows and twenty fields: standardising it as Python lists of
whole columns (`standardise_records`) held every cell several times over (the input, the output,
each forked worker's copy, the Arrow table built from them) and most of a pass's peak memory. Here
the rows go into the engine once, as text; for each field only its distinct values come out to
Python (`SELECT DISTINCT`), are standardised as their column (a cell's outcome depends only on its
value and on the set of its column's distinct values: `standardise.distinct`), and go back as a
small table of outcomes that the engine joins onto the rows. Python never holds more than the
distinct values of the columns being worked on (two with two workers), and the engine keeps the
rest in its own columnar memory, which it can spill to disk.

What comes back to Python besides: the record keys, and the repairs and problems of the cells
that have any (with the checks spanning fields, run over the rows a batch at a time). Each row
gets exactly what standardising the whole column gives it
(tests/standardise/test_standardise_in_engine.py compares both, cell for cell).
"""

from __future__ import annotations

import multiprocessing
import pickle
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from lamsach.backends.engine import Engine
from lamsach.domain import CellProblem, DatasetSchema, ErrorCode, FieldSpec, LamsachError, Location, Repair
from lamsach.standardise.admin_units import catalogue
from lamsach.standardise.cross_field import (
    cross_field_candidates,
    cross_field_inputs,
    cross_field_order,
    cross_field_problems,
    has_cross_field_checks,
)
from lamsach.standardise.dataset import PARALLEL_MIN_ROWS, kept_as_is, standardise_field
from lamsach.standardise.records_table import EngineStandardised, repair_changes

CROSS_FIELD_BATCH_ROWS = 100_000
"""Rows whose values are Python objects at once while the checks spanning fields run."""


def derived_type(name: str) -> pa.DataType:
    """A derived column's type: a year is a number, everything else text."""
    return pa.int64() if name.endswith("__year") else pa.string()


def standardise_in_engine(engine: Engine, schema: DatasetSchema, keys: Sequence[str], units: Sequence[str | None],
                          columns: dict[str, pa.ChunkedArray | pa.Array], reference_date: date,
                          messages: dict[str, dict[str, str]], province: str | None, stem: str,
                          workers: int = 1) -> EngineStandardised:
    """Standardise `columns` (each field's cells as Arrow text, in the records' order) into the
    engine table `stem`: the layout `records_table.engine_table` gives, the same repairs,
    problems and changes as `standardise_records`."""
    specs = list(schema.fields)
    rows = len(keys)
    raw = engine.register(f"{stem}__raw", _raw_table(specs, keys, units, columns, rows))
    outcomes: dict[int, str] = {}
    derived_names: dict[int, list[str]] = {}
    try:
        for i, table in _outcomes(engine, raw, specs, reference_date, province,
                                  workers if rows >= PARALLEL_MIN_ROWS else 1):
            derived_names[i] = [n for n in table.column_names if n not in ("raw", "value", "outcome")]
            outcomes[i] = engine.register(f"{stem}__o{i}", table)
        table_name = engine.table_name(stem)
        # joined once, outcomes kept beside the rows: the table the stages read is that one
        # without them, and the repairs and problems are read from it without joining again
        joined = engine.table_name(f"{stem}__joined")
        engine.run(f"CREATE OR REPLACE TABLE {_q(engine, joined)} AS "
                   + _joined_select(engine, schema, raw, outcomes, derived_names))
        engine.drop(raw)
        for name in outcomes.values():
            engine.drop(name)
        kept = _table_columns(schema, derived_names)
        engine.run(f"CREATE OR REPLACE TABLE {_q(engine, table_name)} AS SELECT "
                   f"{', '.join(_q(engine, c) for c in kept)} FROM {_q(engine, joined)}")  # a scan keeps the order
        repairs, problems = _found(engine, schema, joined)
        problems += _cross_field(engine, schema, table_name, derived_names, problems)
    finally:
        for name in [raw, *outcomes.values(), engine.table_name(f"{stem}__joined")]:
            engine.drop(name)
    changes = repair_changes(schema, keys, repairs, messages)
    return EngineStandardised(schema, list(keys), table_name, engine, repairs, problems, changes)


def _q(engine: Engine, name: str) -> str:
    return engine.dialect.quote(name)


def _raw_table(specs: list[FieldSpec], keys: Sequence[str], units: Sequence[str | None],
               columns: dict[str, pa.ChunkedArray | pa.Array], rows: int) -> pa.Table:
    arrays: dict[str, Any] = {"record_id": pa.array(keys, pa.string()), "__unit_sent": pa.array(units, pa.string()),
                              "__row_order": pa.array(range(rows), pa.int64())}
    for i, spec in enumerate(specs):
        column = columns.get(spec.name)
        arrays[f"__raw_{i}"] = pa.nulls(rows, pa.string()) if column is None else column
    return pa.table(arrays)


def _outcomes(engine: Engine, raw: str, specs: list[FieldSpec], today: date, province: str | None,
              workers: int) -> Iterator[tuple[int, pa.Table]]:
    """(field position, its outcome table) for every field. With `workers` > 1 the fields run in
    forked processes, slowest (names, addresses) first, at most `workers` at once: only the
    columns in flight have their distinct values in memory. The engine is used from this thread
    alone."""
    weight = {"address": 0, "name": 1}
    order = sorted(range(len(specs)), key=lambda i: (weight.get(specs[i].type, 2), i))

    def distinct(i: int) -> pa.Array:
        column = f"__raw_{i}"
        return engine.arrow(f"SELECT DISTINCT {_q(engine, column)} AS raw FROM {_q(engine, raw)}",
                            rule="standardise").column("raw").combine_chunks()

    if workers <= 1 or len(order) <= 1 or threading.current_thread() is not threading.main_thread():
        for i in order:
            values, kept = _to_compute(specs[i], distinct(i))
            yield i, _with_raw(values, outcome_table(specs[i], values.to_pylist(), today, province), kept)
        return
    if any(spec.type in ("address", "commune") for spec in specs):
        catalogue()  # loaded once here: each forked worker would read the units' files again
    pending: dict[Future, tuple[int, pa.Array, pa.Array | None]] = {}
    todo = list(order)
    try:
        with ProcessPoolExecutor(min(workers, len(order)), mp_context=multiprocessing.get_context("fork")) as pool:
            while todo or pending:
                while todo and len(pending) < workers:
                    i = todo.pop(0)
                    values, kept = _to_compute(specs[i], distinct(i))
                    pending[pool.submit(outcome_table, specs[i], values.to_pylist(), today, province)] = \
                        (i, values, kept)
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    i, values, kept = pending.pop(future)
                    yield i, _with_raw(values, future.result(), kept)
    except BrokenProcessPool as broken:  # a worker killed (memory) or crashed: say so, not a traceback
        raise LamsachError(ErrorCode.WORKER_DIED, Location(), {"stage": "standardise"}) from broken


def _to_compute(spec: FieldSpec, values: pa.Array) -> tuple[pa.Array, pa.Array | None]:
    """(the distinct values Python must standardise, those kept as they are without it): cells
    that come back unchanged whatever else their column holds (`dataset.kept_as_is`: a key such
    as "TD-0001-000123", a serial "AO 510559") are not computed."""
    mask = kept_as_is(spec, values) if len(values) else None
    if mask is None:
        return values, None
    return values.filter(pc.invert(mask)), values.filter(mask)


def _with_raw(values: pa.Array, table: pa.Table, kept: pa.Array | None = None) -> pa.Table:
    """The outcome table with its `raw` column; `kept` values follow, each its own value, no outcome."""
    table = table.add_column(0, "raw", values)
    if kept is None or len(kept) == 0:
        return table
    same = pa.table({"raw": kept, "value": kept, "outcome": pa.nulls(len(kept), pa.binary())})
    return pa.concat_tables([table, same.cast(table.schema)])


def outcome_table(spec: FieldSpec, distinct: list[str | None], today: date, province: str | None) -> pa.Table:
    """One column's distinct cells standardised together: for each, its value, its derived values
    and (pickled, NULL when it has none) its repairs and problems, rows in `distinct`'s order."""
    result = standardise_field(list(distinct), spec, today, province)
    found: dict[int, tuple[list, list]] = {}
    for repair in result.repairs:
        found.setdefault(repair.index, ([], []))[0].append((repair.rule, repair.original, repair.value))
    for problem in result.problems:
        found.setdefault(problem.index, ([], []))[1].append(replace(problem, index=0))
    outcome = [None] * len(distinct)
    for index, (repairs, problems) in found.items():
        outcome[index] = pickle.dumps((tuple(repairs), tuple(problems)), protocol=pickle.HIGHEST_PROTOCOL)
    arrays: dict[str, pa.Array] = {"value": pa.array(result.values, pa.string())}
    for name, values in result.derived.items():
        arrays[name] = pa.array(values, derived_type(name))
    arrays["outcome"] = pa.array(outcome, pa.binary())
    return pa.table(arrays)


def _joined_select(engine: Engine, schema: DatasetSchema, raw: str, outcomes: dict[int, str],
                   derived_names: dict[int, list[str]]) -> str:
    """The rows with each field's outcome joined on: record_id, the canonical fields, the derived
    columns, `__unit` (the unit that sent the record, else its commune code), `__row_order`."""
    q = engine.dialect.quote
    specs = list(schema.fields)
    select = ["r.record_id"]
    select += [f"o{i}.value AS {q(spec.name)}" for i, spec in enumerate(specs) if spec.name != "record_id"]
    select += [f"o{i}.{q(n)} AS {q(n)}" for i in range(len(specs)) for n in derived_names[i]]
    unit = "NULL"
    if schema.unit_field:
        unit = f"o{schema.field_names.index(schema.unit_field)}.value"
    select += [f"coalesce(nullif(r.__unit_sent, ''), {unit}) AS __unit", "r.__row_order"]
    select += [f"o{i}.outcome AS __outcome_{i}" for i in range(len(specs))]
    return f"SELECT {', '.join(select)} FROM {q(raw)} r " + _joins(engine, outcomes) + " ORDER BY r.__row_order"


def _table_columns(schema: DatasetSchema, derived_names: dict[int, list[str]]) -> list[str]:
    """The engine table's columns, as `_joined_select` names them (without the outcomes)."""
    return ["record_id", *(spec.name for spec in schema.fields if spec.name != "record_id"),
            *(n for i in range(len(schema.fields)) for n in derived_names[i]), "__unit", "__row_order"]


def _joins(engine: Engine, outcomes: dict[int, str]) -> str:
    q = engine.dialect.quote
    return " ".join(f"LEFT JOIN {q(name)} o{i} ON r.__raw_{i} IS NOT DISTINCT FROM o{i}.raw"
                    for i, name in sorted(outcomes.items()))


def _found(engine: Engine, schema: DatasetSchema, joined: str) -> tuple[dict[str, list[Repair]], list[CellProblem]]:
    """The repairs and problems of the cells that have any, each field's in the rows' order."""
    specs = list(schema.fields)
    blobs = ", ".join(f"__outcome_{i}" for i in range(len(specs)))
    any_found = " OR ".join(f"__outcome_{i} IS NOT NULL" for i in range(len(specs))) or "FALSE"
    sql = f"SELECT __row_order, {blobs} FROM {_q(engine, joined)} WHERE {any_found} ORDER BY __row_order"
    repairs: dict[str, list[Repair]] = {spec.name: [] for spec in specs}
    by_field: list[list[CellProblem]] = [[] for _ in specs]
    for batch in engine.batches(sql, 50_000):
        rows = batch.column(0).to_pylist()
        for i, spec in enumerate(specs):
            for row, blob in zip(rows, batch.column(i + 1).to_pylist(), strict=True):
                if blob is None:
                    continue
                cell_repairs, cell_problems = pickle.loads(blob)
                repairs[spec.name] += [Repair(row, *r) for r in cell_repairs]
                by_field[i] += [replace(p, index=row) for p in cell_problems]
    return repairs, [p for problems in by_field for p in problems]


def _cross_field(engine: Engine, schema: DatasetSchema, table: str, derived_names: dict[int, list[str]],
                 found: list[CellProblem]) -> list[CellProblem]:
    """The checks spanning fields, over the rows a batch at a time (only the fields and derived
    columns they read), in the order the whole dataset's checks give them."""
    if not has_cross_field_checks(schema):
        return []
    fields, wanted = cross_field_inputs(schema)
    present = {n for names in derived_names.values() for n in names}
    names = [n for n in wanted if n in present]
    q = engine.dialect.quote
    doubtful: dict[int, list[CellProblem]] = {}
    for problem in found:
        doubtful.setdefault(problem.index, []).append(problem)
    values = [f"t.{q(name)}" for name in fields]
    candidates = cross_field_candidates(schema, lambda name: f"t.{q(name)}", present)
    sql = (f"SELECT {', '.join(['t.__row_order', *values, *(f't.{q(n)}' for n in names)])} "
           f"FROM {q(table)} t WHERE {candidates} ORDER BY t.__row_order")
    problems: list[tuple[int, CellProblem]] = []
    for batch in engine.batches(sql, CROSS_FIELD_BATCH_ROWS):
        rows = batch.column(0).to_pylist()
        columns = {name: batch.column(1 + i).to_pylist() for i, name in enumerate(fields)}
        derived = {n: batch.column(1 + len(fields) + j).to_pylist() for j, n in enumerate(names)}
        here = [replace(p, index=j) for j, row in enumerate(rows) for p in doubtful.get(row, ())]
        problems += [(rows[p.index], p) for p in cross_field_problems(schema, columns, derived, here)]
    order = cross_field_order(schema)
    return [replace(p, index=row) for row, p in sorted(problems, key=lambda item: order(*item))]
