"""The four sector datasets of the generated province: each checked against its ground truth on
its own (≥ 99% of planted defects found, ≤ 0.5% false alarms), each person reference linked to
the register under the role its schema names, and each cross-database rule firing where planted."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from lamsach.catalogue import load_key_databases
from lamsach.data import load_schema, rule_templates
from lamsach.generate import generate_province
from lamsach.measure import score_against_truth
from lamsach.runner import run_pass
from lamsach.settings import Settings
from lamsach.validate.runner import rule_specs

SECTORS = ("social_protection", "social_insurance", "building_permit", "student")
ROLES = {"social_protection": {"beneficiary"}, "social_insurance": {"insured"}, "building_permit": {"holder"},
         "student": {"student", "guardian"}}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module", params=[(2000, 7), (3000, 1)], ids=["2000-people", "demo-default"])
def passed(request, tmp_path_factory) -> tuple[Path, Path]:
    """A province of its own, and the one `lamsach demo` generates by default (3,000 people, seed 1):
    the province a new user's first run checks itself on."""
    people, seed = request.param
    root = tmp_path_factory.mktemp("sectors")
    manifest = generate_province(root / "province", people=people, seed=seed)
    run_pass(manifest, root / "out", Settings(data_dir=root / "data"))
    return root / "out", manifest.parent / "truth"


def test_each_sector_dataset_passes_its_own_self_check(passed):
    out, truth = passed
    score = score_against_truth(out, truth)
    per_dataset = {d: (planted, found, alarms, clean) for d, planted, found, alarms, clean in score.by_dataset()}
    assert len(per_dataset) >= 9
    for dataset in SECTORS:
        planted, found, alarms, clean = per_dataset[dataset]
        assert planted >= 8 and clean >= 30, dataset
        assert found / planted >= 0.99, (dataset, [c for c in score.classes if c.dataset == dataset and c.recall < 1])
        assert alarms / clean <= 0.005, (dataset, score.false_alarm_examples)


def test_person_references_link_to_the_register_under_their_roles(passed):
    out, _ = passed
    links = _rows(out / "links.csv")
    for dataset, roles in ROLES.items():
        assert {r["role"] for r in links if r["dataset"] == dataset} == roles
        assert {p.person_role for p in load_schema(dataset).fields if p.person_role} == roles


@pytest.mark.parametrize("dataset, rules", [
    ("social_protection", {"benefit_paid_after_death", "beneficiary_not_resident"}),
    ("social_insurance", {"birth_date_differs_from_register", "insured_deceased"}),
    ("building_permit", {"permit_parcel_not_in_land", "permit_holder_not_land_user", "permit_land_not_buildable"}),
    ("student", {"age_not_fit_grade", "guardian_deceased"}),
])
def test_cross_database_rules_fire_where_planted(passed, dataset, rules):
    out, truth = passed
    planted = {(r["record_id"], r["error_type"]) for r in _rows(truth / "errors.csv") if r["dataset"] == dataset}
    found = {(f["record_id"], f["rule"]) for f in _rows(out / "findings.csv") if f["dataset"] == dataset}
    for rule in rules:
        where = {record for record, error in planted if error == rule}
        assert where and where <= {record for record, r in found if r == rule}, rule


def test_every_new_rule_has_both_messages_and_a_criterion_and_a_home_database():
    templates = rule_templates()
    catalogue = load_key_databases()
    for dataset in SECTORS:
        assert catalogue.database_of(dataset) is not None
        for spec in rule_specs(load_schema(dataset)):
            for rule in spec.emits():
                t = templates[rule]
                assert t["vi"] and t["en"] and t["criterion"] in {"correct", "complete", "clean", "live", "unified"}
