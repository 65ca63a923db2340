"""The vectorised fast path of plain text fields: a cell `canonical_text_mask` passes over is one
that standardising its column would give back unchanged, with no repair, whatever the column holds
beside it — so leaving it out of the Python work changes no cell's outcome."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from lamsach.domain import FieldSpec
from lamsach.standardise.dataset import kept_as_is, standardise_field
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


SERIAL_CELL = st.one_of(CELL, st.from_regex(r"[A-Za-z]{2}[ .\-]{0,2}[0-9]{6}", fullmatch=True),
                        st.from_regex(r"[A-Z]{2} [0-9]{5,7}", fullmatch=True))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["text", "serial"]), st.lists(SERIAL_CELL, min_size=1, max_size=8),
       st.lists(SERIAL_CELL, max_size=8))
def test_a_field_s_cells_left_out_of_python_are_what_standardising_gives_back_unchanged(kind, cells, others):
    spec = (FieldSpec("certificate_serial", "text", "Số phát hành GCN") if kind == "serial"
            else FieldSpec("parcel_no", "text", "Số thửa"))
    column = list(dict.fromkeys([*cells, *others, None]))
    result = standardise_field(column, spec, date(2026, 11, 1))
    touched = {r.index for r in result.repairs} | {p.index for p in result.problems}
    mask = kept_as_is(spec, pa.array(column, pa.string()))
    assert mask is not None and not result.derived
    for index, (cell, kept) in enumerate(zip(column, mask.to_pylist(), strict=True)):
        if kept:
            assert result.values[index] == cell and index not in touched, cell


def test_a_serial_out_of_form_is_computed_and_a_typed_field_has_no_such_test():
    serial = FieldSpec("certificate_serial", "text", "Số phát hành GCN")
    assert kept_as_is(serial, pa.array(["AO 510559", "ao 510559", "AO510559", "AO 51055"])).to_pylist() == \
        [True, False, False, False]
    assert kept_as_is(FieldSpec("citizen_id", "id", "Số định danh"), pa.array(["001090000001"])) is None
