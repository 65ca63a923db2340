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


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))  # one, not one per line
_DECODE = json.JSONDecoder().decode


def line_renderer(campaign: str):
    """`line_for` for the store's publish functions: one compact JSON object, keys sorted, UTF-8."""
    stamps: dict[datetime, str] = {}  # a pass publishes every version at one instant: format it once

    def line_for(item: PublishItem, published_at: datetime) -> str:
        stamp = stamps.get(published_at)
        if stamp is None:
            stamp = stamps[published_at] = published_at.isoformat(timespec="seconds")
        return _ENCODER.encode({"campaign": campaign, "dataset": item.dataset, "record_id": item.record_key,
                                "version": item.version, "unit": item.unit, "published_at": stamp,
                                "fields": _DECODE(item.data)})

    return line_for
