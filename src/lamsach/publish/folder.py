"""The output folder of a pass: written in a staging folder, published whole at the end.

Everything a pass writes — the contract files, the reports, and the link stage's model, charts and
weights — goes into a fresh staging folder beside the target (`open_staging`) and is moved into
place at the end (`publish`), so a crash never leaves a half-written set of files that other
tools would read as complete, nor files of two passes side by side.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from lamsach.domain import ErrorCode, LamsachError, Location


def open_staging(out_dir: Path) -> Path:
    """A fresh folder beside `out_dir` that the pass writes into until `publish`."""
    out_dir = Path(out_dir)
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    except OSError as exc:
        raise LamsachError(ErrorCode.OUTPUT_NOT_WRITABLE, Location(file=str(out_dir)),
                           {"reason": exc.strerror or str(exc)}) from None


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)


def publish(staging: Path, out_dir: Path, previous: tuple[str, ...] = ()) -> None:
    """Move everything staged into `out_dir`, replacing what an earlier pass left there under the
    same names or under `previous` (files a pass may or may not write, such as a chart)."""
    out_dir = Path(out_dir)
    if not out_dir.exists():
        staging.rename(out_dir)
        return
    for name in {*previous, *(item.name for item in staging.iterdir())}:
        target = out_dir / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    for item in staging.iterdir():
        item.rename(out_dir / item.name)
    staging.rmdir()
