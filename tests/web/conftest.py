"""In-process web tests: FastAPI's TestClient against real SQLite from a generated province pass."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from web_fixtures import World, build_world, copy_world, make_app, sign_in


@pytest.fixture(scope="session")
def built_world(tmp_path_factory) -> World:
    return build_world(tmp_path_factory.mktemp("web-province"))


@pytest.fixture
def world(built_world, tmp_path) -> World:
    """A private copy of the passed store, for tests that change data."""
    return copy_world(built_world, tmp_path)


@pytest.fixture
def app(world):
    application = make_app(world)
    yield application
    application.state.jobs.shutdown()
    application.state.archive_reader.shutdown()


@pytest.fixture(scope="module")
def shared_app(built_world):
    """One app over the shared store, for tests that only read."""
    application = make_app(built_world)
    yield application
    application.state.jobs.shutdown()
    application.state.archive_reader.shutdown()


@pytest.fixture
def client_as(shared_app):
    """`client_as("officer")`: a client signed in on the read-only app."""
    clients = []

    def make(username: str) -> TestClient:
        client = TestClient(shared_app)
        assert sign_in(client, username).status_code == 303
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
