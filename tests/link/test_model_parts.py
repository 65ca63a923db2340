"""The linker's parts on small tables: bands, smoothing, the reference columns, candidate
probabilities. Table-driven, run in DuckDB."""

from __future__ import annotations

import subprocess
import sys

import pyarrow as pa
import pytest

from lamsach.backends.engine import DuckDBEngine
from lamsach.data import load_schema
from lamsach.link import ACCEPT, REJECT, REVIEW, LinkBands
from lamsach.link.probabilistic import _best_candidates
from lamsach.link.references import build_references
from lamsach.link.training import smoothed

BANDS = LinkBands(accept_probability=0.99, review_probability=0.5, min_margin_weight=5.0)


@pytest.mark.parametrize(("probability", "weight", "runner_up", "band"), [
    (0.999, 12.0, None, ACCEPT),
    (0.999, 12.0, 6.0, ACCEPT),
    (0.999, 12.0, 8.0, REVIEW),  # a runner-up too close: an officer decides
    (0.98, 9.0, None, REVIEW),
    (0.5, 3.0, None, REVIEW),
    (0.49, 3.0, None, REJECT),
])
def test_bands(probability, weight, runner_up, band):
    assert BANDS.band(probability, weight, runner_up) == band
    engine = DuckDBEngine()
    sql = BANDS.sql(str(probability), str(weight), "NULL" if runner_up is None else str(runner_up))
    assert engine.run(f"SELECT {sql}")[0][0] == band


def test_thresholds_must_be_ordered():
    with pytest.raises(ValueError):
        LinkBands(accept_probability=0.5, review_probability=0.9)


def test_smoothing_keeps_every_level_possible_and_sums_to_one():
    model = {"comparisons": [{"output_column_name": "commune", "comparison_levels": [
        {"sql_condition": "a IS NULL", "label_for_charts": "null", "is_null_level": True},
        {"sql_condition": "a = b", "label_for_charts": "same commune", "m_probability": 1.0, "u_probability": 0.1},
        {"sql_condition": "ELSE", "label_for_charts": "other commune", "m_probability": 0.0, "u_probability": 0.9},
    ]}]}
    levels = smoothed(model, m_floors={("commune", "other commune"): 0.05})["comparisons"][0]["comparison_levels"]
    assert "m_probability" not in levels[0]
    assert levels[2]["m_probability"] == pytest.approx(0.05 / 1.051, rel=1e-3)
    assert sum(level["m_probability"] for level in levels[1:]) == pytest.approx(1.0)


def test_references_carry_toneless_name_parts_and_implied_sex():
    engine = DuckDBEngine()
    birth = engine.register("ds_birth", pa.table({
        "record_id": ["KS1"], "commune_code": ["16012"], "child_name": ["Đỗ Thị Thuỷ"],
        "child_name__key": ["đỗ thị thủy"], "child_dob": ["2020-05-01"], "child_dob__year": [2020],
        "child_sex": ["Nữ"], "child_id": [None], "child_id__kind": [None],
        "father_name": ["Đỗ Văn Đức"], "father_name__key": ["đỗ văn đức"], "father_id": ["038080000001"],
        "father_id__kind": ["cccd12"], "mother_name": ["Lê Thị Hoà"], "mother_name__key": ["lê thị hòa"],
        "mother_id": [None], "mother_id__kind": [None]}))
    engine.register("link_register", pa.table({"citizen_id": ["038080000001"], "household": ["HH1"]}))
    links = engine.register("id_links", pa.table({"dataset": ["birth"], "record_id": ["KS1"], "role": ["father"],
                                                  "citizen_id": ["038080000001"], "method": ["id_verified"]}))
    refs = build_references(engine, [load_schema("birth")], {"birth": birth}, links)
    rows = {r["role"]: r for r in engine.rows(f'SELECT * FROM "{refs}"')}
    assert rows["child"]["name_plain"] == "do thi thuy" and rows["child"]["rest"] == "thị thủy"
    assert rows["child"]["family"] == "đỗ" and rows["child"]["given"] == "thủy"
    assert rows["child"]["dob"] == "2020-05-01" and rows["child"]["year_only"] is None
    assert rows["mother"]["sex"] == "Nữ" and rows["father"]["sex"] == "Nam"  # from the schema's rules
    assert rows["mother"]["household"] == "HH1", "the father's household, linked by his ID"
    assert rows["father"]["household"] is None, "never a person's own household"


def _parcels(rows: list[tuple[str, str, str | None, str]]) -> pa.Table:
    """Land parcels as (record, owner name, owner ID, hamlet), all in one commune, born 1970."""
    keys = {"Nguyễn Văn Hùng": "nguyễn văn hùng", "Lê Thị Lan": "lê thị lan"}
    return pa.table({
        "record_id": [r[0] for r in rows], "commune_code": ["16012"] * len(rows),
        "owner_name": [r[1] for r in rows], "owner_name__key": [keys[r[1]] for r in rows],
        "owner_id": [r[2] for r in rows], "owner_id__kind": ["cccd12" if r[2] else None for r in rows],
        "owner_birth_year": ["1970"] * len(rows), "owner_address__commune_code": ["16012"] * len(rows),
        "owner_address__hamlet": [r[3] for r in rows]})


def test_references_know_whom_other_records_of_the_same_person_name():
    """A parcel without the owner's ID: the owner's other parcels, same name, year and address,
    carry the ID, and tell this namesake from the others. Not when they name two people, and
    never a record's own ID link."""
    engine = DuckDBEngine()
    land = engine.register("ds_land_parcel", _parcels([
        ("TD1", "Nguyễn Văn Hùng", None, "Thôn 1"), ("TD2", "Nguyễn Văn Hùng", "038070000001", "Thôn 1"),
        ("TD3", "Nguyễn Văn Hùng", "038070000001", "Thôn 1"), ("TD4", "Nguyễn Văn Hùng", None, "Thôn 2"),
        ("TD5", "Lê Thị Lan", None, "Thôn 3"), ("TD6", "Lê Thị Lan", "038170000003", "Thôn 3"),
        ("TD7", "Lê Thị Lan", "038170000004", "Thôn 3"), ("TD8", "Nguyễn Văn Hùng", "038070000009", "Thôn 4")]))
    engine.register("link_register", pa.table({"citizen_id": ["038070000001"], "household": ["HH1"]}))
    links = engine.register("id_links", pa.table({
        "dataset": ["land_parcel"] * 5, "record_id": ["TD2", "TD3", "TD6", "TD7", "TD8"], "role": ["owner"] * 5,
        "citizen_id": ["038070000001", "038070000001", "038170000003", "038170000004", "038070000009"],
        "method": ["id_verified"] * 5}))
    refs = build_references(engine, [load_schema("land_parcel")], {"land_parcel": land}, links)
    known = {r["record_id"]: r["known"] for r in engine.rows(f'SELECT record_id, known FROM "{refs}"')}
    assert known["TD1"] == "038070000001", "the owner's other parcels in the same hamlet"
    assert known["TD2"] == "038070000001", "TD3 names the same person"
    assert known["TD4"] is None, "another hamlet: maybe a namesake"
    assert known["TD5"] is None, "the other records name two people"
    assert known["TD8"] is None, "only its own ID link"


def test_equal_candidates_share_the_probability():
    """Two register people equally like the reference: neither can be accepted."""
    engine = DuckDBEngine()
    predictions = engine.register("predictions", pa.table({
        "unique_id_l": ["land_parcel|TD1|owner", "land_parcel|TD1|owner", "land_parcel|TD2|owner"],
        "unique_id_r": ["DC1", "DC2", "DC3"], "citizen_id_r": ["A", "B", "C"],
        "match_weight": [14.0, 14.0, 14.0]}))
    refs = engine.register("refs", pa.table({"unique_id": ["land_parcel|TD1|owner", "land_parcel|TD2|owner"],
                                             "dataset": ["land_parcel"] * 2, "record_id": ["TD1", "TD2"],
                                             "role": ["owner"] * 2}))
    table = _best_candidates(engine, predictions, refs, "'{}'", "probabilistic", BANDS, n_register=1000,
                             prior=0.001, name="best", n_references=2)
    rows = {r["record_id"]: r for r in engine.rows(f'SELECT * FROM "{table}"')}
    assert rows["TD1"]["match_probability"] < 0.5 and rows["TD1"]["band"] == REJECT
    assert rows["TD2"]["match_probability"] > 0.99 and rows["TD2"]["band"] == ACCEPT


def test_importing_the_link_stage_does_not_load_splink():
    code = "import sys, lamsach.link, lamsach.runner; print('splink' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
