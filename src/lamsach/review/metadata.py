"""The hidden metadata sheet: what a correction workbook is, and the values it was sent with.

A returned workbook must say which campaign, unit and round (run) it belongs to, and what each
exported cell held, so that apply can tell the unit's edits (values differ from the hidden copy)
from tampering (keys, rows or the copy itself differ) without trusting the store to be unchanged
since the export. The copy is checked by SHA-256 checksums: they catch accidental damage and
casual editing of the hidden sheet, not a forger who recomputes them; the round check and the
store's history guard the rest.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from lamsach.domain import ErrorCode, LamsachError, Location
from lamsach.review.layout import FORMAT_VERSION, METADATA_SHEET, WORKBOOK_KIND

_HEADER_FIELDS = ("kind", "format_version", "campaign", "unit", "round", "exported_at", "reference_date",
                  "sheets", "checksum")
_ROWS_START = len(_HEADER_FIELDS) + 3  # a blank row and a header row after the fields (1-based)

Values = list[str | None]


@dataclass
class SheetMetadata:
    """One dataset sheet as exported: its fields in column order and each row's key and values."""

    sheet: str
    dataset: str
    fields: list[str]
    rows: list[tuple[str, Values]] = field(default_factory=list)
    # key -> rule of the records offered a merge or retirement in the action columns; a sheet
    # without any has no action columns (and its summary no "actions", as before they existed)
    actions: dict[str, str] = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        return [key for key, _ in self.rows]

    @property
    def keys_sha256(self) -> str:
        return checksum(self.keys)

    @property
    def values_sha256(self) -> str:
        return checksum(self.rows)

    def summary(self) -> dict:
        summary = {"sheet": self.sheet, "dataset": self.dataset, "fields": self.fields, "rows": len(self.rows),
                   "keys_sha256": self.keys_sha256, "values_sha256": self.values_sha256}
        if self.actions:
            summary["actions"] = dict(self.actions)
        return summary


@dataclass
class WorkbookMetadata:
    campaign: str
    unit: str
    round: int
    exported_at: str
    reference_date: str | None
    sheets: list[SheetMetadata] = field(default_factory=list)

    def header(self) -> dict:
        return {"kind": WORKBOOK_KIND, "format_version": FORMAT_VERSION, "campaign": self.campaign,
                "unit": self.unit, "round": str(self.round), "exported_at": self.exported_at,
                "reference_date": self.reference_date or "", "sheets": [s.summary() for s in self.sheets]}

    @property
    def checksum(self) -> str:
        return checksum(self.header())


def checksum(value: object) -> str:
    """SHA-256 of a value's canonical JSON (sorted keys, UTF-8)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_metadata(workbook, meta: WorkbookMetadata) -> None:
    """Add the metadata sheet to an XlsxWriter workbook, very hidden (only code can show it)."""
    sheet = workbook.add_worksheet(METADATA_SHEET)
    header = meta.header()
    header["sheets"] = json.dumps(header["sheets"], ensure_ascii=False)
    header["checksum"] = meta.checksum
    for row, name in enumerate(_HEADER_FIELDS):
        sheet.write_string(row, 0, name)
        sheet.write_string(row, 1, str(header[name]))
    first = _ROWS_START - 1
    for col, title in enumerate(("sheet", "key", "values")):
        sheet.write_string(first - 1, col, title)
    row = first
    for part in meta.sheets:
        for key, values in part.rows:
            sheet.write_string(row, 0, part.sheet)
            sheet.write_string(row, 1, key)
            sheet.write_string(row, 2, json.dumps(values, ensure_ascii=False))
            row += 1
    sheet.very_hidden()


def read_metadata(book, file: str) -> WorkbookMetadata:
    """The metadata of an openpyxl workbook, checked; `LamsachError` if missing or altered."""
    if METADATA_SHEET not in book.sheetnames:
        raise LamsachError(ErrorCode.REVIEW_NOT_CORRECTION_WORKBOOK, Location(file=file),
                           {"sheet_name": METADATA_SHEET})
    sheet = book[METADATA_SHEET]
    cells = {str(r[0]): r[1] for r in sheet.iter_rows(min_row=1, max_row=len(_HEADER_FIELDS), max_col=2,
                                                      values_only=True) if r and r[0] is not None}
    if cells.get("kind") != WORKBOOK_KIND:
        raise LamsachError(ErrorCode.REVIEW_NOT_CORRECTION_WORKBOOK, Location(file=file),
                           {"sheet_name": METADATA_SHEET})
    if str(cells.get("format_version")) != FORMAT_VERSION:
        _invalid(file, f"format_version {cells.get('format_version')!r}")
    try:
        summaries = json.loads(cells["sheets"])
        meta = WorkbookMetadata(str(cells["campaign"]), str(cells["unit"]), int(cells["round"]),
                                str(cells["exported_at"]), str(cells.get("reference_date") or "") or None)
        parts = {s["sheet"]: SheetMetadata(s["sheet"], s["dataset"], list(s["fields"]),
                                           actions={str(k): str(v) for k, v in s.get("actions", {}).items()})
                 for s in summaries}
        for sheet_name, key, values in sheet.iter_rows(min_row=_ROWS_START, max_col=3, values_only=True):
            if sheet_name is None:
                continue
            parts[str(sheet_name)].rows.append((str(key), json.loads(values)))
    except (KeyError, TypeError, ValueError) as exc:
        _invalid(file, f"{type(exc).__name__}: {exc}")
    meta.sheets = list(parts.values())
    for part, summary in zip(meta.sheets, summaries, strict=True):
        if (part.keys_sha256, part.values_sha256) != (summary["keys_sha256"], summary["values_sha256"]):
            _invalid(file, f"checksum of sheet {part.sheet}")
    if meta.checksum != cells.get("checksum"):
        _invalid(file, "checksum")
    return meta


def _invalid(file: str, reason: str) -> None:
    raise LamsachError(ErrorCode.REVIEW_METADATA_INVALID, Location(file=file, sheet=METADATA_SHEET),
                       {"reason": reason})
