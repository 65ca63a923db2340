"""Cell values between the store's text and what Excel keeps.

Every stored value is text. On export, a date field's `dd/mm/yyyy` or ISO date becomes a real
date cell (an officer reads, filters and types it as a date) and everything else is written as
text in text-formatted cells, so a typed ID keeps its leading zero. On return, Excel or another
tool may still have turned typed values into numbers or dates: `cell_text` reads them back as
what the officer meant, and `same_value` compares dates as dates, whatever their form.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from lamsach.domain import FieldSpec

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DMY_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")

_LOST_ZEROS = {"id": {10: 12, 11: 12, 8: 9}, "commune": {1: 5, 2: 5, 3: 5, 4: 5}}
"""Digit counts an Excel number can have for a field that is really zero-padded text: a 12-digit
ID of provinces 001–096 loses one or two zeros, an old 9-digit CMND starting with 0 loses one."""


def as_date(text: str | None) -> date | None:
    """The day an ISO or `dd/mm/yyyy` text names, else None (other shapes are left as text)."""
    if not text:
        return None
    text = text.strip()
    try:
        if m := _ISO_DATE.fullmatch(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DMY_DATE.fullmatch(text):
            return date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None
    return None


def export_value(value: str | None, spec: FieldSpec) -> str | date | None:
    """What to write in the cell: a `date` for a readable date of a date field, else the text."""
    if value is None or value == "":
        return None
    if spec.type == "date":
        return as_date(value) or value
    return value


def cell_text(value: object, spec: FieldSpec) -> str | None:
    """The text an officer meant by a cell as openpyxl reads it; None for an empty cell.
    A date cell becomes `dd/mm/yyyy`, the form the officer saw and the pass reads as it is."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y") if value.time() == time(0) else value.strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, int | float):
        return _number_text(value, spec)
    return str(value).strip() or None


def same_value(original: str | None, current: str | None, spec: FieldSpec | None = None) -> bool:
    """Whether a cell still holds `original`: spaces around a value do not count, and in a date
    field "2026-08-02" and "02/08/2026" are the same day."""
    before, after = (original or "").strip(), (current or "").strip()
    if before == after:
        return True
    if spec is not None and spec.type == "date":
        day = as_date(before)
        return day is not None and day == as_date(after)
    return False


def _number_text(value: int | float, spec: FieldSpec) -> str:
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    if number == number.to_integral_value():
        digits = str(int(number))
        width = _LOST_ZEROS.get(spec.type, {}).get(len(digits))
        return digits.zfill(width) if width else digits
    return format(number.normalize(), "f")
