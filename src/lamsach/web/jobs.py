"""Background passes: an upload, a returned workbook or an officer's fix starts the campaign's
pass in a worker thread, and the page polls its progress.

One worker runs one pass at a time (a pass uses the machine's cores and the store's writer);
a re-check asked for while another is still waiting joins it. Jobs live in memory: what a pass
produced is in the store (its run and summary), so a restart loses only the progress bars.
"""

from __future__ import annotations

import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from lamsach.campaign import CampaignSpec
from lamsach.domain import LamsachError
from lamsach.web.config import WebConfig
from lamsach.web.errors import lamsach_errors
from lamsach.web.uploads import reject_upload, web_manifest

log = logging.getLogger("lamsach.web.jobs")
PASS_STAGES = 6  # read, store, standardise, validate, link, write (runner/pass_run.py)


@dataclass
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
    problems: list[LamsachError] = field(default_factory=list)  # why the pass refused the files
    reference: str | None = None  # the log reference of an unexpected failure

    @property
    def fraction(self) -> float:
        if self.state == "done":
            return 1.0
        within = self.steps_done / self.steps_total if self.steps_total else 0.0
        return min(0.99, (self.stages_done + within) / PASS_STAGES)

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")


class JobProgress:
    """`runner.Progress` feeding a job's progress bar."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self._started = 0

    def start(self, label: str, total: int) -> None:
        self.job.stage, self.job.steps_done, self.job.steps_total = label, 0, max(total, 1)
        self.job.stages_done = self._started
        self._started += 1

    def advance(self, steps: int = 1) -> None:
        self.job.steps_done = min(self.job.steps_total, self.job.steps_done + steps)

    def finish(self) -> None:
        self.job.steps_done = self.job.steps_total


class JobManager:
    def __init__(self, config: WebConfig) -> None:
        self.config = config
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lamsach-pass")
        self._done: dict[str, threading.Event] = {}

    def submit(self, kind: str, spec: CampaignSpec, actor: str, unit: str | None = None,
               upload: Path | None = None, file_name: str | None = None) -> Job:
        with self._lock:
            if kind == "recheck":
                for job in self._jobs.values():
                    if job.kind == "recheck" and job.campaign == spec.name and job.state == "queued":
                        return job
            job = Job(uuid.uuid4().hex[:12], kind, spec.name, actor, unit, upload, file_name)
            self._jobs[job.id] = job
            self._done[job.id] = threading.Event()
        self._pool.submit(self._run, job, spec)
        return job

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def recent(self, campaign: str, unit: str | None = None, limit: int = 10) -> list[Job]:
        jobs = [j for j in self._jobs.values() if j.campaign == campaign and (unit is None or j.unit == unit)]
        return sorted(jobs, key=lambda j: j.created_at, reverse=True)[:limit]

    def pending(self, campaign: str) -> bool:
        return any(j.campaign == campaign and not j.finished for j in self._jobs.values())

    def wait(self, job_id: str, timeout: float = 300) -> Job:
        """Block until the job ends (tests and the CLI use this; pages poll instead)."""
        self._done[job_id].wait(timeout)
        return self._jobs[job_id]

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _run(self, job: Job, spec: CampaignSpec) -> None:
        from lamsach.runner import run_pass

        job.state = "running"
        try:
            manifest = web_manifest(spec, self.config.uploads_dir, self.config.work_dir)
            summary = run_pass(manifest, self.config.runs_dir / job.id, self.config.settings,
                               JobProgress(job), actor=job.actor)
            job.run_id = summary.run_id
            job.state = "done"
        except Exception as exc:  # the job page shows why; a bug is logged with a reference
            errors = lamsach_errors(exc)
            if errors:
                job.problems = errors
                if job.upload is not None and job.upload.exists():
                    job.upload = reject_upload(job.upload)
            else:
                job.reference = uuid.uuid4().hex[:10]
                log.error("pass job %s failed, reference %s", job.id, job.reference, exc_info=exc)
            job.state = "failed"
        finally:
            job.finished_at = datetime.now(UTC)
            self._done[job.id].set()
