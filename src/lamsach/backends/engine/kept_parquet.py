"""Results a pass keeps for the next as Parquet files named by a fingerprint of their inputs.

A kept result lives at `<thing>.<fingerprint>.parquet` in a cache folder (a dataset's
standardised table, its duplicates). It is written aside and renamed into place, so a killed pass
leaves the old file or the new, never half of one; once the new one is in use, the files of the
same thing under other fingerprints are removed (`remove_other_fingerprints`).
"""

from __future__ import annotations

import os
from pathlib import Path

from lamsach.backends.engine.base import Engine


def write_parquet(engine: Engine, select: str, path: Path, rule: str) -> None:
    """`select`'s rows, in its order, as the Parquet file `path`, written aside by the engine on
    all its threads (`Dialect.copy_to_parquet`) and renamed into place. Raises as the engine or
    the folder does; nothing partial is left."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    try:
        engine.run(engine.dialect.copy_to_parquet(select, str(partial)), rule=rule)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def remove_other_fingerprints(path: Path) -> None:
    """Remove the Parquet files beside `path` of the same thing (`<thing>.*.parquet`) but `path`."""
    thing = path.name.split(".")[0]
    for old in path.parent.glob(f"{thing}.*.parquet"):
        if old != path:
            old.unlink(missing_ok=True)
