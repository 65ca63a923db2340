"""The sync tests talk to a real receiver process over HTTP."""

from __future__ import annotations

import pytest

from sync_receiver import receiver_fixture


@pytest.fixture
def receiver(tmp_path):
    start, started = receiver_fixture(tmp_path)
    yield start
    for process in started:
        process.stop()
