"""Who may see and do what: roles and unit scope on every page and direct URL, ID masking,
CSRF, sign-in lock-out, sign-out."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from web_fixtures import csrf_of, sign_in

from lamsach.backends.store import finding_queries as q

FULL_ID = re.compile(r"(?<![\d*])\d{12}(?![\d*])")


def _finding(app, world, unit, with_suggestion=False):
    rows, _ = q.findings_page(app.state.store, world.run_id, q.FindingFilter(unit=unit, status="open"), 500)
    return next(f for f in rows if f["suggested_value"] is not None or not with_suggestion)


def _id_record(app, world, unit):
    """A land record of `unit` whose owner ID is filled in."""
    for record in app.state.store.load_records(world.campaign, "land_parcel"):
        if record.unit == unit and record.data.get("owner_id") and len(record.data["owner_id"]) == 12:
            return record
    raise AssertionError("no land record with an owner ID")


def test_signed_out_pages_send_to_sign_in(shared_app):
    client = TestClient(shared_app)
    for url in ("/dashboard", "/queue", "/upload", "/audit", "/records/land_parcel/x"):
        response = client.get(url, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next="), url
    assert client.get("/queue", headers={"HX-Request": "true"}).headers["HX-Redirect"].startswith("/login")


def test_officer_is_kept_to_the_own_unit(client_as, shared_app, built_world):
    client = client_as("officer")
    other = built_world.other_unit
    assert client.get(f"/queue?unit={other}").status_code == 403
    assert client.get(f"/workbook/{other}").status_code == 403
    assert client.get("/audit").status_code == 403
    record = _id_record(shared_app, built_world, other)
    assert client.get(f"/records/land_parcel/{record.key}?purpose=correct_finding").status_code == 403
    finding = _finding(shared_app, built_world, other)
    html = client.get("/queue").text
    response = client.post(f"/queue/{finding['id']}/dismiss", data={"reason": "x", "csrf_token": csrf_of(html)})
    assert response.status_code == 403
    page = client.get("/queue?status=").context["page"]
    assert page.total > 0 and {f.unit for f in page.findings} == {built_world.unit}


def test_inspector_reads_everything_and_changes_nothing(client_as, shared_app, built_world):
    client = client_as("inspector")
    assert client.get(f"/queue?unit={built_world.other_unit}").status_code == 200
    assert client.get("/audit").status_code == 200
    html = client.get("/queue").text
    token = csrf_of(html)
    finding = _finding(shared_app, built_world, built_world.unit, with_suggestion=True)
    assert 'data-action="accept"' not in html
    for url, data in ((f"/queue/{finding['id']}/accept", {}), (f"/queue/{finding['id']}/edit", {"value": "x"}),
                      (f"/queue/{finding['id']}/dismiss", {"reason": "x"}),
                      ("/queue/accept-rule", {"unit": built_world.unit, "rule": finding["rule"], "expected": "1"})):
        assert client.post(url, data={**data, "csrf_token": token}).status_code == 403, url
    upload = client.post("/upload", data={"dataset": "land_parcel", "csrf_token": token},
                         files={"file": ("a.csv", b"x", "text/csv")})
    assert upload.status_code == 403


def test_admin_pages_are_closed_to_officers_only_where_they_should(client_as):
    officer = client_as("officer")
    assert officer.get("/audit").status_code == 403
    assert officer.get("/dashboard").status_code == 200


def test_ids_are_masked_for_the_inspector_everywhere(client_as, shared_app, built_world):
    client = client_as("inspector")
    record = _id_record(shared_app, built_world, built_world.unit)
    page = client.get(f"/records/land_parcel/{record.key}?purpose=inspection")
    owner = next(f for f in page.context["page"].fields if f.name == "owner_id")
    assert owner.masked and owner.value == record.data["owner_id"][:3] + "******" + record.data["owner_id"][-3:]
    assert not FULL_ID.search(page.text)
    assert not FULL_ID.search(client.get(f"/queue?unit={built_world.unit}&status=").text)


def test_officer_sees_own_ids_in_full_only_with_a_purpose(client_as, shared_app, built_world):
    client = client_as("officer")
    record = _id_record(shared_app, built_world, built_world.unit)
    asked = client.get(f"/records/land_parcel/{record.key}")
    assert asked.template.name == "record_purpose.html" and record.data["owner_id"] not in asked.text
    opened = client.get(f"/records/land_parcel/{record.key}?purpose=correct_finding")
    assert record.data["owner_id"] in opened.text and opened.context["page"].ids_in_full
    assert not FULL_ID.search(client.get("/queue?status=").text)


def test_admin_sees_ids_in_full(client_as, shared_app, built_world):
    record = _id_record(shared_app, built_world, built_world.unit)
    page = client_as("admin").get(f"/records/land_parcel/{record.key}?purpose=inspection")
    assert record.data["owner_id"] in page.text


def test_a_post_without_the_csrf_token_is_refused(client_as, shared_app, built_world):
    client = client_as("officer")
    finding = _finding(shared_app, built_world, built_world.unit)
    response = client.post(f"/queue/{finding['id']}/dismiss", data={"reason": "x"})
    assert response.status_code == 403 and 'data-code="CSRF_INVALID"' in response.text
    response = client.post(f"/queue/{finding['id']}/dismiss", data={"reason": "x"},
                           headers={"X-CSRF-Token": "forged", "HX-Request": "true"})
    assert response.status_code == 403 and response.template.name == "_error.html"
    assert response.headers["HX-Retarget"] == "#errors"


def test_sign_in_form_needs_its_token(shared_app):
    client = TestClient(shared_app)
    client.get("/login")
    response = client.post("/login", data={"username": "admin", "password": "admin-pass-1", "csrf_token": "no"})
    assert response.status_code == 403 and "lamsach_session" not in response.cookies


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(app):
    client = TestClient(app)
    for _ in range(4):
        assert sign_in(client, "officer", "wrong password").status_code == 401
    locked = sign_in(client, "officer", "wrong password")
    assert locked.status_code == 429 and 'data-code="locked"' in locked.text
    assert sign_in(client, "officer").status_code == 429  # the right password, still locked
    from lamsach.backends.store.users import user_by_name

    user = user_by_name(app.state.store, "officer")
    from datetime import UTC, datetime, timedelta

    assert user.locked(datetime.now(UTC) + timedelta(minutes=14))
    assert not user.locked(datetime.now(UTC) + timedelta(minutes=16))


def test_session_cookie_is_http_only_and_lax_and_sign_out_ends_it(app):
    client = TestClient(app)
    response = sign_in(client, "admin")
    cookie = response.headers["set-cookie"]
    assert "lamsach_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    token = csrf_of(client.get("/dashboard").text)
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/dashboard", follow_redirects=False).status_code == 303
