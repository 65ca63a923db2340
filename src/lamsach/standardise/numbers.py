"""Numbers (areas, counts) as plain decimal text: "250.5", never "250,5", "2.362,9" or "2.5E+2".

Excel hands numbers over as floats ("507.7", "774.0"); Vietnamese typists write a decimal comma
and dot thousands ("1.234,5"). The canonical text is the shortest plain decimal. Reformatting is
not a repair; a value that is not a number is kept and reported.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from lamsach.domain import CellProblem, Criterion, FieldSpec
from lamsach.standardise.column import ColumnResult, blank, map_unique

_UNIT = re.compile(r"\s*(m2|m²|ha)\s*$", re.IGNORECASE)
_VI_THOUSANDS = re.compile(r"\d{1,3}(\.\d{3})+(,\d+)?")
_EN_THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")


def parse_number(text: str) -> str | None:
    """Plain decimal text for a number cell, or None when it is not a number."""
    text = _UNIT.sub("", text.strip()).replace(" ", "").replace("\u00a0", "")
    if _VI_THOUSANDS.fullmatch(text):
        text = text.replace(".", "").replace(",", ".")
    elif _EN_THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    elif text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def standardise_numbers(values: list[str | None], spec: FieldSpec) -> ColumnResult:
    """A numeric column as plain decimal text; non-numbers kept (trimmed) and reported."""
    parsed = map_unique(values, lambda v: None if blank(v) else parse_number(v))
    result = ColumnResult(values=[])
    for index, (raw, number) in enumerate(zip(values, parsed, strict=True)):
        if blank(raw):
            result.values.append(None)
        elif number is None:
            result.values.append(raw.strip())
            result.problems.append(
                CellProblem(index, spec.name, "format_invalid", Criterion.CORRECT,
                            params={"field": spec.label_vi, "value": raw.strip(), "expected": "số"})
            )
        else:
            result.values.append(number)
    return result
