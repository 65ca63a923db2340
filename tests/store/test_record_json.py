"""A record's JSON text is the same whether built one row at a time or a column at a time: a row
received again is compared with its stored record by that text."""

from __future__ import annotations

import json
import random

import pyarrow as pa

from lamsach.backends.store.record_json import dumps, json_column

_PIECES = ["a", "Đ", "ặ", "ư", '"', "\\", "\n", "\t", "\r", "\b", "\f", "\x00", "\x1f", "\x7f", "\u2028", "/",
           " ", "😀", "38090001234"]
_FIELDS = ["zeta", "alpha", "citizen_id", "Tên có dấu", 'a"b', "m"]


def test_column_texts_equal_row_texts_for_every_kind_of_character():
    rnd = random.Random(7)
    rows = [{name: None if rnd.random() < 0.2 else "".join(rnd.choice(_PIECES) for _ in range(rnd.randint(0, 6)))
             for name in _FIELDS} for _ in range(5000)]
    columns = {name: pa.array([row[name] for row in rows], pa.string()) for name in _FIELDS}
    texts = json_column(columns).to_pylist()
    assert texts == [dumps(row) for row in rows]
    assert [json.loads(text) for text in texts] == rows


def test_chunked_columns_and_a_single_field():
    column = pa.chunked_array([["x"], [None], ['say "hi"']])
    assert json_column({"name": column}).to_pylist() == [dumps({"name": v}) for v in ("x", None, 'say "hi"')]
