"""One door for the lookups' writes on SQLite, shared by every server process on the machine.

SQLite has one writer at a time, and a connection that finds the write lock taken sleeps and
retries (1, 2, 5 … up to 100 ms between tries), so under load a lookup could lose the race again
and again and wait seconds while others went ahead. The lookups' two short writes (taking a
rate token, appending to the access log) queue instead at an exclusive `flock` on a file beside
the database (the kernel wakes the next waiter as soon as the holder lets go) behind a lock per
process (threads hand over without a system call). PostgreSQL queues writers on its row locks
already: there the gate is open.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from threading import Lock

from sqlalchemy import Engine

_locks: dict[str, Lock] = {}
_locks_lock = Lock()


def _gate_path(engine: Engine) -> str | None:
    if engine.dialect.name != "sqlite" or not engine.url.database or engine.url.database == ":memory:":
        return None
    return f"{engine.url.database}.write-gate"


@contextmanager
def write_gate(engine: Engine) -> Iterator[None]:
    path = _gate_path(engine)
    if path is None:
        yield
        return
    with _locks_lock:
        lock = _locks.setdefault(path, Lock())
    with lock:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing lets go of the flock
