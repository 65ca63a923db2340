"""The API clients a server process has recently seen, by the hash of their token.

Reading the client row on every lookup is a round trip to the store for data that changes only
when an operator adds, rotates or revokes a client. The cache keeps a client for `ttl_seconds`;
that is safe because every lookup's rate-limit UPDATE (`rate_limit.take`) re-checks in the store
that the token is still the client's and the client not revoked: when it is not, the entry is
dropped and the client read again, so a revoked or rotated token is refused at once, by every
server process. Expiry is checked against the clock on every call. Unknown tokens are not
cached (a client added a moment ago works at once).
"""

from __future__ import annotations

import time
from threading import Lock

from lamsach.backends.store.api_clients import ApiClient, client_by_token_hash
from lamsach.backends.store.sqlalchemy_store import SqlAlchemyStore

TTL_SECONDS = 10.0


class ClientCache:
    def __init__(self, store: SqlAlchemyStore, ttl_seconds: float = TTL_SECONDS) -> None:
        self._store = store
        self._ttl = ttl_seconds
        self._entries: dict[str, tuple[float, ApiClient]] = {}
        self._lock = Lock()

    def get(self, token_hash: str) -> ApiClient | None:
        now = time.monotonic()
        with self._lock:
            cached = self._entries.get(token_hash)
        if cached and now - cached[0] < self._ttl:
            return cached[1]
        return self.reload(token_hash)

    def reload(self, token_hash: str) -> ApiClient | None:
        """Read the client from the store (None: no client has this token any more)."""
        client = client_by_token_hash(self._store, token_hash)
        with self._lock:
            if client is None:
                self._entries.pop(token_hash, None)
            else:
                self._entries[token_hash] = (time.monotonic(), client)
        return client
