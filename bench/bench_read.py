"""Reading one CSV file the way the pass reads it (`read_source`): time and memory.

    .venv/bin/python bench/bench_read.py [--people 200000] [--dataset population] [--file PATH]

Takes a generated province's file (generated once into `bench/out/`, as run_pass_bench.py does)
or any CSV given with `--file` (read as `--dataset`), and reads it in a fresh interpreter. It
prints the file's size, the seconds, the peak resident memory the read added to the process, the
memory still held once read (the result kept), and — with `--tracemalloc`, slower — the same two
for Python's own allocations (Arrow's buffers are not among them).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = """
import gc, json, resource, sys, time, tracemalloc
from pathlib import Path
from lamsach.data import load_schema
from lamsach.domain import SourceSpec
from lamsach.ingest import read_source

path, dataset, traced = Path(sys.argv[1]), sys.argv[2], sys.argv[3] == "1"
schema = load_schema(dataset)
read_source(SourceSpec(path=Path(sys.argv[4]), dataset=dataset), schema)  # warm: code and data files loaded


def rss_kib() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4


gc.collect()
before = rss_kib()
if traced:
    tracemalloc.start()
started = time.perf_counter()
result = read_source(SourceSpec(path=path, dataset=dataset), schema)
seconds = time.perf_counter() - started
gc.collect()
out = {"seconds": seconds, "rows": len(result.rows), "rejected": len(result.rejections),
       "peak_mib": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024,
       "held_mib": (rss_kib() - before) / 1024}
if traced:
    held, peak = tracemalloc.get_traced_memory()
    out.update(py_peak_beyond_held_mib=(peak - held) / 2**20, py_held_mib=held / 2**20)
nbytes = getattr(result.rows, "nbytes", None)
out["rows_arrow_mib"] = nbytes / 2**20 if nbytes is not None else None
print(json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dataset", default="population")
    parser.add_argument("--file", type=Path, help="a CSV to read instead of the generated province's")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()
    path = args.file
    if path is None:
        from lamsach.generate import generate_province

        folder = HERE / "out" / f"province-{args.people}-{args.seed}"
        if not (folder / "manifest.yaml").exists():
            generate_province(folder, people=args.people, seed=args.seed)
        path = folder / f"{args.dataset}.csv"
    warm = HERE / "out" / "bench_read_warm.csv"
    warm.parent.mkdir(parents=True, exist_ok=True)
    with path.open("rb") as source:
        warm.write_bytes(b"".join(source.readline() for _ in range(3)))
    print(f"{path}: {path.stat().st_size / 1e6:.1f} MB")
    runs = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", CHILD, str(path), args.dataset,
                               "1" if args.tracemalloc else "0", str(warm)],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            sys.exit(proc.stderr)
        run = json.loads(proc.stdout.strip().splitlines()[-1])
        run["process_seconds"] = time.perf_counter() - started
        runs.append(run)
        print(json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in run.items()}))
    median = sorted(runs, key=lambda r: r["peak_mib"])[len(runs) // 2]
    print(f"median: read {median['seconds']:.2f} s, peak +{median['peak_mib']:.0f} MiB, "
          f"held +{median['held_mib']:.0f} MiB for {median['rows']:,} rows")


if __name__ == "__main__":
    main()
