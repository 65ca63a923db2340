"""The thread that takes jobs from the store's queue in one server process, shared by the passes
(`jobs.JobManager`) and the readings of archived scans (`archive_jobs.ArchiveReader`).

Each process of `lamsach serve --workers N` runs one such thread per queue: it sleeps until a job
is queued here (`wake`) or `POLL_SECONDS` pass (a job queued by another process), runs what it
can claim, and stops after the job in hand when the server shuts down; queued jobs then wait in
the store for the next start.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import timedelta

POLL_SECONDS = 2.0  # an idle runner looks for jobs queued by other processes this often
REPORT_SECONDS = 0.5  # progress and heartbeat are written this often while a job runs
STALE_AFTER = timedelta(minutes=15)  # a running job silent this long belongs to a process that died
# (long: on SQLite a pass storing a big file holds the writer, and the heartbeat waits for it; a
# process on this machine is checked directly and its job freed at once)


class QueueWorker:
    """Runs `_run_next` in a thread of its own until shut down; subclasses claim and run one job."""

    thread_name = "lamsach-queue"
    log = logging.getLogger("lamsach.web.queue_worker")

    def __init__(self) -> None:
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start this process's thread (at app start-up, and on the first submit of an app built
        without one, as in tests)."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._run_forever, name=self.thread_name, daemon=True)
                self._thread.start()

    def shutdown(self) -> None:
        """Stop after the running job, if any; queued jobs stay queued for the next start."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()

    def _before_first(self) -> None:
        """Work to do once when the thread starts (nothing by default)."""

    def _run_next(self) -> bool:
        """Claim and run one job; False when there was none to claim."""
        raise NotImplementedError

    def _run_forever(self) -> None:
        self._before_first()
        while not self._stop.is_set():
            try:
                ran = self._run_next()
            except Exception:  # the store is unreachable for a moment: try again at the next poll
                self.log.exception("%s could not reach the store", self.thread_name)
                ran = False
            if not ran:
                self._wake.wait(POLL_SECONDS)
                self._wake.clear()
