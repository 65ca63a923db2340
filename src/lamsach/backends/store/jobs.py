"""Repository functions for the web app's background passes (`web_jobs`).

Several server processes share one store, so the queue lives here: any process may add a job,
one claims it, and its progress is written back for whichever process serves the page that polls
it. At most one pass runs at a time across all processes (a pass uses the machine's cores and the
store's writer): claiming is one statement that also checks nothing else is running, serialised
on PostgreSQL by a transaction-level advisory lock and on SQLite by its single writer.

The archive's reading of an uploaded scan (OCR, `ARCHIVE_KINDS`) is queued and claimed the same way
in a queue of its own: one reading at a time across processes, beside (not behind) a pass.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, insert, or_, select, text, update

from lamsach.backends.store import tables as t
from lamsach.backends.store.sqlalchemy_store import SqlAlchemyStore

CLAIM_LOCK = 7_151_001  # the advisory lock key that serialises claims on PostgreSQL
FINISHED = ("done", "failed")
PASS_KINDS = ("upload", "workbook", "recheck")  # a campaign's pass
ARCHIVE_KINDS = ("archive_ocr",)  # reading an archived document's text


def insert_job(store: SqlAlchemyStore, values: dict[str, Any]) -> None:
    defaults = {"stage": "", "stages_done": 0, "steps_done": 0, "steps_total": 1, "state": "queued"}
    with store.engine.begin() as conn:
        conn.execute(insert(t.web_jobs).values({**defaults, **values}))


def job_row(store: SqlAlchemyStore, job_id: str) -> dict[str, Any] | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(t.web_jobs).where(t.web_jobs.c.id == job_id)).mappings().first()
    return dict(row) if row else None


def recent_job_rows(store: SqlAlchemyStore, campaign: str, unit: str | None = None,
                    limit: int = 10) -> list[dict[str, Any]]:
    query = select(t.web_jobs).where(t.web_jobs.c.campaign == campaign, t.web_jobs.c.kind.in_(PASS_KINDS))
    if unit is not None:
        query = query.where(t.web_jobs.c.unit == unit)
    query = query.order_by(t.web_jobs.c.created_at.desc(), t.web_jobs.c.id).limit(limit)
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def _alive(stale_before: datetime):
    """Queued, or running with a heartbeat newer than `stale_before`."""
    jobs = t.web_jobs.c
    return or_(jobs.state == "queued", and_(jobs.state == "running", jobs.heartbeat_at >= stale_before))


def campaign_busy(store: SqlAlchemyStore, campaign: str, stale_before: datetime) -> bool:
    """A pass of the campaign is waiting or running: its figures are about to move."""
    jobs = t.web_jobs.c
    query = select(exists().where(jobs.campaign == campaign, jobs.kind.in_(PASS_KINDS), _alive(stale_before)))
    with store.engine.connect() as conn:
        return bool(conn.execute(query).scalar())


def queued_recheck(store: SqlAlchemyStore, campaign: str) -> str | None:
    """A re-check of the campaign still waiting: a new request joins it instead of queueing another."""
    jobs = t.web_jobs.c
    query = (select(jobs.id).where(jobs.campaign == campaign, jobs.kind == "recheck", jobs.state == "queued")
             .order_by(jobs.created_at).limit(1))
    with store.engine.connect() as conn:
        return conn.execute(query).scalar()


def jobs_ahead(store: SqlAlchemyStore, job_id: str, stale_before: datetime) -> int:
    """How many passes run or wait before this queued job (they run one at a time, oldest first)."""
    jobs = t.web_jobs.c
    mine = select(jobs.created_at).where(jobs.id == job_id).scalar_subquery()
    earlier = or_(jobs.created_at < mine, and_(jobs.created_at == mine, jobs.id < job_id))
    query = select(func.count()).select_from(t.web_jobs).where(
        jobs.id != job_id, jobs.kind.in_(PASS_KINDS), or_(and_(jobs.state == "queued", earlier),
                               and_(jobs.state == "running", jobs.heartbeat_at >= stale_before)))
    with store.engine.connect() as conn:
        return int(conn.execute(query).scalar() or 0)


def claim_next_job(store: SqlAlchemyStore, worker: str, now: datetime, stale_before: datetime,
                   kinds: tuple[str, ...] = PASS_KINDS) -> dict[str, Any] | None:
    """Mark the oldest queued job of `kinds` running for `worker`, unless a live job of those kinds
    is running already."""
    jobs = t.web_jobs.c
    oldest = (select(jobs.id).where(jobs.state == "queued", jobs.kind.in_(kinds))
              .order_by(jobs.created_at, jobs.id).limit(1).scalar_subquery())
    running = exists().where(jobs.state == "running", jobs.kind.in_(kinds), jobs.heartbeat_at >= stale_before)
    with store.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CLAIM_LOCK})
        claimed = conn.execute(
            update(t.web_jobs).where(jobs.id == oldest, jobs.state == "queued", ~running)
            .values(state="running", worker=worker, started_at=now, heartbeat_at=now)
            .returning(*t.web_jobs.c)).mappings().first()
    return dict(claimed) if claimed else None


def update_job(store: SqlAlchemyStore, job_id: str, **values: Any) -> None:
    """Progress, heartbeat or outcome of a job (its owner is the only writer)."""
    with store.engine.begin() as conn:
        conn.execute(update(t.web_jobs).where(t.web_jobs.c.id == job_id).values(**values))


def running_job_rows(store: SqlAlchemyStore, kinds: tuple[str, ...] = PASS_KINDS) -> list[dict[str, Any]]:
    jobs = t.web_jobs.c
    query = select(jobs.id, jobs.worker, jobs.heartbeat_at).where(jobs.state == "running", jobs.kind.in_(kinds))
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def fail_jobs(store: SqlAlchemyStore, job_ids: list[str], now: datetime, reference: str) -> None:
    """Mark running jobs failed (their process died), so their pages stop waiting and the next
    job can run."""
    jobs = t.web_jobs.c
    with store.engine.begin() as conn:
        conn.execute(update(t.web_jobs).where(jobs.id.in_(job_ids), jobs.state == "running")
                     .values(state="failed", finished_at=now, reference=reference))


def requeue_jobs(store: SqlAlchemyStore, job_ids: list[str]) -> None:
    """Put running jobs whose process died back in the queue (a reading is safe to run again)."""
    jobs = t.web_jobs.c
    with store.engine.begin() as conn:
        conn.execute(update(t.web_jobs).where(jobs.id.in_(job_ids), jobs.state == "running")
                     .values(state="queued", worker=None, started_at=None, heartbeat_at=None))


def document_job_rows(store: SqlAlchemyStore, document_ids: list[int]) -> list[dict[str, Any]]:
    """The readings queued for these archived documents, newest first."""
    jobs = t.web_jobs.c
    query = (select(t.web_jobs).where(jobs.document_id.in_(document_ids), jobs.kind.in_(ARCHIVE_KINDS))
             .order_by(jobs.created_at.desc()))
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]
