"""A unit merges a duplicate in its correction workbook and sends it through the web: the record
is merged as from the record page (versioned, named with the file and cell), and undone there;
a bad choice in the "Xử lý" column is refused at its cell on the upload form, nothing stored."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from test_upload import XLSX, _wait
from web_fixtures import csrf_of, sign_in

from lamsach.domain.lifecycle import in_use

SHEET = "land_parcel"


@pytest.fixture
def admin(app):
    client = TestClient(app)
    sign_in(client, "admin")
    return client


def _duplicate(app, world) -> tuple[str, str, str]:
    """(unit, duplicate, record kept) of an open land duplicate of the latest run."""
    run = app.state.store.latest_run(world.campaign)
    return next((f["unit"], f["record_key"], f["suggested_value"]) for f in app.state.store.findings(run["id"])
                if f["rule"] == "duplicate_record" and f["status"] == "open" and f["dataset"] == SHEET
                and f["unit"] and f["suggested_value"] and f["suggested_value"] != f["record_key"])


def _returned(admin, unit: str, key: str, choice: str) -> bytes:
    """The unit's workbook as downloaded, with `choice` in the "Xử lý" cell of record `key`."""
    download = admin.get(f"/workbook/{unit}")
    assert download.status_code == 200 and download.headers["content-type"] == XLSX
    book = load_workbook(io.BytesIO(download.content))
    sheet = book[SHEET]
    column = next(c.column for c in sheet[1] if c.value == "Xử lý")
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == key)
    sheet.cell(row, column).value = choice
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_duplicate_merged_in_the_workbook_is_merged_and_undone_on_the_web(app, world, admin):
    unit, duplicate, kept = _duplicate(app, world)
    content = _returned(admin, unit, duplicate, "Gộp vào hồ sơ giữ lại")
    token = csrf_of(admin.get("/upload").text)
    response = admin.post("/workbook", data={"csrf_token": token, "unit": unit},
                          files={"file": ("đã gộp.xlsx", content, XLSX)}, follow_redirects=False)
    job = _wait(app, response)
    assert job.state == "done" and job.kind == "workbook", (job.problems, job.reference)
    store = app.state.store
    assert store.record(world.campaign, SHEET, duplicate).data["_state"] == f"merged:{kept}"
    change = next(c for c in store.history(world.campaign, SHEET, duplicate) if c.field == "_state")
    assert change.source == "unit workbook" and change.actor == "admin" and "đã gộp.xlsx" in change.reason
    # the pass the workbook started no longer checks the merged record
    assert duplicate not in {f["record_key"] for f in store.unit_findings(job.run_id, unit)}

    undone = admin.post(f"/records/{SHEET}/{duplicate}/undo/{change.id}",
                        data={"reason": "gộp nhầm", "csrf_token": token}, follow_redirects=False)
    assert undone.status_code == 303
    assert in_use(store.record(world.campaign, SHEET, duplicate).data)


def test_a_bad_choice_is_refused_at_its_cell_before_any_pass(app, world, admin):
    unit, duplicate, _ = _duplicate(app, world)
    content = _returned(admin, unit, duplicate, "Xóa luôn")
    token = csrf_of(admin.get("/upload").text)
    response = admin.post("/workbook", data={"csrf_token": token, "unit": unit},
                          files={"file": ("gửi lại.xlsx", content, XLSX)}, follow_redirects=False)
    assert response.status_code == 422  # refused as a whole: the form shows why, cell by cell
    assert 'data-code="REVIEW_ACTION_UNKNOWN"' in response.text and "gửi lại.xlsx" in response.text
    assert "Xóa luôn" in response.text and "Xử lý (" in response.text
    assert app.state.store.history(world.campaign, source="unit workbook") == []
