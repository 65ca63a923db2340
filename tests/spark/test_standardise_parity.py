"""Standardising on Spark's workers (each column's distinct values, `standardise.on_spark`) gives
the table, repairs, problems and store changes that standardising in the pass's own process gives,
on generated datasets with every planted defect kind (legacy encodings, dates, IDs against their
person, addresses outside their commune)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from lamsach.data import load_schema, rule_templates
from lamsach.generate.province import build_world
from lamsach.standardise.on_spark import standardise_on_spark
from lamsach.standardise.records_table import standardise_records

pytestmark = pytest.mark.spark

REFERENCE = date(2026, 11, 1)


@dataclass
class Row:
    key: str
    unit: str | None
    data: dict


def test_spark_standardises_as_the_pass_does(spark_engine):
    world = build_world(people=300, seed=4)
    messages = rule_templates()
    compared = 0
    for name in ("population", "land_parcel", "marriage", "birth"):
        schema = load_schema(name)
        records = [Row(f"{name}-{i}", ["u1", "", None][i % 3], {f: row.get(f) for f in schema.field_names})
                   for i, row in enumerate(world.datasets[name].rows)]
        here = standardise_records(schema, records, REFERENCE, messages, "38")
        there = standardise_on_spark(spark_engine, schema, records, REFERENCE, messages, "38", f"ds_{name}")
        table = spark_engine.spark.table(there.table_name).orderBy("__row_order").toArrow()
        assert table.column_names == here.table.column_names, name
        assert table.to_pylist() == here.table.to_pylist(), name
        assert there.repairs == here.repairs, name
        assert there.problems == here.problems, name
        assert there.changes == here.changes, name
        keys = {records[p.index].key for p in here.problems[:20]} | {"nobody"}
        fields = {f for f, repairs in here.repairs.items() if repairs}
        assert there.cells(keys, fields) == here.cells(keys, fields), name
        compared += len(here.changes) + len(here.problems)
    assert compared > 50  # repairs and problems were planted and compared
