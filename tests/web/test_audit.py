"""Every view of a person's record and every API lookup is logged with who, when and why."""

from __future__ import annotations

from fastapi.testclient import TestClient
from web_fixtures import API_TOKEN, sign_in

from lamsach.backends.store.users import audit_entries


def test_record_views_and_lookups_are_logged(app, world):
    store = app.state.store
    before = audit_entries(store)[1]  # the copied store may hold earlier tests' rows
    agency_before = audit_entries(store, actor="agency")[1]
    officer = TestClient(app)
    sign_in(officer, "officer")
    record = next(r for r in store.load_records(world.campaign, "land_parcel") if r.unit == world.unit)
    officer.get(f"/records/land_parcel/{record.key}")  # the purpose question: not a view yet
    assert audit_entries(store)[1] == before
    officer.get(f"/records/land_parcel/{record.key}?purpose=correct_finding")
    person = next(r for r in store.load_records(world.campaign, "population") if r.data.get("citizen_id"))
    TestClient(app).get("/api/lookup/residence", headers={"Authorization": f"Bearer {API_TOKEN}"},
                        params={"citizen_id": person.data["citizen_id"], "commune": "15085",
                                "purpose": "verify_citizen_request"})
    entries, total = audit_entries(store)
    assert total == before + 2
    lookup, view = entries[:2]
    assert (view["actor"], view["role"], view["action"], view["dataset"], view["record_key"], view["unit"],
            view["purpose"]) == ("officer", "officer", "view_record", "land_parcel", record.key, world.unit,
                                 "correct_finding")
    assert (lookup["actor"], lookup["action"], lookup["purpose"]) == ("agency", "lookup_residence",
                                                                      "verify_citizen_request")
    assert person.data["citizen_id"] not in (lookup["detail"] or "")
    assert view["at"] is not None

    inspector = TestClient(app)
    sign_in(inspector, "inspector")
    page = inspector.get("/audit").context["page"]
    assert [e["action"] for e in page.entries[:2]] == ["lookup_residence", "view_record"]
    assert inspector.get("/audit?actor=agency").context["page"].total == agency_before + 1


def test_failed_sign_ins_are_logged(app):
    sign_in(TestClient(app), "admin", "not the password")
    entries, _ = audit_entries(app.state.store, action="sign_in_failed")
    assert entries[0]["actor"] == "admin"


def test_the_audit_log_downloads_as_csv_for_the_inspector_only(app, world):
    import csv
    import io

    officer = TestClient(app)
    sign_in(officer, "officer")
    record = next(r for r in app.state.store.load_records(world.campaign, "land_parcel") if r.unit == world.unit)
    officer.get(f"/records/land_parcel/{record.key}?purpose=correct_finding")
    assert officer.get("/audit.csv").status_code == 403
    inspector = TestClient(app)
    sign_in(inspector, "inspector")
    response = inspector.get("/audit.csv?action=view_record")
    assert response.status_code == 200 and response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) - 1 == inspector.get("/audit?action=view_record").context["page"].total >= 1
    assert rows[1][1] == "officer" and rows[1][2] == "Mở hồ sơ" and record.key in rows[1][3]
