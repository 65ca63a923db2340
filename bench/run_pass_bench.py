"""Benchmark of the whole campaign pass on a generated province.

    .venv/bin/python bench/run_pass_bench.py [--people 100000] [--repeat 3]

Prints wall time, peak memory and rows per second per stage (median of the repeats), next to a
baseline measured in the same run: only reading the same files (DuckDB's CSV reader and
python-calamine for the workbooks), the least any pass must do. The ratio pass/baseline is what
to compare across machines; absolute seconds vary with the machine's load.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = """
import json, resource, sys, time
from pathlib import Path
from lamsach.runner import run_pass
from lamsach.settings import Settings
manifest, out, data = sys.argv[1:4]
started = time.perf_counter()
summary = run_pass(Path(manifest), Path(out), Settings(data_dir=Path(data)))
print(json.dumps({"seconds": time.perf_counter() - started, "stages": summary.stage_seconds,
                  "rows_read": summary.rows_read, "records": summary.records,
                  "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

BASELINE = """
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
print(time.perf_counter() - started, rows)
"""


def _child(code: str, *args: str) -> str:
    """Run `code` in a fresh interpreter (so its peak memory is its own); return its last line."""
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(proc.stderr)
    return proc.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from lamsach.generate import generate_province

    folder = HERE / "out" / f"province-{args.people}-{args.seed}"
    started = time.perf_counter()
    manifest = folder / "manifest.yaml"
    if not manifest.exists():
        manifest = generate_province(folder, people=args.people, seed=args.seed)
    print(f"province of {args.people:,} people ready in {time.perf_counter() - started:.1f} s: {folder}")

    passes, baselines, peaks = [], [], []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            passes.append(json.loads(_child(CHILD, str(manifest), f"{tmp}/out", f"{tmp}/data")))
            peaks.append(passes[-1]["peak_kib"])
        line = _child(BASELINE, str(folder))
        baselines.append(float(line.split()[0]))

    seconds = statistics.median(p["seconds"] for p in passes)
    baseline = statistics.median(baselines)
    rows = passes[0]["rows_read"]
    print(f"\nrows read: {rows:,}; records: {passes[0]['records']}")
    print(f"{'stage':<18}{'median s':>10}{'rows/s':>12}")
    for stage in passes[0]["stages"]:
        value = statistics.median(p["stages"][stage] for p in passes)
        print(f"{stage:<18}{value:>10.2f}{rows / value if value else float('inf'):>12,.0f}")
    print(f"{'whole pass':<18}{seconds:>10.2f}{rows / seconds:>12,.0f}")
    print(f"{'baseline (read)':<18}{baseline:>10.2f}{rows / baseline:>12,.0f}")
    print(f"ratio pass / baseline: {seconds / baseline:.1f}")
    print(f"peak memory of the pass: {statistics.median(peaks) / 1024:.0f} MiB (max {max(peaks) / 1024:.0f})")


if __name__ == "__main__":
    main()
