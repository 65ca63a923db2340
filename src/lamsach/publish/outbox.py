"""The line the National Data Center receives for one published record version.

Rendered once, when the version is published, and kept in the outbox as text: what is sent is
exactly what was published, and sending needs no JSON encoding. The shape is the contract of
docs/sync.md: `campaign`, `dataset`, `record_id`, `version`, `unit`, `published_at`, `fields`.

A SQLite store renders the same line inside its own INSERT (`LineRenderer.sqlite`), so a first
pass's hundreds of thousands of versions never travel through Python: the stored values are JSON
written with sorted keys, and SQLite's `json()` only drops the whitespace between tokens, keeping
every string and number as written — the very text Python's compact re-encoding of them gives.
A PostgreSQL store does the same (`LineRenderer.postgres`) by taking out the space Python writes
after each separator, outside strings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from lamsach.backends.store import PublishItem

LINE_KEYS = ("campaign", "dataset", "record_id", "version", "unit", "published_at", "fields")


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))  # one, not one per line
_DECODE = json.JSONDecoder().decode


def _stamp(published_at: datetime) -> str:
    return published_at.isoformat(timespec="seconds")


def _literal(text: str) -> str:
    """`text` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


@dataclass
class LineRenderer:
    """`line_for` for the store's publish functions: one compact JSON object, keys sorted, UTF-8."""

    campaign: str
    _stamps: dict[datetime, str] = field(default_factory=dict)  # a pass publishes at one instant: format once

    def __call__(self, item: PublishItem, published_at: datetime) -> str:
        stamp = self._stamps.get(published_at)
        if stamp is None:
            stamp = self._stamps[published_at] = _stamp(published_at)
        return _ENCODER.encode({"campaign": self.campaign, "dataset": item.dataset, "record_id": item.record_key,
                                "version": item.version, "unit": item.unit, "published_at": stamp,
                                "fields": _DECODE(item.data)})

    def _frame(self, published_at: datetime) -> tuple[str, str]:
        """The line's constant text before the dataset and between the fields and the record id."""
        return ('{"campaign":' + _ENCODER.encode(self.campaign) + ',"dataset":',
                ',"published_at":' + _ENCODER.encode(_stamp(published_at)) + ',"record_id":')

    def sqlite(self, published_at: datetime, dataset: str, record_key: str, unit: str, version: str,
               data: str) -> str:
        """The same line as an SQLite expression over the given column expressions, for a record
        whose values SQLite reads as JSON (`json_valid`); keys in the sorted order Python writes."""
        head, middle = self._frame(published_at)
        return (f"{_literal(head)} || json_quote({dataset}) || ',\"fields\":' || json({data}) || "
                f"{_literal(middle)} || json_quote({record_key}) || ',\"unit\":' || json_quote({unit}) || "
                f"',\"version\":' || {version} || '}}'")

    def postgres(self, published_at: datetime, dataset: str, record_key: str, unit: str, version: str,
                 data: str) -> str:
        """The same line as a PostgreSQL expression over the given column expressions; `data` is a
        record's values as the store writes them (`record_json.dumps`: keys sorted, non-ASCII as is).
        `to_json(text)` quotes a string as Python's JSON does with `ensure_ascii` off."""
        head, middle = self._frame(published_at)
        return (f"{_literal(head)} || to_json({dataset}::text)::text || ',\"fields\":' || {compact_json(data)} || "
                f"{_literal(middle)} || to_json({record_key}::text)::text || ',\"unit\":' || "
                f"coalesce(to_json({unit}::text)::text, 'null') || ',\"version\":' || ({version})::text || '}}'")


def compact_json(data: str) -> str:
    """A PostgreSQL expression: the JSON text `data` (as Python writes it, with ", " and ": "
    between tokens) with the space after each separator outside strings taken out — Python's
    compact text of the same value. PostgreSQL's JSON functions cannot give it (`jsonb` reorders
    keys and rewrites numbers; `json_each` refuses a `\\u0000` and leaves nested values as
    written, and costs three times the check below).

    Most records take two `replace` calls, exact when nothing is escaped (no backslash: every
    quote then opens or closes a string), no value is nested (no `[`, no `{` but the first), and
    no string starts with ": " or ends with ", " (the only way a string's text, holding no quote,
    can form `": ` or `, "` with a quote that opens or ends it; the check looks for the texts
    around such a string, and at times refuses one that is harmless). Every other record takes a
    regular expression that steps over each string whole, ten times slower."""
    simple = (f"{data} !~ '\\\\|\\[|.\\{{|^\\{{\": |[,:] \": |, \"(?:, |\\}})'")
    return (f"CASE WHEN {simple} THEN replace(replace({data}, '\": ', '\":'), ', \"', ',\"') "
            f"ELSE regexp_replace({data}, '(\"(?:[^\"\\\\]|\\\\.)*\")|([,:]) ', '\\1\\2', 'g') END")


def line_renderer(campaign: str) -> LineRenderer:
    return LineRenderer(campaign)
