"""What one app remembers between requests about its own store: query results of a run (a run's
findings never change once stored) and each campaign's progress until it has a new run.

They live on the app (`app.state.caches`), not in module globals: two apps over two stores in
one process (tests, a second server) never read each other's results, and an app's are dropped
with it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class Memo:
    """A bounded memo: the least recently used entry goes first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        value = compute()
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return value

    def drop(self, keep: Callable[[Hashable], bool]) -> None:
        with self._lock:
            for key in [k for k in self._data if not keep(k)]:
                del self._data[key]


class AppCaches:
    def __init__(self) -> None:
        self.queue_pages = Memo(512)
        self.facets = Memo(128)
        self.progress = Memo(16)
        self.computing: dict[str, threading.Lock] = {}  # one progress computation per campaign at a time
        self.lock = threading.Lock()
