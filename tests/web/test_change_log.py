"""The change log: every change of the campaign's records, newest first, for the inspector (and
an officer's own unit), narrowed by source, person and unit; ID numbers masked as on the queue."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from test_review_actions import _lone_suggestion
from web_fixtures import csrf_of, sign_in

from lamsach.backends.store.users import audit_entries
from lamsach.data import rule_label

FULL_ID = re.compile(r"(?<![\d*])\d{12}(?![\d*])")


def _client(app, username):
    client = TestClient(app)
    sign_in(client, username)
    return client


def test_the_inspector_sees_an_officers_fix_with_who_when_why(app, world):
    officer = _client(app, "officer")
    finding = _lone_suggestion(app, world)
    token = csrf_of(officer.get("/queue").text)
    officer.post(f"/queue/{finding['id']}/accept", headers={"HX-Request": "true", "X-CSRF-Token": token})
    inspector = _client(app, "inspector")
    page = inspector.get("/changes?source=person")
    assert page.status_code == 200
    rows = page.context["page"].rows
    assert page.context["page"].total >= 1 and {r.source for r in rows} == {"person"}
    mine = next(r for r in rows if r.record_key == finding["record_key"])
    assert (mine.actor, mine.dataset, mine.rule) == ("officer", "land_parcel", finding["rule"])
    assert rule_label(finding["rule"]) in mine.reason and finding["rule"] not in mine.reason  # its name, not its code
    assert inspector.get("/changes?actor=nobody").context["page"].total == 0
    assert audit_entries(app.state.store, actor="inspector")[0][0]["action"] == "view_changes"


def test_an_officer_sees_the_own_units_changes_only(shared_app, built_world):
    officer = _client(shared_app, "officer")
    page = officer.get("/changes").context["page"]
    assert page.unit_locked and page.total > 0
    assert {r.unit_label for r in page.rows} == {next(iter({r.unit_label for r in page.rows}))}
    assert built_world.unit in page.rows[0].unit_label
    assert officer.get(f"/changes?unit={built_world.other_unit}").status_code == 403


def test_id_numbers_in_changes_are_masked_except_for_the_province(shared_app, built_world):
    store = shared_app.state.store
    change = next(c for c in store.history(built_world.campaign, "land_parcel")
                  if FULL_ID.fullmatch(c.new_value or ""))  # an owner's ID repaired (a lost leading zero)
    url = f"/changes?dataset=land_parcel&record_key={change.record_key}"
    inspector, admin = _client(shared_app, "inspector"), _client(shared_app, "admin")
    masked = inspector.get(url).text.split("<table", 1)[1]
    full = admin.get(url).text.split("<table", 1)[1]
    assert change.new_value in full and change.new_value not in masked and not FULL_ID.search(masked)
    assert change.new_value[:3] + "******" + change.new_value[-3:] in masked


def test_the_change_log_downloads_as_csv_for_excel_masked_and_logged(shared_app, built_world):
    import csv
    import io

    store = shared_app.state.store
    inspector = _client(shared_app, "inspector")
    page = inspector.get("/changes?dataset=land_parcel&source=repair")
    assert 'data-action="export"' in page.text
    response = inspector.get("/changes.csv?dataset=land_parcel&source=repair")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())  # Excel reads the Vietnamese as UTF-8
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Thời điểm", "Người thay đổi", "Nguồn"]
    assert len(body) == page.context["page"].total > 50  # every change, not one page
    assert {r[4] for r in body} == {"Đất đai"} and not FULL_ID.search(response.content.decode("utf-8-sig"))
    assert audit_entries(store, actor="inspector", action="export_changes")[1] >= 1
    officer = _client(shared_app, "officer")
    assert officer.get(f"/changes.csv?unit={built_world.other_unit}").status_code == 403
