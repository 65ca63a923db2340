"""Standardising a dataset on Spark: each column's distinct values on a Python worker, the rows
never gathered on the driver.

The standardisers are Python (Vietnamese text, legacy encodings, addresses), so on Spark they run
in its Python workers: the distinct values of every column are grouped by column
(`applyInArrow`, one group per column, the columns of a dataset side by side on the cores) and
standardised as their column (`standardise.distinct`: a cell's outcome depends on its value and
its column's distinct values only). The outcomes are joined back onto the rows in Spark, every
column in one join (a Spark job per column was most of a small dataset's time), and the checks
that span fields run over the rows' Arrow batches (`mapInArrow`) in the same job that brings the
cells' repairs and problems to the driver: what reaches it is what the store needs.

The rows themselves come from the store, which the driver reads; the engine table is made in
Spark from them and stays there. One column's distinct values are standardised together on one
worker (the encoding vote is the column's), so a column must have fewer distinct values than a
worker holds in memory: names and addresses of a province, not of the whole country at once.
This module imports pyspark and is imported only by a pass on the Spark engine.
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import pyarrow as pa

from lamsach.domain import CellProblem, DatasetSchema, FieldSpec, Repair
from lamsach.standardise.cross_field import cross_field_order, cross_field_problems
from lamsach.standardise.dataset import standardise_field
from lamsach.standardise.distinct import standardise_distinct
from lamsach.standardise.records_table import EngineStandardised, RecordValues, record_columns, repair_changes

OUTCOME_SCHEMA = "field int, raw string, value string, derived string, outcome binary"
"""One distinct cell of column `field` (its position in the schema): its value, its derived
values as JSON, and its repairs and problems (pickled, NULL when it has none)."""


VALUE_OF_KEY_FIELD = "__record_id_value"
"""The standardised value of a `record_id` field (the table's `record_id` is the record's key)."""


def derived_type(name: str) -> str:
    """The Spark type of a derived column: a year is a number, everything else text (as the
    Arrow table of the DuckDB pass has them)."""
    return "bigint" if name.endswith("__year") else "string"


def standardise_on_spark(engine: Any, schema: DatasetSchema, records: Sequence[RecordValues], reference_date: date,
                         messages: dict[str, dict[str, str]], province: str | None, stem: str) -> EngineStandardised:
    """`standardise_records` on Spark: the same table (kept as the engine table `stem`), the same
    repairs, problems and changes."""
    from pyspark.sql import functions as F

    spark = engine.spark
    specs = list(schema.fields)
    columns, keys, units = record_columns(schema, records)
    raw = spark.createDataFrame(_raw_rows(schema, columns, keys, units)) if keys else spark.createDataFrame(
        [], "record_id string, __unit_sent string, __row_order bigint, "
        + ", ".join(f"__raw_{i} string" for i in range(len(specs))))
    # not checkpointed: the rows are Arrow batches on the driver, read again at no job's cost

    # every column's cells as (field, raw) pairs made distinct together: one shuffle for the
    # dataset, not one per column (on a small province each shuffle is a job costing a second)
    cells = F.explode(F.array(*[F.struct(F.lit(i).alias("field"), F.col(f"__raw_{i}").alias("raw"))
                                for i in range(len(specs))])).alias("cell")
    distinct = raw.select(cells).select("cell.field", "cell.raw").distinct()
    outcomes = (distinct.groupBy("field").applyInArrow(_standardise_columns(specs, reference_date, province),
                                                       OUTCOME_SCHEMA).localCheckpoint(eager=True))

    # the outcomes back onto the rows in one join and one grouping for all columns (a join per
    # column was a Spark job per column): each row's cells, joined with their outcomes, gathered
    # again into one map from the column's position to its outcome
    derived_names = [list(standardise_field([], spec, reference_date, province).derived) for spec in specs]
    row_cells = raw.select("record_id", "__unit_sent", "__row_order", cells).select(
        "record_id", "__unit_sent", "__row_order", "cell.field", "cell.raw")
    paired = row_cells.alias("c").join(
        outcomes.alias("o"), (F.col("c.field") == F.col("o.field")) & F.col("c.raw").eqNullSafe(F.col("o.raw")), "left")
    by_row = paired.groupBy("c.record_id", "c.__unit_sent", "c.__row_order").agg(F.map_from_entries(F.collect_list(
        F.struct(F.col("c.field"), F.struct(F.col("o.value").alias("value"), F.col("o.derived").alias("derived"),
                                            F.col("o.outcome").alias("outcome"))))).alias("__m"))
    unit = F.lit(None).cast("string")
    if schema.unit_field:
        unit = F.col("__m")[schema.field_names.index(schema.unit_field)]["value"]
    derived = {}
    for i, names in enumerate(derived_names):
        struct = ", ".join(f"`{n}`: {derived_type(n)}" for n in names) or "`__none`: string"
        derived[i] = F.from_json(F.col("__m")[i]["derived"], f"struct<{struct}>")
    kept = by_row.select(
        F.col("record_id"),
        *[F.col("__m")[i]["value"].alias(spec.name) for i, spec in enumerate(specs) if spec.name != "record_id"],
        *[derived[i][n].alias(n) for i, names in enumerate(derived_names) for n in names],
        F.coalesce(F.nullif(F.col("__unit_sent"), F.lit("")), unit).alias("__unit"),
        F.col("__row_order"),
        *[F.col("__m")[i]["value"].alias(VALUE_OF_KEY_FIELD) for i, spec in enumerate(specs)
          if spec.name == "record_id"],
        *[F.col("__m")[i]["outcome"].alias(f"__o{i}") for i in range(len(specs))])
    kept = kept.localCheckpoint(eager=True)
    layout = ["record_id", *[spec.name for spec in specs if spec.name != "record_id"],
              *[n for names in derived_names for n in names], "__unit", "__row_order"]
    # the engine table is a projection of the rows just computed (no second job)
    engine.save(engine.table_name(stem), kept.select(*[F.col(f"`{c}`") for c in layout]), materialise=False)

    found, cross = _outcomes_and_cross_field(kept, schema, derived_names)
    repairs: dict[str, list[Repair]] = {spec.name: [] for spec in specs}
    problems: list[CellProblem] = []
    for i, spec in enumerate(specs):
        for row, outcome in found.get(i, []):
            cell_repairs, cell_problems = outcome
            repairs[spec.name] += [Repair(row, *r) for r in cell_repairs]
            problems += [replace(p, index=row) for p in cell_problems]
    problems += cross
    changes = repair_changes(schema, keys, repairs, messages)
    return EngineStandardised(schema, keys, engine.table_name(stem), engine, repairs, problems, changes)


def _raw_rows(schema: DatasetSchema, columns: dict, keys: list[str], units: list) -> pa.Table:
    arrays = {"record_id": pa.array(keys, pa.string()), "__unit_sent": pa.array(units, pa.string()),
              "__row_order": pa.array(range(len(keys)), pa.int64())}
    for i, name in enumerate(schema.field_names):
        arrays[f"__raw_{i}"] = pa.array(columns[name], pa.string())
    return pa.table(arrays)


def _standardise_columns(specs: list[FieldSpec], today: date, province: str | None):
    """The worker's function: one column's distinct cells in, their outcomes out."""
    def run(cells: pa.Table) -> pa.Table:
        position = cells.column("field")[0].as_py()
        distinct = cells.column("raw").to_pylist()
        column = standardise_distinct(specs[position], distinct, today, province)
        outcomes = [column.by_value[v] for v in distinct]
        return pa.table({
            "field": pa.array([position] * len(distinct), pa.int32()),
            "raw": pa.array(distinct, pa.string()),
            "value": pa.array([o.value for o in outcomes], pa.string()),
            "derived": pa.array([json.dumps(o.derived, ensure_ascii=False) for o in outcomes], pa.string()),
            "outcome": pa.array([pickle.dumps((o.repairs, o.problems)) if o.repairs or o.problems else None
                                 for o in outcomes], pa.binary())})
    return run


def _outcomes_and_cross_field(kept: Any, schema: DatasetSchema, derived_names: list[list[str]]
                              ) -> tuple[dict[int, list[tuple[int, tuple]]], list[CellProblem]]:
    """In one Spark job over the rows' batches on the workers: column -> (row, (repairs, problems))
    of the cells with any, in the rows' order; and the problems of the checks that span fields, in
    the order the whole dataset's checks give them (each check over all rows in turn)."""
    specs = list(schema.fields)
    names = [n for ns in derived_names for n in ns]

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            rows = batch.column("__row_order").to_pylist()
            columns = {spec.name: batch.column(value_column(spec.name)).to_pylist() for spec in specs}
            derived = {n: batch.column(n).to_pylist() for n in names}
            blobs = [batch.column(f"__o{i}").to_pylist() for i in range(len(specs))]
            cells = [(i, index, blob) for i in range(len(specs)) for index, blob in enumerate(blobs[i])
                     if blob is not None]
            found = [replace(p, index=index) for _, index, blob in cells for p in pickle.loads(blob)[1]]
            problems = cross_field_problems(schema, columns, derived, found)
            yield pa.RecordBatch.from_pydict({
                "row": pa.array([rows[index] for _, index, _ in cells] + [rows[p.index] for p in problems], pa.int64()),
                "field": pa.array([i for i, _, _ in cells] + [-1] * len(problems), pa.int32()),
                "blob": pa.array([blob for _, _, blob in cells] + [pickle.dumps(p) for p in problems], pa.binary())})

    value_column = {spec.name: VALUE_OF_KEY_FIELD if spec.name == "record_id" else spec.name for spec in specs}.get
    selected = kept.select("__row_order", *[f"`{value_column(s.name)}`" for s in specs], *[f"`{n}`" for n in names],
                           *[f"__o{i}" for i in range(len(specs))])
    got = selected.mapInArrow(run, "row bigint, field int, blob binary").toArrow().to_pylist()
    found: dict[int, list[tuple[int, tuple]]] = {}
    cross: list[tuple[int, CellProblem]] = []
    for item in sorted(got, key=lambda item: (item["field"], item["row"])):
        if item["field"] < 0:
            cross.append((item["row"], pickle.loads(item["blob"])))
        else:
            found.setdefault(item["field"], []).append((item["row"], pickle.loads(item["blob"])))
    order = cross_field_order(schema)
    return found, [replace(p, index=row) for row, p in sorted(cross, key=lambda item: order(*item))]
