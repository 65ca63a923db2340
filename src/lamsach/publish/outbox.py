"""The line the National Data Center receives for one published record version.

Rendered once, when the version is published, and kept in the outbox as text: what is sent is
exactly what was published, and sending needs no JSON encoding. The shape is the contract of
docs/sync.md: `campaign`, `dataset`, `record_id`, `version`, `unit`, `published_at`, `fields`.
"""

from __future__ import annotations

import json
from datetime import datetime

from lamsach.backends.store import PublishItem

LINE_KEYS = ("campaign", "dataset", "record_id", "version", "unit", "published_at", "fields")


def line_renderer(campaign: str):
    """`line_for` for the store's publish functions: one compact JSON object, keys sorted, UTF-8."""

    def line_for(item: PublishItem, published_at: datetime) -> str:
        return json.dumps({"campaign": campaign, "dataset": item.dataset, "record_id": item.record_key,
                           "version": item.version, "unit": item.unit,
                           "published_at": published_at.isoformat(timespec="seconds"),
                           "fields": json.loads(item.data)},
                          ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    return line_for
