"""The whole pass on the sample province: the contract files, reconciliation, every criterion."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from lamsach.runner import SilentProgress, run_pass
from lamsach.settings import Settings

CONTRACT = {
    "findings.csv": ["dataset", "record_id", "field", "criterion", "rule", "severity", "status", "message",
                     "suggested_value"],
    "links.csv": ["dataset", "record_id", "role", "citizen_id", "match_probability", "method"],
    "duplicates.csv": ["dataset", "record_id", "duplicate_of"],
    "scorecard.csv": ["unit", "dataset", "criterion", "records", "passing", "score"],
}


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def sample_pass(sample_dir, tmp_path_factory, module_store_url):
    """One pass over the sample province on each store, which the tests only read."""
    root = tmp_path_factory.mktemp("sample-pass")
    progress = SilentProgress()
    settings = Settings(data_dir=root / "data", database_url=module_store_url)
    summary = run_pass(sample_dir / "manifest.yaml", root / "out", settings, progress)
    return summary, root / "out", progress


def test_contract_files_have_exactly_the_designed_columns(sample_pass):
    summary, out, _ = sample_pass
    for name, columns in CONTRACT.items():
        with (out / name).open(encoding="utf-8") as handle:
            assert next(csv.reader(handle)) == columns, name
    for dataset in ("population", "land_parcel", "birth", "death", "marriage"):
        from lamsach.data import load_schema

        with (out / "clean" / f"{dataset}.csv").open(encoding="utf-8") as handle:
            assert next(csv.reader(handle)) == load_schema(dataset).field_names
    assert "<table" in (out / "report.html").read_text(encoding="utf-8")
    book = load_workbook(out / "report.xlsx", read_only=True)
    assert len(book.sheetnames) >= 2  # the report's own tests check its sheets


def test_every_row_is_stored_or_rejected(sample_pass, sample_dir):
    summary, out, progress = sample_pass
    assert summary.rows_read == summary.rows_stored + summary.rows_rejected
    population_rows = len(read(sample_dir / "population.csv"))
    [population] = [s for s in summary.sources if s["dataset"] == "population"]
    assert population["rows_read"] == population_rows
    clean = read(out / "clean" / "population.csv")
    assert len(clean) == population["rows_stored"]
    assert progress.stages[:2] == ["Đọc tệp", "Lưu dữ liệu gốc"]


def test_each_data_criterion_has_real_findings(sample_pass):
    _, out, _ = sample_pass
    findings = read(out / "findings.csv")
    criteria = {f["criterion"] for f in findings}
    assert {"correct", "complete", "clean", "live", "unified"} <= criteria
    assert all(f["message"] and "{" not in f["message"] for f in findings)
    statuses = {(f["criterion"], f["status"]) for f in findings}
    assert ("clean", "fixed") in statuses  # repairs are findings too


def test_scorecard_counts_are_consistent(sample_pass):
    _, out, _ = sample_pass
    for row in read(out / "scorecard.csv"):
        records, passing = int(row["records"]), int(row["passing"])
        assert 0 <= passing <= records
        assert abs(float(row["score"]) - passing / records) < 1e-3


def test_links_tie_people_to_the_register(sample_pass, sample_dir):
    _, out, _ = sample_pass
    links = read(out / "links.csv")
    truth = {(r["dataset"], r["record_id"], r["role"]): r["citizen_id"] for r in read(sample_dir / "truth" / "links.csv")}
    assert {link["role"] for link in links} >= {"owner", "child", "father", "mother", "deceased", "husband", "wife"}
    verified = [link for link in links if link["method"] == "id_verified"]
    agreeing = sum(truth.get((v["dataset"], v["record_id"], v["role"])) == v["citizen_id"] for v in verified)
    assert agreeing / len(verified) >= 0.99
