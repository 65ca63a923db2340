"""What the batch engine cannot hold within its memory limit goes to the data folder's spill
folder (`open_engine`), not to a `.tmp` folder in whatever directory the command started from."""

from __future__ import annotations

import os
from pathlib import Path

from lamsach.runner.pass_run import open_engine
from lamsach.settings import Settings


def test_the_engine_spills_into_the_data_folder(tmp_path: Path, monkeypatch):
    started_in = tmp_path / "started_here"
    started_in.mkdir()
    monkeypatch.chdir(started_in)
    engine = open_engine(Settings(data_dir=tmp_path / "data", duckdb_memory_limit="40MB"))
    with engine:
        engine.run("CREATE TABLE big AS SELECT i, repeat('Nguyễn Thùy Thơ ', 8) || i AS name "
                   "FROM range(1500000) t(i)")
        assert engine.run("SELECT count(*) FROM big")[0][0] == 1_500_000
        spilled = [p for p in (tmp_path / "data" / "spill" / "engine").rglob("*") if p.is_file()]
        assert spilled, "a table larger than the memory limit is spilled"
    assert not any(os.scandir(started_in)), "nothing is left where the command started"
