"""Standardising each column's distinct values and fanning them out over the rows gives what
standardising the whole columns gives: every value, derived column, repair and problem, in the
same order. The Spark pass relies on it: it standardises distinct values on its workers."""

from __future__ import annotations

from datetime import date

import pytest

from lamsach.data import load_schema
from lamsach.generate.province import build_world
from lamsach.standardise import standardise_dataset
from lamsach.standardise.distinct import fan_out, standardise_distinct
from standardise.standardise_sample import load_tables

REFERENCE = date(2026, 11, 1)


def _by_distinct(schema, columns, province):
    rows = max((len(v) for v in columns.values()), default=0)
    outcomes = {spec.name: standardise_distinct(spec, list(dict.fromkeys(columns.get(spec.name) or [None] * rows)),
                                                REFERENCE, province) for spec in schema.fields}
    return fan_out(schema, columns, outcomes)


def _same(schema, columns, province):
    whole = standardise_dataset(schema, columns, reference_date=REFERENCE, province=province)
    distinct = _by_distinct(schema, columns, province)
    assert distinct.columns == whole.columns
    assert distinct.derived == whole.derived
    assert distinct.repairs == whole.repairs
    assert distinct.problems == whole.problems
    return whole


@pytest.fixture(scope="module")
def world():
    return build_world(people=600, seed=3)


def test_generated_datasets_the_same_from_distinct_values(world):
    planted = 0
    for name, dataset in world.datasets.items():
        schema = load_schema(name)
        columns = {f: [row.get(f) for row in dataset.rows] for f in schema.field_names}
        whole = _same(schema, columns, "38")
        planted += sum(len(r) for r in whole.repairs.values()) + len(whole.problems)
    assert planted > 100  # repairs and problems of many kinds were compared, not empty lists


def test_sample_province_the_same_from_distinct_values():
    # real files: legacy encodings decided by their column's vote
    for table in load_tables():
        _same(table.schema, table.columns, "38")
