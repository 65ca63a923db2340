"""Files read side by side in worker processes give what reading them one after another gives:
the same rows, rejections and errors, in the manifest's order."""

from __future__ import annotations

from pathlib import Path

import pytest

from lamsach.data import load_schema
from lamsach.domain import ErrorCode, LamsachError, SourceSpec
from lamsach.ingest import load_manifest, parallel
from lamsach.ingest.parallel import read_sources


def _read(sources, workers):
    schemas = [load_schema(s.dataset) for s in sources]
    finished = []
    outcomes = read_sources(sources, schemas, 30, None, workers, lambda: finished.append(1))
    assert len(finished) == len(sources)
    return outcomes


def _same(a, b) -> bool:
    if isinstance(a, LamsachError):
        return isinstance(b, LamsachError) and (a.code, a.location, a.params) == (b.code, b.location, b.params)
    if isinstance(a, ExceptionGroup):
        return isinstance(b, ExceptionGroup) and all(_same(x, y) for x, y in zip(a.exceptions, b.exceptions,
                                                                                 strict=True))
    return (a.rows, a.row_numbers, a.sheets, a.rejections, a.rows_read, a.content, a.sha256, a.column_map,
            a.unmapped_columns, a.encoding, a.delimiter) == (
        b.rows, b.row_numbers, b.sheets, b.rejections, b.rows_read, b.content, b.sha256, b.column_map,
        b.unmapped_columns, b.encoding, b.delimiter)


def test_sample_province_read_by_two_workers_equals_one_by_one(sample_dir: Path, tmp_path, monkeypatch):
    sources = list(load_manifest(sample_dir / "manifest.yaml").sources)
    bad = tmp_path / "empty.csv"
    bad.write_bytes(b"")
    broken = tmp_path / "broken.csv"
    broken.write_text("Mã hồ sơ,Họ và tên\nA1,\"Lê\n", encoding="utf-8")
    sources += [SourceSpec(path=bad, dataset="population"), SourceSpec(path=broken, dataset="population"),
                SourceSpec(path=tmp_path / "missing.csv", dataset="population")]
    alone = _read(sources, 1)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    side_by_side = _read(sources, 2)
    assert len(alone) == len(side_by_side) == len(sources)
    assert all(_same(a, b) for a, b in zip(alone, side_by_side, strict=True))
    assert [type(o).__name__ for o in side_by_side[-3:]] == ["LamsachError"] * 3
    assert side_by_side[-3].code == ErrorCode.INGEST_FILE_EMPTY
    assert side_by_side[-1].code == ErrorCode.INGEST_FILE_NOT_FOUND


@pytest.mark.parametrize("workers", [1, 2])
def test_a_pass_reads_with_either_number_of_workers(workers, sample_dir: Path, monkeypatch):
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    sources = list(load_manifest(sample_dir / "manifest.yaml").sources)[:3]
    outcomes = _read(sources, workers)
    assert [o.file for o in outcomes] == [str(s.path) for s in sources]


def _dying(index: int):
    """A worker's read of the second file: the worker is killed on it."""
    import os
    import signal

    if index == 1:
        os.kill(os.getpid(), signal.SIGKILL)
    return _READING(index)


_READING = parallel._read_in_worker


def test_a_reader_that_dies_stops_the_pass_with_a_message_not_a_wait(sample_dir: Path, monkeypatch):
    """A worker killed while it reads (the kernel short of memory, a crash in a reader's C code):
    the read fails at once, naming the stage, instead of waiting forever for the lost file."""
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "_read_in_worker", _dying)
    sources = list(load_manifest(sample_dir / "manifest.yaml").sources)[:3]
    with pytest.raises(LamsachError) as stopped:
        _read(sources, 2)
    assert stopped.value.code == ErrorCode.WORKER_DIED
    assert "import: read" in stopped.value.message()
