"""The same pass on DuckDB and on Apache Spark (local mode), side by side in one run.

    flock /work/.bench.lock .venv/bin/python bench/bench_spark.py [--people 3000] [--master local[2]]
                                                                  [--manifest PATH] [--keep DIR]

Generates a province (or takes `--manifest`), then runs `lamsach run` on it twice, each in a fresh
process with a fresh SQLite store: `--engine duckdb`, then `--engine spark --spark-master MASTER`.
It prints each pass's wall time and stage seconds (from the run's summary in the store), the ratio
Spark / DuckDB for the whole and per stage (where Spark's time goes), and whether the contract
files are the same (sorted lines, links.csv included; where links.csv differs, whether the links
are the same and the largest gap between their probabilities). `--json FILE` appends the figures
as one line (the scale series in docs/scale.md).
Needs the [spark] extra and Java 17; keep sizes modest on a shared machine.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LAMSACH = Path(sys.executable).with_name("lamsach")


def run(manifest: Path, root: Path, engine: str, master: str) -> dict:
    out, data = root / engine / "out", root / engine / "data"
    cmd = [str(LAMSACH), "run", str(manifest), "--out", str(out), "--data-dir", str(data), "--engine", engine]
    if engine == "spark":
        cmd += ["--spark-master", master]
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        # the whole output kept, and the error's own lines shown: a JVM's stack buries its message
        kept = Path(f"bench-spark-{engine}-failed.log").resolve()
        kept.write_text(done.stdout + "\n" + done.stderr, encoding="utf-8")
        errors = [line for line in done.stderr.splitlines() if "Error" in line or "Exception" in line][:20]
        sys.exit(f"{engine} pass failed (whole output in {kept}):\n" + "\n".join(errors)
                 + f"\n...\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    with sqlite3.connect(data / "lamsach.db") as con:
        summary = json.loads(con.execute("SELECT summary FROM runs ORDER BY id DESC LIMIT 1").fetchone()[0])
    return {"seconds": seconds, "stages": summary.get("stage_seconds", {}), "out": out,
            "rows": summary.get("rows_read", 0)}


def contract(out: Path) -> dict[str, list[str]]:
    files = {}
    for path in sorted([*out.glob("*.csv"), *(out / "clean").glob("*.csv")]):
        name = path.relative_to(out).as_posix()
        if name != "link_weights.csv":
            files[name] = sorted(path.read_text(encoding="utf-8").splitlines())
    return files


def same_links(a: Path, b: Path) -> tuple[bool, float]:
    """The same links (dataset, record, role, citizen, method), and the largest probability gap."""
    def read(path: Path) -> dict:
        rows = list(csv.DictReader(path.open(encoding="utf-8")))
        return {(r["dataset"], r["record_id"], r["role"], r["citizen_id"], r["method"]): float(r["match_probability"])
                for r in rows}
    x, y = read(a / "links.csv"), read(b / "links.csv")
    return set(x) == set(y), max((abs(x[k] - y[k]) for k in set(x) & set(y)), default=0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--manifest", type=Path)
    parser.add_argument("--json", type=Path, help="append the figures as one JSON line to this file")
    parser.add_argument("--keep", type=Path, help="copy both passes' output folders here (DIR/duckdb, DIR/spark), "
                        "to see how differing contract files differ")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-spark-") as tmp:
        root = Path(tmp)
        manifest = args.manifest
        if manifest is None:
            from lamsach.generate import generate_province

            manifest = generate_province(root / "province", people=args.people, seed=args.seed)
        load = os.getloadavg()[0]
        duck = run(manifest, root, "duckdb", args.master)
        spark = run(manifest, root, "spark", args.master)
        print(f"province {manifest}  rows read {duck['rows']:,}  load average at start {load:.1f}  "
              f"spark master {args.master}")
        print(f"{'stage':24s} {'duckdb s':>9s} {'spark s':>9s} {'ratio':>7s}")
        for stage in duck["stages"]:
            d, s = duck["stages"][stage], spark["stages"].get(stage, 0.0)
            print(f"{stage:24s} {d:9.1f} {s:9.1f} {s / d if d else 0:7.1f}")
        print(f"{'whole pass (wall)':24s} {duck['seconds']:9.1f} {spark['seconds']:9.1f} "
              f"{spark['seconds'] / duck['seconds']:7.1f}")
        a, b = contract(duck["out"]), contract(spark["out"])
        differ = sorted(name for name in a if a[name] != b.get(name))
        links, gap = same_links(duck["out"], spark["out"])
        print(f"contract files identical: {sorted(set(a) - set(differ))}")
        print(f"differing: {differ}  (same links: {links}, largest probability gap {gap:.2e})")
        if args.keep:
            for engine, result in (("duckdb", duck), ("spark", spark)):
                shutil.copytree(result["out"], args.keep / engine, dirs_exist_ok=True)
        if args.json:
            with args.json.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps({
                    "people": args.people, "rows": duck["rows"], "master": args.master, "load_at_start": load,
                    "load_at_end": os.getloadavg()[0], "duckdb_seconds": duck["seconds"],
                    "spark_seconds": spark["seconds"], "duckdb_stages": duck["stages"],
                    "spark_stages": spark["stages"], "identical": sorted(set(a) - set(differ)),
                    "differing": differ, "largest_probability_gap": gap}) + "\n")


if __name__ == "__main__":
    main()
