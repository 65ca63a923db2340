"""Standardising inside the engine from each column's distinct values gives, row for row, what
standardising the whole columns in Python gives: the engine table the rules read (every
canonical value and derived column), the repairs, the problems and the versioned changes, and
the cells a finding reads back. The pass standardises this way on DuckDB so that a province's
columns are never Python lists (bounded memory at a million rows)."""

from __future__ import annotations

import itertools
from datetime import date

import pyarrow as pa
import pytest

from lamsach.backends.engine import DuckDBEngine
from lamsach.data import load_schema, rule_templates
from lamsach.generate.province import build_world
from lamsach.standardise import in_engine
from lamsach.standardise.in_engine import standardise_in_engine
from lamsach.standardise.records_table import standardise_records
from standardise.standardise_sample import load_tables

REFERENCE = date(2026, 11, 1)


class _Rows:
    def __init__(self, keys, units, columns):
        self.keys, self.units, self._columns = keys, units, columns

    def columns(self, names):
        return {name: self._columns.get(name) or [None] * len(self.keys) for name in names}


def _same(schema, columns, workers=1):
    rows = max((len(v) for v in columns.values()), default=0)
    keys = [f"R{i:06d}" for i in range(rows)]
    units = [None if i % 3 else "14758" for i in range(rows)]  # some rows name the unit that sent them
    messages = rule_templates()
    whole = standardise_records(schema, _Rows(keys, units, columns), REFERENCE, messages, "38")
    with DuckDBEngine() as engine:
        arrow = {name: pa.array(values, pa.string()) for name, values in columns.items()}
        got = standardise_in_engine(engine, schema, keys, units, arrow, REFERENCE, messages, "38",
                                    f"ds_{schema.name}", workers=workers)
        table = engine.arrow(f'SELECT * FROM "{got.table_name}" ORDER BY __row_order')
        assert table.column_names == whole.table.column_names
        assert table.to_pylist() == whole.table.to_pylist()
        assert got.repairs == whole.repairs
        assert got.problems == whole.problems
        assert got.changes == whole.changes
        wanted = {keys[p.index] for p in whole.problems} | {c.key for c in whole.changes}
        fields = {c.field for c in whole.changes}
        assert got.cells(wanted, fields) == whole.cells(wanted, fields)
        assert not [t for (t,) in engine.run("SELECT table_name FROM information_schema.tables")
                    if t != got.table_name]  # the rows and outcomes it worked with are dropped
    return whole


@pytest.fixture(scope="module")
def world():
    return build_world(people=600, seed=3)


@pytest.mark.parametrize("workers", [1, 2])
def test_generated_datasets_the_same_in_the_engine(world, workers, monkeypatch):
    monkeypatch.setattr(in_engine, "PARALLEL_MIN_ROWS", 0)  # small data through the forked workers too
    planted = 0
    for name, dataset in world.datasets.items():
        schema = load_schema(name)
        columns = {f: [row.get(f) for row in dataset.rows] for f in schema.field_names}
        whole = _same(schema, columns, workers)
        planted += sum(len(r) for r in whole.repairs.values()) + len(whole.problems)
    assert planted > 100  # repairs and problems of many kinds were compared, not empty lists


def test_sample_province_the_same_in_the_engine():
    # real files: legacy encodings decided by their column's vote
    for table in load_tables():
        _same(table.schema, table.columns)


def test_cross_field_checks_span_batches(world, monkeypatch):
    # the ID-against-person checks run a slice of rows at a time: slices of 7 rows give the same
    monkeypatch.setattr(in_engine, "CROSS_FIELD_BATCH_ROWS", 7)
    schema = load_schema("population")
    rows = world.datasets["population"].rows
    whole = _same(schema, {f: [row.get(f) for row in rows] for f in schema.field_names})
    assert any(p.rule.startswith("id_") for p in whole.problems)


def test_empty_dataset():
    schema = load_schema("death")
    _same(schema, {f: [] for f in schema.field_names})


def test_only_rows_that_may_disagree_are_checked_across_fields_and_none_is_missed():
    """The checks spanning fields read only the rows an SQL condition lets through
    (`cross_field_candidates`); over every century digit, sex and kind of birth year — the same,
    the same two digits in another century, another year, none, no date at all — and an address in
    another commune, they find exactly what checking every row finds."""
    ids, sexes, births, names, communes, addresses = [], [], [], [], [], []
    for n, (digit, sex, year_case) in enumerate(itertools.product(
            "0123456789", ["Nam", "Nữ", None, "Khác"], ["same", "century", "other", "none", "bad"])):
        base = 1800 if digit in "89" else 1900 + 100 * (int(digit) // 2)
        encoded = base + 85
        year = {"same": encoded, "century": encoded + 100 if digit in "89" else encoded - 100,
                "other": encoded - 3, "none": None, "bad": None}[year_case]
        ids.append(f"038{digit}85{n:06d}")
        sexes.append(sex)
        births.append(f"{year}-03-04" if year else ("31/02/1985" if year_case == "bad" else None))
        names.append("Nguyễn Văn An" if n % 2 else "Lê Thị Hoa")
        communes.append("15007")
        addresses.append("Phường Hạc Thành, Tỉnh Thanh Hóa" if n % 7 == 0 else None)  # a few elsewhere
    population = {"record_id": [f"P{i}" for i in range(len(ids))], "citizen_id": ids, "sex": sexes,
                  "date_of_birth": births, "full_name": names, "commune_code": communes, "address": addresses}
    whole = _same(load_schema("population"), population)
    assert {p.rule for p in whole.problems} >= {"id_sex_century_mismatch", "id_birth_year_mismatch"}
    birth = {"record_id": population["record_id"], "child_id": ids, "child_sex": sexes, "child_dob": births,
             "child_name": names, "father_id": ids, "father_name": names, "commune_code": communes}
    assert any(p.field == "father_id" for p in _same(load_schema("birth"), birth).problems)
    land = {"record_id": population["record_id"], "owner_id": ids, "owner_name": names, "commune_code": communes,
            "owner_birth_year": [b[:4] if b and b[0].isdigit() else b for b in births], "parcel_address": addresses}
    assert any(p.rule == "address_commune_mismatch" for p in _same(load_schema("land_parcel"), land).problems)
