"""Personal ID numbers: 12-digit CCCD/personal identification numbers and old 9-digit CMND.

IDs arrive with separators ("038 078 451 567"), or as Excel numbers that lost their leading
zeros ("38078451567", "38078451567.0", "3.8078451567E+10"; "1175290729" for Hà Nội's 001). Those are repaired; anything else of
the wrong shape is reported. The 12-digit number is `PPP G YY NNNNNN` (birth-registration
province, century-and-sex digit, year of birth); `check_id_person` compares it with the person's
sex and birth year — flagged, never corrected, because a legal change of sex or a re-issued
number can make them disagree.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import NamedTuple

from lamsach.data import read_csv
from lamsach.domain import CellProblem, Criterion, FieldSpec, Repair, Severity
from lamsach.standardise.column import ColumnResult, blank

_SEPARATORS = re.compile(r"[\s.\-_/,]+")
_FLOAT_TEXT = re.compile(r"\d+\.0+|\d(?:\.\d+)?[eE]\+?\d+")


@cache
def cccd_prefixes() -> frozenset[str]:
    """The 63 birth-registration province prefixes (the pre-2025 provinces; still valid)."""
    return frozenset(row["cccd_prefix"] for row in read_csv("catalogues/cccd_province_codes.csv"))


class ParsedId(NamedTuple):
    """An ID cell read (a tuple: one is made per row of a column of unique numbers)."""

    value: str
    kind: str  # cccd12, cmnd9, invalid
    repairs: tuple[tuple[str, str], ...] = ()  # (rule, value after the step)
    suggested: str | None = None


def parse_id(raw: str) -> ParsedId:
    """Read one ID cell; repairs are listed in the order applied."""
    if len(raw) == 12 and raw.isdigit() and raw.isascii():
        return ParsedId(raw, "cccd12")  # the usual case
    text = raw.strip()
    repairs: list[tuple[str, str]] = []
    if _FLOAT_TEXT.fullmatch(text):
        exact = _exact_integer(text)
        if exact is not None:
            text = exact
    elif not text.isdigit():
        joined = _SEPARATORS.sub("", text)
        if joined != text and joined.isdigit():
            text = joined
            repairs.append(("id_separators", text))
    if not text.isdigit() or not text.isascii():
        return ParsedId(text, "invalid", tuple(repairs))
    if len(text) in (10, 11) and not text.startswith("0") and text.zfill(12)[:3] in cccd_prefixes():
        text = text.zfill(12)  # provinces 001-096: an Excel number drops one or two zeros
        repairs.append(("id_leading_zero_lost", text))
    if len(text) == 12:
        return ParsedId(text, "cccd12", tuple(repairs))
    if len(text) == 9:
        return ParsedId(text, "cmnd9", tuple(repairs))
    suggested = "0" + text if len(text) == 8 else None
    return ParsedId(text, "invalid", tuple(repairs), suggested)


def _exact_integer(text: str) -> str | None:
    """The integer an Excel number shows as `38078451567.0` or `3.8078451567E+10`, if exact:
    scientific notation must carry every digit ("3.80784516E+10" has lost two)."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if number != number.to_integral_value():
        return None
    digits = str(int(number))
    if "e" in text.lower():
        mantissa = text.lower().split("e")[0].replace(".", "").lstrip("0")
        if len(mantissa) < len(digits):
            return None
    return digits


def id_birth_year(cccd: str) -> int:
    """Birth year encoded in a 12-digit number (century digit: 0/1 1900s, 2/3 2000s, … 8/9 1800s)."""
    century = int(cccd[3])
    base = 1800 if century >= 8 else 1900 + 100 * (century // 2)
    return base + int(cccd[4:6])


def id_sex(cccd: str) -> str:
    """"Nam" for an even century digit, "Nữ" for an odd one."""
    return "Nam" if int(cccd[3]) % 2 == 0 else "Nữ"


def standardise_ids(values: list[str | None], spec: FieldSpec) -> ColumnResult:
    """An ID column: digit strings, `<field>__kind`, repairs, and shape problems. IDs are mostly
    unique, so the usual well-formed 12-digit number is recognised in one quick pass and only
    the others are parsed."""
    prefixes = cccd_prefixes()
    kinds: list[str | None] = [
        "cccd12" if v is not None and len(v) == 12 and v.isdigit() and v.isascii() and v[:3] in prefixes else None
        for v in values
    ]
    result = ColumnResult(values=list(values))
    for index in [i for i, k in enumerate(kinds) if k is None]:
        raw = values[index]
        if blank(raw):
            result.values[index] = None
            continue
        p = parse_id(raw)
        result.values[index] = p.value
        kinds[index] = p.kind
        before = raw
        for rule, after in p.repairs:
            result.repairs.append(Repair(index, rule, before, after))
            before = after
        params = {"field": spec.label_vi, "value": p.value}
        if p.kind == "invalid":
            result.problems.append(
                CellProblem(index, spec.name, "format_invalid", Criterion.CORRECT,
                            params=params | {"expected": "12 chữ số"}, suggested_value=p.suggested)
            )
        elif p.kind == "cmnd9":
            result.problems.append(
                CellProblem(index, spec.name, "legacy_id_document", Criterion.LIVE, Severity.WARNING, params)
            )
        elif p.value[:3] not in prefixes:
            result.problems.append(
                CellProblem(index, spec.name, "id_province_invalid", Criterion.CORRECT,
                            params=params | {"prefix": p.value[:3]})
            )
    result.derived[f"{spec.name}__kind"] = kinds
    return result


def check_id_person(
    index: int, spec: FieldSpec, cccd: str, sex: str | None, birth_year: int | None
) -> list[CellProblem]:
    """Problems where a 12-digit number's sex/century or year digits disagree with the record."""
    problems: list[CellProblem] = []
    encoded_year = id_birth_year(cccd)
    params = {"field": spec.label_vi, "value": cccd}
    century_wrong = birth_year is not None and encoded_year != birth_year and encoded_year % 100 == birth_year % 100
    if (sex in ("Nam", "Nữ") and id_sex(cccd) != sex) or century_wrong:
        problems.append(
            CellProblem(index, spec.name, "id_sex_century_mismatch", Criterion.CORRECT,
                        params=params | {"sex": sex or "", "birth_year": birth_year or "", "id_sex": id_sex(cccd),
                                         "id_year": encoded_year})
        )
    if birth_year is not None and encoded_year % 100 != birth_year % 100:
        problems.append(
            CellProblem(index, spec.name, "id_birth_year_mismatch", Criterion.CORRECT,
                        params=params | {"birth_year": birth_year, "id_year": encoded_year})
        )
    return problems
