"""A generated province passed once; each test gets its own copy of the store to change.

The officer's side (editing a returned workbook, the truth's corrections) is in
`officer_fixtures.py`.
"""

from __future__ import annotations

import csv
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from lamsach.backends.store import SqlAlchemyStore
from lamsach.generate import generate_province
from lamsach.runner import PassSummary, run_pass
from lamsach.settings import Settings


@dataclass
class World:
    """A store holding one complete pass, with the province it came from."""

    root: Path
    manifest: Path
    settings: Settings
    store: SqlAlchemyStore
    campaign: str
    run_id: int

    @property
    def truth(self) -> dict[tuple[str, str, str], str]:
        """(dataset, record_id, field) -> the value before a defect was planted."""
        with (self.manifest.parent / "truth" / "clean_values.csv").open(encoding="utf-8") as handle:
            return {(r["dataset"], r["record_id"], r["field"]): r["value"] for r in csv.DictReader(handle)}

    def rerun(self, name: str = "out-again") -> PassSummary:
        return run_pass(self.manifest, self.root / name, self.settings)

    def busiest_unit(self, dataset: str = "land_parcel") -> str:
        """The unit with the most open findings in `dataset`: every test's subject."""
        counts: dict[str, int] = {}
        for f in self.store.findings(self.run_id):
            if f["status"] == "open" and f["dataset"] == dataset and f["unit"]:
                counts[f["unit"]] = counts.get(f["unit"], 0) + 1
        return max(sorted(counts), key=lambda u: counts[u])


@pytest.fixture(scope="session")
def passed_province(tmp_path_factory) -> tuple[Path, Path, PassSummary]:
    root = tmp_path_factory.mktemp("review-province")
    manifest = generate_province(root / "province", people=1500, seed=5)
    summary = run_pass(manifest, root / "out", Settings(data_dir=root / "data"))
    return manifest, root / "data" / "lamsach.db", summary


@pytest.fixture
def world(passed_province, tmp_path) -> World:
    """A private copy of the passed store (SQLite backup API: consistent even in WAL mode)."""
    manifest, db, summary = passed_province
    (tmp_path / "data").mkdir()
    source, target = sqlite3.connect(db), sqlite3.connect(tmp_path / "data" / "lamsach.db")
    source.backup(target)
    source.close()
    target.close()
    settings = Settings(data_dir=tmp_path / "data")
    return World(tmp_path, manifest, settings, SqlAlchemyStore.open(settings.store_url), summary.campaign,
                 summary.run_id)
