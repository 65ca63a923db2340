"""Work run in a thread beside the pass's own, for stages that do not depend on each other.

The pass's stages mostly use one core each: storing is SQLite's and Python's, standardising and
linking are DuckDB's and forked workers'. On two cores, storing the batches while the rows just
read are standardised, or writing the shared layer while the reports are written, takes the
longer of the two instead of their sum. The work in the thread must not use the batch engine
(one connection, one thread) and must leave the store's transactions whole: it is never stopped
inside one, only between the steps it checks `stopping` at.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Beside:
    """A thread's work: whether it ended, what it raised, and the flag that asks it to stop."""

    stopping: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None
    finished: threading.Event = field(default_factory=threading.Event)

    def failed(self) -> bool:
        return self.finished.is_set() and self.error is not None


@contextmanager
def beside(work: Callable[[Beside], None], name: str) -> Iterator[Beside]:
    """Run `work` in a thread while the body runs; on leaving, wait for it and raise what it
    raised. When the body raises, `work` is asked to stop (`Beside.stopping`) and waited for
    first: the store is not left with a transaction open, and the body's error is the one raised."""
    state = Beside()

    def run() -> None:
        try:
            work(state)
        except BaseException as exc:  # handed to the pass's thread, raised there
            state.error = exc
        finally:
            state.finished.set()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    try:
        yield state
    except BaseException:
        state.stopping.set()
        thread.join()
        raise
    thread.join()
    if state.error is not None:
        raise state.error
