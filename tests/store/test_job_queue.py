"""The web's job queue in the store: one pass at a time across processes, on both backends."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from lamsach.backends.store import SqlAlchemyStore
from lamsach.backends.store import jobs as q

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
STALE = NOW - timedelta(minutes=15)


def _queue(store, job_id: str, minute: int, kind: str = "upload", campaign: str = "Đợt 1") -> None:
    q.insert_job(store, {"id": job_id, "kind": kind, "campaign": campaign, "actor": "cb-xa", "unit": "00001",
                         "created_at": NOW + timedelta(minutes=minute)})


def test_jobs_are_claimed_oldest_first_and_one_at_a_time(store_url):
    store = SqlAlchemyStore.open(store_url)
    _queue(store, "second", 2)
    _queue(store, "first", 1)
    claimed = q.claim_next_job(store, "worker-a", NOW, STALE)
    assert claimed["id"] == "first" and claimed["worker"] == "worker-a"
    assert q.claim_next_job(store, "worker-b", NOW, STALE) is None  # "first" is still running
    assert q.campaign_busy(store, "Đợt 1", STALE)
    q.update_job(store, "first", state="done", finished_at=NOW)
    assert q.claim_next_job(store, "worker-b", NOW, STALE)["id"] == "second"
    q.update_job(store, "second", state="failed", finished_at=NOW)
    assert not q.campaign_busy(store, "Đợt 1", STALE)
    assert q.claim_next_job(store, "worker-b", NOW, STALE) is None  # nothing queued
    store.engine.dispose()


def test_concurrent_claims_start_a_single_job(store_url):
    """Eight claimers at once (as eight server processes would): exactly one job starts."""
    store = SqlAlchemyStore.open(store_url)
    for minute in range(4):
        _queue(store, f"job-{minute}", minute)
    start = threading.Barrier(8)
    won: list[str] = []

    def claim(worker: str) -> None:
        other = SqlAlchemyStore.open(store_url, migrate=False)
        start.wait()
        try:
            row = q.claim_next_job(other, worker, NOW, STALE)
        except Exception:  # SQLite may refuse a writer that lost the race: that claimer did not start
            row = None
        if row:
            won.append(row["id"])
        other.engine.dispose()

    threads = [threading.Thread(target=claim, args=(f"w{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert won == ["job-0"]
    assert [r["id"] for r in q.running_job_rows(store)] == ["job-0"]
    store.engine.dispose()


def test_a_silent_running_job_no_longer_blocks_the_queue(store_url):
    store = SqlAlchemyStore.open(store_url)
    _queue(store, "stuck", 1)
    _queue(store, "next", 2)
    q.claim_next_job(store, "gone", NOW - timedelta(hours=1), NOW - timedelta(hours=2))
    assert q.claim_next_job(store, "worker-b", NOW, STALE)["id"] == "next"  # "stuck" beat an hour ago
    q.fail_jobs(store, ["stuck"], NOW, "interrupted")
    row = q.job_row(store, "stuck")
    assert (row["state"], row["reference"]) == ("failed", "interrupted")
    store.engine.dispose()


def test_a_waiting_recheck_is_found_to_be_joined(store_url):
    store = SqlAlchemyStore.open(store_url)
    _queue(store, "upload", 1)
    _queue(store, "recheck", 2, kind="recheck")
    _queue(store, "other-campaign", 3, kind="recheck", campaign="Đợt 2")
    assert q.queued_recheck(store, "Đợt 1") == "recheck"
    q.claim_next_job(store, "w", NOW, STALE)
    q.update_job(store, "upload", state="done")
    q.claim_next_job(store, "w", NOW, STALE)  # the re-check starts: a new request queues its own
    assert q.queued_recheck(store, "Đợt 1") is None
    assert [r["id"] for r in q.recent_job_rows(store, "Đợt 1")] == ["recheck", "upload"]
    store.engine.dispose()


def test_a_queued_job_knows_how_many_passes_come_before_it(store_url):
    store = SqlAlchemyStore.open(store_url)
    for minute, job_id in enumerate(["a", "b", "c", "d"]):
        _queue(store, job_id, minute)
    q.claim_next_job(store, "w", NOW, STALE)  # "a" runs
    assert [q.jobs_ahead(store, j, STALE) for j in ("b", "c", "d")] == [1, 2, 3]
    q.update_job(store, "c", state="failed")  # a refused file leaves the queue
    assert q.jobs_ahead(store, "d", STALE) == 2
    q.update_job(store, "a", state="done")
    assert q.jobs_ahead(store, "b", STALE) == 0
    store.engine.dispose()


def test_an_archive_reading_runs_beside_a_pass_in_a_queue_of_its_own(store_url):
    """A scan's OCR does not wait for a long pass (nor a pass for it); readings run one at a time."""
    store = SqlAlchemyStore.open(store_url)
    _queue(store, "pass", 1)
    _queue(store, "reading-1", 2, kind="archive_ocr")
    _queue(store, "reading-2", 3, kind="archive_ocr")
    assert q.claim_next_job(store, "w1", NOW, STALE)["id"] == "pass"
    assert q.claim_next_job(store, "w2", NOW, STALE, q.ARCHIVE_KINDS)["id"] == "reading-1"
    assert q.claim_next_job(store, "w3", NOW, STALE, q.ARCHIVE_KINDS) is None  # reading-1 still runs
    assert q.claim_next_job(store, "w3", NOW, STALE) is None  # readings are not passes
    assert [r["id"] for r in q.recent_job_rows(store, "Đợt 1")] == ["pass"]  # the upload page lists passes
    q.requeue_jobs(store, ["reading-1"])  # its process died: it runs again, first
    assert q.claim_next_job(store, "w3", NOW, STALE, q.ARCHIVE_KINDS)["id"] == "reading-1"
    store.engine.dispose()
