"""Excel's limits on sheets, applied before anything is written.

A sheet name has at most 31 characters, none of `[]:*?/\\`, does not begin or end with an apostrophe,
is not "History", and is unique ignoring case; a sheet has at most 1,048,576 rows. A commune's name
can break the first rules and a large unit's findings the last, so names are made safe here and a
long list of findings is planned as several numbered sheets.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

EXCEL_MAX_ROWS = 1_048_576
MAX_SHEET_NAME = 31
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_RESERVED = {"history"}


def safe_sheet_name(base: str, taken: set[str], suffix: str = "") -> str:
    """A valid sheet name from `base` plus `suffix`, made unique against `taken` (casefolded names).

    The name is added to `taken`. When the name is already used, " 2", " 3"… is appended, cutting
    `base` so the whole stays within 31 characters.
    """
    clean = " ".join(_FORBIDDEN.sub(" ", base).split()).strip("'") or "_"
    number = 1
    while True:
        extra = suffix if number == 1 else f"{suffix} {number}"
        name = (clean[:MAX_SHEET_NAME - len(extra)].rstrip().rstrip("'") + extra).strip() or "_"
        key = name.casefold()
        if key not in taken and key not in _RESERVED:
            taken.add(key)
            return name
        number += 1


@dataclass
class SheetPlan:
    """The sheets one list of findings goes to, each holding at most `rows_per_sheet` findings."""

    names: list[str]
    rows: int
    rows_per_sheet: int

    def sheet_of(self, index: int) -> int:
        """Which of `names` the `index`-th finding (0-based) goes to."""
        return index // self.rows_per_sheet


@dataclass
class WorkbookPlan:
    summary: str
    units: dict[str, SheetPlan] = field(default_factory=dict)  # unit code -> its findings' sheets
    all_findings: SheetPlan | None = None


def plan_sheets(base: str, rows: int, taken: set[str], part_label: str,
                max_rows: int = EXCEL_MAX_ROWS) -> SheetPlan:
    """Sheets for `rows` findings under one header row each: one sheet, or numbered parts."""
    per_sheet = max_rows - 1
    parts = max(1, math.ceil(rows / per_sheet))
    if parts == 1:
        return SheetPlan([safe_sheet_name(base, taken)], rows, per_sheet)
    names = [safe_sheet_name(base, taken, " " + part_label.format(n=n)) for n in range(1, parts + 1)]
    return SheetPlan(names, rows, per_sheet)
