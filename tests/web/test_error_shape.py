"""One handler, one shape: every error path of the API answers `{ok: false, code, message,
location, errors}`; HTMX requests get the `_error.html` fragment, page loads `error.html`."""

from __future__ import annotations

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from web_fixtures import API_TOKEN

from lamsach.domain import ErrorCode, LamsachError, Location

AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
GOOD = {"citizen_id": "038093004643", "commune": "15085", "purpose": "administrative_procedure"}


def assert_shape(body: dict, code: str) -> None:
    assert set(body) == {"ok", "code", "message", "location", "errors"}, body
    assert body["ok"] is False and body["code"] == code and body["message"], body
    assert isinstance(body["errors"], list)
    for item in body["errors"]:
        assert set(item) == {"code", "message", "location"}
    assert "Traceback" not in body["message"]


@pytest.fixture(scope="module")
def failing_app(shared_app):
    """The app with routes that raise each kind of error a stage or a bug can raise."""
    router = APIRouter()

    @router.get("/api/test/lamsach")
    def one():
        raise LamsachError(ErrorCode.INGEST_HEADER_MISSING, Location("a.xlsx", "Sheet1", 3, "B"))

    @router.get("/api/test/group")
    def group():
        raise ExceptionGroup("two", [LamsachError(ErrorCode.INGEST_FILE_EMPTY, Location("a.csv")),
                                     LamsachError(ErrorCode.INGEST_FILE_EMPTY, Location("b.csv"))])

    @router.get("/api/test/bug")
    def bug():
        raise RuntimeError("secret internals")

    @router.get("/test/bug")
    def page_bug():
        raise RuntimeError("secret internals")

    shared_app.include_router(router)
    return shared_app


@pytest.mark.parametrize(("headers", "params", "status", "code"), [
    ({}, GOOD, 401, "API_TOKEN_MISSING"),
    ({"Authorization": "Basic abc"}, GOOD, 401, "API_TOKEN_MISSING"),
    ({"Authorization": "Bearer wrong"}, GOOD, 401, "API_TOKEN_INVALID"),
    (AUTH, {**GOOD, "citizen_id": "12345"}, 400, "LOOKUP_ID_INVALID"),
    (AUTH, {**GOOD, "commune": "1508"}, 400, "LOOKUP_COMMUNE_INVALID"),
    (AUTH, {**GOOD, "purpose": ""}, 400, "PURPOSE_REQUIRED"),
    (AUTH, {**GOOD, "purpose": "curiosity"}, 400, "PURPOSE_REQUIRED"),
])
def test_lookup_errors_have_the_one_shape(shared_app, headers, params, status, code):
    response = TestClient(shared_app).get("/api/lookup/residence", params=params, headers=headers)
    assert response.status_code == status
    assert_shape(response.json(), code)


def test_unknown_api_path_and_wrong_method(shared_app):
    client = TestClient(shared_app)
    assert_shape(client.get("/api/nothing").json(), "NOT_FOUND")
    response = client.post("/api/lookup/residence", headers=AUTH)
    assert response.status_code == 405
    assert_shape(response.json(), "METHOD_NOT_ALLOWED")


def test_stage_errors_and_bugs_have_the_one_shape(failing_app):
    client = TestClient(failing_app, raise_server_exceptions=False)
    one = client.get("/api/test/lamsach")
    assert one.status_code == 422
    assert_shape(one.json(), "INGEST_HEADER_MISSING")
    assert one.json()["location"] == {"file": "a.xlsx", "sheet": "Sheet1", "row": 3, "column": "B"}
    group = client.get("/api/test/group").json()
    assert_shape(group, "MANY_ERRORS")
    assert [e["location"]["file"] for e in group["errors"]] == ["a.csv", "b.csv"]
    bug = client.get("/api/test/bug")
    assert bug.status_code == 500
    assert_shape(bug.json(), "INTERNAL_ERROR")
    assert "secret" not in bug.text


def test_pages_and_fragments_show_errors_in_html(failing_app, client_as):
    client = client_as("admin")
    page = client.get("/records/land_parcel/nothing?purpose=inspection")
    assert page.status_code == 404 and page.template.name == "error.html"
    assert 'data-code="RECORD_NOT_FOUND"' in page.text
    fragment = client.get("/records/land_parcel/nothing", headers={"HX-Request": "true"})
    assert fragment.template.name == "_error.html" and "<html" not in fragment.text
    assert fragment.headers["HX-Retarget"] == "#errors"
    bug = TestClient(failing_app, raise_server_exceptions=False)
    bug.cookies.update(client.cookies)
    response = bug.get("/test/bug")
    assert response.status_code == 500 and "secret" not in response.text
    assert response.context["page"].reference in response.text


def test_a_successful_lookup(shared_app, built_world):
    store = shared_app.state.store
    person = next(r for r in store.load_records(built_world.campaign, "population")
                  if r.data.get("citizen_id") and r.data.get("commune_code") and not r.data.get("date_of_death"))
    client = TestClient(shared_app)
    params = {"citizen_id": person.data["citizen_id"], "commune": person.data["commune_code"],
              "purpose": "administrative_procedure"}
    yes = client.get("/api/lookup/residence", params=params, headers=AUTH).json()
    assert yes["ok"] is True and yes["found"] is True
    assert yes["resides"] == yes["alive"]
    assert person.data["citizen_id"] not in str(yes)  # the answer does not echo the number
    elsewhere = "99999" if person.data["commune_code"] != "99999" else "11111"
    no = client.get("/api/lookup/residence", params={**params, "commune": elsewhere}, headers=AUTH).json()
    assert no["ok"] is True and no["resides"] is False
    unknown = client.get("/api/lookup/residence", params={**params, "citizen_id": "000000000000"}, headers=AUTH)
    assert unknown.json() == {**unknown.json(), "ok": True, "found": False, "resides": False}
