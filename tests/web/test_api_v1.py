"""/api/v1: every scope x every lookup x every purpose, tokens that stopped working, the rate
limit, minimal answers that match the register, and no citizen ID in clear in the log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from web_fixtures import copy_world, make_app

from lamsach.backends.store import access_log
from lamsach.backends.store.api_clients import add_client, client_by_name, revoke_client, rotate_client
from lamsach.lookups import scope_paths, scopes
from lamsach.web.passwords import token_hash
from lamsach.web.wording import purposes

ALL_PURPOSES = list(purposes())


def token_of(name: str) -> str:
    return f"token-of-{name}-0123456789abcdef"


def register(store, name: str, chosen: list[str], rate: int = 100_000, purposes_: list[str] | None = None,
             expires_at: datetime | None = None) -> dict:
    from lamsach.lookups import default_purposes

    add_client(store, name, token_hash(token_of(name)), chosen, purposes_ or default_purposes(chosen), rate,
               expires_at)
    return {"Authorization": f"Bearer {token_of(name)}"}


@pytest.fixture(scope="module")
def api(built_world, tmp_path_factory):
    """One app over a private copy of the passed province, with one client per scope and one with all."""
    world = copy_world(built_world, tmp_path_factory.mktemp("api-v1"))
    application = make_app(world)
    store = application.state.store
    for scope in scopes():
        register(store, f"only-{scope}", [scope])
    register(store, "all", list(scopes()))
    yield application, world
    application.state.jobs.shutdown()


@dataclass(frozen=True)
class Published:
    key: str
    unit: str | None
    data: dict


def people(store, campaign: str, dataset: str) -> list[Published]:
    """The published versions of a dataset (the shared layer lookups read), by record key."""
    from sqlalchemy import select

    from lamsach.backends.store import tables as t

    p = t.published.c
    with store.engine.connect() as conn:
        rows = conn.execute(select(p.record_key, p.unit, p.data).where(p.campaign == campaign, p.dataset == dataset)
                            .order_by(p.record_key))
        return [Published(r.record_key, r.unit, json.loads(r.data)) for r in rows]


def params_for(scope: str, citizen_id: str = "038093004643") -> dict:
    extra = {"residence": {"commune": "15085"},
             "land_rights": {"commune": "15085", "map_sheet": "12", "parcel_no": "345"}}.get(scope, {})
    return {"citizen_id": citizen_id, **extra}


@pytest.mark.parametrize("granted", list(scopes()))
def test_every_scope_every_lookup_every_purpose(api, granted):
    app, _ = api
    client = TestClient(app)
    headers = {"Authorization": f"Bearer {token_of('only-' + granted)}"}
    for scope, path in scope_paths().items():
        for purpose in [*ALL_PURPOSES, "", "sell_data"]:
            response = client.get(f"/api/v1/{path}", params={**params_for(scope), "purpose": purpose},
                                  headers=headers)
            body = response.json()
            if scope != granted:
                assert (response.status_code, body["code"]) == (403, "SCOPE_FORBIDDEN"), (scope, purpose)
                assert body["location"] == {"scope": scope, "granted": [granted]}
            elif purpose not in scopes()[scope]:
                assert (response.status_code, body["code"]) == (400, "PURPOSE_NOT_ALLOWED"), (scope, purpose)
                assert body["location"] == {"parameter": "purpose", "allowed": list(scopes()[scope])}
                assert all(p in body["message"] for p in scopes()[scope])
            else:
                assert response.status_code == 200, (scope, purpose, body)
                assert (body["ok"], body["scope"], body["purpose"]) == (True, scope, purpose)


def test_a_client_may_use_only_the_purposes_it_declared(api):
    app, _ = api
    headers = register(app.state.store, "bank", ["land_rights"], purposes_=["administrative_procedure"])
    client = TestClient(app)
    answer = client.get("/api/v1/land-rights", headers=headers,
                        params={**params_for("land_rights"), "purpose": "inspection"})
    assert answer.status_code == 400 and answer.json()["location"]["allowed"] == ["administrative_procedure"]
    ok = client.get("/api/v1/land-rights", headers=headers,
                    params={**params_for("land_rights"), "purpose": "administrative_procedure"})
    assert ok.status_code == 200


def test_tokens_that_stopped_working(api):
    app, _ = api
    store = app.state.store
    client = TestClient(app)
    params = {**params_for("residence"), "purpose": "administrative_procedure"}
    expired = register(store, "expired", ["residence"], expires_at=datetime.now(UTC) - timedelta(minutes=1))
    assert client.get("/api/v1/residence", params=params, headers=expired).json()["code"] == "API_TOKEN_EXPIRED"
    revoked = register(store, "revoked", ["residence"])
    assert client.get("/api/v1/residence", params=params, headers=revoked).status_code == 200
    revoke_client(store, client_by_name(store, "revoked").id)
    answer = client.get("/api/v1/residence", params=params, headers=revoked)
    assert (answer.status_code, answer.json()["code"]) == (401, "API_TOKEN_REVOKED")
    rotated = register(store, "rotated", ["residence"])
    rotate_client(store, client_by_name(store, "rotated").id, token_hash("the-new-token-0123456789"))
    answer = client.get("/api/v1/residence", params=params, headers=rotated)
    assert (answer.status_code, answer.json()["code"]) == (401, "API_TOKEN_INVALID")
    new = client.get("/api/v1/residence", params=params, headers={"Authorization": "Bearer the-new-token-0123456789"})
    assert new.status_code == 200
    assert client.get("/api/v1/residence", params=params).json()["code"] == "API_TOKEN_MISSING"
    # a web user's token is not an API client's
    assert client.get("/api/v1/residence", params=params,
                      headers={"Authorization": "Bearer test-agency-token-0123456789"}).status_code == 401


def test_rate_limit_answers_429_with_retry_after(api):
    app, _ = api
    headers = register(app.state.store, "slow", ["life_status"], rate=3)
    client = TestClient(app)
    params = {"citizen_id": "038093004643", "purpose": "administrative_procedure"}
    assert [client.get("/api/v1/life-status", params=params, headers=headers).status_code
            for _ in range(3)] == [200, 200, 200]
    refused = client.get("/api/v1/life-status", params=params, headers=headers)
    assert refused.status_code == 429 and refused.json()["code"] == "RATE_LIMITED"
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["Retry-After"] in refused.json()["message"]


def test_a_cached_client_revoked_or_rotated_elsewhere_is_refused_at_once(api):
    """The server keeps clients in memory for a few seconds; an operator's `lamsach client revoke`
    or `rotate` (another process, another connection) still stops the old token on the next call."""
    from typer.testing import CliRunner

    from lamsach.cli.app import app as cli

    app, world = api
    client = TestClient(app)
    params = {**params_for("residence"), "purpose": "administrative_procedure"}
    data = ["--data-dir", str(world.data_dir)]
    revoked, rotated = register(app.state.store, "cached-revoked", ["residence"]), \
        register(app.state.store, "cached-rotated", ["residence"])
    for headers in (revoked, rotated):  # both now cached by this server
        assert client.get("/api/v1/residence", params=params, headers=headers).status_code == 200
    assert CliRunner().invoke(cli, ["client", "revoke", "cached-revoked", *data]).exit_code == 0
    rotation = CliRunner().invoke(cli, ["client", "rotate", "cached-rotated", *data])
    assert rotation.exit_code == 0, rotation.output
    answer = client.get("/api/v1/residence", params=params, headers=revoked)
    assert (answer.status_code, answer.json()["code"]) == (401, "API_TOKEN_REVOKED")
    answer = client.get("/api/v1/residence", params=params, headers=rotated)
    assert (answer.status_code, answer.json()["code"]) == (401, "API_TOKEN_INVALID")
    new = {"Authorization": f"Bearer {rotation.stdout.strip().splitlines()[-1]}"}
    assert client.get("/api/v1/residence", params=params, headers=new).status_code == 200


def test_the_rate_limit_holds_across_server_processes(api):
    """Two apps over the same store (as two worker processes are) share one client's rate."""
    app, world = api
    other = make_app(world)
    try:
        headers = register(app.state.store, "shared-rate", ["life_status"], rate=4)
        params = {"citizen_id": "038093004643", "purpose": "administrative_procedure"}
        clients = [TestClient(app), TestClient(other)]
        codes = [clients[i % 2].get("/api/v1/life-status", params=params, headers=headers).status_code
                 for i in range(6)]
        assert codes == [200, 200, 200, 200, 429, 429]
    finally:
        other.state.jobs.shutdown()


def test_parameters_are_checked_and_named(api):
    app, _ = api
    client = TestClient(app)
    headers = {"Authorization": f"Bearer {token_of('all')}"}
    cases = [("residence", {"citizen_id": "12345", "commune": "15085"}, "LOOKUP_ID_INVALID", "citizen_id"),
             ("residence", {"citizen_id": "038093004643", "commune": "1508"}, "LOOKUP_COMMUNE_INVALID", "commune"),
             ("land-rights", {**params_for("land_rights"), "map_sheet": "1 2"}, "LOOKUP_SHEET_INVALID", "map_sheet"),
             ("land-rights", {**params_for("land_rights"), "parcel_no": ""}, "LOOKUP_PARCEL_INVALID", "parcel_no")]
    for path, params, code, parameter in cases:
        answer = client.get(f"/api/v1/{path}", params={**params, "purpose": "verify_citizen_request"},
                            headers=headers)
        assert (answer.status_code, answer.json()["code"], answer.json()["location"]) == (
            400, code, {"parameter": parameter})


def _get(client, path: str, **params):
    answer = client.get(f"/api/v1/{path}", params={"purpose": "verify_citizen_request", **params},
                        headers={"Authorization": f"Bearer {token_of('all')}"})
    assert answer.status_code == 200, answer.json()
    return answer.json()


def test_answers_match_the_register_and_are_minimal(api):
    app, world = api
    store = app.state.store
    client = TestClient(app)
    register_rows = people(store, world.campaign, "population")
    living = next(r for r in register_rows if r.data.get("citizen_id") and r.data.get("status") == "Còn sống"
                  and len(str(r.data["citizen_id"])) == 12)
    cid = living.data["citizen_id"]
    yes = _get(client, "residence", citizen_id=cid, commune=living.data["commune_code"])
    assert (yes["found"], yes["resides"], yes["citizen_id"]) == (True, True, cid[:3] + "******" + cid[-3:])
    assert yes["as_of"] == living.data.get("updated_at")
    assert set(yes) == {"ok", "scope", "purpose", "citizen_id", "found", "commune", "resides", "as_of", "quality"}
    assert "full_name" not in json.dumps(yes) and living.data["full_name"] not in json.dumps(yes)
    other = "00000" if living.data["commune_code"] != "00000" else "00001"
    assert _get(client, "residence", citizen_id=cid, commune=other)["resides"] is False
    unknown = _get(client, "residence", citizen_id="000000000001", commune="15085")
    assert (unknown["found"], unknown["resides"], unknown["as_of"]) == (False, False, None)
    assert _get(client, "life-status", citizen_id=cid)["status"] == "alive"

    deaths = people(store, world.campaign, "death")
    dead_id = next(d.data["deceased_id"] for d in deaths if len(str(d.data.get("deceased_id") or "")) == 12)
    life = _get(client, "life-status", citizen_id=dead_id)
    assert life["status"] == "dead" and life["found"]

    marriage = next(m for m in people(store, world.campaign, "marriage")
                    if len(str(m.data.get("husband_id") or "")) == 12 and len(str(m.data.get("wife_id") or "")) == 12)
    husband = _get(client, "marital-status", citizen_id=marriage.data["husband_id"])
    assert husband["status"] in ("married", "widowed") and husband["quality"]["records"] >= 1

    parcel = next(p for p in people(store, world.campaign, "land_parcel")
                  if len(str(p.data.get("owner_id") or "")) == 12 and p.data.get("map_sheet")
                  and p.data.get("parcel_no") and str(p.data["parcel_no"]).isalnum()
                  and str(p.data["map_sheet"]).isalnum())
    where = {"commune": parcel.unit, "map_sheet": str(parcel.data["map_sheet"]),
             "parcel_no": str(parcel.data["parcel_no"])}
    holds = _get(client, "land-rights", citizen_id=parcel.data["owner_id"], **where)
    assert (holds["parcel_found"], holds["holds"]) == (True, True)
    assert _get(client, "land-rights", citizen_id="000000000001", **where)["holds"] is False
    listed = _get(client, "land-parcels", citizen_id=parcel.data["owner_id"])["parcels"]
    assert {**where, "land_use_code": parcel.data.get("land_use_code")} in listed


def test_an_answer_names_the_criteria_still_open_behind_it(api):
    """Published versions have no open error; a record's findings in the latest pass (warnings,
    or errors on a newer version that keep it from being published again) are named with the
    answer. Here two warnings are added to a published parcel's latest pass."""
    from sqlalchemy import insert

    from lamsach.backends.store import tables as t

    app, world = api
    store = app.state.store
    parcels = people(store, world.campaign, "land_parcel")
    place = {r.key: (r.unit, str(r.data.get("map_sheet") or ""), str(r.data.get("parcel_no") or "")) for r in parcels}
    alone = [r for r in parcels if list(place.values()).count(place[r.key]) == 1
             and len(str(r.data.get("owner_id") or "")) == 12 and all(p.isalnum() for p in place[r.key][1:])]
    clean, flagged = alone[0], alone[1]

    def ask(record):
        unit, sheet, number = place[record.key]
        return _get(TestClient(app), "land-rights", citizen_id=record.data["owner_id"], commune=unit,
                    map_sheet=sheet, parcel_no=number)

    assert ask(clean)["quality"] == {"passes_all": True, "open_criteria": [], "records": 1}
    run = store.latest_run(world.campaign)["id"]
    with store.engine.begin() as conn:
        for criterion, rule in (("live", "stale_record"), ("complete", "missing_value")):
            conn.execute(insert(t.findings).values(
                run_id=run, dataset="land_parcel", record_key=flagged.key, unit=flagged.unit, field="updated_at",
                criterion=criterion, rule=rule, severity="warning", status="open", message="…"))
    answer = ask(flagged)
    assert answer["holds"] is True
    assert answer["quality"] == {"passes_all": False, "open_criteria": ["complete", "live"], "records": 1}


def test_lookups_are_chained_in_the_log_without_the_id(api):
    app, world = api
    store = app.state.store
    client = TestClient(app)
    cid = next(r.data["citizen_id"] for r in people(store, world.campaign, "population")
               if len(str(r.data.get("citizen_id") or "")) == 12)
    before = access_log.entries(store, 1)[1]
    _get(client, "life-status", citizen_id=cid)
    _get(client, "marital-status", citizen_id=cid)
    rows, total = access_log.entries(store, 2)
    assert total == before + 2
    assert [(r["client"], r["scope"], r["purpose"]) for r in rows] == [
        ("all", "marital_status", "verify_citizen_request"), ("all", "life_status", "verify_citizen_request")]
    assert rows[0]["subject"] == cid[:3] + "******" + cid[-3:] and rows[0]["subject_hash"] == rows[1]["subject_hash"]
    assert rows[0]["prev_hash"] == rows[1]["entry_hash"]
    with store.engine.connect() as conn:
        dumped = "\n".join(str(tuple(r)) for r in conn.exec_driver_sql("SELECT * FROM access_log"))
    assert cid not in dumped
    assert access_log.verify(store).ok


def test_the_old_residence_lookup_points_to_v1(shared_app, built_world):
    from web_fixtures import API_TOKEN

    answer = TestClient(shared_app).get("/api/lookup/residence", headers={"Authorization": f"Bearer {API_TOKEN}"},
                                        params={"citizen_id": "000000000001", "commune": "15085",
                                                "purpose": "verify_citizen_request"})
    assert answer.status_code == 200 and answer.json()["ok"] is True
    assert answer.headers["Deprecation"] == "true" and "/api/v1/residence" in answer.headers["Link"]


def test_the_inspector_sees_the_access_log_and_a_citizens_report(api):
    from web_fixtures import csrf_of, sign_in

    app, world = api
    store = app.state.store
    cid = next(r.data["citizen_id"] for r in people(store, world.campaign, "population")
               if len(str(r.data.get("citizen_id") or "")) == 12)
    agency = TestClient(app)
    _get(agency, "life-status", citizen_id=cid)
    _get(agency, "residence", citizen_id=cid, commune="15085")
    inspector = TestClient(app)
    sign_in(inspector, "inspector")
    page = inspector.get("/audit/access?client=all")
    assert page.status_code == 200 and cid not in page.text
    assert page.context["page"].entries[0]["scope"] == "residence"
    checked = inspector.get("/audit/access?verify=1").context["page"].chain
    assert checked.ok and checked.entries >= 2
    form = inspector.get("/audit/citizen")
    report = inspector.post("/audit/citizen", data={"citizen_id": cid, "csrf_token": csrf_of(form.text)})
    entries = report.context["page"].report.entries
    assert [(e.client, e.scope) for e in entries[:2]] == [("all", "residence"), ("all", "life_status")]
    assert entries[0].purpose_label == "Xác minh theo đề nghị của công dân"
    assert cid not in report.text and cid[:3] + "******" + cid[-3:] in report.text
    bad = inspector.post("/audit/citizen", data={"citizen_id": "123", "csrf_token": csrf_of(form.text)})
    assert bad.status_code == 400
    officer = TestClient(app)
    sign_in(officer, "officer")
    assert officer.get("/audit/access").status_code == 403


def test_a_citizens_report_from_the_command_line(api):
    from typer.testing import CliRunner

    from lamsach.cli.app import app as cli

    app, world = api
    cid = next(r.data["citizen_id"] for r in people(app.state.store, world.campaign, "population")
               if len(str(r.data.get("citizen_id") or "")) == 12)
    _get(TestClient(app), "land-parcels", citizen_id=cid)
    result = CliRunner().invoke(cli, ["audit", "citizen", cid, "--data-dir", str(world.data_dir)])
    assert result.exit_code == 0, result.output
    assert "all" in result.output and "land_parcels" in result.output and cid not in result.output
    assert CliRunner().invoke(cli, ["audit", "citizen", "12", "--data-dir", str(world.data_dir)]).exit_code == 1


def test_warming_up_a_server_process_changes_nothing(api):
    """Each server process runs every lookup's statements once as it starts (so the first agencies
    do not wait for them to be compiled): no log entry, no client's rate touched."""
    from sqlalchemy import select

    from lamsach.backends.store import tables as t
    from lamsach.web.api_v1 import warm_up

    app, _ = api
    store = app.state.store

    def state():
        with store.engine.connect() as conn:
            return (conn.execute(select(t.access_head.c.seq)).scalar(),
                    conn.execute(select(t.api_clients.c.name, t.api_clients.c.rate_tokens, t.api_clients.c.rate_at)
                                 .order_by(t.api_clients.c.name)).all())

    before = state()
    warm_up(app)
    assert state() == before
    assert app.state.access_key
