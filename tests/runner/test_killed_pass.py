"""A pass killed with SIGKILL anywhere — reading, storing (inside a transaction), standardising,
validating, linking, writing or publishing — loses nothing and leaves nothing half done: no half
batch, every stored value explained by its versions, the output folder the previous pass's whole,
its run marked interrupted and its staging folder removed by the next pass, which completes. And
a pass over unchanged files, once the first has enriched the store, is a fixed point.

The kill points are chosen from a pass that runs to the end first: the steps it reports (each
stage's progress), the SQL statements it sends the store, and the file operations of publishing,
spread over the whole pass.
"""

from __future__ import annotations

import csv
import json
import signal
import subprocess
import sys
import textwrap
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import select

from lamsach.backends.store import SqlAlchemyStore
from lamsach.backends.store import tables as t
from lamsach.generate import generate_province

PEOPLE, SEED = 300, 5

# The pass in a child process that kills itself (SIGKILL: no cleanup, no `finally`) at the n-th
# event of one kind; with n = 0 it runs to the end and prints how many events of each kind it saw.
# One driver process imports lamsach and what the pass loads once, then forks a child for each
# pass it is asked for (a line of JSON on its standard input), waits for it and answers with the
# child's exit status: a pass starts in milliseconds, not the second and a half an interpreter
# takes to import all that, over the twenty-odd passes of a test. Each child opens its own store
# and engine, as a freshly started pass would.
DRIVER = textwrap.dedent("""
    import json, os, signal, sys, traceback
    from pathlib import Path
    import alembic.command, pandas, splink, sqlglot, sqlite3  # what the pass imports when it needs it
    from sqlalchemy import event
    from lamsach.publish import folder
    from lamsach.runner import SilentProgress, open_backends, run_pass
    from lamsach.settings import Settings

    def one_pass(manifest, out, data, kind, at, url):
        manifest, out, data, url = Path(manifest), Path(out), Path(data), url or None
        seen = {"step": 0, "sql": 0, "file": 0}
        stages = []

        def tick(what):
            seen[what] += 1
            if what == kind and seen[what] == at:
                os.kill(os.getpid(), signal.SIGKILL)

        class Killing(SilentProgress):
            def start(self, label, total):
                stages.append([label, seen["step"] + 1])
                tick("step")
            def advance(self, steps=1):
                tick("step")

        class CountedOps(folder.FileOps):
            def rename(self, a, b):
                tick("file"); super().rename(a, b)
            def exchange(self, a, b):
                tick("file"); return super().exchange(a, b)
            def link_or_copy(self, a, b):
                tick("file"); super().link_or_copy(a, b)
            def remove_tree(self, f):
                tick("file"); super().remove_tree(f)

        folder.ops = CountedOps()
        settings = Settings(data_dir=data, database_url=url)
        store, engine = open_backends(settings)
        event.listen(store.engine, "before_cursor_execute", lambda *a: tick("sql"))
        summary = run_pass(manifest, out, settings, Killing(), store=store, engine=engine)
        print(json.dumps({"seen": seen, "stages": stages, "rows_read": summary.rows_read,
                          "rows_stored": summary.rows_stored, "rows_rejected": summary.rows_rejected}))

    for line in sys.stdin:
        args, stdout, stderr = json.loads(line)
        pid = os.fork()
        if pid == 0:
            signal.alarm(600)  # a pass that hangs ends as a failure, not as a hung test
            for fd, name in ((0, os.devnull), (1, stdout), (2, stderr)):
                os.dup2(os.open(name, os.O_RDWR | os.O_CREAT | os.O_TRUNC), fd)
            code = 0
            try:
                one_pass(*args)
            except BaseException:
                traceback.print_exc()
                code = 1
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        print(-os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status), flush=True)
""")


@pytest.fixture
def passes(tmp_path):
    """`passes(manifest, out, data, url, kind, at)` runs one pass in a child of the driver and
    gives its exit status and output as `subprocess.run` would have."""
    driver = subprocess.Popen([sys.executable, "-c", DRIVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    stdout, stderr = tmp_path / "pass.out", tmp_path / "pass.err"

    def run(manifest: Path, out: Path, data: Path, url: str, kind: str = "none", at: int = 0):
        args = [str(manifest), str(out), str(data), kind, at, "" if url.startswith("sqlite") else url]
        driver.stdin.write(json.dumps([args, str(stdout), str(stderr)]) + "\n")
        driver.stdin.flush()
        answer = driver.stdout.readline()
        assert answer, f"the pass driver ended (exit status {driver.wait()})"
        return subprocess.CompletedProcess(args, int(answer), stdout.read_text(), stderr.read_text())

    yield run
    driver.stdin.close()
    driver.wait(timeout=60)


def _points(total: int, count: int) -> list[int]:
    """`count` event numbers spread evenly over 1..total."""
    return sorted({max(1, round(total * (i + 0.5) / count)) for i in range(count)})


def _outputs(out: Path) -> dict[str, bytes] | None:
    if not out.exists():
        return None
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _check_store(url: str) -> list[dict]:
    """No half batch; every record's stored values explained by its versions. Returns the runs."""
    store = SqlAlchemyStore.open(url)
    try:
        for batch in store.batches():
            assert batch["state"] == "complete", batch
            assert batch["rows_read"] == batch["rows_stored"] + batch["rows_rejected"], batch
        with store.engine.connect() as conn:
            records = {r.id: (r.version, json.loads(r.data)) for r in conn.execute(
                select(t.records.c.id, t.records.c.version, t.records.c.data))}
            versions: dict[int, set[int]] = defaultdict(set)
            last: dict[tuple[int, str], str | None] = {}
            for c in conn.execute(select(t.changes).order_by(t.changes.c.id)):
                versions[c.record_id].add(c.version)
                last[(c.record_id, c.field)] = c.new_value
        for record_id, (version, _data) in records.items():
            assert versions.get(record_id, set()) == set(range(2, version + 1)), (record_id, version)
        assert all(records[rid][1].get(name) == value for (rid, name), value in last.items())
        return store.runs()
    finally:
        store.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def killed_store(request, tmp_path):
    """The store the killed passes write to, and how many kill points each stage kind gets: all
    of them on SQLite, the default; fewer on PostgreSQL, whose transactions are the server's."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'lamsach.db'}", (13, 6, 2)
    else:
        yield request.getfixturevalue("pg_store_url"), (3, 2, 1)


def test_a_pass_killed_at_any_point_loses_nothing_and_the_next_completes(tmp_path, killed_store, passes):
    url, (steps, statements, files) = killed_store
    manifest = generate_province(tmp_path / "province", people=PEOPLE, seed=SEED)
    data, out = tmp_path / "data", tmp_path / "out"
    # Passes over the same files until one does what the one before did: the first enriches the
    # store, the second may still keep what later passes reuse (a person model, standardised
    # tables); from then on a pass is a fixed point, and its counts are where the kills fall.
    counted: dict = {}
    counting_passes = 0
    while counting_passes < 4:
        counting_passes += 1
        counting = passes(manifest, out, data, url)
        assert counting.returncode == 0, counting.stderr
        previous, counted = counted, json.loads(counting.stdout.splitlines()[-1])
        if previous.get("seen") == counted["seen"]:
            break
    assert previous.get("seen") == counted["seen"], (previous, counted)
    stages = counted["stages"]
    assert len(stages) >= 6  # read, store, standardise, validate, link, write and publish
    points = ([("step", n) for n in _points(counted["seen"]["step"], steps)]
              + [("sql", n) for n in _points(counted["seen"]["sql"], statements)]
              + [("file", n) for n in _points(counted["seen"]["file"], files)])
    assert len(points) == steps + statements + files
    publishing = next(n for label, n in stages if label.startswith("Ghi"))  # the write-and-publish stage
    before = _outputs(out)
    for kind, at in points:
        killed = passes(manifest, out, data, url, kind, at)
        assert killed.returncode == -signal.SIGKILL, (kind, at, killed.stdout, killed.stderr)
        runs = _check_store(url)
        assert [r["status"] for r in runs[:-1]].count("running") == 0  # earlier ones marked interrupted
        after = _outputs(out)
        # the previous outputs whole, or, killed once publishing began, possibly the new ones whole
        assert after is not None and after.keys() == before.keys(), (kind, at)
        if kind == "step" and at < publishing:
            assert after == before, (kind, at)
        before = after
    finished = passes(manifest, out, data, url)
    assert finished.returncode == 0, finished.stderr
    summary = json.loads(finished.stdout.splitlines()[-1])
    assert summary["rows_read"] == summary["rows_stored"] + summary["rows_rejected"] > 0
    statuses = [r["status"] for r in _check_store(url)]
    assert statuses[:counting_passes] == ["complete"] * counting_passes and statuses[-1] == "complete"
    assert set(statuses[counting_passes:-1]) == {"interrupted"}
    assert len(statuses) >= counting_passes + 1 + len(points) // 2
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left
    assert not list((data / "spill").glob("pass~*"))  # the killed passes' spilled rows removed by the next


def _open_state(out: Path) -> dict[str, list[list[str]]]:
    """What a fixed point keeps: open findings, links, duplicates and scores (lines sorted)."""
    def lines(name: str, keep=lambda row: True) -> list[list[str]]:
        with (out / name).open(encoding="utf-8", newline="") as handle:
            header, *rows = csv.reader(handle)
        return [header, *sorted(r for r in rows if keep(dict(zip(header, r, strict=True))))]

    return {"findings": lines("findings.csv", lambda r: r["status"] == "open"),
            "links": lines("links.csv"), "duplicates": lines("duplicates.csv"), "scorecard": lines("scorecard.csv")}


def test_passes_over_unchanged_files_are_a_fixed_point_after_the_first(tmp_path):
    from lamsach.runner import run_pass
    from lamsach.settings import Settings

    manifest = generate_province(tmp_path / "province", people=PEOPLE, seed=SEED)
    settings = Settings(data_dir=tmp_path / "data")
    states = []
    for n in range(3):
        run_pass(manifest, tmp_path / f"out{n}", settings)
        states.append(_open_state(tmp_path / f"out{n}"))
    assert states[2] == states[1]
    assert states[1]["findings"][1:] and states[1]["links"][1:] and states[1]["scorecard"][1:]
