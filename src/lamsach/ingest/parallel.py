"""A pass's files read side by side, one process per core.

Files are independent until their rows are compared with one another (keys taken by two files,
rows of another unit), which the pass does once every file is read; so each file is read whole by
`read_source`, unchanged, in one of `workers` forked processes, and handed back (its rows as
Arrow columns, which pickle as buffers). The biggest files go first, so the processes finish
together. What each file gives — its rows, rejections, or the errors that stop the pass — is the
same as when read one after another, and is handed back in the manifest's order of files.

A pass of a few small files reads them in this process: forking and handing back costs more than
they take. Workers are forked only from a main thread (a server's worker thread is not alone in
its process), as standardising's are.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import uuid
from array import array
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from lamsach.domain import DatasetSchema, ErrorCode, LamsachError, Location, SourceSpec
from lamsach.ingest.source import SourceRead, read_source

PARALLEL_MIN_BYTES = 8_000_000
"""Below this many bytes of files to read, they are read in this process (a province's are tens
of megabytes; a test's or a small commune's a few kilobytes)."""

Outcome = SourceRead | LamsachError | ExceptionGroup
"""A file's rows, or what stops the pass on that file (raised together once all are read)."""

_FORKED: tuple | None = None  # what forked workers read: set before the fork, never sent to them


def read_sources(sources: Sequence[SourceSpec], schemas: Sequence[DatasetSchema], header_search_rows: int,
                 max_bytes: int | None, workers: int, done: Callable[[], None] = lambda: None,
                 spill_dir: Path | None = None) -> list[Outcome]:
    """Each of `sources` read as a file of the matching schema, in order; `done` is called as
    each file is read (in the order they finish). With `spill_dir`, each file's rows are kept
    there and mapped (`ingest.spill`), and its bytes are not held (the store reads them again)."""
    sizes = [_size(source.path) for source in sources]
    workers = min(workers, len(sources))
    if (workers < 2 or sum(sizes) < PARALLEL_MIN_BYTES
            or threading.current_thread() is not threading.main_thread()):
        outcomes = []
        for i in range(len(sources)):
            outcomes.append(_read(sources[i], schemas[i], header_search_rows, max_bytes, spill_dir))
            done()
        return outcomes
    return list(_in_workers(sources, schemas, header_search_rows, max_bytes, workers, sizes, done, spill_dir))


def _in_workers(sources: Sequence[SourceSpec], schemas: Sequence[DatasetSchema], header_search_rows: int,
                max_bytes: int | None, workers: int, sizes: list[int], done: Callable[[], None],
                spill_dir: Path | None) -> Iterator[Outcome]:
    global _FORKED
    order = sorted(range(len(sources)), key=lambda i: (-sizes[i], i))
    outcomes: dict[int, Outcome] = {}
    _FORKED = (sources, schemas, header_search_rows, max_bytes, spill_dir)
    try:
        # an executor, not a `multiprocessing.Pool`: a worker that dies (killed for memory, a
        # crash in a reader's C code) breaks it and the pass stops saying so; a pool would fork a
        # new worker and wait for the lost file forever
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            for future in as_completed([pool.submit(_read_in_worker, i) for i in order]):
                i, outcome = future.result()
                outcomes[i] = outcome
                done()
    except BrokenProcessPool as broken:
        raise LamsachError(ErrorCode.WORKER_DIED, Location(), {"stage": "import: read"}) from broken
    finally:
        _FORKED = None
    return (outcomes[i] for i in range(len(sources)))


def _read_in_worker(index: int) -> tuple[int, Outcome]:
    assert _FORKED is not None
    sources, schemas, header_search_rows, max_bytes, spill_dir = _FORKED
    return index, _read(sources[index], schemas[index], header_search_rows, max_bytes, spill_dir)


def _read(source: SourceSpec, schema: DatasetSchema, header_search_rows: int, max_bytes: int | None,
          spill_dir: Path | None = None) -> Outcome:
    try:
        read = read_source(source, schema, header_search_rows, max_bytes=max_bytes)
    except (LamsachError, ExceptionGroup) as problem:
        return problem
    if spill_dir is not None:
        read.rows = read.rows.spill(spill_dir / f"{uuid.uuid4().hex}.arrow")
        read.content = b""  # read again, its SHA-256 checked, when stored (`SourceRead.original`)
        read.row_numbers = array("q", read.row_numbers)  # 8 bytes a row rather than a Python int
        if set(read.sheets) <= {read.sheet}:
            read.sheets = []  # every row on the sheet the read names (as `collisions` reads a short list)
    return read


def _size(path: Path) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0  # missing or unreadable: reading it reports why
