"""A record's values as the store keeps them: one JSON text, the same text for the same values.

A row received again is compared with its stored record by this text (`raw`), so every path that
writes it must write it byte for byte alike: `dumps` for one row's mapping, `json_column` for a
file's rows held as Arrow columns. `json_column` builds the texts a column at a time in Arrow —
quoting each value, escaping in Python only the few values that need it — because encoding a
province's rows one dict at a time cost more than SQLite's own work of storing them.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

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


class RecordColumns:
    """A dataset's records in use read back as columns (`Store.load_record_columns`): keys,
    units and each field's values as Arrow text, with the stamps of every record read. What a
    re-run standardises: a million records read back as one dict each cost more than the work
    done on them."""

    __slots__ = ("keys", "units", "table", "stamps")

    def __init__(self, keys: list[str], units: list[str | None], table: pa.Table, stamps: str) -> None:
        self.keys, self.units, self.table, self.stamps = keys, units, table, stamps

    def __len__(self) -> int:
        return len(self.keys)

    def arrow_columns(self, names: Sequence[str]) -> dict[str, pa.ChunkedArray]:
        """Each field's values, in the records' order (a field no record has is all null)."""
        return {name: self.table.column(name) if name in self.table.column_names
                else pa.chunked_array([pa.nulls(len(self), pa.string())]) for name in names}

    def columns(self, names: Sequence[str]) -> dict[str, list[str | None]]:
        return {name: column.to_pylist() for name, column in self.arrow_columns(names).items()}


def parse_values(texts: Sequence[str], fields: Sequence[str]) -> pa.Table | None:
    """The values of `texts` (each a record's stored JSON object, as `dumps` writes it) as one
    Arrow text column per field of `fields`, parsed by Arrow's JSON reader, not one dict per
    record. None when a text holds something the reader cannot take as text (a number, a NaN):
    the caller decodes those with `json` instead."""
    schema = pa.schema([(name, pa.string()) for name in dict.fromkeys(fields)])
    if not texts:
        return schema.empty_table()
    body = "\n".join(texts).encode()
    options = pajson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore",
                                  newlines_in_values=False)
    try:
        table = pajson.read_json(io.BytesIO(body), parse_options=options,
                                 read_options=pajson.ReadOptions(use_threads=False,
                                                                 block_size=max(1 << 20, len(body) + 1)))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    return table if table.num_rows == len(texts) else None
