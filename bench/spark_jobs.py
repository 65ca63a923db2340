"""Where the Spark pass's time goes: its Spark jobs counted and timed per stage and per call site.

    .venv/bin/python bench/spark_jobs.py [--people 1000] [--master local[2]] [--manifest PATH] [--top 25]

Generates a province (or takes `--manifest`) and runs the pass on Spark in this process, watching
every call the driver makes into the JVM: the number of Spark jobs the scheduler has started is
read before and after each call, so each job is put down to the line of lamsach that caused it
(the nearest frame in `lamsach`, not in the engine module, Splink or pyspark) with the time the
call took. It prints, per stage, the jobs and seconds; then the call sites that started the most
jobs. At province sizes the Spark pass is the count of its jobs (docs/scale.md), so this is what
says which statements to merge, keep or skip. `--json FILE` writes the figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import traceback
from collections import defaultdict
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
SKIP = ("/backends/engine/", "/pyspark/", "/py4j/", "/splink/", "spark_jobs.py")


def call_site() -> str:
    """The innermost lamsach line outside the engine (else the innermost Splink line)."""
    frames = traceback.extract_stack()[:-3]
    for frame in reversed(frames):
        if "/lamsach/" in frame.filename and not any(s in frame.filename for s in SKIP):
            return f"{frame.filename.split('/lamsach/')[-1]}:{frame.lineno} {frame.name}"
    return "elsewhere"


class JobWatch:
    """Counts the jobs each JVM call starts, by wrapping py4j's method call."""

    def __init__(self, session) -> None:
        from py4j import java_gateway

        self.scheduler = session.sparkContext._jsc.sc().dagScheduler()
        self.busy = False
        self.stage = "start"
        self.by_stage: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
        self.by_site: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0])
        original = java_gateway.JavaMember.__call__
        watch = self

        def counted(member, *args):
            if watch.busy:
                return original(member, *args)
            watch.busy = True
            try:
                before = watch.jobs()
            finally:
                watch.busy = False
            started = time.perf_counter()
            try:
                return original(member, *args)
            finally:
                seconds = time.perf_counter() - started
                watch.busy = True
                try:
                    started_jobs = watch.jobs() - before
                finally:
                    watch.busy = False
                if started_jobs:
                    site = watch.by_site[f"{call_site()}  [{member.name}]"]
                    site[0] += 1
                    site[1] += started_jobs
                    site[2] += seconds
                    watch.by_stage[watch.stage][0] += started_jobs

        java_gateway.JavaMember.__call__ = counted

    def jobs(self) -> int:
        return int(self.scheduler.nextJobId())  # the scheduler's count of jobs ever submitted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--manifest", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE",
                        help="a Spark SQL setting for this run (e.g. spark.sql.adaptive.enabled=false)")
    args = parser.parse_args()

    from lamsach.backends.engine.spark import SparkEngine
    from lamsach.backends.store import SqlAlchemyStore
    from lamsach.generate import generate_province
    from lamsach.runner import pass_run, run_pass
    from lamsach.settings import Settings

    with tempfile.TemporaryDirectory(prefix="spark-jobs-") as tmp:
        root = Path(tmp)
        manifest = args.manifest or generate_province(root / "province", people=args.people, seed=args.seed)
        settings = Settings(data_dir=root / "data", engine="spark", spark_master=args.master)
        started = time.perf_counter()
        engine = SparkEngine(master=args.master, driver_memory=settings.spark_driver_memory,
                             shuffle_partitions=settings.spark_shuffle_partitions)
        session_seconds = time.perf_counter() - started
        for setting in args.conf:
            key, _, value = setting.partition("=")
            engine.spark.conf.set(key, value)
        watch = JobWatch(engine.spark)
        first = watch.jobs()
        lap = pass_run._StageClock.lap
        stage_started = [time.perf_counter()]

        def timed_lap(clock, name):  # the stage just ended is `name`; its jobs were counted as "current"
            lap(clock, name)
            now = time.perf_counter()
            watch.by_stage[name][0] += watch.by_stage.pop("current", [0, 0.0])[0]
            watch.by_stage[name][1] += now - stage_started[0]
            stage_started[0] = now

        pass_run._StageClock.lap = timed_lap
        watch.stage = "current"
        run_pass(manifest, root / "out", settings, reference_date=date(2026, 6, 30),
                 store=SqlAlchemyStore.open(settings.store_url), engine=engine)
        total_jobs = watch.jobs() - first
    print(f"session start {session_seconds:.1f} s; {total_jobs} Spark jobs in the pass")
    print(f"{'stage':24s} {'jobs':>6s} {'seconds':>8s}")
    for name, (jobs, seconds) in watch.by_stage.items():
        print(f"{name:24s} {int(jobs):6d} {seconds:8.1f}")
    print(f"\n{'calls':>6s} {'jobs':>6s} {'seconds':>8s}  call site [JVM method]")
    ranked = sorted(watch.by_site.items(), key=lambda kv: -kv[1][1])
    for site, (calls, jobs, seconds) in ranked[:args.top]:
        print(f"{int(calls):6d} {int(jobs):6d} {seconds:8.1f}  {site}")
    if args.json:
        args.json.write_text(json.dumps({
            "people": args.people, "master": args.master, "session_seconds": session_seconds,
            "jobs": total_jobs, "stages": dict(watch.by_stage),
            "sites": {k: v for k, v in ranked}}, ensure_ascii=False, indent=1))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
