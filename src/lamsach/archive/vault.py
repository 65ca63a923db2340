"""Where kept files live: one file per SHA-256 under the archive folder, and a second copy.

A file is written under a temporary name and renamed, so a crash never leaves a half file under
a real name; the name is the content's hash, so writing the same content twice is harmless and
a changed byte is seen by re-hashing. The second copy (a setting: another disk or a network
share) is written the same way and repairs a damaged or missing primary.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

CHUNK_BYTES = 1 << 20


def sha256_bytes(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


class Vault:
    """Kept files of one archive folder, addressed by `kind` (originals, copies, texts) and hash."""

    def __init__(self, root: Path, copy_root: Path | None = None) -> None:
        self.root = root
        self.copy_root = copy_root

    def path(self, kind: str, sha256: str, suffix: str = "", root: Path | None = None) -> Path:
        return (root or self.root) / kind / sha256[:2] / f"{sha256}{suffix}"

    def put(self, kind: str, sha256: str, content: bytes, suffix: str = "") -> list[Path]:
        """Write `content` in the primary folder and the second copy; return the paths it created."""
        created = []
        for root in filter(None, (self.root, self.copy_root)):
            target = self.path(kind, sha256, suffix, root)
            if target.exists() and target.stat().st_size == len(content):
                continue
            write_atomically(target, content)
            created.append(target)
        return created

    def read(self, kind: str, sha256: str, suffix: str = "") -> bytes:
        return self.path(kind, sha256, suffix).read_bytes()


def write_atomically(target: Path, content: bytes) -> None:
    """`content` under `target`, all or nothing: a temporary file in the same folder, then rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def remove(paths: list[Path]) -> None:
    """Undo `put` when the catalogue entry could not be written (nothing half-stored)."""
    for path in paths:
        path.unlink(missing_ok=True)
