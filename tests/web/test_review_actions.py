"""What an officer does in the queue: accept a suggestion, type a value, dismiss, accept a rule's
suggestions for the unit, undo on the record page — each a new version, then a re-check in the
background after which the unit's score on the dashboard moves."""

from __future__ import annotations

from collections import Counter

import pytest
from fastapi.testclient import TestClient
from web_fixtures import csrf_of, sign_in


@pytest.fixture
def officer(app):
    client = TestClient(app)
    sign_in(client, "officer")
    return client


def _lone_suggestion(app, world) -> dict:
    """An open finding with a suggestion on a record of the officer's unit that has no other open
    finding: accepting it makes the record pass every criterion."""
    findings = [f for f in app.state.store.unit_findings(world.run_id, world.unit) if f["criterion"] != "shared"]
    per_record = Counter((f["dataset"], f["record_key"]) for f in findings)
    return next(f for f in findings if f["suggested_value"] is not None and f["dataset"] == "land_parcel"
                and f["field"] != "*" and per_record[(f["dataset"], f["record_key"])] == 1)


def _wait_for_recheck(app, world) -> None:
    for queued in app.state.jobs.recent(world.campaign):
        job = app.state.jobs.wait(queued.id)
        assert job.state == "done", (job.problems, job.reference)


def _overall(client, unit) -> float:
    page = client.get("/dashboard").context["page"]
    return next(u.overall for u in page.units if u.unit == unit)


def test_accepting_a_suggestion_versions_the_value_and_moves_the_score(app, world, officer):
    finding = _lone_suggestion(app, world)
    before = _overall(officer, world.unit)
    token = csrf_of(officer.get("/queue").text)
    response = officer.post(f"/queue/{finding['id']}/accept", headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert response.status_code == 200 and response.template.name == "_finding_row.html"
    assert response.context["page"].finding.action == "edited" and 'data-action="accept"' not in response.text
    store = app.state.store
    assert store.record(world.campaign, "land_parcel", finding["record_key"]).data[finding["field"]] == \
        finding["suggested_value"]
    change = store.history(world.campaign, "land_parcel", finding["record_key"])[-1]
    assert (change.source, change.actor, change.field) == ("person", "officer", finding["field"])
    _wait_for_recheck(app, world)
    after = _overall(officer, world.unit)
    assert after > before
    row = officer.get(f"/queue?unit={world.unit}&record_key={finding['record_key']}&status=open").context["page"]
    assert all(f.rule != finding["rule"] for f in row.findings)


def test_edit_dismiss_and_undo(app, world, officer):
    store = app.state.store
    findings = [f for f in store.unit_findings(world.run_id, world.unit)
                if f["dataset"] == "land_parcel" and f["field"] not in ("*", "owner_id")]
    edited, dismissed = findings[0], next(f for f in findings if f["record_key"] != findings[0]["record_key"])
    token = csrf_of(officer.get("/queue").text)
    response = officer.post(f"/queue/{edited['id']}/edit", data={"value": "Giá trị mới", "reason": "theo hồ sơ gốc",
                                                                "csrf_token": token})
    assert response.status_code == 200
    change = store.history(world.campaign, "land_parcel", edited["record_key"])[-1]
    assert (change.new_value, change.reason, change.source) == ("Giá trị mới", "theo hồ sơ gốc", "person")

    missing_reason = officer.post(f"/queue/{dismissed['id']}/dismiss", data={"reason": " ", "csrf_token": token})
    assert missing_reason.status_code == 400 and 'data-code="REASON_REQUIRED"' in missing_reason.text
    officer.post(f"/queue/{dismissed['id']}/dismiss", data={"reason": "đúng thực tế", "csrf_token": token})
    decision = store.finding_decisions(world.campaign)[-1]
    assert (decision["status"], decision["actor"], decision["reason"]) == ("dismissed", "officer", "đúng thực tế")

    page = officer.get(f"/records/land_parcel/{edited['record_key']}?purpose=correct_finding")
    assert page.context["page"].can_undo and f'/undo/{change.id}' in page.text
    undone = officer.post(f"/records/land_parcel/{edited['record_key']}/undo/{change.id}",
                          data={"reason": "nhập nhầm", "purpose": "correct_finding", "csrf_token": token},
                          follow_redirects=False)
    assert undone.status_code == 303 and "notice=record.notice_undone" in undone.headers["location"]
    last = store.history(world.campaign, "land_parcel", edited["record_key"])[-1]
    assert (last.source, last.undoes, last.new_value) == ("undo", change.id, change.old_value)
    _wait_for_recheck(app, world)
    queue = officer.get(f"/queue?unit={world.unit}&record_key={dismissed['record_key']}&status=").context["page"]
    assert any(f.status == "dismissed" and f.rule == dismissed["rule"] for f in queue.findings)


def _suggested_cells(store, world, rule: str) -> dict[str, set[str]]:
    cells: dict[str, set[str]] = {}
    for f in store.unit_findings(world.run_id, world.unit):
        if f["rule"] == rule and f["suggested_value"] is not None and f["field"] != "*" and f["status"] == "open":
            cells.setdefault(f["record_key"], set()).add(f["field"])
    return cells


def test_accept_every_suggestion_of_a_rule(app, world, officer):
    store = app.state.store
    counts = Counter(f["rule"] for f in store.unit_findings(world.run_id, world.unit)
                     if f["suggested_value"] is not None and f["field"] != "*")
    rule = counts.most_common(1)[0][0]
    page = officer.get(f"/queue?unit={world.unit}&rule={rule}")
    queue = page.context["page"]
    assert queue.bulk_count >= 1 and 'data-action="accept-rule"' in page.text
    preview = officer.get(f"/queue/accept-all?unit={world.unit}&rule={rule}")
    assert preview.status_code == 200 and len(preview.context["page"].changes) == queue.bulk_count
    response = officer.post("/queue/accept-rule", data={"unit": world.unit, "rule": rule, "expected": queue.bulk_count,
                                                        "csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert response.status_code == 303
    changed = [c for c in store.history(world.campaign, source="person") if c.rule == rule]
    assert len(changed) == queue.bulk_count and {c.actor for c in changed} == {"officer"}
    other = officer.post("/queue/accept-rule", data={"unit": world.other_unit, "rule": rule, "expected": 1,
                                                     "csrf_token": csrf_of(page.text)})
    assert other.status_code == 403
    _wait_for_recheck(app, world)


def test_accept_all_acts_on_exactly_the_filtered_findings_and_says_so_first(app, world, officer):
    """With one record filtered, "accept all" names that record's values before acting and
    changes no other record; a count that changed since the preview is refused, nothing applied."""
    store = app.state.store
    counts = Counter(f["rule"] for f in store.unit_findings(world.run_id, world.unit)
                     if f["suggested_value"] is not None and f["field"] != "*" and f["status"] == "open")
    rule = next(r for r, _ in counts.most_common() if len(_suggested_cells(store, world, r)) >= 2)
    cells = _suggested_cells(store, world, rule)
    key = sorted(cells)[0]
    url = f"unit={world.unit}&rule={rule}&record_key={key}"
    queue = officer.get(f"/queue?{url}")
    assert queue.context["page"].bulk_count == len(cells[key]) and queue.context["page"].bulk_records == 1
    assert "/queue/accept-all?" in queue.text and f"record_key={key}" in queue.text
    preview = officer.get(f"/queue/accept-all?{url}")
    shown = preview.context["page"]
    assert {c.record_key for c in shown.changes} == {key} and shown.records == 1
    assert f'data-values="{len(cells[key])}"' in preview.text and 'data-records="1"' in preview.text
    token = csrf_of(preview.text)
    stale = officer.post("/queue/accept-rule", data={**shown.hidden, "expected": len(cells[key]) + 5, "csrf_token": token})
    assert stale.status_code == 409 and store.history(world.campaign, source="person") == []
    done = officer.post("/queue/accept-rule", data={**shown.hidden, "expected": len(cells[key]), "csrf_token": token},
                        follow_redirects=False)
    assert done.status_code == 303 and f"record_key={key}" in done.headers["location"]
    changed = store.history(world.campaign, source="person")
    assert {c.record_key for c in changed} == {key} and len(changed) == len(cells[key])
    _wait_for_recheck(app, world)
