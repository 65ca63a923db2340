"""The line the National Data Center receives for one published record version.

The shape is the contract of docs/sync.md: `campaign`, `dataset`, `record_id`, `version`, `unit`,
`published_at`, `fields` — one compact JSON object, keys sorted, UTF-8 (`LineRenderer` writes it
in Python, the reference every other rendering must equal byte for byte).

The outbox does not keep a copy of the version's values: while the shared layer's row of a record
holds the version an outbox entry names, that row holds everything its line is made of (the
values, the unit, the time it was published), and the store renders the line from it when it is
read for sending (`line_sql`: an expression over the row, in the store's own SQL). Only when the
row is about to take a newer version does the store keep the line of every entry of the older one
as text, rendered by the same expression in the same transaction. Publishing a first pass thus
writes each record's values once (the shared layer) instead of twice, and what is sent is still
exactly what was published.

On SQLite the stored values are JSON written with sorted keys, and SQLite's `json()` only drops the
whitespace between tokens, keeping every string and number as written — the very text Python's
compact re-encoding of them gives. On PostgreSQL `compact_json` takes out the space Python writes
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


@dataclass
class LineRenderer:
    """A version's line in Python: one compact JSON object, keys sorted, UTF-8."""

    campaign: str
    _stamps: dict[datetime, str] = field(default_factory=dict)  # a pass publishes at one instant: format once

    def __call__(self, item: PublishItem, published_at: datetime) -> str:
        stamp = self._stamps.get(published_at)
        if stamp is None:
            stamp = self._stamps[published_at] = _stamp(published_at)
        return _ENCODER.encode({"campaign": self.campaign, "dataset": item.dataset, "record_id": item.record_key,
                                "version": item.version, "unit": item.unit, "published_at": stamp,
                                "fields": _DECODE(item.data)})


def line_sql(dialect: str, row: str) -> str:
    """The line of the version the shared layer's row `row` (an alias of `published`) holds, as an
    expression of the store's SQL (`dialect`: sqlite or postgresql). Its `published_at` is the
    row's, in UTC to the second as Python's `isoformat` writes it: the store writes UTC, SQLite as
    SQLAlchemy's text `YYYY-MM-DD HH:MM:SS.ffffff`."""
    if dialect == "sqlite":
        return (f"'{{\"campaign\":' || json_quote({row}.campaign) || ',\"dataset\":' || json_quote({row}.dataset) || "
                f"',\"fields\":' || json({row}.data) || ',\"published_at\":\"' || substr({row}.published_at, 1, 10) || "
                f"'T' || substr({row}.published_at, 12, 8) || '+00:00\",\"record_id\":' || "
                f"json_quote({row}.record_key) || ',\"unit\":' || json_quote({row}.unit) || "
                f"',\"version\":' || {row}.version || '}}'")
    if dialect == "postgresql":
        return (f"'{{\"campaign\":' || to_json({row}.campaign::text)::text || ',\"dataset\":' || "
                f"to_json({row}.dataset::text)::text || ',\"fields\":' || {compact_json(f'{row}.data')} || "
                f"',\"published_at\":\"' || to_char({row}.published_at AT TIME ZONE 'UTC', "
                f"'YYYY-MM-DD\"T\"HH24:MI:SS') || '+00:00\",\"record_id\":' || to_json({row}.record_key::text)::text || "
                f"',\"unit\":' || coalesce(to_json({row}.unit::text)::text, 'null') || ',\"version\":' || "
                f"({row}.version)::text || '}}'")
    raise NotImplementedError(f"the outbox line in {dialect}")


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
