"""/api/v1 keeps to its OpenAPI document: the document served equals the one kept in the
repository (docs/api-v1.openapi.json; `LAMSACH_UPDATE_GOLDEN=1` rewrites it for review), every
parameter declares its allowed values, and Schemathesis calls every lookup with generated values,
valid and not, finding no server error and no answer outside the document."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from web_fixtures import copy_world, make_app

from lamsach.backends.store.api_clients import add_client
from lamsach.lookups import default_purposes, scopes
from lamsach.web.api_v1 import openapi_document
from lamsach.web.passwords import token_hash

KEPT = Path(__file__).resolve().parents[2] / "docs" / "api-v1.openapi.json"
TOKEN = "schemathesis-client-token-0123456789"


def test_the_served_document_is_the_one_kept_in_the_repository(shared_app):
    served = TestClient(shared_app).get("/api/v1/openapi.json")
    assert served.status_code == 200
    text = json.dumps(served.json(), ensure_ascii=False, indent=2) + "\n"
    if os.environ.get("LAMSACH_UPDATE_GOLDEN"):
        KEPT.write_text(text, encoding="utf-8")
    assert json.loads(KEPT.read_text(encoding="utf-8")) == served.json() == openapi_document(), (
        "docs/api-v1.openapi.json differs from the served document: rerun with LAMSACH_UPDATE_GOLDEN=1 and review")


def test_every_parameter_declares_its_allowed_values():
    document = openapi_document()
    for path, operations in document["paths"].items():
        parameters = operations["get"]["parameters"]
        assert parameters, path
        for parameter in parameters:
            schema = parameter["schema"]
            assert parameter["required"] and ("enum" in schema or "pattern" in schema), (path, parameter["name"])
        purpose = next(p for p in parameters if p["name"] == "purpose")
        scope = path.removeprefix("/api/v1/").replace("-", "_")
        assert purpose["schema"]["enum"] == list(scopes()[scope])
        assert {"200", "400", "401", "403", "429"} <= set(operations["get"]["responses"])


@pytest.fixture(scope="module")
def api_schema(built_world, tmp_path_factory):
    world = copy_world(built_world, tmp_path_factory.mktemp("api-v1-schema"))
    app = make_app(world)
    add_client(app.state.store, "schemathesis", token_hash(TOKEN), list(scopes()), default_purposes(list(scopes())),
               1_000_000, None)
    yield schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    app.state.jobs.shutdown()


def test_no_server_error_and_no_answer_outside_the_document(api_schema):
    """Each lookup's generated calls (Schemathesis's strategies and checks, driven directly: its
    pytest plugin does not load under this pytest)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == len(scopes())
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def call(case):
            case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"})

        call()
