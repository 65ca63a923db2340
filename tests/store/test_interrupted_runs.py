"""A run whose process was killed does not stay `running` forever: the next pass on this machine
finds its process gone and marks it `interrupted`; a run still going on, or one of another machine,
is left as it is."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import update

from lamsach.backends.store import SqlAlchemyStore, this_host
from lamsach.backends.store import tables as t


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_runs_of_killed_processes_are_marked_interrupted(store_url):
    store = SqlAlchemyStore.open(store_url)
    killed, elsewhere, alive, done = (store.start_run("Đợt thử", None, None, "test") for _ in range(4))
    store.finish_run(done, "complete", {})
    dead = _dead_pid()
    with store.engine.begin() as conn:
        conn.execute(update(t.runs).where(t.runs.c.id == killed).values(pid=dead))
        conn.execute(update(t.runs).where(t.runs.c.id == elsewhere).values(pid=dead, host="another-machine"))
    run = store.run(alive)
    assert (run["host"], run["pid"]) == (this_host(), os.getpid())

    assert store.interrupt_abandoned_runs() == [killed]
    statuses = {r["id"]: r["status"] for r in store.runs()}
    assert statuses == {killed: "interrupted", elsewhere: "running", alive: "running", done: "complete"}
    assert store.run(killed)["finished_at"] is not None
    assert store.interrupt_abandoned_runs() == []
    store.close()
