"""A receiver that implements the batch contract (docs/sync.md), to test a connection against.

The National Data Center cannot be reached from a province's test machine, so `lamsach sync
receiver` plays its part: it accepts each batch once by its idempotency key, checks the body's
SHA-256, validates each line and rejects malformed ones with a reason, and keeps what it accepted
as one JSON Lines file per batch under its folder. The acknowledgement file is written last and
is what makes a batch accepted: a receiver killed halfway forgets the half batch (its files are
removed at the next start) and the sender, which never got an answer, sends it again.

Switches make it fail (`fail_rate`), lose its answer after accepting (`lose_ack_rate`), slow down
(`delay_ms`) or reject records (`reject_records`, `require_fields`) on purpose, for tests.
"""

from __future__ import annotations

import json
import os
import random
import ssl
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from lamsach.sync.batch_format import (
    BATCHES_PATH,
    DIGEST_HEADER,
    KEY_HEADER,
    KEY_PATTERN,
    digest_from_header,
    line_problem,
    sha256_hex,
)

MAX_BODY_BYTES = 256 * 1024 * 1024


@dataclass
class ReceiverOptions:
    token: str | None = None
    fail_rate: float = 0.0
    lose_ack_rate: float = 0.0
    delay_ms: int = 0
    reject_records: frozenset[str] = frozenset()
    require_fields: tuple[str, ...] = ()
    seed: int | None = None
    fsync: bool = True
    max_body_bytes: int = MAX_BODY_BYTES
    random: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        if self.seed is not None:
            self.random.seed(self.seed)


class Refusal(Exception):
    """A batch refused as a whole: HTTP status, error code, and what to do."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class Receiver:
    """What the receiver keeps: accepted batches (`accepted/<seq>-<key>.jsonl`) and their
    acknowledgements (`acks/<key>.json`), plus the last accepted version of every record."""

    def __init__(self, folder: Path, options: ReceiverOptions | None = None) -> None:
        self.folder = Path(folder)
        self.options = options or ReceiverOptions()
        self.accepted_dir = self.folder / "accepted"
        self.acks_dir = self.folder / "acks"
        self.accepted_dir.mkdir(parents=True, exist_ok=True)
        self.acks_dir.mkdir(parents=True, exist_ok=True)
        self.lock = threading.Lock()
        self.last_version: dict[str, int] = {}
        self.sequence = 0
        self._recover()

    def _recover(self) -> None:
        """Forget batches whose acknowledgement was never written; rebuild the record index."""
        acked = {p.stem for p in self.acks_dir.glob("*.json")}
        for path in sorted(self.accepted_dir.glob("*.jsonl")):
            seq, _, key = path.stem.partition("-")
            if key not in acked:
                path.unlink()
                continue
            self.sequence = max(self.sequence, int(seq))
            with path.open(encoding="utf-8") as handle:
                for line in handle:
                    item = json.loads(line)
                    self.last_version[_record(item)] = item["version"]
        for leftover in [*self.accepted_dir.glob(".*"), *self.acks_dir.glob(".*")]:
            leftover.unlink()

    def ack(self, key: str) -> dict[str, Any] | None:
        if not KEY_PATTERN.match(key):
            return None
        path = self.acks_dir / f"{key}.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    def receive(self, key: str | None, digest: str | None, body: bytes) -> dict[str, Any]:
        """Accept a batch (or recognise it again); raise `Refusal` for a batch refused whole."""
        if not key or not KEY_PATTERN.match(key):
            raise Refusal(400, "invalid_key", f"{KEY_HEADER} must be 8-64 letters, digits, '-' or '_'")
        announced = digest_from_header(digest)
        if announced is None:
            raise Refusal(400, "missing_digest", f"{DIGEST_HEADER}: sha-256=:<base64>: is required")
        sha = sha256_hex(body)
        if bytes.fromhex(sha) != announced:
            raise Refusal(400, "checksum_mismatch", "the body's SHA-256 differs from Content-Digest: "
                          "it was altered or cut in transit; send the batch again")
        with self.lock:
            known = self.ack(key)
            if known is not None:
                if known["sha256"] != sha:
                    raise Refusal(409, "key_conflict", "this idempotency key was accepted with another body")
                return {**known, "duplicate": True}
            return self._accept(key, sha, body)

    def _accept(self, key: str, sha: str, body: bytes) -> dict[str, Any]:
        if body and not body.endswith(b"\n"):
            raise Refusal(400, "malformed_body", "the body must be JSON Lines, each line ending in a newline")
        accepted: list[bytes] = []
        rejected: list[dict[str, Any]] = []
        seen: dict[str, int] = {}
        for number, raw in enumerate(body.splitlines(), start=1):
            try:
                item = json.loads(raw)
            except ValueError:
                rejected.append({"line": number, "reason": "not valid JSON"})
                continue
            reason = line_problem(item) or self._policy(item)
            record = _record(item) if reason is None else ""
            if reason is None:
                last = seen.get(record, self.last_version.get(record, 0))
                if item["version"] <= last:
                    reason = f"version {item['version']} is not newer than accepted version {last}"
            if reason is not None:
                rejected.append({"line": number, "dataset": _text(item, "dataset"),
                                 "record_id": _text(item, "record_id"), "version": _version(item),
                                 "reason": reason})
                continue
            seen[record] = item["version"]
            accepted.append(raw)
        self.sequence += 1
        ack = {"status": "accepted", "key": key, "sequence": self.sequence, "sha256": sha,
               "lines": len(accepted) + len(rejected), "accepted": len(accepted), "rejected": rejected,
               "received_at": datetime.now(UTC).isoformat(timespec="seconds"), "duplicate": False}
        name = f"{self.sequence:08d}-{key}"
        self._write(self.accepted_dir, f"{name}.jsonl", b"".join(line + b"\n" for line in accepted))
        self._write(self.acks_dir, f"{key}.json", json.dumps(ack, ensure_ascii=False).encode("utf-8"))
        self.last_version.update(seen)
        return ack

    def _policy(self, item: dict) -> str | None:
        """The receiver's own checks, switched on for tests."""
        if item["record_id"] in self.options.reject_records:
            return "rejected on purpose by the test receiver (--reject-record)"
        for name in self.options.require_fields:
            if item["fields"].get(name) in (None, ""):
                return f"field {name} is required"
        return None

    def _write(self, folder: Path, name: str, data: bytes) -> None:
        """Write beside, flush to disk, then rename: a file is there whole or not at all."""
        temporary = folder / f".{name}.tmp"
        with temporary.open("wb") as handle:
            handle.write(data)
            if self.options.fsync:
                handle.flush()
                os.fsync(handle.fileno())
        temporary.rename(folder / name)

    def accepted_lines(self) -> list[dict[str, Any]]:
        """Every accepted line, in the order the batches were accepted (for tests and checks)."""
        lines = []
        for path in sorted(self.accepted_dir.glob("*.jsonl")):
            with path.open(encoding="utf-8") as handle:
                lines += [json.loads(line) for line in handle]
        return lines


def _record(item: dict) -> str:
    return f"{item['campaign']}\x1f{item['dataset']}\x1f{item['record_id']}"


def _text(item: Any, key: str) -> str | None:
    value = item.get(key) if isinstance(item, dict) else None
    return value if isinstance(value, str) else None


def _version(item: Any) -> int | None:
    value = item.get("version") if isinstance(item, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    receiver: Receiver

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class names it so
        return

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path == "/v1/health":
            return self._json(200, {"status": "ok"})
        if not self.path.startswith(BATCHES_PATH + "/"):
            return self._error(Refusal(404, "not_found", "no such resource"))
        if not self._authorised():
            return None
        ack = self.receiver.ack(self.path.rsplit("/", 1)[1])
        return self._json(200, ack) if ack else self._error(Refusal(404, "not_found", "no such batch"))

    def do_POST(self) -> None:  # noqa: N802
        options = self.receiver.options
        if self.path != BATCHES_PATH:
            return self._error(Refusal(404, "not_found", f"batches are sent to {BATCHES_PATH}"))
        length = self.headers.get("Content-Length")
        if length is None:
            return self._error(Refusal(411, "length_required", "Content-Length is required"))
        if int(length) > options.max_body_bytes:
            return self._error(Refusal(413, "too_large", f"a batch may hold at most {options.max_body_bytes} bytes"))
        body = self.rfile.read(int(length))
        if not self._authorised():
            return None
        if options.delay_ms:
            time.sleep(options.delay_ms / 1000)
        if options.fail_rate and options.random.random() < options.fail_rate:
            return self._error(Refusal(503, "unavailable", "failing on purpose (--fail-rate); try again"))
        try:
            ack = self.receiver.receive(self.headers.get(KEY_HEADER), self.headers.get(DIGEST_HEADER), body)
        except Refusal as refusal:
            return self._error(refusal)
        if options.lose_ack_rate and options.random.random() < options.lose_ack_rate:
            self.close_connection = True  # accepted and kept, but the answer is lost on the way
            return None
        return self._json(200, ack)

    def _authorised(self) -> bool:
        token = self.receiver.options.token
        if token and self.headers.get("Authorization") != f"Bearer {token}":
            self._error(Refusal(401, "unauthorized", "a valid Authorization: Bearer token is required"))
            return False
        return True

    def _error(self, refusal: Refusal) -> None:
        extra = {"Retry-After": "1"} if refusal.status == 503 else {}
        self._json(refusal.status, {"status": "error", "code": refusal.code, "message": refusal.message}, extra)

    def _json(self, status: int, payload: dict, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def make_server(folder: Path, port: int, options: ReceiverOptions | None = None, host: str = "127.0.0.1",
                tls: tuple[Path, Path, Path | None] | None = None) -> ThreadingHTTPServer:
    """The HTTP server for a receiver keeping its batches under `folder`; `tls` is the server's
    certificate and key and, optionally, the CA a client certificate must be signed by."""
    receiver = Receiver(folder, options)
    handler = type("ReceiverHandler", (_Handler,), {"receiver": receiver})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls[0], tls[1])
        if tls[2]:
            context.load_verify_locations(tls[2])
            context.verify_mode = ssl.CERT_REQUIRED
        server.socket = context.wrap_socket(server.socket, server_side=True)
    return server
