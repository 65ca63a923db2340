"""Encoding detection: correct text is never changed; legacy columns come back exactly; short
ambiguous cells follow their column; files merged from several encodings are decided per cell."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lamsach.data import read_csv
from lamsach.standardise import ENCODINGS, encode
from lamsach.standardise.text import repair_text_column

# the shared folder sits beside the repository root
SHARED = Path(__file__).resolve().parents[3] / "shared"
VECTORS = json.loads((SHARED / "data" / "encoding_test_vectors.json").read_text(encoding="utf-8"))["vectors"]
SENTENCES = [v["unicode_nfc"] for v in VECTORS]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


CATALOGUE_NAMES = sorted(
    {_nfc(r["commune_name"]) for r in read_csv("catalogues/admin_units/communes_2025.csv")}
    | {_nfc(r["name"]) for r in read_csv("catalogues/admin_units/provinces_2025.csv")}
)
GIVEN = ["Anh", "Bình", "Cường", "Dũng", "Đức", "Giang", "Hòa", "Hoà", "Huệ", "Hương", "Khuê", "Lan", "Linh",
         "Loan", "Ngọc", "Nguyệt", "Oanh", "Phương", "Quý", "Quỳnh", "Thủy", "Thuỷ", "Trường", "Tuấn", "Uyên",
         "Xuân", "Yến", "Ánh", "Ước", "Ưng"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Thị", "Văn", "Đức", "Minh", "Ngọc", "Hữu", "Thu", "Xuân", "Bá", "Kim", "Quang"]
names = st.builds(lambda f, m, g: f"{f} {m} {g}", st.sampled_from(FAMILY), st.sampled_from(MIDDLE), st.sampled_from(GIVEN))


def test_catalogue_names_pass_unchanged():
    out, repairs = repair_text_column(CATALOGUE_NAMES)
    assert out == CATALOGUE_NAMES
    assert repairs == []


def test_vector_sentences_pass_unchanged():
    out, repairs = repair_text_column(SENTENCES)
    assert (out, repairs) == (SENTENCES, [])
    for sentence in SENTENCES:
        assert repair_text_column([sentence]) == ([sentence], [])


@given(st.lists(names, min_size=1, max_size=20))
@settings(max_examples=200)
def test_generated_correct_names_pass_unchanged(column):
    assert repair_text_column(column) == (column, [])


@pytest.mark.parametrize("name", ["Lê Thị Hoa", "Lê Hoa", "Hà Nam", "Xã Al Bá", "Xã Dliê Ya", "Phường B’Lao",
                                  "Thanh Hoá", "Nguyễn Thị Thuỷ", "ONT", "AO 510559", "250,5 m2"])
def test_correct_text_in_a_legacy_column_is_kept(name):
    legacy = [encode(n, "tcvn3") for n in CATALOGUE_NAMES[:200] if "’" not in n]
    out, _ = repair_text_column([*legacy, name])
    assert out[-1] == name


def _encodable(encoding: str) -> tuple[list[str], list[str]]:
    surface, plain = [], []
    for name in CATALOGUE_NAMES:
        try:
            surface.append(encode(name, encoding))
        except ValueError:  # "’" has no TCVN3/VISCII/VNI byte
            continue
        plain.append(name)
    return surface, plain


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_catalogue_in_legacy_encoding_comes_back_exactly(encoding):
    surface, plain = _encodable(encoding)
    out, repairs = repair_text_column(surface)
    assert out == plain
    rule = "encoding_mojibake" if encoding == "utf8_mojibake" else f"encoding_{encoding}"
    assert {r.rule for r in repairs} == {rule}
    assert len(repairs) == sum(1 for s, p in zip(surface, plain, strict=True) if s != p)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_vector_sentences_in_legacy_encoding_come_back(encoding):
    out, _ = repair_text_column([encode(s, encoding) for s in SENTENCES])
    assert out == SENTENCES


def test_short_ambiguous_cell_follows_its_column():
    # "Lª ThÞ Hoa" is Lê Thị Hoa in TCVN3 and Lế Thỡ Hoa in VISCII.
    tcvn3_column = [encode(n, "tcvn3") for n in ["Nguyễn Văn Đức", "Trần Thị Hương", "Phạm Ngọc Ánh"]]
    out, repairs = repair_text_column([*tcvn3_column, "Lª ThÞ Hoa"])
    assert out[-1] == "Lê Thị Hoa"
    assert repairs[-1].rule == "encoding_tcvn3"
    viscii_column = [encode(n, "viscii") for n in ["Nguyễn Văn Đức", "Trần Thị Hương", "Phạm Ngọc Ánh"]]
    out, _ = repair_text_column([*viscii_column, "Lª ThÞ Hoa"])
    assert out[-1] == "Lế Thỡ Hoa"


def test_mixed_column_is_decided_per_cell():
    people = ["Nguyễn Văn Đức", "Trần Thị Hương", "Lê Quý Đôn", "Hoàng Thị Khuê", "Phạm Ngọc Ánh"]
    column = [encode(people[0], "tcvn3"), encode(people[1], "vni"), people[2],
              encode(people[3], "utf8_mojibake"), encode(people[4], "nfd")]
    out, repairs = repair_text_column(column)
    assert out == people
    assert [r.rule for r in repairs] == ["encoding_tcvn3", "encoding_vni", "encoding_mojibake", "encoding_nfd"]


def test_office_dropped_tcvn3_u_is_restored_unless_the_column_keeps_it():
    out, _ = repair_text_column(["Ph¬ng Hng", "Tr\xadêng"])  # soft hyphen present: ư not dropped
    assert out[0] == "Phơng Hng"
    out, _ = repair_text_column(["Lª Ph¬ng", "NguyÔn ThÞ Nh", "Trêng"])
    assert out == ["Lê Phương", "Nguyễn Thị Như", "Trường"]


def test_viqr_needs_marks_and_keeps_plain_punctuation():
    assert repair_text_column(["Nguye^~n Thi. Thu+o+ng"])[0] == ["Nguyễn Thị Thương"]
    assert repair_text_column(["Thanh Hoa."])[0] == ["Thanh Hoa."]


def test_double_mojibake_and_trailing_no_break_space():
    once = encode("Phường Duy Hà", "utf8_mojibake")
    assert once.endswith("\u00a0")
    assert repair_text_column([once])[0] == ["Phường Duy Hà"]
    twice = encode(once, "utf8_mojibake")
    assert repair_text_column([twice])[0] == ["Phường Duy Hà"]
