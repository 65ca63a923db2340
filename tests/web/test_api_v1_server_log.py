"""No citizen ID in clear in any log: `lamsach serve` with two processes answers lookups over
real HTTP, and its whole output (request lines included) shows the IDs masked only."""

from __future__ import annotations

import subprocess
import sys

import httpx2 as httpx
from web_fixtures import free_port, wait_until_serving

from lamsach.backends.store import SqlAlchemyStore
from lamsach.backends.store.api_clients import add_client
from lamsach.lookups import default_purposes, scopes
from lamsach.web.passwords import token_hash

TOKEN = "server-log-client-token-0123456789"


def test_the_server_log_masks_citizen_ids(world):
    store = SqlAlchemyStore.open(world.settings.store_url)
    add_client(store, "log-check", token_hash(TOKEN), list(scopes()), default_purposes(list(scopes())), 1000, None)
    ids = [r.data["citizen_id"] for r in store.load_records(world.campaign, "population")
           if len(str(r.data.get("citizen_id") or "")) == 12][:3]
    store.engine.dispose()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "lamsach.cli", "serve", "--port", str(port), "--workers", "2",
                               "--data-dir", str(world.data_dir)], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        wait_until_serving(base, seconds=120)
        headers = {"Authorization": f"Bearer {TOKEN}"}
        for cid in ids:
            answer = httpx.get(f"{base}/api/v1/life-status", headers=headers, timeout=30,
                               params={"citizen_id": cid, "purpose": "administrative_procedure"})
            assert answer.status_code == 200
            refused = httpx.get(f"{base}/api/v1/residence", headers=headers, timeout=30,
                                params={"citizen_id": cid, "commune": "1", "purpose": "administrative_procedure"})
            assert refused.status_code == 400
    finally:
        server.terminate()
        output = server.communicate(timeout=60)[0]
    assert "/api/v1/life-status?citizen_id=" in output  # the request lines are there …
    for cid in ids:
        assert cid not in output  # … with the IDs masked
        assert f"{cid[:3]}******{cid[-3:]}" in output


def test_the_rate_limit_holds_across_the_server_processes(world):
    """`lamsach serve --workers 2`: calls on fresh connections land on either process, and the
    client still gets its rate, not twice it (the bucket is in the store)."""
    store = SqlAlchemyStore.open(world.settings.store_url)
    add_client(store, "rate-check", token_hash(TOKEN), ["life_status"], ["administrative_procedure"], 5, None)
    store.engine.dispose()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "lamsach.cli", "serve", "--port", str(port), "--workers", "2",
                               "--data-dir", str(world.data_dir)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        wait_until_serving(base, seconds=120)
        answers = [httpx.get(f"{base}/api/v1/life-status", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30,
                             params={"citizen_id": "038093004643", "purpose": "administrative_procedure"})
                   for _ in range(10)]
    finally:
        server.terminate()
        server.wait(timeout=60)
    assert [a.status_code for a in answers] == [200] * 5 + [429] * 5
    assert all(int(a.headers["Retry-After"]) >= 1 for a in answers[5:])
