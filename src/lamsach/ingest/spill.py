"""A pass's rows kept on disk between reading and storing, in memory only while a stage reads them.

The pass reads every file before it stores any (a bad file stores nothing), so without this the
rows of every file are in memory together until the last is stored: 9 GiB after reading a
province of 4,000,000 people, 16.9 GiB at the store's peak (bench/README.md). Each file's rows
are written once, as they are read, into an Arrow IPC file in the pass's spill folder and
memory-mapped back: a stage that reads them pages them in, and `release` hands those pages back
to the page cache when it is done (`madvise(MADV_DONTNEED)`: the file is unchanged, so a later
read pages them in again). What stays in memory then grows with the file being worked on, not
with the province. A forked reader hands back the file's path, not its rows (`Records.__reduce__`).
"""

from __future__ import annotations

import mmap
import os
import shutil
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc

from lamsach.backends.store import left_by_dead_process, process_stamp

SPILL_FOLDER = "spill"
ENGINE_SPILL = "engine"
"""Under the data folder: one folder per pass (`pass_spill_folder`), removed when the pass ends."""


class MappedTable:
    """An Arrow IPC file memory-mapped read-only, with its table over the mapping (no copy)."""

    __slots__ = ("_map", "path", "table")

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        with self.path.open("rb") as handle:
            self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        self.table = ipc.open_file(pa.py_buffer(self._map)).read_all()

    def release(self) -> None:
        """Drop the pages this process has read of the file; the table stays valid."""
        self._map.madvise(mmap.MADV_DONTNEED)


def write_table(table: pa.Table, path: Path) -> MappedTable:
    """`table` written to `path` as one record batch (each column one array, as the store slices
    it) and mapped back."""
    table = table.combine_chunks()
    partial = path.with_name(f"{path.name}.partial")
    with pa.OSFile(str(partial), "wb") as sink, ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=max(table.num_rows, 1))
    os.replace(partial, path)
    return MappedTable(path)


def pass_spill_folder(data_dir: Path) -> Path | None:
    """A new folder for one pass's spilled rows, under `data_dir`, named after the process that
    makes it (`pass~host~pid~…`, as the staging folders are); folders that passes of this machine
    killed before they could remove theirs are removed first. None when the data folder cannot
    take one (a read-only folder): the rows are then held in memory, as before."""
    root = Path(data_dir) / SPILL_FOLDER
    try:
        root.mkdir(parents=True, exist_ok=True)
        for old in root.glob("pass~*"):
            if _abandoned(old.name):
                shutil.rmtree(old, ignore_errors=True)
        return Path(tempfile.mkdtemp(prefix=f"pass~{process_stamp()}~", dir=root))
    except OSError:
        return None


def engine_spill_folder(data_dir: Path) -> Path | None:
    """Where the batch engine spills what exceeds its memory (gigabytes at a million people),
    beside the passes' spill folders; the engine names and removes its own files. None when the
    data folder cannot take it (the engine then spills where the command started)."""
    folder = Path(data_dir) / SPILL_FOLDER / ENGINE_SPILL
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder


def remove_spill_folder(folder: Path | None) -> None:
    """The pass's spill folder gone (the mappings still open stay readable until closed)."""
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def _abandoned(name: str) -> bool:
    """Whether the spill folder `name` is a pass's of this machine whose process is gone."""
    parts = name.split("~")
    return len(parts) == 4 and left_by_dead_process(parts[1], parts[2])
