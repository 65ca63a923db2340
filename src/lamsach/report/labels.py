"""The report's words for codes, and the names of units, read from data files.

Wording is data (`report_templates/labels.yaml`, the 2025 administrative catalogue) so a change of
term or of a commune's name is an edit of a file, not of code; this module only looks them up.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from lamsach.data import catalogue_rows, load_schema, read_text
from lamsach.domain import ErrorCode, LamsachError, Location

LABELS_FILE = "report_templates/labels.yaml"
LABELS_VERSIONS = {1}


@cache
def labels() -> dict[str, Any]:
    """The parsed labels file, checked for its `kind` and `format_version` like every data file."""
    document = yaml.safe_load(read_text(LABELS_FILE))
    if not isinstance(document, dict) or document.get("kind") != "report_labels":
        raise LamsachError(ErrorCode.DATA_FILE_INVALID, Location(file=LABELS_FILE),
                           {"reason": "kind must be report_labels"})
    if document.get("format_version") not in LABELS_VERSIONS:
        raise LamsachError(ErrorCode.DATA_FILE_INVALID, Location(file=LABELS_FILE),
                           {"reason": f"format_version {document.get('format_version')!r} is not supported"})
    return document


def criterion_label(criterion: str) -> str:
    return labels()["criteria"].get(criterion, criterion)


def dataset_label(dataset: str) -> str:
    """A dataset's short name for table cells; its schema's label when the labels file has none."""
    short = labels()["datasets"].get(dataset)
    if short:
        return short
    try:
        return load_schema(dataset).label_vi
    except (OSError, LamsachError):  # a dataset with no schema file shows its code
        return dataset


@dataclass(frozen=True)
class UnitTitle:
    """A unit as people know it: code and the catalogue's name (empty when the code is not there)."""

    code: str
    name: str
    province: str = ""

    @property
    def label(self) -> str:
        """`Xã Thạch Lập (15085)`, or the code alone, or the words for records with no unit."""
        if not self.code:
            return labels()["unknown_unit"]
        return f"{self.name} ({self.code})" if self.name else self.code


@cache
def _communes() -> dict[str, tuple[str, str]]:
    return {row["commune_code"]: (row["commune_name"], row["province_name"])
            for row in catalogue_rows("admin_units/communes_2025")}


def unit_title(code: str | None) -> UnitTitle:
    """The title of unit `code`; a department or an unknown code keeps its code alone."""
    code = code or ""
    name, province = _communes().get(code, ("", ""))
    return UnitTitle(code, name, province)


def percent(share: float | None, digits: int = 1) -> str:
    """`0.9831` -> `98,3%`: Vietnamese writes a decimal comma; a missing share shows as a dash."""
    if share is None:
        return "–"
    return f"{share * 100:.{digits}f}%".replace(".", ",")


def number(value: int | None) -> str:
    """`6471` -> `6.471`: Vietnamese groups thousands with a dot."""
    if value is None:
        return "–"
    return f"{int(value):,}".replace(",", ".")


def grade(share: float | None) -> str:
    """`good`, `fair` or `poor` against the thresholds in the labels file (`none` if no records).

    The share is judged as shown, to a tenth of a percent, so "95,0%" is never coloured below 95%.
    """
    if share is None:
        return "none"
    share = round(share, 3)
    limits = labels()["thresholds"]
    return "good" if share >= limits["good"] else "fair" if share >= limits["fair"] else "poor"


def day(value) -> str:
    """A date as an officer writes it: `05/10/2026` (an ISO text or a date); a dash if none."""
    if value is None or value == "":
        return "–"
    from datetime import date as _date

    value = _date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return value.strftime("%d/%m/%Y")


def week_label(week: str) -> str:
    """`2026-W44` as `Tuần 44 (26/10–01/11/2026)`: the ISO week, Monday to Sunday."""
    from datetime import date as _date
    from datetime import timedelta

    monday = _date.fromisocalendar(int(week[:4]), int(week[6:]), 1)
    sunday = monday + timedelta(days=6)
    return f"Tuần {int(week[6:])} ({monday:%d/%m}–{sunday:%d/%m/%Y})"


def decimal(value: float | str | None, digits: int = 1) -> str:
    """`813.8` -> `813,8` with thousands grouped by dots (`1.234,5`); text that is not a number as it is."""
    if value is None or value == "":
        return "–" if value is None else ""
    try:
        number_ = float(value)
    except (TypeError, ValueError):
        return str(value)
    text = f"{number_:,.{digits}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def signed_points(change: float | None) -> str:
    """A change of share in percentage points, Vietnamese style: `+2,5` / `−1,0`; blank if none."""
    if change is None:
        return ""
    return ("+" if change >= 0 else "−") + f"{abs(change) * 100:.1f}".replace(".", ",")
