"""Merging a duplicate into the record kept, and retiring a record with a reason: the one
implementation the web, the correction workbook and the command line call.

Both are versioned changes of the record's `_state` (see `lamsach.domain.lifecycle`), made with
the reason given, so the record's history shows them and undoing that change brings the record
back. A merge also fills the kept record's empty values from the duplicate, each a change of its
own: nothing the unit entered on either copy is lost.
"""

from __future__ import annotations

from lamsach.backends.store import Store, ValueChange
from lamsach.domain import ErrorCode, LamsachError, Location
from lamsach.domain.lifecycle import RETIRED, STATE_FIELD, in_use, merged_into

# `merge_changes` and `retire_change` are what merging and retiring write; the correction
# workbook applies them with the workbook's cell edits in one transaction (review/record_actions.py)


def _in_use_record(store: Store, campaign: str, dataset: str, key: str):
    record = store.record(campaign, dataset, key)
    if record is None:
        raise LamsachError(ErrorCode.RECORD_NOT_FOUND, Location(), {"dataset": dataset, "key": key})
    if not in_use(record.data):
        raise LamsachError(ErrorCode.RECORD_NOT_IN_USE, Location(), {"dataset": dataset, "key": key})
    return record


def _reason(reason: str) -> str:
    if not reason.strip():
        raise LamsachError(ErrorCode.RECORD_REASON_REQUIRED, Location(), {})
    return reason.strip()


def merge_changes(dataset: str, key: str, into: str, duplicate: dict, kept: dict, reason: str,
                  source: str) -> list[ValueChange]:
    """The changes merging record `key` (values `duplicate`) into `into` (values `kept`) makes:
    the kept record's empty values filled from the duplicate, then the duplicate's state."""
    changes = [ValueChange(dataset, into, name, value, source, f"{reason} (lấy từ hồ sơ trùng {key})",
                           "duplicate_record")
               for name, value in sorted(duplicate.items())
               if name != STATE_FIELD and value not in (None, "") and kept.get(name) in (None, "")]
    changes.append(ValueChange(dataset, key, STATE_FIELD, merged_into(into), source, reason, "duplicate_record"))
    return changes


def retire_change(dataset: str, key: str, reason: str, source: str, rule: str | None) -> ValueChange:
    return ValueChange(dataset, key, STATE_FIELD, RETIRED, source, reason, rule)


def merge_record(store: Store, campaign: str, dataset: str, key: str, into: str, actor: str,
                 reason: str, source: str = "person", run_id: int | None = None) -> int:
    """Merge record `key` into record `into` (the one kept); returns how many values changed."""
    why = _reason(reason)
    if key == into:
        raise LamsachError(ErrorCode.RECORD_MERGE_SELF, Location(), {"dataset": dataset, "key": key})
    duplicate = _in_use_record(store, campaign, dataset, key)
    kept = _in_use_record(store, campaign, dataset, into)
    changes = merge_changes(dataset, key, into, duplicate.data, kept.data, why, source)
    return store.apply_changes(campaign, changes, actor, run_id=run_id)


def retire_record(store: Store, campaign: str, dataset: str, key: str, actor: str, reason: str,
                  source: str = "person", rule: str | None = None, run_id: int | None = None) -> int:
    """Stop using record `key` (withdrawn by its unit, entered by mistake); kept, not deleted."""
    why = _reason(reason)
    _in_use_record(store, campaign, dataset, key)
    return store.apply_changes(campaign, [retire_change(dataset, key, why, source, rule)], actor, run_id=run_id)
