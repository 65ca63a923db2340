"""A four-week campaign on a generated province: units that return corrected workbooks improve,
one unit stalls after its first file, one never sends anything. The snapshots, forecasts, lagging
flags and the weekly report must show exactly that."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from lamsach.backends.store import SqlAlchemyStore
from lamsach.campaign import campaign_progress, load_campaign
from lamsach.generate import generate_province
from lamsach.report.weekly import write_weekly_report
from lamsach.review import apply_correction_workbook, export_correction_workbook
from lamsach.runner import run_pass
from lamsach.settings import Settings
from officer_fixtures import edit_workbook, officer_fixes

START = date(2026, 10, 1)
WEEKS = [START + timedelta(days=4 + 7 * i) for i in range(4)]  # Mondays 5, 12, 19, 26 October


@pytest.fixture(scope="module")
def campaign(tmp_path_factory):
    folder = tmp_path_factory.mktemp("campaign")
    manifest = generate_province(folder / "province", people=2400, seed=21, reference_date=START)
    document = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    land = [s["unit"] for s in document["sources"] if s["dataset"] == "land_parcel"]
    assert len(land) >= 4
    silent, stalled, improving = land[-1], land[-2], land[:-2]
    document["sources"] = [s for s in document["sources"] if s.get("unit") != silent]
    document.pop("reference_date", None)
    document.update(start=START.isoformat(), deadline="2026-11-30", targets={"overall": 0.97},
                    lagging={"no_submission_days": 10, "forecast_weeks": 3},
                    report={"issuing_body": "ỦY BAN NHÂN DÂN TỈNH THANH HÓA", "number": "…/BC-UBND"})
    path = manifest.parent / "campaign.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    spec = load_campaign(path)
    settings = Settings(data_dir=folder / "data")
    store = SqlAlchemyStore.open(settings.store_url)
    store.save_campaign(spec.name, str(path), path.read_text(encoding="utf-8"))

    summary = run_pass(path, folder / "week1", settings, reference_date=WEEKS[0])
    for n, day in enumerate(WEEKS[1:], start=2):
        for unit in improving:
            findings = store.unit_findings(summary.run_id, unit)
            records = {(f["dataset"], f["record_key"]): store.record(spec.name, f["dataset"], f["record_key"]).data
                       for f in findings}
            fixes = officer_fixes(manifest, findings, records)
            share = dict(sorted(fixes.items())[: max(1, len(fixes) // (len(WEEKS) - n + 1))])
            exported = export_correction_workbook(store, spec.name, unit, folder / f"{unit}-{n}.xlsx")
            returned = folder / f"{unit}-{n}-đã sửa.xlsx"
            edit_workbook(exported.path, returned, share)
            received = datetime.combine(day - timedelta(days=1), datetime.min.time(), UTC)
            apply_correction_workbook(store, returned, f"cán bộ {unit}", expected_unit=unit, received_at=received)
        summary = run_pass(path, folder / f"week{n}", settings, reference_date=day)
    return {"spec": spec, "store": store, "improving": improving, "stalled": stalled, "silent": silent,
            "folder": folder}


def test_one_snapshot_per_week(campaign):
    progress = campaign_progress(campaign["store"], campaign["spec"])
    assert progress.weeks == ["2026-W41", "2026-W42", "2026-W43", "2026-W44"]


def test_units_returning_workbooks_improve_every_week(campaign):
    progress = campaign_progress(campaign["store"], campaign["spec"])
    for unit in campaign["improving"]:
        weeks = progress.units[unit]
        assert all(w.change is not None and w.change > 0 for w in weeks[1:]), (unit, [w.change for w in weeks])
        assert weeks[-1].forecast is not None and weeks[-1].forecast > weeks[0].scores["overall"]
        assert weeks[-1].last_submission == WEEKS[-1] - timedelta(days=1)


def test_the_stalled_unit_is_flat_and_lagging(campaign):
    weeks = campaign_progress(campaign["store"], campaign["spec"]).units[campaign["stalled"]]
    assert [w.change for w in weeks[1:]] == [0.0, 0.0, 0.0]
    assert weeks[-1].scores["overall"] < 0.97
    assert set(weeks[-1].lagging_reasons) == {"forecast_below_target", "no_submission"}
    assert weeks[-1].last_submission == WEEKS[0]


def test_the_silent_unit_is_lagging_for_sending_nothing(campaign):
    weeks = campaign_progress(campaign["store"], campaign["spec"]).units[campaign["silent"]]
    assert weeks[-1].last_submission is None and "no_submission" in weeks[-1].lagging_reasons
    assert not weeks[0].lagging or "no_submission" not in weeks[0].lagging_reasons  # 4 days in: not yet


def test_snapshots_are_not_recomputed_from_later_data(campaign):
    early = campaign_progress(campaign["store"], campaign["spec"], as_of=WEEKS[1])
    late = campaign_progress(campaign["store"], campaign["spec"])
    for unit, weeks in early.units.items():
        assert [w.scores for w in weeks] == [w.scores for w in late.units[unit][:2]]


def test_weekly_report_pdf_and_xlsx_show_the_lagging_units(campaign, tmp_path):
    progress = campaign_progress(campaign["store"], campaign["spec"])
    paths = write_weekly_report(progress, tmp_path, issued=WEEKS[-1])
    html = paths["html"].read_text(encoding="utf-8")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html and "Tuần 44 (26/10–01/11/2026)" in html
    # datasets grouped under the key database they belong to, in the catalogue's order
    section = html.split("Theo cơ sở dữ liệu trọng điểm")[1].split("</table>")[0]
    order = [section.index(n) for n in ("CSDL đất đai", "CSDL hộ tịch", "CSDL an sinh xã hội",
                                         "Dữ liệu đối chiếu")]
    assert order == sorted(order) and "Người tham gia bảo hiểm xã hội" in section
    lagging = {r.unit for r in progress.latest() if r.lagging}
    assert {campaign["stalled"], campaign["silent"]} <= lagging
    assert not set(campaign["improving"]) <= lagging
    book = load_workbook(paths["xlsx"])
    sheet = book["Theo đơn vị"]
    lagging_column = [c.value for c in sheet[4]].index("Chậm tiến độ")
    flagged = {row[1].value for row in sheet.iter_rows(min_row=5) if row[lagging_column].value}
    assert flagged == lagging
    if not Path("/usr/bin/pdftoppm").exists():
        pytest.skip("pdftoppm (poppler-utils) is not installed; .ci/run installs it")
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(paths["pdf"]), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 1 and all(p.stat().st_size > 5_000 for p in pages)


def test_the_shared_criterion_is_shown_beside_the_five_at_zero_before_any_sync(campaign, tmp_path):
    progress = campaign_progress(campaign["store"], campaign["spec"])
    assert all(r.scores["shared"] == 0 for r in progress.latest())
    paths = write_weekly_report(progress, tmp_path, issued=WEEKS[-1])
    assert "Dùng chung" in paths["html"].read_text(encoding="utf-8")
    sheet = load_workbook(paths["xlsx"])["Theo đơn vị"]
    headers = [c.value for c in sheet[4]]
    assert headers[headers.index("Thống nhất") + 1] == "Dùng chung"
    shared = headers.index("Dùng chung")
    assert {row[shared].value for row in sheet.iter_rows(min_row=5) if row[1].value} == {0}
    shown = subprocess.run([sys.executable, "-m", "lamsach.cli", "campaign", "show", campaign["spec"].name,
                            "--data-dir", str(campaign["folder"] / "data")], capture_output=True, text=True,
                           timeout=300, env={**os.environ, "COLUMNS": "250"})
    assert shown.returncode == 0, shown.stderr
    assert "Dùng chung" in shown.stdout and "0,0%" in shown.stdout
