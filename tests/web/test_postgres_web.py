"""The web app on PostgreSQL, as a multi-user deployment runs it: the same officer's day as on
the embedded store — sign in, dashboard, queue, accept a suggestion, re-check in the background,
history, the audit log and an agency's lookup."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from test_jobs import serve_two_processes_and_upload
from test_review_actions import _lone_suggestion, _overall, _wait_for_recheck
from web_fixtures import API_TOKEN, build_world, csrf_of, make_app, sign_in

from lamsach.backends.store.users import audit_entries

pytestmark = pytest.mark.postgres


def test_an_officers_day_on_postgresql(tmp_path, pg_store_url):
    world = build_world(tmp_path / "province", people=1000, seed=5, database_url=pg_store_url)
    assert world.settings.store_url.startswith("postgresql")
    app = make_app(world)
    with TestClient(app) as officer:
        sign_in(officer, "officer")
        dashboard = officer.get("/dashboard")
        assert dashboard.status_code == 200 and [u.unit for u in dashboard.context["page"].units] == [world.unit]
        finding = _lone_suggestion(app, world)
        before = _overall(officer, world.unit)
        token = csrf_of(officer.get("/queue").text)
        accepted = officer.post(f"/queue/{finding['id']}/accept",
                                headers={"HX-Request": "true", "X-CSRF-Token": token})
        assert accepted.status_code == 200, accepted.text[:300]
        _wait_for_recheck(app, world)
        assert _overall(officer, world.unit) > before

        store = app.state.store
        change = store.history(world.campaign, "land_parcel", finding["record_key"])[-1]
        assert (change.source, change.actor, change.new_value) == ("person", "officer", finding["suggested_value"])
        log = officer.get("/changes?source=person").context["page"]
        assert any(r.record_key == finding["record_key"] and r.actor == "officer" for r in log.rows)
        page = officer.get(f"/records/land_parcel/{finding['record_key']}?purpose=correct_finding")
        assert page.status_code == 200 and finding["suggested_value"] in page.text

        person = next(r for r in store.load_records(world.campaign, "population") if r.data.get("citizen_id"))
        answer = TestClient(app).get("/api/lookup/residence", headers={"Authorization": f"Bearer {API_TOKEN}"},
                                     params={"citizen_id": person.data["citizen_id"],
                                             "commune": person.data["commune_code"],
                                             "purpose": "verify_citizen_request"}).json()
        assert answer["found"] is True and answer["resides"] is answer["alive"]
        entries, _ = audit_entries(store)
        assert [e["action"] for e in entries[:3]] == ["lookup_residence", "view_record", "view_changes"]

        # the agencies' lookups (/api/v1) on PostgreSQL, through the JSON expression indexes
        from test_api_v1 import people, register

        from lamsach.backends.store import access_log
        from lamsach.lookups import scopes

        agency = register(store, "pg-agency", list(scopes()))
        parcel = next(p for p in people(store, world.campaign, "land_parcel")
                      if len(str(p.data.get("owner_id") or "")) == 12 and str(p.data.get("map_sheet") or "").isalnum()
                      and str(p.data.get("parcel_no") or "").isalnum())
        owner = parcel.data["owner_id"]
        asked = {"land-rights": {"commune": parcel.unit, "map_sheet": str(parcel.data["map_sheet"]),
                                 "parcel_no": str(parcel.data["parcel_no"])},
                 "land-parcels": {}, "life-status": {}, "marital-status": {}, "residence": {"commune": parcel.unit}}
        answers = {path: TestClient(app).get(f"/api/v1/{path}", headers=agency, params={
            "citizen_id": owner, "purpose": "verify_citizen_request", **extra}) for path, extra in asked.items()}
        assert {path: a.status_code for path, a in answers.items()} == dict.fromkeys(asked, 200)
        assert answers["land-rights"].json()["holds"] is True
        assert any(p["parcel_no"] == str(parcel.data["parcel_no"]) for p in answers["land-parcels"].json()["parcels"])
        assert access_log.verify(store).ok


def test_two_server_processes_on_postgresql(tmp_path, pg_store_url):
    """The multi-user deployment: two processes over PostgreSQL share sessions and the job queue."""
    world = build_world(tmp_path / "province", people=600, seed=7, database_url=pg_store_url)
    serve_two_processes_and_upload(world)
