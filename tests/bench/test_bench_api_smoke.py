"""Smoke test of `bench/bench_api.py` on a small register: the server starts with two processes,
every lookup of every kind is answered by every client, the table the README quotes is printed,
and the access log's chain is intact after the load."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_api.py"


def test_the_api_benchmark_runs_and_prints_its_table():
    result = subprocess.run([sys.executable, str(BENCH), "--people", "2000", "--clients", "4", "--seconds", "4",
                             "--interval-ms", "20", "--workers", "2"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    rows = {m.group(1): int(m.group(2)) for m in re.finditer(
        r"^(residence|marital-status|life-status|land-rights|land-parcels|all lookups|static)\s+(\d+)\s+[\d.]+\s+[\d.]+"
        r"\s+[\d.]+\s+[\d.]+\s+[\d.]+$", result.stdout, re.MULTILINE)}
    assert set(rows) == {"residence", "marital-status", "life-status", "land-rights", "land-parcels", "all lookups",
                         "static"}, result.stdout
    assert rows["all lookups"] == sum(n for k, n in rows.items() if k not in ("all lookups", "static")) > 0
    assert "failures 0" in result.stdout and "2 server process(es) on SQLite" in result.stdout
    entries = int(re.search(r"access log: (\d+) entries, chain intact", result.stdout).group(1))
    assert entries == rows["all lookups"] + 4  # and each client's untimed first lookup
    assert "load average (1 min) during the load" in result.stdout
