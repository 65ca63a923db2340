"""Merging and retiring records from a returned correction workbook's action columns.

A sheet with a duplicate or a record the unit no longer sends ends in three columns: "Xử lý"
(a list: merge into the record kept, or stop using it), the key of the record kept (filled with
the finding's suggestion) and the reason. Each filled action becomes the same versioned change the
web and the command line make (`lifecycle.merge_changes`, `lifecycle.retire_change`), with the
workbook's file, sheet and cell in its reason, so the record's history names where it came from
and undoing that change brings the record back.

Every bad value is refused at its cell (file, sheet, row, column) before anything is stored. A
record merged or retired in the system since the export is skipped and named, as a changed cell
is; the same workbook sent twice changes nothing the second time.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from lamsach.backends.store import Store, StoredRecord, ValueChange
from lamsach.data import workbook_wording
from lamsach.domain import ErrorCode, LamsachError, Location
from lamsach.domain.lifecycle import RETIRED, STATE_FIELD, in_use, merged_into
from lamsach.review.cells import cell_text
from lamsach.review.edits import Edit
from lamsach.review.layout import SOURCE, action_choices, action_labels, cell_name, header_label
from lamsach.review.lifecycle import merge_changes, retire_change
from lamsach.review.reader import TEXT_CELL, ReturnedSheet


@dataclass(frozen=True)
class RecordAction:
    """One filled action row: merge `key` into `into`, or retire it, for `reason`."""

    dataset: str
    key: str
    kind: str  # merge, retire
    choice: str  # the text in the cell, as the officer chose it
    into: str | None
    reason: str | None
    rule: str  # the record-level finding the row was offered for
    location: Location  # the action cell
    cell: str
    into_location: Location


def find_actions(sheet: ReturnedSheet, file: str) -> tuple[list[RecordAction], list[LamsachError]]:
    """The filled action rows of a sheet, and every cell whose value cannot be acted on."""
    if not sheet.meta.actions:
        return [], []
    start = len(sheet.columns)
    labels = action_labels()
    kinds = {_fold(text): kind for kind, text in action_choices().items()}
    actions: list[RecordAction] = []
    errors: list[LamsachError] = []
    for key, (row, cells) in sorted(sheet.rows.items(), key=lambda item: item[1][0]):
        choice, into, reason = (cell_text(c, TEXT_CELL) for c in (*cells[start:start + 3], None, None, None)[:3])
        where = [Location(file=file, sheet=sheet.meta.sheet, row=row, column=header_label(label, start + i))
                 for i, label in enumerate(labels)]
        if choice is None:
            if reason is not None:
                errors.append(LamsachError(ErrorCode.REVIEW_ACTION_MISSING, where[2], {"value": reason}))
            continue
        kind = kinds.get(_fold(choice))
        if kind is None:
            errors.append(LamsachError(ErrorCode.REVIEW_ACTION_UNKNOWN, where[0], {
                "value": choice, "allowed": ", ".join(f"“{c}”" for c in action_choices().values())}))
            continue
        rule = sheet.meta.actions.get(key)
        if rule is None:
            errors.append(LamsachError(ErrorCode.REVIEW_ACTION_NOT_OFFERED, where[0], {"value": key, "action": choice}))
            continue
        if kind == "merge" and into is None:
            errors.append(LamsachError(ErrorCode.REVIEW_ACTION_INTO_MISSING, where[1], {"action": choice}))
            continue
        if kind == "merge" and into == key:
            errors.append(LamsachError(ErrorCode.REVIEW_ACTION_INTO_SELF, where[1], {"value": key}))
            continue
        if kind == "retire" and reason is None:
            errors.append(LamsachError(ErrorCode.REVIEW_ACTION_REASON_MISSING, where[2], {"action": choice}))
            continue
        actions.append(RecordAction(sheet.schema.name, key, kind, choice, into if kind == "merge" else None, reason,
                                    rule, where[0], cell_name(start, row), where[1]))
    return actions, errors


def action_changes(store: Store, campaign: str, unit: str, actions: list[RecordAction], edits: list[Edit],
                   file: str, round_: int) -> tuple[list[ValueChange], list[LamsachError], list[LamsachError]]:
    """(changes to store, errors refusing the workbook, actions skipped with why). The records'
    values are read as they will be once the workbook's own edits are applied, so a merge never
    overwrites a value the officer typed in the same file."""
    words = workbook_wording()["record_actions"]
    current = _records(store, campaign, actions)
    typed: dict[tuple[str, str], dict[str, str | None]] = {}
    for edit in edits:
        typed.setdefault((edit.dataset, edit.key), {})[edit.field.name] = edit.value
    leaving = {(a.dataset, a.key): a for a in actions}
    changes: list[ValueChange] = []
    errors: list[LamsachError] = []
    skipped: list[LamsachError] = []
    for action in actions:
        record = current.get((action.dataset, action.key))
        if record is None:
            skipped.append(LamsachError(ErrorCode.REVIEW_RECORD_GONE, action.location, {"value": action.key}))
            continue
        wanted = merged_into(action.into) if action.kind == "merge" else RETIRED
        if not in_use(record.data):
            if record.data.get(STATE_FIELD) != wanted:  # the same workbook again: already done
                skipped.append(LamsachError(ErrorCode.REVIEW_ACTION_RECORD_NOT_IN_USE, action.location,
                                            {"value": action.key, "action": action.choice}))
            continue
        reason = words["change_reason"].format(
            reason=action.reason or words["merge_reason"], file=file, sheet=action.location.sheet,
            cell=action.cell, round=round_)
        if action.kind == "retire":
            changes.append(retire_change(action.dataset, action.key, reason, SOURCE, action.rule))
            continue
        kept = current.get((action.dataset, action.into))
        problem = _kept_problem(action, kept, unit, leaving)
        if problem is not None:
            errors.append(problem)
            continue
        assert kept is not None
        duplicate = {**record.data, **typed.get((action.dataset, action.key), {})}
        keeping = {**kept.data, **typed.get((action.dataset, action.into), {})}
        changes += merge_changes(action.dataset, action.key, action.into, duplicate, keeping, reason, SOURCE)
    return changes, errors, skipped


def _kept_problem(action: RecordAction, kept: StoredRecord | None, unit: str,
                  leaving: dict[tuple[str, str], RecordAction]) -> LamsachError | None:
    """Why the record named to keep cannot be kept, at the cell naming it; None if it can."""
    if kept is None:
        return LamsachError(ErrorCode.REVIEW_ACTION_INTO_UNKNOWN, action.into_location,
                            {"value": action.into, "dataset": action.dataset})
    if kept.unit != unit:
        return LamsachError(ErrorCode.REVIEW_ACTION_INTO_OTHER_UNIT, action.into_location,
                            {"value": action.into, "other": kept.unit or "–", "unit": unit})
    if not in_use(kept.data):
        return LamsachError(ErrorCode.REVIEW_ACTION_INTO_NOT_IN_USE, action.into_location, {"value": action.into})
    other = leaving.get((action.dataset, action.into or ""))
    if other is not None:
        return LamsachError(ErrorCode.REVIEW_ACTION_INTO_LEAVING, action.into_location,
                            {"value": action.into, "other_row": other.location.row})
    return None


def _records(store: Store, campaign: str, actions: list[RecordAction]) -> dict[tuple[str, str], StoredRecord]:
    wanted: dict[str, set[str]] = {}
    for action in actions:
        wanted.setdefault(action.dataset, set()).add(action.key)
        if action.into:
            wanted[action.dataset].add(action.into)
    return {(dataset, key): record for dataset, keys in wanted.items()
            for key, record in store.records_by_keys(campaign, dataset, keys).items()}


def _fold(text: str) -> str:
    """A choice as typed or picked: case, spacing and Unicode form do not matter."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())
