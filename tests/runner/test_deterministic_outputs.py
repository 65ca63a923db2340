"""Two passes over the same files, each into a fresh store, write byte-identical contract files.

Other tools read these files and compare them week by week: a finding whose message or suggestion
changes between identical runs (it did, for `id_sex_century_mismatch`) is a change nobody made.
"""

from __future__ import annotations

import csv
from pathlib import Path

from lamsach.data import dataset_names
from lamsach.runner import run_pass
from lamsach.settings import Settings

CONTRACT_FILES = ("findings.csv", "links.csv", "duplicates.csv", "scorecard.csv",
                  *(f"clean/{d}.csv" for d in dataset_names()))


def _run(sample_dir: Path, tmp_path: Path, name: str) -> Path:
    settings = Settings(data_dir=tmp_path / f"data-{name}")
    run_pass(sample_dir / "manifest.yaml", tmp_path / name, settings)
    return tmp_path / name


def test_two_runs_into_fresh_stores_write_identical_contract_files(sample_dir, tmp_path):
    first, second = _run(sample_dir, tmp_path, "a"), _run(sample_dir, tmp_path, "b")
    written = [name for name in CONTRACT_FILES if (first / name).exists()]
    assert {"findings.csv", "links.csv", "clean/land_parcel.csv"} <= set(written)
    for name in written:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name

    # the finding kept of two duplicates names its values and carries the register's ID
    with (first / "findings.csv").open(encoding="utf-8") as handle:
        findings = [f for f in csv.DictReader(handle) if f["rule"] == "id_sex_century_mismatch"]
    assert findings
    assert not [f["message"] for f in findings if "năm sinh ," in f["message"] or "giới tính ," in f["message"]]
    with (sample_dir / "truth" / "links.csv").open(encoding="utf-8") as handle:
        truth = {(r["dataset"], r["record_id"]): r["citizen_id"] for r in csv.DictReader(handle)}
    suggested = {(f["dataset"], f["record_id"]): f["suggested_value"] for f in findings}
    assert suggested[("land_parcel", "TD00003814")] == truth[("land_parcel", "TD00003814")]
