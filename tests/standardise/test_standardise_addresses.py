"""Addresses: split, resolved to today's commune, written as the catalogue spells units."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lamsach.data import read_csv
from lamsach.domain import FieldSpec
from lamsach.standardise.address_parse import split_address
from lamsach.standardise.addresses import standardise_addresses, standardise_commune_codes

ADDRESS = FieldSpec("address", "address", "Nơi thường trú")
COMMUNE = FieldSpec("commune_code", "commune", "Mã xã")


@pytest.mark.parametrize(
    ("raw", "value", "repairs", "commune", "province"),
    [
        ("Thôn 3, xã Nga Sơn, tỉnh Thanh Hóa", "Thôn 3, xã Nga Sơn, tỉnh Thanh Hóa", [], "16093", "38"),
        ("Thôn 3, xã Nga Sơn, tỉnh Thanh Hoá", "Thôn 3, xã Nga Sơn, tỉnh Thanh Hóa", ["old_tone"], "16093", "38"),
        ("Thôn Văn Hoà, xã Hoằng Tiến, tỉnh Thanh Hoá", "Thôn Văn Hòa, xã Hoằng Tiến, tỉnh Thanh Hóa", ["old_tone"], "15991", "38"),
        ("xóm  BẮC,  xã  HOẰNG  hóa,  TỈNH  thanh  HÓA ", "Xóm Bắc, xã Hoằng Hóa, tỉnh Thanh Hóa", ["spacing_case"], "15865", "38"),
        ("Th«n 8, x· §«ng Thµnh, tØnh Thanh Ho¸", "Thôn 8, xã Đông Thành, tỉnh Thanh Hóa", ["encoding_tcvn3", "old_tone"], "16033", "38"),
        ("Thoân 11, xaõ Nga Sôn, tænh Thanh Hoùa", "Thôn 11, xã Nga Sơn, tỉnh Thanh Hóa", ["encoding_vni"], "16093", "38"),
        ("Thôn 3 X.Nga Sơn T.Thanh Hóa", "Thôn 3, xã Nga Sơn, tỉnh Thanh Hóa", ["admin_unit_name"], "16093", "38"),
        ("Số 5, P. Ngọc Hà, TP. Hà Nội", "Số 5, phường Ngọc Hà, thành phố Hà Nội", ["admin_unit_name"], "00008", "01"),
        ("xa Nga Son, tinh Thanh Hoa", "Xã Nga Sơn, tỉnh Thanh Hóa", ["admin_unit_name"], "16093", "38"),
        ("Xã Định Hoá, tỉnh Thái Nguyên", "Xã Định Hoá, tỉnh Thái Nguyên", [], None, "19"),
    ],
)
def test_addresses(raw, value, repairs, commune, province):
    result = standardise_addresses([raw], ADDRESS)
    assert result.values == [value]
    assert [r.rule for r in result.repairs] == repairs
    assert result.problems == []
    if commune:
        assert result.derived["address__commune_code"] == [commune]
    assert result.derived["address__province_code"] == [province]


def test_catalogue_spelling_with_old_tone_is_kept():
    result = standardise_addresses(["Xã Định Hóa, tỉnh Thái Nguyên"], ADDRESS)
    assert result.values == ["Xã Định Hoá, tỉnh Thái Nguyên"]
    assert [r.rule for r in result.repairs] == ["admin_unit_name"]


@pytest.mark.parametrize(
    ("raw", "unit", "suggested", "commune"),
    [
        ("Thôn 8, xã Mỹ Lộc, huyện Hậu Lộc, tỉnh Thanh Hóa", "huyện Hậu Lộc", "Thôn 8, xã Hậu Lộc, tỉnh Thanh Hóa", "16012"),
        ("Thôn 1, thị trấn Hậu Lộc, tỉnh Thanh Hóa", "thị trấn Hậu Lộc", "Thôn 1, xã Hậu Lộc, tỉnh Thanh Hóa", "16012"),
        ("Thôn 1, xã Lũng Cú, huyện Đồng Văn, tỉnh Hà Giang", "huyện Đồng Văn", "Thôn 1, xã Lũng Cú, tỉnh Tuyên Quang", "00715"),
    ],
)
def test_abolished_units(raw, unit, suggested, commune):
    result = standardise_addresses([raw], ADDRESS)
    (problem,) = result.problems
    assert (problem.rule, problem.criterion) == ("abolished_admin_unit", "correct")
    assert problem.params["unit"] == unit
    assert problem.suggested_value == suggested
    assert result.derived["address__commune_code"] == [commune]


def test_split_old_commune_offers_candidates():
    result = standardise_addresses(["Phường Ngọc Hà, quận Ba Đình, thành phố Hà Nội"], ADDRESS)
    (problem,) = result.problems
    assert problem.rule == "abolished_admin_unit"
    assert " | " in problem.suggested_value
    assert result.derived["address__commune_code"] == [None]


def test_split_address_parts():
    parts = split_address("Số 12 ngõ 5, thôn Đông, xã Nga Sơn, huyện Nga Sơn, tỉnh Thanh Hóa")
    assert [p.level for p in parts] == ["house", "hamlet", "commune", "district", "province"]


def test_address_part_columns():
    result = standardise_addresses(["Thôn 3, xã Nga Sơn, tỉnh Thanh Hóa", None], ADDRESS)
    assert result.derived["address__hamlet"] == ["Thôn 3", None]
    assert result.derived["address__commune"] == ["xã Nga Sơn", None]


@pytest.mark.parametrize(
    ("raw", "value", "resolved", "problems"),
    [("16093", "16093", "16093", []), ("4", "00004", "00004", []), ("16063", "16063", "16072", ["admin_unit_conflict"]),
     ("16045", "16045", "16012", ["abolished_admin_unit"]), ("99999", "99999", None, ["code_not_in_table"])],
)
def test_commune_codes(raw, value, resolved, problems):
    result = standardise_commune_codes([raw], COMMUNE)
    assert result.values == [value]
    assert result.derived["commune_code__resolved"] == [resolved]
    assert [p.rule for p in result.problems] == problems


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


COMMUNES = read_csv("catalogues/admin_units/communes_2025.csv")


def test_every_catalogue_commune_resolves_unchanged():
    values = [f"Thôn 1, {_lower_first(unicodedata.normalize('NFC', r['commune_name']))}, {_lower_first(r['province_name'])}"
              for r in COMMUNES]
    result = standardise_addresses(values, ADDRESS)
    assert result.values == values
    assert result.repairs == [] and result.problems == []
    assert result.derived["address__commune_code"] == [r["commune_code"] for r in COMMUNES]


def test_addresses_typed_without_accents_mostly_resolve():
    def strip(text: str) -> str:
        text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
        return "".join(c for c in text if not unicodedata.combining(c))

    values = [strip(f"Thôn 1, {r['commune_name']}, {r['province_name']}") for r in COMMUNES]
    codes = standardise_addresses(values, ADDRESS).derived["address__commune_code"]
    resolved = sum(1 for code, r in zip(codes, COMMUNES, strict=True) if code == r["commune_code"])
    assert resolved >= 0.99 * len(COMMUNES)


def test_province_type_conflict_between_copies_is_tolerated():
    # provinces_2025.csv says "Thành phố Quảng Ninh", communes_2025.csv "Tỉnh Quảng Ninh": keep either.
    for text in ("Phường Hạ Long, tỉnh Quảng Ninh", "Phường Hạ Long, thành phố Quảng Ninh"):
        result = standardise_addresses([text], ADDRESS)
        assert result.values == [text] and result.repairs == []


HAMLET = st.sampled_from(["Thôn 3", "xóm  BẮC", "Thôn Văn Hoà", "Tổ dân phố 5", "THÔN ĐÔNG"])
UNIT = st.sampled_from(["xã Nga Sơn", "XÃ  hoằng  tiến", "X.Hậu Lộc", "xa Trieu Loc", "xã Mỹ Lộc, huyện Hậu Lộc"])
PROVINCE = st.sampled_from(["tỉnh Thanh Hóa", "tỉnh Thanh Hoá", "T. Thanh Hóa", "TỈNH thanh HÓA", ""])


@given(HAMLET, UNIT, PROVINCE)
@settings(max_examples=150, deadline=None)
def test_address_standardisation_is_idempotent(hamlet, unit, province):
    text = ", ".join(p for p in (hamlet, unit, province) if p)
    once = standardise_addresses([text], ADDRESS, "38")
    twice = standardise_addresses(once.values, ADDRESS, "38")
    assert twice.values == once.values
    assert twice.repairs == []
    assert twice.derived["address__commune_code"] == once.derived["address__commune_code"]
