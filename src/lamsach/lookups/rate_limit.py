"""A client's rate limit: `rate_per_minute` lookups, refilled smoothly, no burst beyond it.

The bucket lives in the store (`api_clients.take_token`, one UPDATE per lookup), so every server
process — and every machine serving the same PostgreSQL database — draws from the same one. The
answer to a refused call says how many whole seconds to wait (`Retry-After`).
"""

from __future__ import annotations

import math
import time

from lamsach.backends.store.api_clients import ApiClient, take_token
from lamsach.backends.store.sqlalchemy_store import SqlAlchemyStore


def take(store: SqlAlchemyStore, client: ApiClient, token_hash: str, now: float | None = None) -> int | None:
    """0 when the call may go ahead, else the whole seconds to wait; None when the token is no
    longer the client's or the client was revoked (the caller reads the client again)."""
    taken = take_token(store, client.id, token_hash, time.time() if now is None else now)
    if taken is None:
        return None
    granted, tokens = taken
    if granted:
        return 0
    return max(1, math.ceil((1.0 - tokens) / (client.rate_per_minute / 60.0)))
