"""standardise_dataset: the contract the pipeline relies on, cross-field checks, idempotence,
and a message template for every rule."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lamsach.data import dataset_names, load_schema, load_yaml
from lamsach.standardise import StandardisedDataset, encode, standardise_dataset

TODAY = date(2026, 11, 20)
POPULATION = {
    "record_id": ["DC1", "DC2", "DC3", "DC4", "DC5"],
    "citizen_id": ["038078451567", "38178451567", "038178451567", "038078451567", "172345678"],
    "full_name": ["Nguyễn Xuân Phúc", "lê  thị hoa", "NguyÔn ThÞ Thuû", "Trần Văn An", "Lê Văn Tám"],
    "date_of_birth": ["24/02/1978", "1978-03-01", "05/05/1978", "24/02/1968", "1950"],
    "sex": ["Nam", "Nữ", "Nam", "Nam", "nam"],
    "commune_code": ["16093", "16093", "16012", "16033", "16093"],
    "address": ["Thôn 11, xã Nga Sơn, tỉnh Thanh Hóa", "Thôn 1, xã Nga Sơn, tỉnh Thanh Hoá",
                "Thôn 1, xã Nga Sơn, tỉnh Thanh Hóa", "Thôn 8, xã Mỹ Lộc, huyện Hậu Lộc, tỉnh Thanh Hóa", None],
    "status": ["Còn sống", "Còn sống", "Còn sống", "Đã chết", "Còn sống"],
}


@pytest.fixture(scope="module")
def population() -> StandardisedDataset:
    return standardise_dataset(load_schema("population"), POPULATION, reference_date=TODAY)


def test_every_field_same_length(population):
    schema = load_schema("population")
    assert list(population.columns) == schema.field_names
    assert all(len(v) == 5 for v in population.columns.values())
    assert all(len(v) == 5 for v in population.derived.values())
    assert population.columns["household_id"] == [None] * 5


def test_canonical_values(population):
    cols = population.columns
    assert cols["citizen_id"][1] == "038178451567"
    assert cols["full_name"][1:3] == ["Lê Thị Hoa", "Nguyễn Thị Thủy"]
    assert cols["date_of_birth"] == ["1978-02-24", "1978-03-01", "1978-05-05", "1968-02-24", "1950"]
    assert cols["sex"][4] == "Nam"
    assert cols["address"][1] == "Thôn 1, xã Nga Sơn, tỉnh Thanh Hóa"


def test_derived_columns(population):
    d = population.derived
    assert d["full_name__key"][2] == "nguyễn thị thủy"
    assert d["date_of_birth__year"] == [1978, 1978, 1978, 1968, 1950]
    assert d["citizen_id__kind"] == ["cccd12", "cccd12", "cccd12", "cccd12", "cmnd9"]
    assert d["address__commune_code"][:4] == ["16093", "16093", "16093", "16012"]
    assert d["address__province_code"][0] == "38"


def test_repairs_by_field(population):
    rules = {f: [(r.index, r.rule) for r in reps] for f, reps in population.repairs.items() if reps}
    assert rules["citizen_id"] == [(1, "id_leading_zero_lost")]
    assert rules["full_name"] == [(1, "spacing_case"), (2, "encoding_tcvn3")]
    assert rules["address"] == [(1, "old_tone")]
    assert rules["sex"] == [(4, "sex_value")]


def test_cross_field_problems(population):
    found = {(p.index, p.field, p.rule) for p in population.problems}
    assert (2, "citizen_id", "id_sex_century_mismatch") in found  # female digit, record says Nam
    assert (3, "citizen_id", "id_birth_year_mismatch") in found  # 78 in the ID, born 1968
    assert (4, "citizen_id", "legacy_id_document") in found
    assert (2, "address", "address_commune_mismatch") in found  # Nga Sơn address, commune 16012
    assert (3, "address", "abolished_admin_unit") in found
    assert (3, "address", "address_commune_mismatch") in found  # Mỹ Lộc went into 16012, not 16033
    assert not any(p.index in (0, 1) for p in population.problems)


def test_person_roles_pair_ids_with_their_own_dates():
    columns = {"record_id": ["KH1"], "husband_id": ["038078451567"], "husband_dob": ["24/02/1978"],
               "wife_id": ["038178451567"], "wife_dob": ["1980-01-01"]}
    result = standardise_dataset(load_schema("marriage"), columns, reference_date=TODAY)
    assert {(p.field, p.rule) for p in result.problems} == {("wife_id", "id_birth_year_mismatch")}


def test_unknown_columns_are_ignored_and_empty_input_works():
    result = standardise_dataset(load_schema("death"), {"nonsense": ["x"]}, reference_date=TODAY)
    assert all(v == [None] for v in result.columns.values())
    empty = standardise_dataset(load_schema("death"), {}, reference_date=TODAY)
    assert all(v == [] for v in empty.columns.values())


@pytest.mark.parametrize("dataset", dataset_names())
def test_every_schema_standardises(dataset):
    schema = load_schema(dataset)
    result = standardise_dataset(schema, {f: ["  "] for f in schema.field_names}, reference_date=TODAY)
    assert all(v == [None] for v in result.columns.values())
    assert result.problems == []


def _again(result: StandardisedDataset, dataset: str) -> StandardisedDataset:
    return standardise_dataset(load_schema(dataset), result.columns, reference_date=TODAY)


def test_standardisation_is_idempotent(population):
    again = _again(population, "population")
    assert again.columns == population.columns
    assert all(not reps for reps in again.repairs.values())


NAME_PARTS = st.sampled_from(["Nguyễn", "trần", "LÊ", "Thị", "văn", "Hoà", "Thuỷ", "Ngọc", "Đức", "hương"])
CELL = st.one_of(
    st.none(),
    st.lists(NAME_PARTS, min_size=1, max_size=4).map(" ".join),
    st.lists(NAME_PARTS, min_size=1, max_size=4).map(lambda w: encode(" ".join(w), "tcvn3")),
    st.lists(NAME_PARTS, min_size=1, max_size=4).map(lambda w: encode(" ".join(w), "vni")),
    st.lists(NAME_PARTS, min_size=1, max_size=4).map(lambda w: unicodedata.normalize("NFD", "  ".join(w))),
)


@given(st.lists(CELL, min_size=1, max_size=8))
@settings(max_examples=150, deadline=None)
def test_idempotent_on_generated_names(cells):
    first = standardise_dataset(load_schema("population"), {"full_name": cells}, reference_date=TODAY)
    second = _again(first, "population")
    assert second.columns["full_name"] == first.columns["full_name"]
    assert not second.repairs["full_name"]


RULES_USED = {
    "encoding_tcvn3", "encoding_vni", "encoding_viscii", "encoding_viqr", "encoding_cp1258", "encoding_mojibake",
    "encoding_nfd", "spacing_case", "old_tone", "id_leading_zero_lost", "id_separators", "date_format", "sex_value",
    "code_case", "code_legacy", "admin_unit_name", "date_invalid", "date_in_future", "format_invalid",
    "id_province_invalid", "id_sex_century_mismatch", "id_birth_year_mismatch", "legacy_id_document",
    "code_not_in_table", "abolished_admin_unit", "address_commune_mismatch", "admin_unit_conflict",
    "missing_required", "date_order_invalid", "area_out_of_range", "under_legal_age", "id_not_in_register",
    "name_differs_from_register", "birth_year_differs_from_register", "sex_differs_from_register",
    "owner_deceased", "spouse_deceased", "death_not_reflected", "stale_record", "already_married",
    "duplicate_record", "duplicate_key",
}


def test_every_rule_has_both_languages_with_the_same_placeholders():
    messages = load_yaml("messages/rules.yaml", "rule_messages")["messages"]
    assert set(messages) >= RULES_USED
    for rule, entry in messages.items():
        assert entry["criterion"] in {"correct", "complete", "clean", "live", "unified", "shared"}, rule
        assert set(re.findall(r"{(\w+)}", entry["vi"])) == set(re.findall(r"{(\w+)}", entry["en"])), rule
        assert unicodedata.normalize("NFC", entry["vi"]) == entry["vi"], rule


def test_problem_params_fill_their_templates(population):
    messages = load_yaml("messages/rules.yaml", "rule_messages")["messages"]
    for problem in population.problems:
        placeholders = set(re.findall(r"{(\w+)}", messages[problem.rule]["vi"]))
        assert placeholders <= set(problem.params), (problem.rule, placeholders - set(problem.params))
        assert problem.criterion == messages[problem.rule]["criterion"]
