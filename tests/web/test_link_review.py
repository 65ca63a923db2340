"""The link review page: a queued candidate beside the reference, its weights, and an officer's
accept or reject — only for the own unit; the decision is stored and the re-check starts."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from web_fixtures import csrf_of, sign_in

from lamsach.backends.store.link_reviews import link_reviews, save_link_reviews


def _queue(world, store) -> tuple[dict, dict]:
    """Queue one candidate for a land record of the officer's unit and one of another unit."""
    land = store.load_records(world.campaign, "land_parcel")
    register = store.load_records(world.campaign, "population")
    own = next(r for r in land if r.unit == world.unit)
    other = next(r for r in land if r.unit == world.other_unit)
    person = register[0]
    rows = [{"dataset": "land_parcel", "record_key": r.key, "role": "owner", "citizen_id": person.data["citizen_id"],
             "register_record": person.key, "match_probability": 0.8, "match_weight": 6.5, "runner_up_weight": 2.0,
             "weights": json.dumps({"ho": 3.1, "ten": 2.4, "nam_sinh": 1.0})} for r in (own, other)]
    save_link_reviews(store, world.run_id, world.campaign, rows)
    reviews = {r["record_key"]: r for r in link_reviews(store, world.campaign)}
    return reviews[own.key], reviews[other.key]


def test_officer_sees_own_unit_candidates_with_weights_and_masked_ids(app, world):
    store = app.state.store
    own, other = _queue(world, store)
    officer = TestClient(app)
    sign_in(officer, "officer")
    page = officer.get("/links")
    assert page.status_code == 200
    assert own["record_key"] in page.text and other["record_key"] not in page.text
    assert "ho" in page.text and "+3.10" in page.text
    assert own["citizen_id"] not in page.text  # the register's ID is masked for an officer here
    admin = TestClient(app)
    sign_in(admin, "admin")
    everything = admin.get("/links").text
    assert own["record_key"] in everything and other["record_key"] in everything and own["citizen_id"] in everything


def test_accept_and_reject_are_stored_and_only_for_the_own_unit(app, world):
    store = app.state.store
    own, other = _queue(world, store)
    officer = TestClient(app)
    sign_in(officer, "officer")
    token = csrf_of(officer.get("/links").text)
    refused = officer.post(f"/links/{other['id']}/accept", data={"csrf_token": token}, follow_redirects=False)
    assert refused.status_code == 403
    done = officer.post(f"/links/{own['id']}/accept", data={"csrf_token": token, "reason": "đúng người"},
                        follow_redirects=False)
    assert done.status_code == 303
    decided = {r["id"]: r for r in link_reviews(store, world.campaign, status=None)}
    assert decided[own["id"]]["status"] == "accepted" and decided[own["id"]]["decided_by"] == "officer"
    assert decided[own["id"]]["reason"] == "đúng người"
    assert decided[other["id"]]["status"] == "open"
    without_token = officer.post(f"/links/{own['id']}/reject", data={}, follow_redirects=False)
    assert without_token.status_code in (400, 403)


def test_inspector_reads_but_cannot_decide(app, world):
    store = app.state.store
    own, _ = _queue(world, store)
    inspector = TestClient(app)
    sign_in(inspector, "inspector")
    assert inspector.get("/links").status_code == 200
    answer = inspector.post(f"/links/{own['id']}/reject", data={"csrf_token": csrf_of(inspector.get("/links").text)},
                            follow_redirects=False)
    assert answer.status_code == 403
