"""The truth files tell the whole truth: every planted defect listed, nothing unlisted wrong."""

from __future__ import annotations

import csv
from collections import Counter

from generate_rules import violations

from lamsach.data import load_yaml
from lamsach.domain.model import CRITERIA

TRUTH_HEADERS = {
    "errors.csv": ["dataset", "record_id", "field", "criterion", "error_type"],
    "involved.csv": ["dataset", "record_id"],
    "clean_values.csv": ["dataset", "record_id", "field", "value"],
    "links.csv": ["dataset", "record_id", "role", "citizen_id"],
    "duplicates.csv": ["dataset", "record_id", "duplicate_of"],
}
BRIEF_ERROR_TYPES = {
    "encoding_tcvn3", "encoding_vni", "encoding_nfd", "spacing_case", "old_tone", "id_leading_zero_lost",
    "duplicate_record", "missing_required", "date_in_future", "date_order_invalid", "id_birth_year_mismatch",
    "id_sex_century_mismatch", "format_invalid", "code_not_in_table", "area_out_of_range",
    "abolished_admin_unit", "address_commune_mismatch", "id_not_in_register", "legacy_id_document",
    "owner_deceased", "death_not_reflected", "stale_record", "name_differs_from_register",
    "sex_differs_from_register", "already_married", "under_legal_age",
}


def read(province, name):
    with (province.folder / "truth" / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def rows_of(province, name):
    header, *rows = read(province, name)
    return [dict(zip(header, row, strict=True)) for row in rows]


def record_ids(world):
    return {(name, row["record_id"]) for name, ds in world.datasets.items() for row in ds.rows}


def test_truth_files_have_the_sample_columns(province):
    for name, header in TRUTH_HEADERS.items():
        assert read(province, name)[0] == header


def test_truth_references_existing_records(province):
    known = record_ids(province.world)
    for name in TRUTH_HEADERS:
        for row in rows_of(province, name):
            assert (row["dataset"], row["record_id"]) in known, (name, row)
    for row in rows_of(province, "duplicates.csv"):
        assert (row["dataset"], row["duplicate_of"]) in known


def test_every_error_type_of_the_brief_and_the_rates_file_is_planted(province):
    errors = rows_of(province, "errors.csv")
    planted = Counter(row["error_type"] for row in errors)
    rates = load_yaml("catalogues/people/defect_rates.yaml", "catalogue")
    configured = {(d["dataset"], d["field"], d["error_type"]) for d in rates["defects"]}
    assert set(planted) >= BRIEF_ERROR_TYPES
    assert configured <= {(r["dataset"], r["field"], r["error_type"]) for r in errors}
    assert {row["criterion"] for row in errors} <= set(CRITERIA)
    assert all(row["criterion"] == rates["criteria"][row["error_type"]] for row in errors)


def test_rates_resemble_the_sample(province):
    errors = rows_of(province, "errors.csv")
    per_dataset = Counter(row["dataset"] for row in errors if row["error_type"] not in
                          ("encoding_tcvn3", "id_leading_zero_lost"))  # whole-file quirks aside
    for name, dataset in province.world.datasets.items():
        assert 0.01 <= per_dataset[name] / len(dataset.rows) <= 0.3, name


def test_every_error_record_is_involved_and_every_duplicate_has_its_original(province):
    involved = {(r["dataset"], r["record_id"]) for r in rows_of(province, "involved.csv")}
    assert {(r["dataset"], r["record_id"]) for r in rows_of(province, "errors.csv")} <= involved
    for row in rows_of(province, "duplicates.csv"):
        assert {(row["dataset"], row["record_id"]), (row["dataset"], row["duplicate_of"])} <= involved


def test_links_name_each_person_field_once_with_a_register_citizen(province):
    citizens = {p.citizen_id for p in province.world.people}
    links = rows_of(province, "links.csv")
    assert {r["citizen_id"] for r in links} <= citizens
    per_record = Counter((r["dataset"], r["record_id"], r["role"]) for r in links)
    assert max(per_record.values()) == 1
    world = province.world
    for name in ("land_parcel", "birth", "death", "marriage"):
        roles = set(world.datasets[name].schema.person_roles())
        linked = {(r["record_id"], r["role"]) for r in links if r["dataset"] == name}
        for row in world.datasets[name].rows:
            must = {"child", "mother"} if name == "birth" else roles
            assert {(row["record_id"], role) for role in must} <= linked


def test_the_clean_twin_breaks_no_rule(province):
    assert violations(province.clean) == set()


def test_every_rule_broken_in_the_planted_province_is_involved(province):
    involved = {(r["dataset"], r["record_id"]) for r in rows_of(province, "involved.csv")}
    missing = violations(province.world) - involved
    assert not missing, sorted(missing)[:10]


def test_every_changed_or_added_record_is_involved(province):
    involved = {(r["dataset"], r["record_id"]) for r in rows_of(province, "involved.csv")}
    for name, dataset in province.world.datasets.items():
        clean_rows = {row["record_id"]: row for row in province.clean.datasets[name].rows}
        for row in dataset.rows:
            if clean_rows.get(row["record_id"]) != row:
                assert (name, row["record_id"]) in involved, (name, row)


def test_planted_defects_show_in_their_field(province):
    """A defect's field differs from the clean twin, except defects that add records or facts."""
    invisible = {"duplicate_record", "already_married", "death_not_reflected", "under_legal_age",
                 "id_leading_zero_lost"}  # a land workbook's ID number: the text is kept, the cell is numeric
    clean = {name: {row["record_id"]: row for row in ds.rows} for name, ds in province.clean.datasets.items()}
    planted = {name: {row["record_id"]: row for row in ds.rows} for name, ds in province.world.datasets.items()}
    for row in rows_of(province, "errors.csv"):
        twin = clean[row["dataset"]].get(row["record_id"])
        if row["error_type"] in invisible or twin is None:  # None: a record a defect added
            continue
        before = twin[row["field"]]
        assert planted[row["dataset"]][row["record_id"]][row["field"]] != before, row


def test_clean_values_restore_the_clean_twin(province):
    repairable = set(load_yaml("catalogues/people/defect_rates.yaml", "catalogue")["repairable"])
    errors = rows_of(province, "errors.csv")
    other_defects = {(r["dataset"], r["record_id"], r["field"]) for r in errors if r["error_type"] not in repairable}
    repaired = {(r["dataset"], r["record_id"], r["field"]) for r in errors if r["error_type"] in repairable}
    clean = {name: {row["record_id"]: row for row in ds.rows} for name, ds in province.clean.datasets.items()}
    values = rows_of(province, "clean_values.csv")
    assert {(r["dataset"], r["record_id"], r["field"]) for r in values} == repaired
    renumbered = {  # IDs a register defect replaced for everyone: records copy the new number
        person.citizen_id for person, twin in zip(province.world.people, province.clean.people, strict=True)
        if person.citizen_id != twin.citizen_id
    } | {twin.citizen_id for person, twin in zip(province.world.people, province.clean.people, strict=True)
         if person.citizen_id != twin.citizen_id}
    checked = 0
    for row in values:
        key = (row["dataset"], row["record_id"], row["field"])
        twin = clean[row["dataset"]].get(row["record_id"])
        if key in other_defects or twin is None or twin[row["field"]] in renumbered:
            continue  # a meaning defect, a duplicate or a renumbered person: no earlier clean value
        assert row["value"] == twin[row["field"]], row
        checked += 1
    assert checked > 500
