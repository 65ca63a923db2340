"""The vectorised fast path of plain text fields: a cell `canonical_text_mask` passes over is one
that standardising its column would give back unchanged, with no repair, whatever the column holds
beside it — so leaving it out of the Python work changes no cell's outcome."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from lamsach.standardise.detection import plain_ascii_text
from lamsach.standardise.text import canonical_text_mask, repair_text_map

# ASCII with the characters that matter here (spaces, VIQR marks, controls), and legacy look-alikes
CELL = st.text(alphabet=st.sampled_from(list("aAeEoOyYdDnN0129 -_.(^+`?~'\t\n\x01") + ["\u00a0", "Ã", "ư", "Đ",
                                                                                        "\u0300", "ơ", "\u00ad"]),
               max_size=12)


def _mask(values: list[str | None]) -> list[bool]:
    return canonical_text_mask(pa.array(values, pa.string())).to_pylist()


@settings(max_examples=300, deadline=None)
@given(st.lists(CELL, min_size=1, max_size=8), st.lists(CELL, max_size=8))
def test_a_cell_passed_over_comes_back_unchanged_whatever_its_column_holds(cells, others):
    column = set(cells) | set(others) | {None}
    outcome = repair_text_map(column)
    for cell, kept in zip(cells, _mask(cells), strict=True):
        if kept:
            assert outcome[cell] == (cell, None), cell
            assert plain_ascii_text(cell)


def test_keys_and_numbers_pass_over_and_what_needs_work_does_not():
    values = ["TD-0001-000123", "HK 12/2024", "a", "0", None, "", " TD-1", "TD-1 ", "Nguye^~n", "dda`", "Hà",
              "Ha\u0300", "x\ty", "A\u00a0", "Dda", "ngo.c"]
    assert _mask(values) == [True, True, True, True, False, False, False, False, False, False, False,
                             False, False, False, False, False]
