"""A dataset standardised field by field in forked processes gives what one process gives.

A large dataset's fields are spread over both cores (`workers`); each field depends on nothing
else, so every value, derived column, repair and problem must be the same, in the same order.
"""

from __future__ import annotations

from datetime import date

import pytest

from lamsach.data import load_schema
from lamsach.generate.province import build_world
from lamsach.standardise import dataset as dataset_module
from lamsach.standardise import standardise_dataset


@pytest.fixture(scope="module")
def world():
    return build_world(people=800, seed=5)


@pytest.mark.parametrize("name", ["population", "land_parcel", "marriage"])
def test_fields_in_two_processes_give_the_same_dataset(world, name, monkeypatch):
    schema = load_schema(name)
    rows = world.datasets[name].rows
    columns = {f: [row.get(f) for row in rows] for f in schema.field_names}
    serial = standardise_dataset(schema, columns, reference_date=date(2026, 11, 1), province="38")
    monkeypatch.setattr(dataset_module, "PARALLEL_MIN_ROWS", 1)
    forked = standardise_dataset(schema, columns, reference_date=date(2026, 11, 1), province="38", workers=2)
    assert sum(len(r) for r in serial.repairs.values()) > 0 and serial.problems  # the defects were planted
    assert forked.columns == serial.columns
    assert forked.derived == serial.derived
    assert forked.repairs == serial.repairs
    assert forked.problems == serial.problems
