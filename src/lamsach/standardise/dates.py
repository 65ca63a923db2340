"""Dates as ISO `yyyy-mm-dd` (a bare year stays `yyyy`), from the shapes units send them in.

`dd/mm/yyyy` text is the normal Vietnamese form and ISO text is what ingest makes of real Excel
date cells: converting those is not a repair. Two-digit years, Excel serial numbers, dotted or
spelled-out dates ("ngày 5 tháng 3 năm 1990") are converted and recorded as `date_format`.
Impossible dates stay as their text and are reported; cross-field order is the validate stage's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from lamsach.domain import CellProblem, Criterion, FieldSpec, Repair
from lamsach.standardise.column import ColumnResult, blank

_EXCEL_EPOCH = date(1899, 12, 30)
_SERIAL_RANGE = (1, 80000)  # 1900-01-01 .. 2119
_YEAR_RANGE = (1800, 2200)

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_DMY = re.compile(r"(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{2}|\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_MY = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{4})")
_NUMBER = re.compile(r"\d+(?:\.0+)?")
_YEAR_WORDS = re.compile(r"(?:năm\s+)?(\d{4})(?:\.0+)?", re.IGNORECASE)
_SPELLED = re.compile(
    r"(?:ngày\s*)?(\d{1,2})\s*(?:tháng|th\.?)\s*(\d{1,2})\s*(?:năm|n\.?)\s*(\d{4})", re.IGNORECASE
)


@dataclass(frozen=True)
class ParsedDate:
    """A cell read as a date: `value` is ISO, `yyyy-mm` or `yyyy`; `rule` a problem or repair."""

    value: str | None
    year: int | None
    day: date | None = None
    repaired: bool = False
    invalid: bool = False


def parse_date(text: str, reference_date: date) -> ParsedDate:
    """Read one trimmed, NFC cell; unreadable or impossible dates come back `invalid`."""
    text = text.strip()
    if m := _ISO.fullmatch(text):
        return _build(int(m[1]), int(m[2]), int(m[3]), text, repaired=False)
    if m := _DMY.fullmatch(text):
        year = int(m[4])
        repaired = m[2] != "/" or len(m[4]) == 2
        if len(m[4]) == 2:
            year += 2000 if year <= reference_date.year % 100 else 1900
        return _build(year, int(m[3]), int(m[1]), text, repaired=repaired)
    if m := _SPELLED.fullmatch(text.lower()):
        return _build(int(m[3]), int(m[2]), int(m[1]), text, repaired=True)
    if m := _YEAR_WORDS.fullmatch(text):
        year = int(m[1])
        if _YEAR_RANGE[0] <= year <= _YEAR_RANGE[1]:
            return ParsedDate(str(year), year, repaired=not text[0].isdigit())
    if _NUMBER.fullmatch(text):
        serial = int(float(text))
        if _SERIAL_RANGE[0] <= serial <= _SERIAL_RANGE[1]:
            day = _EXCEL_EPOCH + timedelta(days=serial)
            return ParsedDate(day.isoformat(), day.year, day, repaired=True)
    if m := _MY.fullmatch(text):
        month, year = int(m[1]), int(m[2])
        if 1 <= month <= 12:
            return ParsedDate(f"{year:04d}-{month:02d}", year, repaired=True)
    return ParsedDate(text, None, invalid=True)


def _build(year: int, month: int, day: int, text: str, repaired: bool) -> ParsedDate:
    try:
        value = date(year, month, day)
    except ValueError:
        return ParsedDate(text, None, invalid=True)
    return ParsedDate(value.isoformat(), year, value, repaired=repaired)


def standardise_dates(values: list[str | None], spec: FieldSpec, reference_date: date) -> ColumnResult:
    """A date column: ISO values, `<field>__year`, `date_format` repairs, invalid/future problems."""
    parsed = {v: (None if blank(v) else parse_date(v, reference_date)) for v in set(values)}
    result = ColumnResult(values=[])
    years: list[int | None] = []
    append_value, append_year = result.values.append, years.append
    for index, raw in enumerate(values):
        p = parsed[raw]
        if p is None:
            append_value(None)
            append_year(None)
            continue
        append_value(p.value)
        append_year(p.year)
        if p.invalid:
            result.problems.append(
                CellProblem(index, spec.name, "date_invalid", Criterion.CORRECT, params=_params(spec, raw))
            )
            continue
        if p.repaired:
            result.repairs.append(Repair(index, "date_format", raw, p.value))
        if _after(p, reference_date):
            params = _params(spec, p.value) | {"reference_date": reference_date.isoformat()}
            result.problems.append(CellProblem(index, spec.name, "date_in_future", Criterion.CORRECT, params=params))
    result.derived[f"{spec.name}__year"] = years
    return result


def standardise_years(values: list[str | None], spec: FieldSpec, reference_date: date) -> ColumnResult:
    """A year column: `yyyy` (a full date gives its year, as a `date_format` repair)."""
    dates = standardise_dates(values, spec, reference_date)
    years = dates.derived[f"{spec.name}__year"]
    result = ColumnResult(
        values=[v if y is None else str(y) for v, y in zip(dates.values, years, strict=True)],
        derived=dates.derived,
        problems=dates.problems,
    )
    repaired = {r.index for r in dates.repairs}
    for index, (raw, as_date, year) in enumerate(zip(values, dates.values, years, strict=True)):
        if year is not None and (index in repaired or as_date != str(year)):
            result.repairs.append(Repair(index, "date_format", raw, str(year)))
    return result


def _after(parsed: ParsedDate, reference_date: date) -> bool:
    if parsed.day is not None:
        return parsed.day > reference_date
    return parsed.year is not None and parsed.year > reference_date.year


def _params(spec: FieldSpec, value: str | None) -> dict:
    return {"field": spec.label_vi, "value": value}
