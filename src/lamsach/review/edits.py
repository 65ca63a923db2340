"""The cells a unit changed: each value compared with the hidden copy of what was exported.

Comparing with the exported copy, not with the store, means a value changed in the system since
the export (in the browser, by another workbook) is never overwritten by a cell the unit left
alone; such a cell that the unit did change is a conflict: skipped and named, never silently
applied, while the workbook's other cells apply.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lamsach.backends.store import StoredRecord
from lamsach.domain import ErrorCode, FieldSpec, LamsachError, Location
from lamsach.review.cells import cell_text, same_value
from lamsach.review.layout import cell_name, column_label
from lamsach.review.reader import ReturnedSheet


@dataclass(frozen=True)
class Edit:
    """One changed cell: the exported value, the value the officer meant, and where it is."""

    dataset: str
    key: str
    field: FieldSpec
    original: str | None
    value: str | None
    location: Location
    cell: str


def find_edits(sheet: ReturnedSheet, file: str) -> list[Edit]:
    """Every non-key cell whose value differs from the exported one, in sheet order."""
    exported = dict(sheet.meta.rows)
    edits: list[Edit] = []
    for key, (row, cells) in sorted(sheet.rows.items(), key=lambda item: item[1][0]):
        for index, spec in enumerate(sheet.columns):
            if index == 0:
                continue  # the key: its changes are structural, checked by the reader
            value = cell_text(cells[index], spec)
            original = exported[key][index]
            if same_value(original, value, spec):
                continue
            where = Location(file=file, sheet=sheet.meta.sheet, row=row, column=column_label(spec, index))
            edits.append(Edit(sheet.schema.name, key, spec, original, value, where, cell_name(index, row)))
    return edits


def conflict_errors(edits: list[Edit], current: dict[tuple[str, str], StoredRecord],
                    changed_elsewhere: Callable[[Edit], bool]) -> tuple[list[Edit], list[LamsachError]]:
    """The edits still to apply (the store does not already hold the value) and the cells skipped:
    records gone from the store, or values changed since the export by something other than this
    unit's workbooks (`changed_elsewhere`), so that re-sending a workbook after more corrections
    is not a conflict with its own first upload."""
    pending: list[Edit] = []
    errors: list[LamsachError] = []
    for edit in edits:
        record = current.get((edit.dataset, edit.key))
        if record is None:
            errors.append(LamsachError(ErrorCode.REVIEW_RECORD_GONE, edit.location, {"value": edit.key}))
            continue
        now = record.data.get(edit.field.name)
        if same_value(now, edit.value, edit.field):
            continue  # already done (the same workbook applied twice, or the same fix made elsewhere)
        if not same_value(now, edit.original, edit.field) and changed_elsewhere(edit):
            errors.append(LamsachError(ErrorCode.REVIEW_CELL_CONFLICT, edit.location,
                                       {"value": edit.value or "", "current": now or "",
                                        "original": edit.original or ""}))
            continue
        pending.append(edit)
    return pending, errors
