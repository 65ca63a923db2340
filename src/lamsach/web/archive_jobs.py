"""Reading uploaded scans in the background: the upload keeps the file and answers at once, the
OCR is queued as a job in the store (`backends.store.jobs`, its own queue beside the passes) and a
reader thread in one of the server's processes runs it; the document's page shows "đang nhận dạng
chữ" and polls until the text is there.

Like the passes, the queue lives in the store, so any process of `lamsach serve --workers N` may
take a reading and a reading still queued when the server stops runs when it starts again. One
reading runs at a time across processes (it uses `archive_ocr_jobs` OCR processes itself); a
reading whose process died is put back in the queue, as reading a document again is harmless, and
a document kept by a process that stopped before queueing its reading is queued when a reader starts.
"""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import UTC, datetime

from lamsach.archive.intake import PENDING, read_kept
from lamsach.backends.store import SqlAlchemyStore
from lamsach.backends.store import archive as catalogue
from lamsach.backends.store import jobs as q
from lamsach.settings import Settings
from lamsach.web.jobs import abandoned
from lamsach.web.queue_worker import REPORT_SECONDS, STALE_AFTER, QueueWorker

log = logging.getLogger("lamsach.web.archive_jobs")
KIND = q.ARCHIVE_KINDS[0]
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


class ArchiveReader(QueueWorker):
    """Queues the reading of kept documents and runs them, one at a time, in a thread of its own."""

    thread_name = "lamsach-archive-ocr"
    log = log

    def __init__(self, settings: Settings, store: SqlAlchemyStore) -> None:
        super().__init__()
        self.settings = settings
        self.store = store

    def submit(self, document_id: int, campaign: str, actor: str, unit: str | None, file_name: str) -> str:
        """Queue the reading of a kept document; its job's id."""
        job_id = uuid.uuid4().hex[:12]
        q.insert_job(self.store, {"id": job_id, "kind": KIND, "campaign": campaign, "actor": actor, "unit": unit,
                                  "file_name": file_name, "document_id": document_id,
                                  "created_at": datetime.now(UTC)})
        self.start()
        self._wake.set()
        return job_id

    def state(self, document_id: int) -> str | None:
        """Where the document's latest reading is (queued, running, done, failed), None if it has none."""
        rows = q.document_job_rows(self.store, [document_id])
        return rows[0]["state"] if rows else None

    def queue_unread(self) -> int:
        """Queue a reading for each document still waiting for its text with none queued (its
        upload's process stopped between keeping it and queueing the reading); how many."""
        unread = catalogue.unread_documents(self.store, PENDING, q.ARCHIVE_KINDS)
        for document in unread:
            self.submit(document["id"], "", document["added_by"], document["unit"], document["file_name"])
        return len(unread)

    def _before_first(self) -> None:
        try:
            self.queue_unread()
        except Exception:  # the store is unreachable for a moment: those wait for the next start
            log.exception("the archive reader could not look for unread documents")

    def _run_next(self) -> bool:
        now = datetime.now(UTC)
        dead = [r["id"] for r in q.running_job_rows(self.store, q.ARCHIVE_KINDS) if abandoned(r, now)]
        if dead:
            q.requeue_jobs(self.store, dead)
        row = q.claim_next_job(self.store, self.worker, now, now - STALE_AFTER, q.ARCHIVE_KINDS)
        if row is None:
            return False
        self._run(row)
        return True

    def _run(self, job: dict) -> None:
        beating = threading.Event()
        heart = threading.Thread(target=self._beat, args=(job["id"], beating), daemon=True)
        heart.start()
        outcome: dict = {}
        try:
            read = read_kept(self.store, self.settings, job["document_id"])
            outcome = {"state": DONE, "steps_done": 1, "stage": read.text_source or ""}
        except Exception:  # kept as it is, without text; the page says the reading failed
            outcome = {"state": FAILED, "reference": uuid.uuid4().hex[:10]}
            log.exception("reading document %s failed, reference %s", job["document_id"], outcome["reference"])
        finally:
            beating.set()
            heart.join()
            now = datetime.now(UTC)
            q.update_job(self.store, job["id"], **outcome, finished_at=now, heartbeat_at=now)

    def _beat(self, job_id: str, done: threading.Event) -> None:
        """Tell other processes the reading is alive until it ends."""
        while not done.wait(REPORT_SECONDS * 4):
            try:
                q.update_job(self.store, job_id, heartbeat_at=datetime.now(UTC))
            except Exception:  # the store is busy: the next beat will do
                log.debug("heartbeat of reading %s not written this time", job_id, exc_info=True)
