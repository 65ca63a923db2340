"""Benchmark of publishing alone: `Store.publish_current` on a stored province, SQLite.

    .venv/bin/python bench/bench_publish.py [--people 200000] [--repeat 3]

The whole pass times its publish stage beside everything else a shared machine runs, and at a few
seconds the stage's noise there is as large as a change to it. Here the store of one pass over
the generated province (`bench/out/province-<people>-1`, made by `lamsach run` once and kept as
`bench/out/publish-<people>-1/store.db`, its shared layer and outbox emptied) is copied afresh for
each repeat, flushed to disk, opened, and `publish_current` runs on it with the records the pass
kept from publishing (its open errors, read from its findings), as the publish stage calls it;
then `sync_states`, the stage's other store read. Prints each repeat's wall and process CPU
seconds, their medians, and the load average.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
LAMSACH = Path(sys.executable).with_name("lamsach")


def base_store(people: int) -> Path:
    """The kept store of one pass over the province, its shared layer and outbox empty."""
    folder = HERE / "out" / f"publish-{people}-1"
    base = folder / "store.db"
    if base.exists():
        return base
    from lamsach.generate import generate_province

    province = HERE / "out" / f"province-{people}-1"
    manifest = province / "manifest.yaml"
    if not manifest.exists():
        manifest = generate_province(province, people=people, seed=1)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        subprocess.run([str(LAMSACH), "run", str(manifest), "--out", f"{tmp}/out", "--data-dir", f"{tmp}/data"],
                       check=True, capture_output=True)
        with sqlite3.connect(f"{tmp}/data/lamsach.db", isolation_level=None) as conn:
            conn.execute("DELETE FROM outbox")
            conn.execute("DELETE FROM published")
            conn.execute("VACUUM")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.move(f"{tmp}/data/lamsach.db", base)
    return base


def publish_once(base: Path, work: Path) -> dict:
    from lamsach.backends.store import SqlAlchemyStore
    from lamsach.publish import line_sql

    db = work / "store.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(base, db)
    os.sync()
    with sqlite3.connect(db) as conn:
        campaign, run_id = conn.execute("SELECT campaign, id FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        blocked = set(conn.execute(
            "SELECT dataset, record_key FROM findings WHERE run_id = ? AND status = 'open' "
            "AND severity = 'error' AND criterion <> 'shared'", (run_id,)).fetchall())
    store = SqlAlchemyStore.open(f"sqlite:///{db}")
    wall, cpu = time.perf_counter(), time.process_time()
    counts = store.publish_current(campaign, run_id, blocked, line_sql)
    published = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
    wall = time.perf_counter()
    store.sync_states(campaign)
    states = time.perf_counter() - wall
    store.close()
    return {**published, "states": states, "published": counts.published, "blocked": counts.blocked}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    base = base_store(args.people)
    print(f"store {base} ({base.stat().st_size / 1e6:,.0f} MB); load average at start: {os.getloadavg()}")
    runs = []
    with tempfile.TemporaryDirectory(dir=base.parent) as tmp:
        for repeat in range(args.repeat):
            run = publish_once(base, Path(tmp))
            runs.append(run)
            print(f"repeat {repeat + 1}: publish_current {run['wall']:.2f} s (CPU {run['cpu']:.2f} s), "
                  f"sync_states {run['states']:.2f} s; {run['published']:,} published, {run['blocked']:,} blocked")
    print(f"median: publish_current {statistics.median(r['wall'] for r in runs):.2f} s "
          f"(CPU {statistics.median(r['cpu'] for r in runs):.2f} s), "
          f"sync_states {statistics.median(r['states'] for r in runs):.2f} s; load average now: {os.getloadavg()}")


if __name__ == "__main__":
    main()
