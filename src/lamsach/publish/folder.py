"""The output folder of a pass: written in a staging folder, put in place whole at the end.

Everything a pass writes — the contract files, the reports, and the link stage's model, charts and
weights — goes into a fresh staging folder beside the target (`open_staging`). `publish` then
swaps it with the previous outputs in one step, so at every moment the output folder holds either
the previous pass's files or the new pass's, each set whole: never a mix, never nothing. On Linux
the swap is one `renameat2(RENAME_EXCHANGE)`; elsewhere the old folder is first renamed aside and
put back by `recover` if the process dies before the new one is in place.

Staging and set-aside folders are named after the process that made them (`.out~pass~host~pid~…`),
so the next pass removes those whose process is gone (`recover`) and never those of a pass still
running beside it.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
from pathlib import Path

from lamsach.backends.store import left_by_dead_process, process_stamp
from lamsach.domain import ErrorCode, LamsachError, Location

STAGING, ASIDE = "pass", "old"
_RENAME_EXCHANGE = 2


class FileOps:
    """The file operations publishing makes, one place to count or fail them in a test."""

    def rename(self, source: Path, target: Path) -> None:
        os.rename(source, target)

    def exchange(self, a: Path, b: Path) -> bool:
        """Swap two folders atomically; False where the system cannot."""
        return _exchange(a, b)

    def link_or_copy(self, source: Path, target: Path) -> None:
        if source.is_dir() and not source.is_symlink():
            shutil.copytree(source, target, copy_function=_link_or_copy)
        else:
            _link_or_copy(source, target)

    def remove_tree(self, folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)


ops = FileOps()


def _link_or_copy(source: str | Path, target: str | Path) -> None:
    try:
        os.link(source, target)  # a hard link: the previous outputs stay untouched and whole
    except OSError:
        shutil.copy2(source, target)


def _exchange(a: Path, b: Path) -> bool:
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd = -100
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    error = ctypes.get_errno()
    if error in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: this file system cannot exchange
        return False
    raise OSError(error, os.strerror(error), str(a))


def _prefix(out_dir: Path, kind: str) -> str:
    return f".{out_dir.name}~{kind}~{process_stamp()}~"


def _abandoned(folder: Path, out_dir: Path) -> str | None:
    """The kind of a staging or set-aside folder of `out_dir` a dead pass of this machine left;
    None for anything else."""
    parts = folder.name.removeprefix(f".{out_dir.name}~").split("~")
    if not folder.name.startswith(f".{out_dir.name}~") or len(parts) != 4:
        return None
    return parts[0] if left_by_dead_process(parts[1], parts[2]) else None


def recover(out_dir: Path) -> list[Path]:
    """Put back outputs a killed pass set aside, and remove the staging folders of passes on this
    machine whose process is gone; return what was removed."""
    out_dir = Path(out_dir)
    if not out_dir.parent.is_dir():
        return []
    removed = []
    for folder in sorted(out_dir.parent.glob(f".{out_dir.name}~*")):
        kind = _abandoned(folder, out_dir)
        if kind is None:
            continue
        if kind == ASIDE and (folder / "outputs").is_dir() and not out_dir.exists():
            ops.rename(folder / "outputs", out_dir)  # died between setting the old outputs aside and the swap
        ops.remove_tree(folder)
        removed.append(folder)
    return removed


def open_staging(out_dir: Path) -> Path:
    """A fresh folder beside `out_dir` that the pass writes into until `publish`; first, whatever
    a killed pass left beside `out_dir` is recovered."""
    out_dir = Path(out_dir)
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        recover(out_dir)
        return Path(tempfile.mkdtemp(prefix=_prefix(out_dir, STAGING), dir=out_dir.parent))
    except OSError as exc:
        raise LamsachError(ErrorCode.OUTPUT_NOT_WRITABLE, Location(file=str(out_dir)),
                           {"reason": exc.strerror or str(exc)}) from None


def discard(staging: Path) -> None:
    ops.remove_tree(staging)


def publish(staging: Path, out_dir: Path, previous: tuple[str, ...] = ()) -> None:
    """Put the staged outputs in place of `out_dir` in one step.

    What an earlier pass wrote under the same names or under `previous` (files a pass may or may
    not write, such as a chart) is replaced; anything else in `out_dir` (not the pass's) is carried
    into the new folder by hard links before the swap, so it survives without the old folder
    changing."""
    out_dir = Path(out_dir)
    if not out_dir.exists():
        ops.rename(staging, out_dir)
        return
    ours = {*previous, *(item.name for item in staging.iterdir())}
    for item in sorted(out_dir.iterdir()):
        if item.name not in ours:
            ops.link_or_copy(item, staging / item.name)
    if ops.exchange(staging, out_dir):
        ops.remove_tree(staging)  # it now holds the previous outputs
        return
    aside = Path(tempfile.mkdtemp(prefix=_prefix(out_dir, ASIDE), dir=out_dir.parent))
    ops.rename(out_dir, aside / "outputs")  # a crash from here until the swap is undone by `recover`
    ops.rename(staging, out_dir)
    ops.remove_tree(aside)
