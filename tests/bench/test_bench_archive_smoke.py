"""Smoke test of `bench/bench_archive.py` at a small size: both parts run and print their figures."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_archive.py"


def test_bench_archive_prints_ocr_and_search_figures():
    out = subprocess.run([sys.executable, str(BENCH), "--pages", "2", "--documents", "600"],
                         capture_output=True, text=True, check=True, timeout=600).stdout
    assert re.search(r"OCR, 2 pages: archive .* [\d.]+ pages/min; baseline .* ratio [\d.]+", out)
    found = re.search(r"Search, 600 documents on SQLite FTS5 .*?(\d+)% with hits.*p95 ([\d.]+) ms", out)
    assert found and int(found.group(1)) > 50
