"""The rows a pass reads wait for the store on disk (`ingest.spill`), not in memory: the same rows
come back, forked readers hand back a file's path rather than its rows, a file changed between
reading and storing is refused by name, and no pass leaves its spill folder behind."""

from __future__ import annotations

import os
import pickle
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lamsach.backends.store import SqlAlchemyStore, this_host
from lamsach.backends.store import tables as t
from lamsach.data import load_schema
from lamsach.domain import ErrorCode, LamsachError, SourceSpec
from lamsach.ingest import Records, load_manifest, parallel
from lamsach.ingest.parallel import read_sources
from lamsach.ingest.spill import ENGINE_SPILL, SPILL_FOLDER, pass_spill_folder
from lamsach.runner import SilentProgress, run_pass
from lamsach.settings import Settings

FIELDS = ("record_id", "full_name", "address")


def _records(count: int) -> Records:
    rows = [{"record_id": f"K{i:06d}", "full_name": None if i % 7 == 0 else f"Nguyễn Văn {i}",
             "address": "Xã Đông Sơn, tỉnh Thanh Hóa"} for i in range(count)]
    return Records.from_dicts(FIELDS, rows, key="record_id")


def test_spilled_rows_are_the_rows_and_travel_as_their_file(tmp_path: Path) -> None:
    held = _records(20_000)  # more than one of the builder's chunks
    spilled = held.spill(tmp_path / "rows.arrow")
    assert spilled == held and spilled.keys == held.keys
    assert spilled.keys is spilled.keys  # made once: the store and the standardising share the strings
    assert spilled.arrays()["full_name"].to_pylist() == held.column("full_name")
    spilled.release()  # pages handed back: the rows are read again from the file
    assert spilled[19_999] == held[19_999] and spilled[7]["full_name"] is None
    handed = pickle.dumps(spilled)
    assert len(handed) < 1_000 < len(pickle.dumps(held))  # the path, not the rows
    assert pickle.loads(handed) == held


def test_forked_readers_hand_back_spilled_rows_equal_to_those_read_here(sample_dir: Path, tmp_path: Path,
                                                                        monkeypatch) -> None:
    sources = list(load_manifest(sample_dir / "manifest.yaml").sources)[:4]
    schemas = [load_schema(s.dataset) for s in sources]
    here = read_sources(sources, schemas, 30, None, 1)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    spilled = read_sources(sources, schemas, 30, None, 2, spill_dir=tmp_path)
    assert [r.rows for r in spilled] == [r.rows for r in here]
    assert [list(r.row_numbers) for r in spilled] == [r.row_numbers for r in here]
    assert [r.sheets or [r.sheet] * len(r.rows) for r in spilled] == [r.sheets for r in here]
    assert all(r.content == b"" and r.original() == h.content for r, h in zip(spilled, here, strict=True))
    assert len(list(tmp_path.glob("*.arrow"))) == len(sources)


class _EditsWhenStoring(SilentProgress):
    """Changes a file once every file is read and the store begins: an officer saving the workbook
    again while the pass runs."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def start(self, label: str, total: int) -> None:
        if label == "Lưu dữ liệu gốc":
            self.path.write_bytes(self.path.read_bytes() + b"\nextra,row\n")


def test_a_file_changed_between_reading_and_storing_is_refused_by_name(tmp_path: Path) -> None:
    from lamsach.generate import generate_province

    manifest = generate_province(tmp_path / "province", people=120, seed=3)
    settings = Settings(data_dir=tmp_path / "data", standardise_workers=1)
    edited = sorted((tmp_path / "province").rglob("*.csv"))[0]
    with pytest.raises(LamsachError) as refused:
        run_pass(manifest, tmp_path / "out", settings, _EditsWhenStoring(edited), reference_date=date(2026, 11, 1))
    assert refused.value.code == ErrorCode.INGEST_FILE_CHANGED
    assert refused.value.location.file == str(edited)
    assert "SHA-256" in refused.value.message("vi") and "đã bị thay đổi" in refused.value.message("vi")
    store = SqlAlchemyStore.open(settings.store_url)
    with store.engine.connect() as conn:  # what was stored is whole; the changed file is not among it
        names = conn.execute(select(t.batches.c.file_name, t.batches.c.state)).all()
        half = conn.execute(select(func.count()).select_from(t.batches).where(t.batches.c.state != "complete"))
        assert half.scalar_one() == 0
    store.close()
    assert str(edited.resolve()) not in {name for name, _ in names}
    assert not list((settings.data_dir / SPILL_FOLDER).glob("pass~*"))


def test_a_pass_removes_its_spill_folder_and_those_of_killed_passes(tmp_path: Path) -> None:
    from lamsach.generate import generate_province

    manifest = generate_province(tmp_path / "province", people=80, seed=4)
    data = tmp_path / "data"
    dead = data / SPILL_FOLDER / f"pass~{this_host()}~999999999~abc"  # a pass killed before it could remove it
    dead.mkdir(parents=True)
    (dead / "rows.arrow").write_bytes(b"left behind")
    elsewhere = data / SPILL_FOLDER / "pass~another-machine~999999999~abc"  # a pass of another machine
    elsewhere.mkdir()
    run_pass(manifest, tmp_path / "out", Settings(data_dir=data, standardise_workers=1),
             reference_date=date(2026, 11, 1))
    assert sorted(p.name for p in (data / SPILL_FOLDER).iterdir()) == sorted([elsewhere.name, ENGINE_SPILL])
    assert not any((data / SPILL_FOLDER / ENGINE_SPILL).iterdir()), "the engine removed its spilled blocks"


def test_a_data_folder_that_cannot_take_a_spill_folder_keeps_rows_in_memory(tmp_path: Path) -> None:
    blocked = tmp_path / "data"
    blocked.write_text("a file where the folder should be")
    assert pass_spill_folder(blocked) is None
    assert pass_spill_folder(tmp_path / "ok").parent == tmp_path / "ok" / SPILL_FOLDER
    assert pass_spill_folder(tmp_path / "ok").name.startswith(f"pass~{this_host()}~{os.getpid()}~")


def test_a_source_read_without_spill_keeps_its_bytes(sample_dir: Path, tmp_path: Path) -> None:
    source = next(s for s in load_manifest(sample_dir / "manifest.yaml").sources if s.path.suffix == ".csv")
    path = tmp_path / source.path.name
    path.write_bytes(source.path.read_bytes())
    [read] = read_sources([SourceSpec(path=path, dataset=source.dataset, unit=source.unit)],
                          [load_schema(source.dataset)], 30, None, 1)
    path.unlink()  # held in memory: storing does not read the file again
    assert read.original() == source.path.read_bytes()
