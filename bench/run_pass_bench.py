"""Benchmark of the whole campaign pass on a generated province, run as a user runs it.

    .venv/bin/python bench/run_pass_bench.py [--people 100000] [--repeat 3] [--database-url URL]
                                             [--rerun [--changed-units N] [--later-weeks W
                                              [--later-changed-units M]] [--same-day]]

Generates (once, cached in `bench/out/`) a province, then per repeat runs `lamsach run` on its
files in a fresh process with a fresh store, and records the wall time, the peak memory of the
process tree (from /proc, as the proportional set size, so a page forked standardise workers
share with the pass counts once: read once a second and whenever the RSS sum, read every 0.1 s,
reaches a new high; the RSS sum, which counts a shared page per process, is printed beside it)
and the time of each stage (the run's summary in the store).

Beside it, in the same run, the floors each stage is measured against:
- read: reading the same files and nothing else (DuckDB's CSV reader, python-calamine);
- insert: one bulk insert of the same rows, as JSON, into the records table of a fresh store of
  the same kind (one prepared statement, one transaction on SQLite; COPY on PostgreSQL);
- checks: the bare DuckDB checks on the same rows (per column: blank, pattern, date parse, and
  a duplicate key count), what a validate stage cannot do without.

It prints each stage's seconds, rows per second and its ratio to its floor, so the figures can
be compared across machines and loads. `--rerun` runs a second pass over the same files into
the same store (the weekly re-run) and prints its time as a share of the first, whole and per
stage; with `--changed-units N` the re-run runs on a copy of the province whose first N land
workbooks changed in between (one parcel's area corrected, one parcel no longer sent).
`--later-weeks W` runs W more passes after it, with nothing changed or, with
`--later-changed-units M`, M more units' workbooks changed before each: the weekly re-run as a
province lives with it, the first pass's repairs and enrichment behind it. Each re-run judges
"now" a week after the one before (its manifest's reference date moved by seven days), as a
province's weekly run judges by the day its files arrived; `--same-day` keeps the first's day.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

from proc_tree import tree_sum

HERE = Path(__file__).resolve().parent
LAMSACH = Path(sys.executable).with_name("lamsach")

# which floor each stage is set against (the closest work a bare tool does on the same rows)
FLOOR_OF = {"import: read": "read", "import: store": "insert", "standardise": "checks",
            "validate": "checks", "link": "checks", "measure": "checks", "report": "read"}


def _tree_rss_kib(root: int) -> int:
    """Resident memory of `root` and all its descendants, from /proc (KiB). A page a forked
    standardise worker still shares with the pass is counted once per process here."""
    page_kib = os.sysconf("SC_PAGE_SIZE") // 1024

    def rss(pid: int, _fields: list[str]) -> int:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * page_kib

    return int(tree_sum(root, rss))


def _tree_pss_kib(root: int) -> int:
    """Proportional resident memory of `root` and its descendants (KiB): each page shared by n
    processes counts 1/n in each, so the tree's sum is the memory it really holds — the figure
    the machine runs out of, which the RSS sum overstates while forked workers share pages."""
    def pss(pid: int, _fields: list[str]) -> int:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
        return 0

    return int(tree_sum(root, pss))


def run_lamsach(manifest: Path, out: Path, data_dir: Path, database_url: str | None) -> dict:
    """`lamsach run` in a fresh process; returns wall seconds and peak memory of its process tree."""
    command = [str(LAMSACH), "run", str(manifest), "--out", str(out), "--data-dir", str(data_dir)]
    if database_url:
        command += ["--database-url", database_url]
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0, 0]  # PSS, RSS sum
    samples: list[tuple[float, int]] = []  # (seconds since start, PSS KiB)

    def sample() -> None:
        # the RSS sum (one small read a process) every 0.1 s; the PSS, which walks each process's
        # page tables and stalls its memory work meanwhile, once a second and whenever the RSS
        # sum passes its highest at a PSS sample (a new PSS peak needs a new RSS high), at most
        # four times a second: sampling PSS ten times a second slowed a 200,000-person pass by
        # a fifth (bench/README.md)
        pss_at, rss_at_pss = -1.0, 0
        while proc.poll() is None:
            now, rss = time.perf_counter(), _tree_rss_kib(proc.pid)
            peak[1] = max(peak[1], rss)
            if now - pss_at >= 1.0 or (rss > rss_at_pss and now - pss_at >= 0.25):
                kib = _tree_pss_kib(proc.pid)
                peak[0], pss_at, rss_at_pss = max(peak[0], kib), now, max(rss_at_pss, rss)
                samples.append((now - started, kib))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - started
    sampler.join()
    if proc.returncode != 0:
        sys.exit(f"lamsach run failed ({proc.returncode}):\n{stdout[-3000:]}\n{stderr[-3000:]}")
    return {"seconds": seconds, "peak_kib": peak[0], "peak_rss_kib": peak[1], "samples": samples}


def stage_peaks(measured: dict) -> dict[str, float]:
    """Peak memory (MiB) of the process tree within each stage: the samples placed on the stages'
    times from the run's summary, the pass's clock taken to start `summary["seconds"]` before the
    process ended (what follows the last stage, closing the store and exiting, is short). A stage
    with no PSS sample inside it is left out."""
    laps = measured["summary"].get("stage_seconds") or {}
    start = measured["seconds"] - measured["summary"].get("seconds", sum(laps.values()))
    peaks: dict[str, float] = {}
    for name, lap in laps.items():
        inside = [kib for t, kib in measured["samples"] if start <= t < start + lap]
        if inside:  # a stage shorter than the PSS samples' spacing may hold none
            peaks[name] = max(inside) / 1024
        start += lap
    return peaks


def last_run_summary(data_dir: Path, database_url: str | None) -> dict:
    """The summary the pass stored for its run (stage seconds, rows read, records)."""
    if database_url:
        from sqlalchemy import create_engine, text

        with create_engine(database_url).connect() as conn:
            raw = conn.execute(text("SELECT summary FROM runs ORDER BY id DESC LIMIT 1")).scalar_one()
    else:
        with sqlite3.connect(data_dir / "lamsach.db") as conn:
            raw = conn.execute("SELECT summary FROM runs ORDER BY id DESC LIMIT 1").fetchone()[0]
    return json.loads(raw)


def fresh_postgres(url: str, name: str) -> str:
    """A fresh database `name` on the server of `url` (dropped first); returns its URL."""
    from sqlalchemy import create_engine, text

    drop_postgres(url, name)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.rsplit("/", 1)[0] + "/" + name


def drop_postgres(url: str, name: str) -> None:
    """Drop the database `name` a repeat made on the server of `url` (`fresh_postgres`)."""
    from sqlalchemy import create_engine, text

    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


FLOOR_READ = """
import sys, time, duckdb
from pathlib import Path
from python_calamine import CalamineWorkbook
folder = Path(sys.argv[1])
started = time.perf_counter()
rows = 0
for csv in folder.glob("*.csv"):
    rows += duckdb.sql(f"SELECT count(*) FROM read_csv('{csv}', all_varchar=true)").fetchall()[0][0]
for xlsx in (folder / "land").glob("*.xlsx"):
    book = CalamineWorkbook.from_path(str(xlsx))
    rows += sum(len(book.get_sheet_by_name(n).to_python()) for n in book.sheet_names)
print(f'{{"seconds": {time.perf_counter() - started}, "rows": {rows}}}')
"""

FLOOR_INSERT = """
import json, sys, time, duckdb
from pathlib import Path
from python_calamine import CalamineWorkbook
from lamsach.backends.store import SqlAlchemyStore
folder, url = Path(sys.argv[1]), sys.argv[2]
rows = []  # (dataset, key, json) prepared before the clock starts: the floor is the writing alone
for csv in sorted(folder.glob("*.csv")):
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    rel = con.sql(f"SELECT to_json(t) FROM read_csv('{csv}', all_varchar=true) t")
    rows += [(csv.stem, f"{csv.stem}-{i}", r[0]) for i, r in enumerate(rel.fetchall())]
for xlsx in sorted((folder / "land").glob("*.xlsx")):
    book = CalamineWorkbook.from_path(str(xlsx))
    for n in book.sheet_names:
        cells = book.get_sheet_by_name(n).to_python()
        rows += [("land", f"{xlsx.stem}-{n}-{i}", json.dumps([str(c) for c in r], ensure_ascii=False))
                 for i, r in enumerate(cells)]
store = SqlAlchemyStore.open(url)
run = store.start_run("floor", None, None, "bench")
raw = store.engine.raw_connection()
cur = raw.cursor()
started = time.perf_counter()
now = "2026-01-01 00:00:00"
if url.startswith("sqlite"):
    cur.execute("INSERT INTO originals VALUES ('x', 0, x'')")
    cur.execute("INSERT INTO batches (run_id, campaign, dataset, file_name, sha256, state, rows_read, rows_stored, "
                "rows_rejected, records_created, records_updated, created_at, created_by) "
                "VALUES (?, 'floor', 'all', 'all', 'x', 'complete', 0, 0, 0, 0, 0, ?, 'bench')", (run, now))
    cur.executemany("INSERT INTO records (campaign, dataset, record_key, unit, batch_id, row_no, version, raw, "
                    "data, updated_at) VALUES ('floor', ?, ?, NULL, 1, 0, 1, ?, ?, ?)",
                    [(d, k, j, j, now) for d, k, j in rows])
else:
    cur.execute("INSERT INTO originals VALUES ('x', 0, ''::bytea)")
    cur.execute("INSERT INTO batches (run_id, campaign, dataset, file_name, sha256, state, rows_read, rows_stored, "
                "rows_rejected, records_created, records_updated, created_at, created_by) "
                "VALUES (%s, 'floor', 'all', 'all', 'x', 'complete', 0, 0, 0, 0, 0, %s, 'bench') RETURNING id",
                (run, now))
    batch = cur.fetchone()[0]
    with cur.copy("COPY records (campaign, dataset, record_key, batch_id, row_no, version, raw, data, updated_at) "
                  "FROM STDIN") as copy:
        for d, k, j in rows:
            copy.write_row(("floor", d, k, batch, 0, 1, j, j, now))
raw.commit()
print(f'{{"seconds": {time.perf_counter() - started}, "rows": {len(rows)}}}')
"""

FLOOR_CHECKS = """
import sys, time, duckdb
from pathlib import Path
from python_calamine import CalamineWorkbook
folder = Path(sys.argv[1])
con = duckdb.connect()
con.execute("SET threads = 2")
con.execute("SET enable_progress_bar = false")
tables = []
for csv in sorted(folder.glob("*.csv")):
    con.execute(f"CREATE TABLE {csv.stem} AS SELECT * FROM read_csv('{csv}', all_varchar=true)")
    tables.append(csv.stem)
started = time.perf_counter()
checked = 0
for table in tables:
    columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
    parts = []
    for c in columns:
        q = '"' + c.replace('"', '""') + '"'
        parts += [f"count(*) FILTER (WHERE trim(coalesce({q}, '')) = '')",
                  f"count(*) FILTER (WHERE NOT regexp_full_match(coalesce({q}, ''), '[0-9]{{12}}'))",
                  f"count(*) FILTER (WHERE try_strptime({q}, '%d/%m/%Y') IS NULL)",
                  f"count(*) FILTER (WHERE {q} <> upper({q}))"]
    con.execute(f"SELECT {', '.join(parts)} FROM {table}").fetchall()
    key = '"' + columns[0].replace('"', '""') + '"'
    con.execute(f"SELECT count(*) FROM (SELECT {key} FROM {table} GROUP BY ALL HAVING count(*) > 1)").fetchall()
    checked += con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
print(f'{{"seconds": {time.perf_counter() - started}, "rows": {checked}}}')
"""


def _child(code: str, *args: str) -> dict:
    """Run `code` in a fresh interpreter; return the JSON of its last line."""
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(proc.stderr)
    return json.loads([line for line in proc.stdout.splitlines() if line.startswith("{")][-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", help="PostgreSQL server URL (a fresh database per repeat); "
                        "default: a fresh SQLite store")
    parser.add_argument("--rerun", action="store_true", help="also time a second pass over the same files")
    parser.add_argument("--changed-units", type=int, default=0,
                        help="with --rerun: before the re-run, change this many units' land workbooks (one "
                        "parcel's area corrected, one parcel no longer sent), as in a real week")
    parser.add_argument("--later-weeks", type=int, default=0,
                        help="with --rerun: this many more passes after the re-run, nothing changed")
    parser.add_argument("--later-changed-units", type=int, default=0,
                        help="with --later-weeks: before each later pass, change this many more units' land "
                        "workbooks (the steady state of a province's weekly re-run: the first pass's repairs "
                        "and enrichment are behind it)")
    parser.add_argument("--keep-out", type=Path, help="copy the first repeat's output folder here (contract "
                        "files, for `bench/link_accuracy.py --score DIR`)")
    parser.add_argument("--same-day", action="store_true",
                        help="with --rerun: every re-run judges against the first pass's day (else a week later each)")
    args = parser.parse_args()

    from lamsach.generate import generate_province

    folder = HERE / "out" / f"province-{args.people}-{args.seed}"
    started = time.perf_counter()
    manifest = folder / "manifest.yaml"
    if not manifest.exists():
        manifest = generate_province(folder, people=args.people, seed=args.seed)
    print(f"province of {args.people:,} people ready in {time.perf_counter() - started:.1f} s: {folder}")
    print(f"load average at start: {os.getloadavg()}")

    passes, reruns, weeks, floors = [], [], [], {"read": [], "insert": [], "checks": []}
    for repeat in range(args.repeat):
        with tempfile.TemporaryDirectory(dir=HERE / "out") as tmp:
            url = fresh_postgres(args.database_url, f"lamsach_bench_{os.getpid()}") if args.database_url else None
            passed = manifest
            if args.rerun:  # a copy the weeks change, and date a week apart
                shutil.copytree(folder, Path(tmp) / "province")
                passed = Path(tmp) / "province" / manifest.name
            measured = run_lamsach(passed, Path(tmp) / "out", Path(tmp) / "data", url)
            measured["summary"] = last_run_summary(Path(tmp) / "data", url)
            passes.append(measured)
            print(f"repeat {repeat + 1}: pass {measured['seconds']:.1f} s, "
                  f"peak {measured['peak_kib'] / 1024:.0f} MiB "
                  f"(RSS summed over processes {measured['peak_rss_kib'] / 1024:.0f} MiB), stages {measured['summary']['stage_seconds']}")
            print("  peak MiB per stage: " + ", ".join(f"{k} {v:.0f}" for k, v in stage_peaks(measured).items()))
            if args.keep_out and repeat == 0:
                shutil.copytree(Path(tmp) / "out", args.keep_out, dirs_exist_ok=True)
            if args.rerun:
                if args.changed_units:
                    change_units(Path(tmp) / "province", args.changed_units)
                again = run_lamsach(_week(passed, 1, args.same_day), Path(tmp) / "out", Path(tmp) / "data", url)
                again["summary"] = last_run_summary(Path(tmp) / "data", url)
                reruns.append(again)
                _print_rerun(f"repeat {repeat + 1}: re-run", again)
                for week in range(args.later_weeks):  # the steady state, with or without changes
                    if args.later_changed_units:
                        change_units(Path(tmp) / "province", args.later_changed_units,
                                     skip=args.changed_units + week * args.later_changed_units)
                    later = run_lamsach(_week(passed, week + 2, args.same_day), Path(tmp) / "out",
                                        Path(tmp) / "data", url)
                    later["summary"] = last_run_summary(Path(tmp) / "data", url)
                    what = f"{args.later_changed_units} units changed" if args.later_changed_units else "no change"
                    _print_rerun(f"repeat {repeat + 1}: week {week + 2} ({what})", later, measured["seconds"])
                    weeks.append(later)
            floor_url = (fresh_postgres(args.database_url, f"lamsach_bench_floor_{os.getpid()}")
                         if args.database_url else f"sqlite:///{tmp}/floor.db")
            floors["insert"].append(_child(FLOOR_INSERT, str(folder), floor_url)["seconds"])
            if args.database_url:  # 7.5 GB a repeat at 1,000,000 people: the next runs' disk and cache
                drop_postgres(args.database_url, f"lamsach_bench_{os.getpid()}")
                drop_postgres(args.database_url, f"lamsach_bench_floor_{os.getpid()}")
        floors["read"].append(_child(FLOOR_READ, str(folder))["seconds"])
        floors["checks"].append(_child(FLOOR_CHECKS, str(folder))["seconds"])

    summary = passes[0]["summary"]
    rows = summary["rows_read"]
    floor = {name: statistics.median(values) for name, values in floors.items()}
    print(f"\nrows read: {rows:,}; records: {summary['records']}; store: "
          f"{'PostgreSQL' if args.database_url else 'SQLite'}; load average now: {os.getloadavg()}")
    print(f"{'stage':<16}{'median s':>10}{'rows/s':>12}{'floor':>8}{'floor s':>9}{'ratio':>8}")
    for stage in summary["stage_seconds"]:
        value = statistics.median(p["summary"]["stage_seconds"][stage] for p in passes)
        name = FLOOR_OF.get(stage, "checks")
        print(f"{stage:<16}{value:>10.2f}{rows / value if value else float('inf'):>12,.0f}"
              f"{name:>8}{floor[name]:>9.2f}{value / floor[name]:>8.1f}")
    seconds = statistics.median(p["seconds"] for p in passes)
    print(f"{'whole pass':<16}{seconds:>10.2f}{rows / seconds:>12,.0f}{'all':>8}{sum(floor.values()):>9.2f}"
          f"{seconds / sum(floor.values()):>8.1f}")
    overlapped = {name for p in passes for name in p["summary"].get("overlapped", {})}
    if overlapped:  # work a stage's lap holds beside its own (runner/beside.py)
        print("run beside a stage (inside its lap), median s: " + "; ".join(
            f"{name} {statistics.median(p['summary'].get('overlapped', {}).get(name, 0.0) for p in passes):.2f}"
            for name in sorted(overlapped)))
    peaks = [p["peak_kib"] / 1024 for p in passes]
    print(f"peak memory (PSS) of the process tree: median {statistics.median(peaks):.0f} MiB (max {max(peaks):.0f})")
    if reruns:
        what = f"{args.changed_units} units' files changed" if args.changed_units else "unchanged files"
        _print_later(f"weekly re-run ({what}):", reruns, passes, summary["stage_seconds"])
    if weeks:
        what = f"{args.later_changed_units} more units' files changed" if args.later_changed_units else "no change"
        _print_later(f"later weeks ({what}): median", weeks, passes, summary["stage_seconds"])


def _print_later(label: str, later: list[dict], passes: list[dict], stages: dict) -> None:
    """The later passes' median time as a share of the first pass's, whole and stage by stage."""
    seconds = statistics.median(p["seconds"] for p in passes)
    again = statistics.median(r["seconds"] for r in later)
    print(f"{label} {again:.2f} s = {again / seconds:.0%} of the first pass")
    for stage in stages:
        first = statistics.median(p["summary"]["stage_seconds"][stage] for p in passes)
        then = statistics.median(r["summary"]["stage_seconds"][stage] for r in later)
        print(f"  {stage:<16}{first:>9.2f} s -> {then:>9.2f} s  ({then / first if first else 0:.0%})")

def _print_rerun(label: str, run: dict, first: float | None = None) -> None:
    reused = sum(1 for s in run["summary"]["sources"] if s.get("unchanged_file"))
    share = f" = {run['seconds'] / first:.0%} of the first" if first else ""
    print(f"{label} {run['seconds']:.1f} s{share} ({reused}/{len(run['summary']['sources'])} files unchanged, "
          f"not read again; reused {run['summary'].get('reused', [])}), stages {run['summary']['stage_seconds']}")


def _week(manifest: Path, weeks: int, same_day: bool) -> Path:
    """`manifest` as the pass `weeks` weeks after the first reads it: beside it, its reference
    date moved by as many weeks (`manifest` itself with `same_day`)."""
    if same_day:
        return manifest
    text = manifest.read_text(encoding="utf-8")
    found = re.search(r'^reference_date: "?(\d{4}-\d{2}-\d{2})"?$', text, re.MULTILINE)
    if found is None:
        sys.exit(f"{manifest}: no reference_date to move a week on")
    day = date.fromisoformat(found[1]) + timedelta(days=7 * weeks)
    dated = manifest.with_name(f"{manifest.stem}-week{weeks + 1}{manifest.suffix}")
    dated.write_text(text[:found.start()] + f'reference_date: "{day.isoformat()}"' + text[found.end():],
                     encoding="utf-8")
    return dated


def change_units(province: Path, count: int, skip: int = 0) -> None:
    """A week's changes: in `count` land workbooks (after the first `skip`), one parcel's area
    corrected and one parcel no longer sent."""
    import openpyxl

    for workbook in sorted((province / "land").glob("*.xlsx"))[skip:skip + count]:
        book = openpyxl.load_workbook(workbook)
        sheet = book.active
        header = next(r for r in range(1, 20) if sheet.cell(r, 2).value == "Mã hồ sơ")
        area = next(c for c in range(1, sheet.max_column + 1) if sheet.cell(header, c).value == "Diện tích (m2)")
        sheet.cell(header + 1, area).value = 1234.5
        sheet.delete_rows(header + 2)
        book.save(workbook)


if __name__ == "__main__":
    main()
