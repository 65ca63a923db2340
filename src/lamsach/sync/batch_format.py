"""The batch contract between lamsach and the National Data Center (docs/sync.md).

A batch is one HTTP POST: the body is the record versions as JSON Lines (UTF-8, one object per
line, each line ending in a newline), the `Idempotency-Key` header names the batch, and the
`Content-Digest` header (RFC 9530) carries the SHA-256 of the body. The receiver accepts a key
once and answers again with the same acknowledgement when the same batch comes back.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

BATCHES_PATH = "/v1/batches"
CONTENT_TYPE = "application/x-ndjson"
KEY_HEADER = "Idempotency-Key"
DIGEST_HEADER = "Content-Digest"
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
REQUIRED = {"campaign": str, "dataset": str, "record_id": str, "version": int, "fields": dict}
"""Keys every line must carry, with their JSON types (`unit` and `published_at` are optional)."""


def body_of(lines: list[str]) -> bytes:
    """The body of a batch: each line, then a newline."""
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def sha256_hex(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def digest_header(body: bytes) -> str:
    """`sha-256=:<base64 of the SHA-256>:` as RFC 9530 writes it."""
    return "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii") + ":"


def digest_from_header(value: str | None) -> bytes | None:
    """The SHA-256 a `Content-Digest` header announces, or None when it names none."""
    for part in (value or "").split(","):
        name, _, rest = part.strip().partition("=")
        if name.strip().lower() == "sha-256" and rest.startswith(":") and rest.endswith(":"):
            try:
                raw = base64.b64decode(rest[1:-1], validate=True)
            except ValueError:
                return None
            return raw if len(raw) == 32 else None
    return None


def line_problem(item: Any) -> str | None:
    """Why a decoded line is not a record version of the contract, or None when it is."""
    if not isinstance(item, dict):
        return "not a JSON object"
    for key, kind in REQUIRED.items():
        if key not in item:
            return f"missing {key}"
        value = item[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            return f"{key} is not a {'string' if kind is str else 'number' if kind is int else 'object'}"
    if not item["record_id"].strip() or not item["dataset"].strip():
        return "empty record_id or dataset"
    if item["version"] < 1:
        return "version below 1"
    return None
