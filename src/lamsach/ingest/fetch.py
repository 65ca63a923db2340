"""Files a manifest names by URL, copied to this machine before the pass reads them.

A national run keeps a province's files on shared storage (HDFS, S3, Azure) that Spark reads
with its cluster's configuration and credentials. The readers of the import stage (CSV, Excel,
Parquet; the file's SHA-256 that tells an unchanged file next week) work on bytes on this
machine, so each such file is first copied here by the engine (`Engine.fetch_file`: Spark's
file systems, or `file://` alone on one machine), into the pass's own folder, and read from
there like any other. Every message and the stored batch name the URL, not the copy
(`SourceSpec.name`), so next week's pass knows the file again by its URL. The copies go when
the pass ends, whichever way it ends.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from lamsach.backends.engine import Engine
from lamsach.domain import LamsachError, Manifest
from lamsach.domain.files import file_name


@contextmanager
def fetched(manifest: Manifest, engine: Engine, folder: Path | None, max_bytes: int | None,
            done: Callable[[], None] = lambda: None) -> Iterator[Manifest]:
    """`manifest` with each file named by URL copied under `folder` (a temporary folder when
    None) and its `path` the copy; `done` is called as each is copied. Every file that cannot be
    fetched is reported at once (an ExceptionGroup when more than one), before anything is read
    or stored."""
    remote = [i for i, source in enumerate(manifest.sources) if source.url is not None]
    if not remote:
        yield manifest
        return
    root = Path(tempfile.mkdtemp(prefix="lamsach-fetched-")) if folder is None else folder / "fetched"
    try:
        sources, errors = list(manifest.sources), []
        for i in remote:
            url = sources[i].url
            assert url is not None
            target = root / f"{i + 1:05d}" / file_name(url)  # a folder each: two URLs may end in one name
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                engine.fetch_file(url, target, max_bytes)
                sources[i] = replace(sources[i], path=target)
            except LamsachError as error:
                errors.append(error)
            done()
        if len(errors) == 1:
            raise errors[0]
        if errors:
            raise ExceptionGroup("sources", errors)
        yield replace(manifest, sources=tuple(sources))
    finally:
        shutil.rmtree(root, ignore_errors=True)
