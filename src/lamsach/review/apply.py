"""`apply_correction_workbook`: a unit's returned workbook becomes versioned edits, or nothing.

The order of the checks is the order of what would make the rest meaningless: a file that is
not a workbook, not a correction workbook, another unit's, or of a round this campaign never
had is refused outright (one `LamsachError`); then every structural problem and every bad value
is collected and reported together (an `ExceptionGroup` of `LamsachError`, even for one), and
only a workbook without any is applied, in one transaction. A workbook of an older round is not
refused for that: passes run whenever any unit sends anything, and a province of a hundred
communes would never return a workbook in time. Only the cells whose value changed in the system
since the export (or whose record is gone) are skipped, each named with why, and the rest applies.
Re-validation is the next pass: the result says which records changed so the caller can start it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from lamsach.backends.store import Store, StoredRecord, ValueChange, as_utc
from lamsach.data import workbook_wording
from lamsach.domain import ErrorCode, LamsachError, Location
from lamsach.domain.lifecycle import STATE_FIELD, state_of
from lamsach.review.checks import value_errors
from lamsach.review.edits import Edit, conflict_errors, find_edits
from lamsach.review.layout import SOURCE
from lamsach.review.metadata import WorkbookMetadata, read_metadata
from lamsach.review.reader import open_workbook, read_sheet
from lamsach.review.record_actions import RecordAction, action_changes, find_actions

__all__ = ["SOURCE", "ApplyResult", "apply_correction_workbook"]



@dataclass
class ApplyResult:
    """What a returned workbook changed: versions written, per dataset the cells and records."""

    file: str
    campaign: str
    unit: str
    round: int
    actor: str
    applied: int = 0
    cells_by_dataset: dict[str, int] = field(default_factory=dict)
    records_by_dataset: dict[str, list[str]] = field(default_factory=dict)
    changes: list[ValueChange] = field(default_factory=list)
    skipped: list[LamsachError] = field(default_factory=list)  # cells not applied, each with why
    merged: list[tuple[str, str, str]] = field(default_factory=list)  # (dataset, key, key kept)
    retired: list[tuple[str, str]] = field(default_factory=list)  # (dataset, key)

    @property
    def rerun_needed(self) -> bool:
        """True when values changed: the findings of the round are stale until the next pass."""
        return self.applied > 0


def apply_correction_workbook(store: Store, path: Path, actor: str, expected_unit: str | None = None,
                              file_name: str | None = None, received_at: datetime | None = None) -> ApplyResult:
    """Apply the cells the unit changed in `path` as edits by `actor` (the uploader).

    `file_name` names the file in messages and change reasons when `path` is a temporary copy of
    an upload. Raises `LamsachError` for a file refused as a whole and an `ExceptionGroup` of
    `LamsachError` (each with sheet, row and column) when rows or cells are wrong; nothing is
    stored in either case.

    `received_at` dates the edits when the workbook arrived before it is entered (default: now).
    """
    file = file_name or path.name
    book = open_workbook(path, file)
    meta = read_metadata(book, file)
    _check_owner_and_round(store, meta, expected_unit, file)
    edits: list[Edit] = []
    actions: list[RecordAction] = []
    errors: list[LamsachError] = []
    for part in meta.sheets:
        sheet, problems = read_sheet(book, part, file)
        errors += problems
        if sheet is not None:
            edits += find_edits(sheet, file)
            found, wrong = find_actions(sheet, file)
            actions += found
            errors += wrong
    pending, skipped = conflict_errors(edits, _current(store, meta.campaign, edits),
                                       _changed_elsewhere(store, meta))
    errors += value_errors(pending, _reference_date(meta))
    decided, wrong, not_decided = action_changes(store, meta.campaign, meta.unit, actions, pending, file, meta.round)
    errors += wrong
    if errors:
        raise ExceptionGroup(f"{file}: {len(errors)}", errors)
    reason = workbook_wording()["change_reason"]
    changes = [ValueChange(e.dataset, e.key, e.field.name, e.value, SOURCE,
                           reason=reason.format(file=file, sheet=e.location.sheet, cell=e.cell, round=meta.round))
               for e in pending]
    result = ApplyResult(file, meta.campaign, meta.unit, meta.round, actor, changes=changes + decided,
                         skipped=skipped + not_decided)
    every = changes + decided  # one transaction: the cells and the merges or retirements, or nothing
    result.applied = store.apply_changes(meta.campaign, every, actor, run_id=meta.round,
                                         at=received_at) if every else 0
    for change in decided:
        if change.field == STATE_FIELD:
            _, into = state_of({STATE_FIELD: change.new_value})
            if into is None:
                result.retired.append((change.dataset, change.key))
            else:
                result.merged.append((change.dataset, change.key, into))
    for change in changes:
        result.cells_by_dataset[change.dataset] = result.cells_by_dataset.get(change.dataset, 0) + 1
        keys = result.records_by_dataset.setdefault(change.dataset, [])
        if change.key not in keys:
            keys.append(change.key)
    return result


def _check_owner_and_round(store: Store, meta: WorkbookMetadata, expected_unit: str | None,
                           file: str) -> None:
    if expected_unit is not None and meta.unit != expected_unit:
        raise LamsachError(ErrorCode.REVIEW_WRONG_UNIT, Location(file=file),
                           {"unit": meta.unit, "expected": expected_unit})
    latest = store.latest_run(meta.campaign)
    if latest is None:
        raise LamsachError(ErrorCode.REVIEW_NO_COMPLETE_RUN, Location(file=file), {"campaign": meta.campaign})
    round_run = store.run(meta.round)
    if round_run is None or round_run["campaign"] != meta.campaign or meta.round > latest["id"]:
        raise LamsachError(ErrorCode.REVIEW_OLD_ROUND, Location(file=file),
                           {"round": meta.round, "latest": latest["id"]})


def _current(store: Store, campaign: str, edits: list[Edit]) -> dict[tuple[str, str], StoredRecord]:
    keys: dict[str, set[str]] = {}
    for edit in edits:
        keys.setdefault(edit.dataset, set()).add(edit.key)
    return {(dataset, key): record for dataset, wanted in keys.items()
            for key, record in store.records_by_keys(campaign, dataset, wanted).items()}


def _changed_elsewhere(store: Store, meta: WorkbookMetadata) -> Callable[[Edit], bool]:
    """Whether a value was changed after the export by anything but a unit workbook (asked only
    for the rare cell whose stored value is no longer the exported one)."""
    exported_at = as_utc(datetime.fromisoformat(meta.exported_at))

    def changed(edit: Edit) -> bool:
        later = [c for c in store.history(meta.campaign, edit.dataset, edit.key)
                 if c.field == edit.field.name and c.at and as_utc(datetime.fromisoformat(c.at)) >= exported_at]
        return not later or any(c.source != SOURCE for c in later)

    return changed


def _reference_date(meta: WorkbookMetadata) -> date:
    """The round's reference date (the "today" its findings were judged against), else today."""
    try:
        return date.fromisoformat(meta.reference_date) if meta.reference_date else date.today()
    except ValueError:
        return date.today()
