"""One small generated province, passed once with a fixed clock, shared by the report tests.

The expected figures are recomputed here from the contract files (findings.csv, scorecard.csv,
clean/*.csv) and the manifest, independently of the report's own queries.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from lamsach.data import load_schema
from lamsach.domain import DATA_CRITERIA
from lamsach.generate import generate_province
from lamsach.ingest import load_manifest, read_source
from lamsach.report.reports import VIETNAM_TIME
from lamsach.runner import PassSummary, run_pass
from lamsach.settings import Settings

FIXED_CLOCK = datetime(2026, 11, 2, 8, 30, tzinfo=VIETNAM_TIME)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@dataclass
class Pass:
    manifest: Path
    out: Path
    summary: PassSummary
    scorecard: list[dict[str, str]]
    findings: list[dict[str, str]]
    record_unit: dict[tuple[str, str], str]  # (dataset, record_id) -> unit, as the batch contract says
    clock: datetime = FIXED_CLOCK

    def units(self) -> list[str]:
        """Units in report order: by code, records without a unit last."""
        return sorted({r["unit"] for r in self.scorecard}, key=lambda u: (u == "", u))

    def unit_findings(self) -> dict[str, list[dict[str, str]]]:
        grouped: dict[str, list[dict[str, str]]] = defaultdict(list)
        for f in self.findings:
            grouped[self.record_unit[(f["dataset"], f["record_id"])]].append(f)
        return grouped

    def overall(self) -> dict[tuple[str, str], tuple[int, int]]:
        """(unit, dataset) -> (records, records with no open finding of the five data criteria)."""
        five = {c.value for c in DATA_CRITERIA}
        failing = {(f["dataset"], f["record_id"]) for f in self.findings
                   if f["status"] == "open" and f["criterion"] in five}
        counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for (dataset, record_id), unit in self.record_unit.items():
            counts[(unit, dataset)][0] += 1
            counts[(unit, dataset)][1] += (dataset, record_id) not in failing
        return {k: (v[0], v[1]) for k, v in counts.items()}


def _record_units(manifest_path: Path, out: Path) -> dict[tuple[str, str], str]:
    """A record's unit: the unit that sent its file, else its cleaned commune code."""
    manifest = load_manifest(manifest_path)
    units: dict[tuple[str, str], str] = {}
    for dataset in {s.dataset for s in manifest.sources}:
        for row in read_csv(out / "clean" / f"{dataset}.csv"):
            units[(dataset, row["record_id"])] = row.get("commune_code") or ""
    for source in manifest.sources:
        if source.unit:
            schema = load_schema(source.dataset)
            for values in read_source(source, schema).rows:
                units[(source.dataset, str(values[schema.key]).strip())] = source.unit
    return units


@pytest.fixture(scope="session")
def small_pass(tmp_path_factory) -> Pass:
    root = tmp_path_factory.mktemp("report-province")
    manifest = generate_province(root / "province", people=600, seed=3)
    out = root / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", str(int(FIXED_CLOCK.timestamp())))
        summary = run_pass(manifest, out, Settings(data_dir=root / "data"))
    return Pass(manifest, out, summary, read_csv(out / "scorecard.csv"), read_csv(out / "findings.csv"),
                _record_units(manifest, out))
