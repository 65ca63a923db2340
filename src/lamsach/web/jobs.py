"""Background passes: an upload, a returned workbook or an officer's fix queues the campaign's
pass, a runner thread in one of the server's processes runs it, and the page polls its progress.

The queue and the progress live in the store (`backends.store.jobs`), so the app can run as
several processes (`lamsach serve --workers N`) and any of them can report any job; a job still
queued when the server stops runs when it starts again. One pass runs at a time across all
processes; a re-check asked for while another is still waiting joins it. The pass never writes
its own progress: it updates a job in memory and a reporter thread copies that to the store
every `REPORT_SECONDS` (the heartbeat), so a busy store can slow the bar but never the pass.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lamsach.backends.store import SqlAlchemyStore, as_utc
from lamsach.backends.store import jobs as q
from lamsach.campaign import CampaignSpec
from lamsach.campaign.uploads import pass_manifest, pass_source_roots, reject_upload
from lamsach.domain import ErrorCode, LamsachError, Location
from lamsach.domain.clock import today_vn
from lamsach.web.campaigns import campaign_spec
from lamsach.web.config import WebConfig
from lamsach.web.errors import lamsach_errors
from lamsach.web.queue_worker import REPORT_SECONDS, STALE_AFTER, QueueWorker

log = logging.getLogger("lamsach.web.jobs")
PASS_STAGES = 6  # read, store, standardise, validate, link, write (runner/pass_run.py)
ABANDONED = "interrupted"  # the reference a job gets when its process died under it


@dataclass(frozen=True)
class Job:
    id: str
    kind: str  # upload, workbook, recheck
    campaign: str
    actor: str
    unit: str | None = None
    upload: Path | None = None
    file_name: str | None = None
    state: str = "queued"  # queued, running, done, failed
    stage: str = ""
    stages_done: int = 0
    steps_done: int = 0
    steps_total: int = 1
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None
    run_id: int | None = None
    problems: tuple[LamsachError, ...] = ()  # why the pass refused the files
    reference: str | None = None  # the log reference of an unexpected failure

    @property
    def fraction(self) -> float:
        if self.state == "done":
            return 1.0
        within = self.steps_done / self.steps_total if self.steps_total else 0.0
        return min(0.99, (self.stages_done + within) / PASS_STAGES)

    @property
    def finished(self) -> bool:
        return self.state in q.FINISHED

    @property
    def interrupted(self) -> bool:
        return self.reference == ABANDONED


def _job(row: dict[str, Any]) -> Job:
    problems = tuple(LamsachError(ErrorCode(p["code"]), Location(**p["location"]), p["params"], p["severity"])
                     for p in json.loads(row["problems"] or "[]"))
    return Job(row["id"], row["kind"], row["campaign"], row["actor"], row["unit"],
               Path(row["upload_path"]) if row["upload_path"] else None, row["file_name"], row["state"],
               row["stage"], row["stages_done"], row["steps_done"], row["steps_total"], as_utc(row["created_at"]),
               as_utc(row["finished_at"]), row["run_id"], problems, row["reference"])


def _problems_json(errors: list[LamsachError]) -> str:
    return json.dumps([{"code": e.code.value, "location": e.location.as_dict(), "params": e.params,
                        "severity": e.severity} for e in errors], ensure_ascii=False, default=str)


class JobProgress:
    """`runner.Progress` feeding a job's progress bar: in memory, copied to the store by the reporter."""

    def __init__(self) -> None:
        self.values = {"stage": "", "stages_done": 0, "steps_done": 0, "steps_total": 1}
        self._started = 0

    def start(self, label: str, total: int) -> None:
        self.values = {"stage": label, "stages_done": self._started, "steps_done": 0, "steps_total": max(total, 1)}
        self._started += 1

    def advance(self, steps: int = 1) -> None:
        values = dict(self.values)
        values["steps_done"] = min(values["steps_total"], values["steps_done"] + steps)
        self.values = values

    def finish(self) -> None:
        self.values = {**self.values, "steps_done": self.values["steps_total"]}


class JobManager(QueueWorker):
    """Queues jobs in the store and runs them, one at a time, in this process's runner thread."""

    thread_name = "lamsach-pass"
    log = log

    def __init__(self, config: WebConfig, store: SqlAlchemyStore) -> None:
        super().__init__()
        self.config = config
        self.store = store

    def submit(self, kind: str, spec: CampaignSpec, actor: str, unit: str | None = None,
               upload: Path | None = None, file_name: str | None = None,
               notes: list[LamsachError] | None = None) -> Job:
        """Queue a pass; `notes` are shown on its page whatever its end (a returned workbook's
        skipped cells)."""
        if kind == "recheck":
            waiting = q.queued_recheck(self.store, spec.name)
            if waiting is not None:
                return self.get(waiting) or self._queue(kind, spec, actor, unit, upload, file_name, notes)
        return self._queue(kind, spec, actor, unit, upload, file_name, notes)

    def _queue(self, kind: str, spec: CampaignSpec, actor: str, unit: str | None, upload: Path | None,
               file_name: str | None, notes: list[LamsachError] | None = None) -> Job:
        job = Job(uuid.uuid4().hex[:12], kind, spec.name, actor, unit, upload, file_name, problems=tuple(notes or ()))
        q.insert_job(self.store, {"id": job.id, "kind": kind, "campaign": spec.name, "actor": actor, "unit": unit,
                                  "upload_path": str(upload) if upload else None, "file_name": file_name,
                                  "created_at": job.created_at,
                                  "problems": _problems_json(list(notes)) if notes else None})
        self.start()
        self._wake.set()
        return job

    def get(self, job_id: str) -> Job | None:
        row = q.job_row(self.store, job_id)
        return _job(row) if row else None

    def recent(self, campaign: str, unit: str | None = None, limit: int = 10) -> list[Job]:
        return [_job(r) for r in q.recent_job_rows(self.store, campaign, unit, limit)]

    def ahead(self, job: Job) -> int:
        """Passes that run or wait before a queued job: what its page tells the officer."""
        return q.jobs_ahead(self.store, job.id, datetime.now(UTC) - STALE_AFTER) if job.state == "queued" else 0

    def pending(self, campaign: str) -> bool:
        return q.campaign_busy(self.store, campaign, datetime.now(UTC) - STALE_AFTER)

    def wait(self, job_id: str, timeout: float = 300) -> Job:
        """Block until the job ends (tests and the CLI use this; pages poll instead)."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.get(job_id)
            if job is None or job.finished or time.monotonic() > deadline:
                return job  # type: ignore[return-value]
            time.sleep(0.1)

    def _run_next(self) -> bool:
        now = datetime.now(UTC)
        dead = [r["id"] for r in q.running_job_rows(self.store) if abandoned(r, now)]
        if dead:
            q.fail_jobs(self.store, dead, now, ABANDONED)
        row = q.claim_next_job(self.store, self.worker, now, now - STALE_AFTER)
        if row is None:
            return False
        self._run(_job(row))
        return True

    def _run(self, job: Job) -> None:
        from lamsach.runner import run_pass

        progress = JobProgress()
        reporting = threading.Event()
        reporter = threading.Thread(target=self._report, args=(job.id, progress, reporting), daemon=True)
        reporter.start()
        outcome: dict[str, Any] = {}
        try:
            spec = self._spec(job)
            manifest = pass_manifest(spec, self.config.settings)
            # a pass from the web is today's snapshot: the campaign file's reference date is for
            # its own files, and would leave today's upload out of this week
            summary = run_pass(manifest, self.config.runs_dir / job.id, self.config.settings, progress,
                               actor=job.actor, source_roots=pass_source_roots(spec, self.config.settings),
                               reference_date=today_vn())
            outcome = {"state": "done", "run_id": summary.run_id}
        except Exception as exc:  # the job page shows why; a bug is logged with a reference
            errors = lamsach_errors(exc)
            outcome = {"state": "failed"}
            if errors:
                outcome["problems"] = _problems_json(errors)
                if job.upload is not None and job.upload.exists():
                    outcome["upload_path"] = str(reject_upload(job.upload))
            else:
                outcome["reference"] = uuid.uuid4().hex[:10]
                log.error("pass job %s failed, reference %s", job.id, outcome["reference"], exc_info=exc)
        finally:
            reporting.set()
            reporter.join()
            now = datetime.now(UTC)
            q.update_job(self.store, job.id, **progress.values, **outcome, finished_at=now, heartbeat_at=now)

    def _spec(self, job: Job) -> CampaignSpec:
        """The campaign's declaration as the web resolves it (registered file or first manifest)."""
        return campaign_spec(self.store, job.campaign, self.config.work_dir)

    def _report(self, job_id: str, progress: JobProgress, done: threading.Event) -> None:
        """Copy the pass's progress to the store, and beat the heart, until the pass ends."""
        written: dict[str, Any] = {}
        while not done.wait(REPORT_SECONDS):
            values = progress.values
            try:
                q.update_job(self.store, job_id, heartbeat_at=datetime.now(UTC),
                             **(values if values != written else {}))
                written = values
            except Exception:  # the pass holds the SQLite writer: the bar waits for the next beat
                log.debug("progress of job %s not written this time", job_id, exc_info=True)


def abandoned(row: dict[str, Any], now: datetime) -> bool:
    """The running job's process is gone: a process of this machine that no longer exists, or
    any process silent for `STALE_AFTER`."""
    beat = as_utc(row["heartbeat_at"])
    if beat is None or beat < now - STALE_AFTER:
        return True
    host, _, rest = (row["worker"] or "").partition(":")
    pid = rest.split(":", 1)[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, under another account
        return False
    return False
