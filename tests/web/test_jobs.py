"""Background passes live in the store: several server processes share them, a job queued before
a restart runs after it, and a job whose process died is reported as interrupted."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime

import httpx2 as httpx
from fastapi.testclient import TestClient
from test_upload import XLSX, _changed_land_file
from web_fixtures import PASSWORDS, csrf_of, free_port, make_app, sign_in, wait_until_serving

from lamsach.backends.store import jobs as q
from lamsach.web.jobs import ABANDONED


def test_a_job_queued_before_a_restart_runs_when_the_server_starts(world):
    first = make_app(world)
    q.insert_job(first.state.store, {"id": "queued-before", "kind": "recheck", "campaign": world.campaign,
                                     "actor": "officer", "unit": world.unit, "created_at": datetime.now(UTC)})
    first.state.store.engine.dispose()  # the server stopped without running it

    second = make_app(world)
    with TestClient(second) as client:  # start-up starts the runner
        job = second.state.jobs.wait("queued-before", timeout=300)
        assert job.state == "done", (job.problems, job.reference)
        sign_in(client, "officer")
        assert 'data-state="done"' in client.get("/jobs/queued-before").text


def test_a_job_whose_process_died_is_reported_interrupted_and_frees_the_queue(world):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a process id of this machine that no longer runs
    app = make_app(world)
    store = app.state.store
    q.insert_job(store, {"id": "orphan", "kind": "recheck", "campaign": world.campaign, "actor": "officer",
                         "unit": world.unit, "created_at": datetime.now(UTC)})
    assert q.claim_next_job(store, f"{socket.gethostname()}:{gone.pid}:x", datetime.now(UTC),
                            datetime.now(UTC))["id"] == "orphan"
    with TestClient(app) as client:
        sign_in(client, "officer")
        job = client.app.state.jobs.submit("recheck", _spec(client, world), "officer", world.unit)
        done = app.state.jobs.wait(job.id, timeout=300)
        assert done.state == "done", (done.problems, done.reference)  # the dead job did not block it
        orphan = app.state.jobs.get("orphan")
        assert (orphan.state, orphan.reference) == ("failed", ABANDONED)
        page = client.get("/jobs/orphan")
        assert "Máy chủ đã dừng giữa lượt này" in page.text


def _spec(client, world):
    from lamsach.web.campaigns import campaign_spec

    return campaign_spec(client.app.state.store, world.campaign, client.app.state.config.work_dir)


def test_one_process_reports_the_job_another_runs(world):
    """Two apps over one store, as two server processes: the page of either shows the same job."""
    runner, reader = make_app(world), make_app(world)
    with TestClient(runner) as first, TestClient(reader) as second:
        sign_in(first, "officer")
        sign_in(second, "officer")
        page = first.get("/upload")
        response = first.post("/upload", data={"dataset": "land_parcel", "csrf_token": csrf_of(page.text)},
                              files={"file": ("thửa đất.xlsx", _changed_land_file(world), XLSX)},
                              follow_redirects=False)
        job_id = response.headers["location"].rsplit("/", 1)[-1]
        assert reader.state.jobs.get(job_id) is not None
        job = reader.state.jobs.wait(job_id, timeout=300)
        assert job.state == "done", (job.problems, job.reference)
        result = second.get(f"/jobs/{job_id}")
        assert result.status_code == 200 and "thửa đất.xlsx" in result.text
        assert [s["rows_read"] for s in result.context["page"].sources if s.get("unit") == world.unit]


def test_serve_with_two_workers_serves_pages_and_runs_an_upload(world):
    serve_two_processes_and_upload(world)


def serve_two_processes_and_upload(world) -> None:
    """`lamsach serve --workers 2` on the world's store: an officer signs in, sends a file and
    follows its progress, each poll answered by whichever process takes it."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    store = ["--database-url", world.database_url] if world.database_url else []
    server = subprocess.Popen([sys.executable, "-m", "lamsach.cli", "serve", "--port", str(port), "--workers", "2",
                               "--data-dir", str(world.data_dir), *store], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        wait_until_serving(base)
        with httpx.Client(base_url=base, timeout=30) as client:
            form = client.get("/login")
            client.post("/login", data={"username": "officer", "password": PASSWORDS["officer"],
                                        "csrf_token": csrf_of(form.text)})
            assert client.get("/dashboard").status_code == 200
            page = client.get("/upload")
            response = client.post("/upload", data={"dataset": "land_parcel", "csrf_token": csrf_of(page.text)},
                                   files={"file": ("thửa đất.xlsx", _changed_land_file(world), XLSX)})
            assert response.status_code == 303, response.text[:300]
            job_url = response.headers["location"]
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                progress = client.get(f"{job_url}/progress")  # served by whichever process answers
                state = progress.text.split('data-state="', 1)[1].split('"', 1)[0]
                if state in ("done", "failed"):
                    break
                time.sleep(0.3)
            assert state == "done", client.get(job_url).text[-2000:]
            assert "thửa đất.xlsx" in client.get(job_url).text
    finally:
        server.terminate()
        output = server.communicate(timeout=60)[0].decode("utf-8", "replace")
    assert output.count("Started server process") == 2, output[-3000:]


def test_a_waiting_job_says_how_many_passes_come_before_it(world):
    app = make_app(world)  # no runner started: the jobs stay as queued here
    store = app.state.store
    for minute, job_id in enumerate(["first", "second", "third"]):
        q.insert_job(store, {"id": job_id, "kind": "recheck", "campaign": world.campaign, "actor": "officer",
                             "unit": world.unit, "created_at": datetime(2026, 11, 26, 9, minute, tzinfo=UTC)})
    q.claim_next_job(store, "elsewhere", datetime.now(UTC), datetime.now(UTC))
    client = TestClient(app)
    sign_in(client, "officer")
    progress = client.get("/jobs/third/progress")
    assert progress.context["page"].ahead == 2 and "2 lượt kiểm tra đang chạy hoặc chờ trước lượt này" in progress.text
    assert client.get("/jobs/first/progress").context["page"].ahead == 0  # it is the one running
