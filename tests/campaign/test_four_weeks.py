"""A four-week campaign on a generated province: units that return corrected workbooks improve,
one unit stalls after its first file, one never sends anything. The snapshots, forecasts, lagging
flags and the weekly report must show exactly that."""

from __future__ import annotations

import os
import re
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
                    report={"issuing_body": "ỦY BAN NHÂN DÂN TỈNH THANH HÓA", "number": "…/BC-UBND",
                            "signer_title": "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", "signer_name": "Lê Văn Bình"})
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
    by_database = [[c.value for c in row] for row in book["Theo CSDL"].iter_rows(min_row=2)]
    databases = [r[0] for r in by_database if r[0]]
    assert databases.index("CSDL đất đai") < databases.index("CSDL hộ tịch") < databases.index("CSDL an sinh xã hội")
    land = next(i for i, r in enumerate(by_database) if r[0] == "CSDL đất đai")
    end = next(i for i in range(land + 1, len(by_database)) if by_database[i][0])
    assert by_database[land][2] == sum(r[2] for r in by_database[land + 1:end]) > 0  # its datasets' records
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


def _show_rows(campaign) -> dict[str, str]:
    """`lamsach campaign show` as a coordinator runs it: each unit's line by its code."""
    from typer.testing import CliRunner

    from lamsach.cli.app import app as cli
    from lamsach.cli.console import console

    width = console.width  # Rich reads COLUMNS once, when the console is made: a wide terminal is set here
    console.width = 400
    try:
        result = CliRunner().invoke(cli, ["campaign", "show", campaign["spec"].name, "--data-dir",
                                          str(campaign["folder"] / "data")])
    finally:
        console.width = width
    assert result.exit_code == 0, result.output
    assert "Tuần 44 (26/10–01/11/2026)" in result.output and "Toàn tỉnh" in result.output
    return {unit: next(line for line in result.output.splitlines() if f" {unit} " in line)
            for unit in [campaign["silent"], campaign["stalled"], *campaign["improving"]]}


def _dashboard_rows(campaign) -> dict:
    from fastapi.testclient import TestClient

    from lamsach.backends.store.users import add_user
    from lamsach.web import WebConfig, create_app
    from lamsach.web.passwords import hash_password

    add_user(campaign["store"], "tinh", "admin", None, hash_password("mat-khau-tinh-1"))
    app = create_app(WebConfig(settings=Settings(data_dir=campaign["folder"] / "data")))
    try:
        client = TestClient(app)
        form = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        signed = client.post("/login", data={"username": "tinh", "password": "mat-khau-tinh-1", "csrf_token": token,
                                             "next": "/dashboard"}, follow_redirects=False)
        assert signed.status_code == 303, signed.text[:300]
        page = client.get("/dashboard")
        assert page.status_code == 200
        return {u.unit: u for u in page.context["page"].units}, page.context["page"], page.text
    finally:
        app.state.jobs.shutdown()


def test_silent_returning_and_stalling_units_show_in_campaign_show_the_dashboard_and_the_pdf(campaign, tmp_path):
    """The coordinator's four weeks end to end: the unit that sent nothing, the units that
    returned corrected workbooks every week and the unit that stalled after its first file each
    read as they should — in words, dates and Vietnamese figures — wherever the coordinator looks."""
    silent, stalled, returning = campaign["silent"], campaign["stalled"], campaign["improving"]
    shown = _show_rows(campaign)
    assert "không gửi dữ liệu" in shown[silent] and "chưa gửi" in shown[silent]
    assert "sẽ không kịp hạn" in shown[stalled] and "05/10/2026" in shown[stalled]
    for unit in returning:
        assert "25/10/2026" in shown[unit] and "không gửi dữ liệu" not in shown[unit]
        assert "+" in shown[unit] and "," in shown[unit]  # a rise, with a decimal comma

    units, page, html = _dashboard_rows(campaign)
    assert page.week == "Tuần 44 (26/10–01/11/2026)"
    assert units[silent].lagging and "no_submission" in units[silent].lagging_reasons
    assert units[silent].last_submission is None
    assert units[stalled].lagging and units[stalled].outlook == "will_miss" and units[stalled].change == 0.0
    assert units[stalled].last_submission == "05/10/2026"
    for unit in returning:
        assert "no_submission" not in units[unit].lagging_reasons and units[unit].change > 0
        assert units[unit].last_submission == "25/10/2026" and units[unit].outlook in ("on_track", "at_risk")
        assert units[unit].forecast < 1.0 or units[unit].overall == 1.0  # its own trend, not a line clamped at 100%
    assert f'data-unit="{silent}" class="lagging-row"' in html and "sẽ không kịp hạn" in html

    progress = campaign_progress(campaign["store"], campaign["spec"])
    paths = write_weekly_report(progress, tmp_path, issued=date(2026, 10, 26))
    if not Path("/usr/bin/pdftoppm").exists():
        pytest.skip("poppler-utils (pdftoppm, pdftotext) is not installed; .ci/run installs it")
    text = subprocess.run(["pdftotext", "-layout", str(paths["pdf"]), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Thanh Hóa, ngày 26 tháng 10 năm 2026" in text
    assert "PHÓ CHỦ TỊCH" in text and "Lê Văn Bình" in text and "Toàn tỉnh" in text
    assert "Tuần 44 (26/10–01/11/2026)" in text
    lag_section = text[text.index("III. ĐƠN VỊ CHẬM TIẾN ĐỘ"):text.index("IV. BIỂU ĐỒ")]
    assert "chưa gửi" in " ".join(lag_section.split())
    for row in progress.latest():  # a returning unit is listed only when its forecast falls short
        assert bool(re.search(rf"(?<![\d.]){row.unit}(?![\d.])", lag_section)) == row.lagging, row.unit
    assert {silent, stalled} <= {r.unit for r in progress.latest() if r.lagging}
    assert not set(returning) <= {r.unit for r in progress.latest() if r.lagging}
    assert re.search(r"\d+,\d%", text) and not re.search(r"\d+\.\d%", text)  # decimal commas

    subprocess.run(["pdftoppm", "-png", "-r", "60", str(paths["pdf"]), str(tmp_path / "trang")], check=True)
    pages = sorted(tmp_path.glob("trang-*.png"))
    assert pages
    from PIL import Image

    lag_pink = province_black = 0
    for path in pages:
        with Image.open(path) as image:
            for count, (r, g, b) in image.convert("RGB").getcolors(maxcolors=1 << 24):
                lag_pink += count * (abs(r - 0xFD) < 6 and abs(g - 0xE9) < 6 and abs(b - 0xE7) < 6)
                province_black += count * (r < 30 and g < 30 and b < 30)
    assert lag_pink > 500, "the lagging units' rows are not highlighted in the PDF"
    assert province_black > 2000, "the PDF has no text or province line"
