"""A record's values as the store keeps them: one JSON text, the same text for the same values.

A row received again is compared with its stored record by this text (`raw`), so every path that
writes it must write it byte for byte alike: `dumps` for one row's mapping, `json_column` for a
file's rows held as Arrow columns. `json_column` builds the texts a column at a time in Arrow —
quoting each value, escaping in Python only the few values that need it — because encoding a
province's rows one dict at a time cost more than SQLite's own work of storing them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import pyarrow as pa
import pyarrow.compute as pc

_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True)  # json.dumps would build one per row

_NEEDS_ESCAPE = r'[\x00-\x1f"\\]'
"""What JSON escapes in a string (ensure_ascii off): a quote, a backslash, a control character.
Every other value's text is its JSON text between quotes."""


def dumps(values: dict[str, str | None]) -> str:
    """A record's values as stored (keys sorted, non-ASCII kept as it is)."""
    return _ENCODER.encode(values)


def json_column(columns: Mapping[str, pa.Array | pa.ChunkedArray]) -> pa.Array:
    """Each row's `dumps` text over string `columns` (field name -> values; null is JSON null):
    equal, row by row, to `dumps({name: column[i] for name in columns})`."""
    if not columns:
        raise ValueError("a record has at least one field")
    parts = [_members(name, columns[name]) for name in sorted(columns)]
    return pc.binary_join_element_wise("{", pc.binary_join_element_wise(*parts, ", "), "}", "")


def _members(name: str, values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """`"name": value` for every row, as `dumps` writes that member."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    values = values.cast(pa.string())
    key = _ENCODER.encode(name) + ": "
    members = pc.binary_join_element_wise(key + '"', values, '"', "")
    escaped = pc.fill_null(pc.match_substring_regex(values, _NEEDS_ESCAPE), False)
    if pc.any(escaped).as_py():
        texts = values.filter(escaped).to_pylist()
        members = pc.replace_with_mask(members, escaped, pa.array([key + _ENCODER.encode(t) for t in texts],
                                                                  pa.string()))
    return pc.fill_null(members, key + "null")
