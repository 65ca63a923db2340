"""Standardising a dataset on Spark: each column's distinct values on a Python worker, the rows
never gathered on the driver.

The standardisers are Python (Vietnamese text, legacy encodings, addresses), so on Spark they run
in its Python workers: the distinct values of every column are grouped by column
(`applyInArrow`, one group per column, the columns of a dataset side by side on the cores) and
standardised as their column (`standardise.distinct`: a cell's outcome depends on its value and
its column's distinct values only). The outcomes are joined back onto the rows in Spark, and the
checks that span fields run over the rows' Arrow batches (`mapInArrow`). What reaches the driver
is what the store needs: the repairs and problems of the cells that have any.

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
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import pyarrow as pa

from lamsach.backends.store import ValueChange
from lamsach.domain import CellProblem, DatasetSchema, FieldSpec, Repair
from lamsach.standardise.cross_field import cross_field_order, cross_field_problems
from lamsach.standardise.dataset import standardise_field
from lamsach.standardise.distinct import standardise_distinct
from lamsach.standardise.records_table import RecordValues, record_columns, repair_changes

OUTCOME_SCHEMA = "field int, raw string, value string, derived string, outcome binary"
"""One distinct cell of column `field` (its position in the schema): its value, its derived
values as JSON, and its repairs and problems (pickled, NULL when it has none)."""


def derived_type(name: str) -> str:
    """The Spark type of a derived column: a year is a number, everything else text (as the
    Arrow table of the DuckDB pass has them)."""
    return "bigint" if name.endswith("__year") else "string"


@dataclass
class SparkStandardised:
    """A dataset standardised on Spark: the engine table stays in Spark; keys, repairs, problems
    and the store's changes are on the driver (`StandardisedTable`'s fields, without `table`)."""

    schema: DatasetSchema
    keys: list[str]
    table_name: str
    engine: Any
    repairs: dict[str, list[Repair]] = field(default_factory=dict)
    problems: list[CellProblem] = field(default_factory=list)
    changes: list[ValueChange] = field(default_factory=list)

    def cells(self, keys: set[str], fields: set[str]) -> dict[str, dict[str, Any]]:
        """For each record in `keys`: its `__unit`, its unit field and those of `fields` the table has."""
        if not keys:
            return {}
        frame = self.engine.spark.table(self.table_name)
        wanted = [c for c in frame.columns if c in fields or c in ("__unit", self.schema.unit_field)]
        ids = self.engine.spark.createDataFrame(pa.table({"__key": sorted(keys)}))
        rows = frame.join(ids, frame["record_id"] == ids["__key"]).select("record_id", *wanted).toArrow()
        return {row.pop("record_id"): row for row in rows.to_pylist()}


def standardise_on_spark(engine: Any, schema: DatasetSchema, records: Sequence[RecordValues], reference_date: date,
                         messages: dict[str, dict[str, str]], province: str | None, stem: str) -> SparkStandardised:
    """`standardise_records` on Spark: the same table (kept as the engine table `stem`), the same
    repairs, problems and changes."""
    from pyspark.sql import functions as F

    spark = engine.spark
    specs = list(schema.fields)
    columns, keys, units = record_columns(schema, records)
    raw = spark.createDataFrame(_raw_rows(schema, columns, keys, units)) if keys else spark.createDataFrame(
        [], "record_id string, __unit_sent string, __row_order bigint, "
        + ", ".join(f"__raw_{i} string" for i in range(len(specs))))
    raw = raw.localCheckpoint(eager=True)

    # every column's cells as (field, raw) pairs made distinct together: one shuffle for the
    # dataset, not one per column (on a small province each shuffle is a job costing a second)
    cells = F.explode(F.array(*[F.struct(F.lit(i).alias("field"), F.col(f"__raw_{i}").alias("raw"))
                                for i in range(len(specs))])).alias("cell")
    distinct = raw.select(cells).select("cell.field", "cell.raw").distinct()
    outcomes = (distinct.groupBy("field").applyInArrow(_standardise_columns(specs, reference_date, province),
                                                       OUTCOME_SCHEMA).localCheckpoint(eager=True))

    derived_names = [list(standardise_field([], spec, reference_date, province).derived) for spec in specs]
    joined = raw
    for i, names in enumerate(derived_names):
        struct = ", ".join(f"`{n}`: {derived_type(n)}" for n in names) or "`__none`: string"
        column = outcomes.where(F.col("field") == i).select(
            F.col("raw").alias(f"__k{i}"), F.col("value").alias(f"__v{i}"),
            F.from_json("derived", f"struct<{struct}>").alias(f"__d{i}"), F.col("outcome").alias(f"__o{i}"))
        joined = joined.join(column, joined[f"__raw_{i}"].eqNullSafe(column[f"__k{i}"]), "left")
    joined = joined.localCheckpoint(eager=True)

    unit = F.lit(None).cast("string")
    if schema.unit_field:
        unit = F.col(f"__v{schema.field_names.index(schema.unit_field)}")
    table = joined.select(
        F.col("record_id"),
        *[F.col(f"__v{i}").alias(spec.name) for i, spec in enumerate(specs) if spec.name != "record_id"],
        *[F.col(f"__d{i}.`{n}`").alias(n) for i, names in enumerate(derived_names) for n in names],
        F.coalesce(F.nullif(F.col("__unit_sent"), F.lit("")), unit).alias("__unit"),
        F.col("__row_order"))
    engine.save(engine.table_name(stem), table)

    found = _found_outcomes(joined, len(specs))
    repairs: dict[str, list[Repair]] = {spec.name: [] for spec in specs}
    problems: list[CellProblem] = []
    for i, spec in enumerate(specs):
        for row, outcome in found.get(i, []):
            cell_repairs, cell_problems = outcome
            repairs[spec.name] += [Repair(row, *r) for r in cell_repairs]
            problems += [replace(p, index=row) for p in cell_problems]
    problems += _cross_field(joined, schema, derived_names)
    changes = repair_changes(schema, keys, repairs, messages)
    return SparkStandardised(schema, keys, engine.table_name(stem), engine, repairs, problems, changes)


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


def _found_outcomes(joined: Any, columns: int) -> dict[int, list[tuple[int, tuple]]]:
    """Column -> (row, (repairs, problems)) of the cells with any, in the rows' order."""
    from pyspark.sql import functions as F

    blobs = [f"__o{i}" for i in range(columns)]
    any_outcome = F.lit(False)
    for blob in blobs:
        any_outcome = any_outcome | F.col(blob).isNotNull()
    rows = joined.where(any_outcome).select("__row_order", *blobs).orderBy("__row_order").toArrow().to_pylist()
    found: dict[int, list[tuple[int, tuple]]] = {}
    for row in rows:
        for i, blob in enumerate(blobs):
            if row[blob] is not None:
                found.setdefault(i, []).append((row["__row_order"], pickle.loads(row[blob])))
    return found


def _cross_field(joined: Any, schema: DatasetSchema, derived_names: list[list[str]]) -> list[CellProblem]:
    """The checks that span fields, over the rows' batches on the workers; in the order the whole
    dataset's checks give them (each check over all rows in turn)."""
    specs = list(schema.fields)
    names = [n for ns in derived_names for n in ns]
    from pyspark.sql import functions as F

    selected = joined.select(
        "__row_order", *[F.col(f"__v{i}").alias(f"v{i}") for i in range(len(specs))],
        *[F.col(f"__d{i}.`{n}`").alias(f"d{n}") for i, ns in enumerate(derived_names) for n in ns],
        *[F.col(f"__o{i}").alias(f"o{i}") for i in range(len(specs))])

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            rows = batch.column("__row_order").to_pylist()
            columns = {spec.name: batch.column(f"v{i}").to_pylist() for i, spec in enumerate(specs)}
            derived = {n: batch.column(f"d{n}").to_pylist() for n in names}
            found = [replace(p, index=index)
                     for i in range(len(specs)) for index, blob in enumerate(batch.column(f"o{i}").to_pylist())
                     if blob is not None for p in pickle.loads(blob)[1]]
            problems = cross_field_problems(schema, columns, derived, found)
            yield pa.RecordBatch.from_pydict({
                "row": pa.array([rows[p.index] for p in problems], pa.int64()),
                "problem": pa.array([pickle.dumps(p) for p in problems], pa.binary())})

    got = selected.mapInArrow(run, "row bigint, problem binary").toArrow().to_pylist()
    problems = [(row["row"], pickle.loads(row["problem"])) for row in got]
    order = cross_field_order(schema)
    return [replace(p, index=row) for row, p in sorted(problems, key=lambda item: order(*item))]
