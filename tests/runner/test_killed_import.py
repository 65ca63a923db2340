"""A pass killed in the middle of storing a large file leaves no partial batch, and the next pass works."""

from __future__ import annotations

import csv
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from lamsach.backends.store import SqlAlchemyStore

HEADER = ["Mã hồ sơ", "Số định danh cá nhân", "Họ và tên", "Ngày sinh", "Giới tính", "Mã xã", "Nơi thường trú",
          "Mã hộ", "Quan hệ với chủ hộ", "Tình trạng", "Ngày mất", "Ngày cập nhật"]


def write_large_population(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    families = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng"]
    givens = ["An", "Bình", "Cường", "Dung", "Hoa", "Lan", "Minh", "Nam"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            year = rng.randint(1940, 2020)
            female = rng.random() < 0.5
            digit = (0 if year < 2000 else 2) + female
            writer.writerow([f"DC{i:08d}", f"038{digit}{year % 100:02d}{i:06d}",
                             f"{rng.choice(families)} {'Thị' if female else 'Văn'} {rng.choice(givens)}",
                             f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year}", "Nữ" if female else "Nam",
                             "16012", "Thôn 1, xã Hậu Lộc, tỉnh Thanh Hóa", f"HH{i // 4:07d}", "Con", "Còn sống",
                             "", "01/06/2026"])


def test_killed_import_leaves_no_half_batch(tmp_path):
    write_large_population(tmp_path / "population.csv", 150_000)
    (tmp_path / "manifest.yaml").write_text(
        'name: Thử dừng đột ngột\nprovince: "38"\nreference_date: "2026-11-01"\n'
        "sources:\n  - path: population.csv\n    dataset: population\n", encoding="utf-8")
    data = tmp_path / "data"
    command = [sys.executable, "-m", "lamsach.cli", "run", str(tmp_path / "manifest.yaml"),
               "--out", str(tmp_path / "out"), "--data-dir", str(data)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wal = data / "lamsach.db-wal"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if wal.exists() and wal.stat().st_size > 2_000_000:  # records are being written
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the import ended before it could be killed; make the file larger"
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    store = SqlAlchemyStore.open(f"sqlite:///{data / 'lamsach.db'}")
    assert store.batches() == []
    assert store.count_records() == 0
    assert not (tmp_path / "out").exists()
    assert [r["status"] for r in store.runs()] == ["running"]

    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr
    [batch] = store.batches()
    assert batch["state"] == "complete" and batch["rows_read"] == 150_000
    assert store.count_records() == batch["rows_stored"] == 150_000 - batch["rows_rejected"]
