"""A unit sends files and correction workbooks through the web: the pass runs in the background,
and the job page shows what was read, rejected with reasons, and found."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from web_fixtures import csrf_of, sign_in

from officer_fixtures import edit_workbook, officer_fixes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def officer(app):
    client = TestClient(app)
    sign_in(client, "officer")
    return client


def _land_file(world) -> Path:
    return world.campaign_file.parent / "land" / f"{world.unit}.xlsx"


def _changed_land_file(world) -> bytes:
    """The unit's land file with one new parcel and one row without its record ID."""
    book = load_workbook(_land_file(world))
    sheet = book.active
    last = [c.value for c in sheet[sheet.max_row]]
    sheet.append([len(last), "TD99999999", *last[2:]])
    sheet.append([len(last) + 1, None, *last[2:]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _wait(app, response):
    assert response.status_code == 303, response.text[:400]
    job_id = response.headers["location"].rsplit("/", 1)[-1]
    return app.state.jobs.wait(job_id)


def test_upload_runs_the_pass_and_shows_read_rejected_found(app, world, officer):
    page = officer.get("/upload")
    assert page.context["page"].units == [(world.unit, page.context["page"].units[0][1])]
    assert "population" not in page.context["page"].datasets
    response = officer.post("/upload", data={"dataset": "land_parcel", "csrf_token": csrf_of(page.text)},
                            files={"file": ("thửa đất.xlsx", _changed_land_file(world), XLSX)},
                            follow_redirects=False)
    job = _wait(app, response)
    assert job.state == "done", (job.problems, job.reference)
    progress = officer.get(f"/jobs/{job.id}/progress")
    assert progress.headers.get("HX-Refresh") == "true" and 'data-state="done"' in progress.text
    result = officer.get(f"/jobs/{job.id}")
    context = result.context["page"]
    mine = [s for s in context.sources if s["name"].endswith("thửa đất.xlsx")]
    assert len(mine) == 1 and mine[0]["rows_rejected"] == 1 and mine[0]["created"] == 1
    assert mine[0]["rejections"][0]["code"] == "INGEST_ROW_KEY_MISSING"
    assert 'data-code="INGEST_ROW_KEY_MISSING"' in result.text
    assert sum(by.get("open", 0) for by in context.found.values()) > 0
    assert app.state.store.record(world.campaign, "land_parcel", "TD99999999") is not None


def test_the_weekly_campaign_run_reads_what_units_sent_through_the_web(app, world, officer, tmp_path):
    """`lamsach campaign run` on the command line runs on the same files as the web's passes:
    the unit's upload in place of the file the campaign declared for it."""
    from typer.testing import CliRunner

    from lamsach.cli.app import app as cli

    token = csrf_of(officer.get("/upload").text)
    response = officer.post("/upload", data={"dataset": "land_parcel", "csrf_token": token},
                            files={"file": ("thửa đất.xlsx", _changed_land_file(world), XLSX)}, follow_redirects=False)
    assert _wait(app, response).state == "done"
    result = CliRunner().invoke(cli, ["campaign", "run", world.campaign, "--data-dir", str(world.data_dir),
                                      "--out", str(tmp_path / "out"), "--as-of", "2026-10-20"])
    assert result.exit_code == 0, result.output
    store = app.state.store
    run = store.latest_run(world.campaign)
    sources = json.loads(store.run(run["id"])["summary"])["sources"]  # the list omits summaries
    land = {Path(s["file"]).name: s for s in sources if s.get("unit") == world.unit and s["dataset"] == "land_parcel"}
    assert len(land) == 1 and next(iter(land)).endswith("thửa đất.xlsx"), land
    assert store.record(world.campaign, "land_parcel", "TD99999999") is not None


def test_a_file_that_cannot_be_read_is_refused_before_a_pass_on_the_form(app, world, officer):
    """Checked on arrival (readable, of the dataset, header found): the upload form again with why,
    naming the file as sent and never a server path; no pass is queued. Then a good file runs."""
    token = csrf_of(officer.get("/upload").text)
    for name, content, code in (("hỏng.xlsx", b"this is not a workbook", "INGEST_FILE_CORRUPT"),
                                ("rỗng.csv", b"", "UPLOAD_EMPTY"),
                                ("dân cư.csv", "Họ và tên,Ngày sinh\nA,01/01/1990\n".encode(), "INGEST_")):
        response = officer.post("/upload", data={"dataset": "land_parcel", "csrf_token": token},
                                files={"file": (name, content, XLSX)}, follow_redirects=False)
        assert response.status_code == 400 and response.template.name == "upload.html", name
        problems = response.context["page"].problems
        assert problems and problems[0].code.startswith(code), (name, problems)
        assert 'form method="post" action="/upload"' in response.text and "#upload-problems" not in name
        assert str(world.data_dir) not in response.text and "/tmp/" not in response.text
        if code != "UPLOAD_EMPTY":
            assert name in problems[0].message
    assert app.state.jobs.recent(world.campaign) == []
    again = officer.post("/upload", data={"dataset": "land_parcel", "csrf_token": token},
                         files={"file": ("lại.xlsx", _land_file(world).read_bytes(), XLSX)}, follow_redirects=False)
    assert _wait(app, again).state == "done"


def test_refused_uploads_before_any_pass(officer):
    token = csrf_of(officer.get("/upload").text)
    wrong_type = officer.post("/upload", data={"dataset": "land_parcel", "csrf_token": token},
                              files={"file": ("a.pdf", b"%PDF", "application/pdf")})
    assert wrong_type.status_code == 400 and 'data-code="UPLOAD_TYPE"' in wrong_type.text
    assert 'action="/upload"' in wrong_type.text  # back on the form
    register = officer.post("/upload", data={"dataset": "population", "csrf_token": token},
                            files={"file": ("a.csv", b"x", "text/csv")})
    assert register.status_code == 400 and 'data-code="DATASET_UNKNOWN"' in register.text


def test_correction_workbook_round_trip(app, world, officer):
    download = officer.get(f"/workbook/{world.unit}")
    assert download.status_code == 200 and download.headers["content-type"] == XLSX
    exported = world.root / "exported.xlsx"
    exported.write_bytes(download.content)
    store = app.state.store
    findings = store.unit_findings(world.run_id, world.unit)
    records = {(f["dataset"], f["record_key"]): store.record(world.campaign, f["dataset"], f["record_key"]).data
               for f in findings}
    fixes = officer_fixes(world.campaign_file, findings, records)
    returned = world.root / "đã sửa.xlsx"
    edit_workbook(exported, returned, dict(sorted(fixes.items())[:2]))
    token = csrf_of(officer.get("/upload").text)
    response = officer.post("/workbook", data={"csrf_token": token},
                            files={"file": ("đã sửa.xlsx", returned.read_bytes(), XLSX)}, follow_redirects=False)
    job = _wait(app, response)
    assert job.state == "done" and job.kind == "workbook"
    assert len(store.history(world.campaign, source="unit workbook")) == 2
    # the pass that workbook started made a newer round: the same workbook sent again is not
    # refused for that, and changes nothing twice
    again = officer.post("/workbook", data={"csrf_token": token},
                         files={"file": ("cũ.xlsx", returned.read_bytes(), XLSX)}, follow_redirects=False)
    assert _wait(app, again).state == "done"
    assert len(store.history(world.campaign, source="unit workbook")) == 2


def test_a_pass_from_the_web_is_today_and_the_upload_counts_as_sent_today(app, world, officer):
    """The campaign file's reference date is for its own files: the web's pass is dated today
    (Vietnam), and the unit that uploaded is not flagged "no submission" that week."""
    from lamsach.campaign import campaign_progress
    from lamsach.domain.clock import today_vn
    from lamsach.web.campaigns import campaign_spec

    token = csrf_of(officer.get("/upload").text)
    response = officer.post("/upload", data={"dataset": "land_parcel", "csrf_token": token},
                            files={"file": ("thửa đất.xlsx", _changed_land_file(world), XLSX)}, follow_redirects=False)
    job = _wait(app, response)
    assert job.state == "done", (job.problems, job.reference)
    store = app.state.store
    assert store.run(job.run_id)["reference_date"] == today_vn().isoformat()
    sent = [s for s in store.submissions(world.campaign) if s["unit"] == world.unit]
    assert today_vn().isoformat() in {s["date"] for s in sent}
    spec = campaign_spec(store, world.campaign, app.state.config.work_dir)
    row = campaign_progress(store, spec).units[world.unit][-1]
    assert row.snapshot_date == today_vn() and row.last_submission == today_vn()
    assert "no_submission" not in row.lagging_reasons


def test_a_failed_jobs_problems_name_the_file_as_sent_never_the_server_path():
    from lamsach.domain import ErrorCode, LamsachError, Location
    from lamsach.web.upload import _as_sent, shown_name

    kept = "/srv/lamsach-data/web/uploads/3f2a/16012/land_parcel/20261206T021500123456-thửa đất.xlsx"
    assert shown_name(kept) == "thửa đất.xlsx" and shown_name("/x/land/16012.xlsx") == "16012.xlsx"
    item = _as_sent(LamsachError(ErrorCode.INGEST_FILE_CORRUPT, Location(file=kept, sheet="Sheet1"),
                                 {"expected": ".xlsx", "reason": "?"}), "vi")
    assert "thửa đất.xlsx" in item.message and "/srv/" not in item.message and item.location["file"] == "thửa đất.xlsx"
