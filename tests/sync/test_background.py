"""`lamsach serve` with a target set delivers the outbox in the background."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from test_push import queue

from lamsach.backends.store import SqlAlchemyStore
from sync_receiver import free_port


def test_serve_sends_the_outbox_when_a_target_is_set(tmp_path, receiver):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    queue(SqlAlchemyStore.open(url), 300)
    national = receiver()
    env = {**os.environ, "LAMSACH_DATABASE_URL": url, "LAMSACH_SYNC_TARGET": national.url,
           "LAMSACH_SYNC_INTERVAL_S": "0.5", "LAMSACH_SYNC_BATCH_SIZE": "100"}
    server = subprocess.Popen([sys.executable, "-m", "lamsach.cli", "serve", "--port", str(free_port()),
                               "--workers", "1"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while len(national.lines()) < 300 and time.monotonic() < deadline and server.poll() is None:
            time.sleep(0.5)
        assert sorted(x["record_id"] for x in national.lines()) == [f"TD{i:05d}" for i in range(300)]
        queue(SqlAlchemyStore.open(url), 10, version=2)  # published later: the next round sends it
        while len(national.lines()) < 310 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert len(national.lines()) == 310
    finally:
        server.kill()
        output = server.communicate()[0].decode()
    assert "gửi dữ liệu dùng chung tới" in output
