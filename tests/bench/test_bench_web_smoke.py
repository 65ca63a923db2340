"""Smoke test of `bench/bench_web.py` on a small province: the server starts with two processes,
every page answers every user, and the table the README quotes is printed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_web.py"


def test_the_web_benchmark_runs_and_prints_its_table():
    result = subprocess.run([sys.executable, str(BENCH), "--people", "400", "--users", "6", "--rounds", "2",
                             "--repeat", "2", "--think-ms", "50", "--workers", "2"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    rows = {m.group(1): (int(m.group(2)), float(m.group(3)))
            for m in re.finditer(r"^(static|dashboard|queue|record)\s+(\d+)\s+\d+\s+\d+\s+\d+\s+([\d.]+)$",
                                 result.stdout, re.MULTILINE)}
    assert set(rows) == {"static", "dashboard", "queue", "record"}, result.stdout
    assert all(n == 6 * 2 * 2 for n, _ in rows.values())  # users × rounds × loads, none refused
    assert rows["static"][1] == 1.0
    assert "2 server process(es) on SQLite" in result.stdout
