"""The twelve key databases: the shipped catalogue, a province's own file, and where each database
stands as computed from the scorecards a real store holds."""

from __future__ import annotations

from datetime import date

import pytest
from typer.testing import CliRunner

from lamsach.backends.store import SqlAlchemyStore
from lamsach.catalogue import STAGES, database_statuses, load_key_databases
from lamsach.cli.app import app
from lamsach.cli.console import console
from lamsach.data import dataset_names
from lamsach.domain import DATA_CRITERIA, LamsachError
from lamsach.measure import OVERALL


def test_shipped_catalogue_lists_the_twelve():
    catalogue = load_key_databases()
    assert len(catalogue.databases) == 12
    assert {d.id for d in catalogue.databases} >= {"land", "civil_status", "social_security", "construction"}
    assert all(d.stage in STAGES and d.name_vi and d.name_en and d.national_system for d in catalogue.databases)
    listed = [ds for d in catalogue.databases for ds in d.datasets]
    assert len(listed) == len(set(listed))
    assert catalogue.database_of("birth").id == "civil_status"
    assert catalogue.database_of("population") is None and "population" in catalogue.reference_datasets
    # every dataset a schema file declares belongs to a database or is the reference register
    assert set(dataset_names()) <= set(listed) | set(catalogue.reference_datasets)
    assert catalogue.get("land").lead_department_name == "Sở Nông nghiệp và Môi trường"


def _province_file(tmp_path, body: str):
    path = tmp_path / "csdl.yaml"
    path.write_text("kind: catalogue\nformat_version: 1\nname: key_databases\n" + body, encoding="utf-8")
    return path


@pytest.mark.parametrize("body, says", [
    ("databases:\n  - {id: land, name_vi: Đất, name_en: Land, lead_department: SNNMT, national_system: X, "
     "stage: done, target_date: '2026-12-31'}\n", "stage 'done'"),
    ("databases:\n  - {id: land, name_vi: Đất, name_en: Land, lead_department: SNNMT, national_system: X, "
     "stage: building, target_date: '31/12/2026'}\n", "target_date"),
    ("databases:\n  - {id: land, name_vi: Đất, name_en: Land, national_system: X, stage: building, "
     "target_date: '2026-12-31'}\n", "missing lead_department"),
    ("databases:\n  - {id: a, name_vi: A, name_en: A, lead_department: STC, national_system: X, stage: planned, "
     "target_date: '2026-12-31', datasets: [birth]}\n  - {id: b, name_vi: B, name_en: B, lead_department: STC, "
     "national_system: X, stage: planned, target_date: '2026-12-31', datasets: [birth]}\n", "both 'a' and 'b'"),
])
def test_a_bad_province_file_is_refused_naming_file_and_database(tmp_path, body, says):
    path = _province_file(tmp_path, body)
    with pytest.raises(LamsachError) as caught:
        load_key_databases(path)
    message = caught.value.message("en")
    assert str(path) in message and says in message


def _scorecard(store: SqlAlchemyStore, day: str, figures: dict[str, tuple[int, int]], campaign: str = "c") -> None:
    """A complete run whose scorecard has, per dataset, (records, records passing everything)."""
    run = store.start_run(campaign, None, day, "test")
    rows = []
    for dataset, (records, passing) in figures.items():
        for criterion in [*(c.value for c in DATA_CRITERIA), OVERALL]:
            rows.append({"unit": "16012", "dataset": dataset, "criterion": criterion, "records": records,
                         "passing": passing})
    store.save_scorecard(run, rows)
    store.finish_run(run, "complete", {})


def test_stages_the_data_proves_are_computed_and_hand_set_ones_say_so(tmp_path):
    store = SqlAlchemyStore.open(f"sqlite:///{tmp_path / 's.db'}")
    _scorecard(store, "2026-10-05", {"land_parcel": (1000, 800), "birth": (100, 90), "death": (10, 10)})
    _scorecard(store, "2026-10-12", {"land_parcel": (1000, 850)}, campaign="other")
    _scorecard(store, "2026-10-19", {"land_parcel": (1000, 900), "birth": (100, 97), "death": (10, 10),
                                     "marriage": (90, 88)})
    province = database_statuses(load_key_databases(), store, date(2026, 10, 20))
    rows = {r.database.id: r for r in province.rows}

    land = rows["land"]
    assert (land.stage, land.stage_source) == ("populated", "data")
    assert land.records == 1000 and land.scores[OVERALL] == pytest.approx(0.9)
    assert land.reported_unproved  # the department reports "connected"; 90 % is not cleaned
    assert land.outlook == "on_track" and land.projected >= 0.95  # +5 points a week, target at year end

    # 97 + 10 + 88 of 200 pass: cleaned; its connection is the department's word (no sync figures),
    # and the "shared" it reports is not shown by the data
    civil = rows["civil_status"]
    assert (civil.stage, civil.stage_source) == ("connected", "hand") and civil.reported_unproved
    assert civil.complete and civil.outlook == "done"
    assert [f.records for f in civil.datasets] == [100, 10, 90]

    assert (rows["health"].stage, rows["health"].stage_source) == ("connected", "hand")
    assert rows["health"].complete and rows["health"].outlook == "done"
    assert (rows["goods"].stage_source, rows["goods"].outlook) == ("hand", "unknown")
    assert province.complete_count == 4  # civil status, and health, education, social security by hand
    assert province.total == 12
    late = {r.database.id: r for r in database_statuses(load_key_databases(), store, date(2027, 1, 4)).rows}
    assert late["land"].outlook == "missed"


def test_sync_acknowledgements_prove_connected_and_the_shared_score_proves_shared(tmp_path):
    store = SqlAlchemyStore.open(f"sqlite:///{tmp_path / 's.db'}")
    run = store.start_run("c", None, "2026-10-05", "test")
    store.save_scorecard(run, [{"unit": "u", "dataset": "land_parcel", "criterion": c, "records": 100, "passing": 99}
                               for c in [*(c.value for c in DATA_CRITERIA), OVERALL, "shared"]])
    store.finish_run(run, "complete", {})
    acknowledged = {"land_parcel": {"acknowledged": 3, "pending": 0}}
    land = next(r for r in database_statuses(load_key_databases(), store, date(2026, 10, 6),
                                             sync_state=lambda: acknowledged).rows if r.database.id == "land")
    assert (land.stage, land.stage_source, land.connected, land.complete) == ("shared", "data", True, True)
    waiting = {"land_parcel": {"acknowledged": 0, "pending": 100}}
    land = next(r for r in database_statuses(load_key_databases(), store, date(2026, 10, 6),
                                             sync_state=lambda: waiting).rows if r.database.id == "land")
    assert land.connected is False and land.stage == "cleaned"  # sync says not yet: the report is not believed


@pytest.mark.parametrize("width", [80, 200])
def test_cli_lists_the_twelve_and_the_count(tmp_path, width):
    """In an 80-column terminal as in a wide one, names and phrases are whole (never broken over lines)."""
    store = SqlAlchemyStore.open(f"sqlite:///{tmp_path / 'lamsach.db'}")
    _scorecard(store, "2026-10-05", {"land_parcel": (1000, 800)})
    before = console._width
    console.width = width
    try:
        result = CliRunner().invoke(app, ["databases", "--data-dir", str(tmp_path), "--as-of", "2026-10-06"])
    finally:
        console._width = before
    assert result.exit_code == 0, result.output
    assert "12 CSDL trọng điểm" in result.output and "CSDL an sinh xã hội" in result.output
    assert "4/12 CSDL đã hoàn thành" in result.output  # health, education, civil status, social security by hand
    assert "80.0%" in result.output and "nhập tay" in result.output
    assert max(len(line) for line in result.output.splitlines()[:40]) <= width  # where each stands: fits
    bad = CliRunner().invoke(app, ["databases", "--data-dir", str(tmp_path), "--catalogue", str(tmp_path / "x.yaml")])
    assert bad.exit_code == 1 and "x.yaml" in bad.output and "Traceback" not in bad.output
