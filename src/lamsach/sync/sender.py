"""The sender: delivers the outbox to the National Data Center, batch by batch, exactly once.

Exactly once rests on three things. A batch's entries and idempotency key are fixed in the store
before anything is sent (`claim_batch`), so whatever happens next the same batch goes out again
with the same key and the same bytes. The receiver accepts a key once and answers a repeat with
the acknowledgement it gave. A batch is done only when that acknowledgement is stored, with its
entries' new states, in one transaction. Killed at any moment, a sender restarted later finds its
unfinished batches still `sending` and delivers them before claiming new ones; one sender at a
time (the store's lease) keeps each record's versions in the order they were published.

Failures that may pass (no connection, a timeout, HTTP 5xx or 429) are retried with exponential
back-off and jitter; a refusal (other 4xx) stops the push with the receiver's reason.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import socket
import ssl
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from lamsach.backends.store import SqlAlchemyStore
from lamsach.backends.store.outbox import (
    batch_lines,
    claim_batch,
    lease_holder,
    note_attempt,
    open_batches,
    release_lease,
    store_ack,
    take_lease,
)
from lamsach.domain import ErrorCode, LamsachError, Location
from lamsach.publish import line_sql
from lamsach.settings import Settings
from lamsach.sync.batch_format import (
    BATCHES_PATH,
    CONTENT_TYPE,
    DIGEST_HEADER,
    KEY_HEADER,
    body_of,
    digest_header,
)

LEASE_SECONDS = 300.0


@dataclass
class PushResult:
    batches: int = 0
    versions: int = 0
    rejected: int = 0
    resent: int = 0  # batches found unfinished and sent again
    attempts: int = 0
    rejections: list[dict] = field(default_factory=list)


class _Retry(Exception):
    """A failure worth trying again."""


class Sender:
    """Sends the outbox of `store` to `target` (the receiver's base URL)."""

    def __init__(self, store: SqlAlchemyStore, target: str, settings: Settings,
                 on_batch: Callable[[PushResult], None] | None = None) -> None:
        self.store, self.settings, self.on_batch = store, settings, on_batch
        self.target = target.rstrip("/")
        parts = urlsplit(self.target)
        self.https = parts.scheme == "https"
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or (443 if self.https else 80)
        self.path = (parts.path or "") + BATCHES_PATH
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.connection: http.client.HTTPConnection | None = None
        self.random = random.Random()

    def push(self, limit_batches: int | None = None) -> PushResult:
        """Deliver unfinished batches, then new ones, until nothing waits (or `limit_batches`)."""
        result = PushResult()
        previous = take_lease(self.store, self.holder, _now(), LEASE_SECONDS, _holder_gone)
        if previous is None:
            raise LamsachError(ErrorCode.SYNC_SENDER_BUSY, Location(), {"holder": lease_holder(self.store) or "?"})
        try:
            for batch in open_batches(self.store):
                self._deliver(batch["key"], batch_lines(self.store, batch["key"], line_sql), result)
                result.resent += 1
            while limit_batches is None or result.batches < limit_batches:
                key = uuid.uuid4().hex
                lines = claim_batch(self.store, key, self.target, self.settings.sync_batch_size, _now(), line_sql)
                if not lines:
                    break
                self._deliver(key, lines, result)
        finally:
            self._close()
            release_lease(self.store, self.holder)
        return result

    def _deliver(self, key: str, lines: list[str], result: PushResult) -> None:
        body = body_of(lines)
        digest = digest_header(body)
        sha = digest[len("sha-256=:"):-1]
        started = time.monotonic()
        failures = 0
        while True:
            result.attempts += 1
            try:
                ack = self._post(key, body, digest)
                break
            except _Retry as problem:
                note_attempt(self.store, key, sha, _now(), str(problem))
                waited = time.monotonic() - started
                if waited > self.settings.sync_give_up_s:
                    raise LamsachError(ErrorCode.SYNC_UNREACHABLE, Location(), {
                        "batch": key, "target": self.target, "seconds": round(waited), "reason": str(problem)},
                    ) from None
                failures += 1
                time.sleep(self._backoff(failures))
        now = _now()
        store_ack(self.store, key, sha, ack, now, (self.holder, now + timedelta(seconds=LEASE_SECONDS)))
        result.batches += 1
        result.versions += len(lines)
        result.rejected += len(ack.get("rejected") or [])
        result.rejections += ack.get("rejected") or []
        if self.on_batch:
            self.on_batch(result)

    def _backoff(self, failures: int) -> float:
        """Exponential back-off with full jitter, capped: many senders do not retry in step."""
        ceiling = min(self.settings.sync_retry_max_s, self.settings.sync_retry_base_ms / 1000 * 2 ** (failures - 1))
        return self.random.uniform(ceiling / 2, ceiling)

    def _post(self, key: str, body: bytes, digest: str) -> dict:
        headers = {"Content-Type": CONTENT_TYPE, KEY_HEADER: key, DIGEST_HEADER: digest,
                   "Content-Length": str(len(body))}
        if self.settings.sync_token:
            headers["Authorization"] = f"Bearer {self.settings.sync_token}"
        try:
            connection = self._connection()
            connection.request("POST", self.path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self._close()
            raise _Retry(f"{type(exc).__name__}: {exc}".strip(": ")) from None
        if response.status == 200:
            return json.loads(payload)
        detail = _error_detail(payload)
        if response.status >= 500 or response.status == 429:
            self._close()
            raise _Retry(f"HTTP {response.status} {detail.get('code', '')}".strip())
        raise LamsachError(ErrorCode.SYNC_REFUSED, Location(), {
            "batch": key, "target": self.target, "status": response.status, "code": detail.get("code", ""),
            "reason": detail.get("message", "")})

    def _connection(self) -> http.client.HTTPConnection:
        if self.connection is None:
            timeout = self.settings.sync_timeout_s
            if self.https:
                context = ssl.create_default_context(cafile=self.settings.sync_ca_file)
                if self.settings.sync_client_cert:
                    context.load_cert_chain(self.settings.sync_client_cert, self.settings.sync_client_key)
                self.connection = http.client.HTTPSConnection(self.host, self.port, timeout=timeout,
                                                              context=context)
            else:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        return self.connection

    def _close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def _error_detail(payload: bytes) -> dict:
    try:
        detail = json.loads(payload)
    except ValueError:
        return {}
    return detail if isinstance(detail, dict) else {}


def _holder_gone(holder: str) -> bool:
    """The lease's holder was a process on this machine that no longer runs (killed)."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _now() -> datetime:
    return datetime.now(UTC)
