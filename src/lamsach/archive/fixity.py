"""Proving kept files unchanged: every original and searchable copy re-hashed, in the primary
folder and the second copy; each check recorded as an event; a damaged or missing file repaired
from the other location when that one still has the right bytes.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from lamsach.archive import vault
from lamsach.archive.intake import vault_for
from lamsach.backends.store import archive as catalogue
from lamsach.domain import ErrorCode, LamsachError, Location
from lamsach.settings import Settings

log = logging.getLogger(__name__)
KINDS = (("original", "originals", ""), ("copy", "copies", ".pdf"))


@dataclass
class VerifyReport:
    checked: int = 0
    problems: list[LamsachError] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)


def _state(path: Path, sha256: str) -> tuple[str, str | None]:
    if not path.is_file():
        return "missing", None
    actual = vault.sha256_file(path)
    return ("ok", actual) if actual == sha256 else ("altered", actual)


def verify(store, settings: Settings, actor: str) -> VerifyReport:
    """Re-hash every kept file; repair from the other location; record each check."""
    keep = vault_for(settings)
    roots = [("primary", keep.root)] + ([("second", keep.copy_root)] if keep.copy_root else [])
    report, events = VerifyReport(), []
    for document in catalogue.all_files(store):
        for kind, folder, suffix in KINDS:
            sha256 = document["sha256"] if kind == "original" else document["copy_sha256"]
            if not sha256:
                continue
            states = {where: (keep.path(folder, sha256, suffix, root), *_state(keep.path(folder, sha256, suffix, root),
                                                                                 sha256))
                      for where, root in roots}
            good = next((path for path, state, _ in states.values() if state == "ok"), None)
            for where, (path, state, actual) in states.items():
                report.checked += 1
                outcome, detail = state, f"{where}: {path}"
                if state != "ok" and good is not None:
                    vault.write_atomically(path, good.read_bytes())
                    outcome, detail = "repaired", f"{where}: {path} ({state}, restored from {good})"
                    report.repaired.append(str(path))
                elif state != "ok":
                    code = ErrorCode.ARCHIVE_KEPT_FILE_MISSING if state == "missing" else ErrorCode.ARCHIVE_KEPT_FILE_ALTERED
                    report.problems.append(LamsachError(code, Location(), {
                        "document": document["id"], "kind": kind, "sha256": sha256, "actual": actual,
                        "path": str(path)}))
                    if actual:
                        detail += f" (SHA-256 now {actual})"
                events.append({"document_id": document["id"], "sha256": sha256, "kind": f"{kind}/{where}",
                               "outcome": outcome, "detail": detail})
    catalogue.record_checks(store, events, actor)
    return report


class FixitySchedule:
    """`verify` every `interval_seconds` in a background thread of `lamsach serve`."""

    def __init__(self, settings: Settings, interval_seconds: float, actor: str = "lịch kiểm tra") -> None:
        self.settings, self.interval, self.actor = settings, interval_seconds, actor
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="archive-fixity", daemon=True)

    def start(self) -> FixitySchedule:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        from lamsach.backends.store import SqlAlchemyStore

        store = SqlAlchemyStore.open(self.settings.store_url, migrate=False)
        while not self._stop.wait(self.interval):
            try:
                report = verify(store, self.settings, self.actor)
            except Exception:  # a failed round is logged; the next one runs on time
                log.exception("archive fixity check failed")
                continue
            for problem in report.problems:
                log.error("%s", problem.message("vi"))
        store.engine.dispose()
