"""A per-client token bucket: `rate_per_minute` lookups, refilled smoothly, no burst beyond it.

It lives in the serving process: with N server processes a client gets up to N times its rate.
The answer to a refused call says how many seconds to wait (`Retry-After`).
"""

from __future__ import annotations

import math
import time
from threading import Lock


class RateLimiter:
    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, at)
        self._lock = Lock()

    def take(self, client: str, per_minute: int, now: float | None = None) -> int:
        """0 when the call may go ahead, else the whole seconds to wait."""
        now = time.monotonic() if now is None else now
        per_second = per_minute / 60.0
        with self._lock:
            tokens, at = self._buckets.get(client, (float(per_minute), now))
            tokens = min(float(per_minute), tokens + (now - at) * per_second)
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, now)
                return 0
            self._buckets[client] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / per_second))
