"""The sender run by `lamsach serve` when a target is set: the same push, again and again.

It runs in a thread of the server's main process (the one that starts the web workers), so a
deployment with several workers still has one sender; the store's lease keeps it from running
beside a `lamsach sync push` started by hand. A failure is logged and tried again at the next
round: the outbox keeps everything until it is acknowledged.
"""

from __future__ import annotations

import logging
import threading

from lamsach.backends.store import SqlAlchemyStore
from lamsach.domain import LamsachError
from lamsach.settings import Settings
from lamsach.sync.sender import Sender

log = logging.getLogger("lamsach.sync")


def start_background_sender(settings: Settings, stop: threading.Event | None = None) -> threading.Thread | None:
    """Start the sender thread when `settings.sync_target` is set; None otherwise."""
    if not settings.sync_target:
        return None
    thread = threading.Thread(target=_rounds, args=(settings, stop or threading.Event()), daemon=True,
                              name="lamsach-sync")
    thread.start()
    return thread


def _rounds(settings: Settings, stop: threading.Event) -> None:
    store = SqlAlchemyStore.open(settings.store_url, migrate=False)
    while not stop.is_set():
        try:
            result = Sender(store, settings.sync_target or "", settings).push()
            if result.batches:
                log.info("sync: %d batches, %d versions sent to %s (%d rejected)", result.batches,
                         result.versions, settings.sync_target, result.rejected)
        except LamsachError as exc:
            log.warning("sync: %s", exc.message(settings.lang))
        except Exception:  # a bug must not stop the web server; the next round tries again
            log.exception("sync: the background sender failed")
        stop.wait(settings.sync_interval_s)
