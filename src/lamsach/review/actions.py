"""What an officer does about a finding — accept its suggestion, type a value, dismiss it — in
one implementation the web's queue and the command line both call (merging and retiring a record
are in `lifecycle.py`). Each change is a versioned value with its source, actor and reason; a
dismissal is a verdict tied to the value it judged."""

from __future__ import annotations

from lamsach.backends.store import Store, ValueChange
from lamsach.domain import ErrorCode, LamsachError, Location

# findings decided on the whole record (merge it, retire it), never by writing the suggestion
# into a cell: a duplicate's suggestion is the key of the record to keep, not a value
RECORD_DECISIONS = ("duplicate_record", "duplicate_key", "withdrawn_by_unit")


def is_cell_finding(finding: dict, fields: tuple[str, ...]) -> bool:
    """Whether a finding is fixed by a value in one of the dataset's `fields`."""
    return finding["field"] in fields and finding["rule"] not in RECORD_DECISIONS


def accept_suggestions(store: Store, campaign: str, findings: list[dict], actor: str, source: str,
                       reason: str) -> int:
    """Write each finding's suggested value into its cell; returns how many values changed."""
    changes = [ValueChange(f["dataset"], f["record_key"], f["field"], f["suggested_value"], source, reason, f["rule"])
               for f in findings]
    return store.apply_changes(campaign, changes, actor) if changes else 0


def set_value(store: Store, campaign: str, finding: dict, value: str | None, actor: str, source: str,
              reason: str) -> int:
    """The value the officer typed for the finding's cell (blank: no value)."""
    text = (value or "").strip() or None
    return store.apply_changes(campaign, [ValueChange(finding["dataset"], finding["record_key"], finding["field"],
                                                      text, source, reason, finding["rule"])], actor)


def dismiss_finding(store: Store, campaign: str, dataset: str, key: str, field: str, rule: str, actor: str,
                    reason: str) -> None:
    """Keep the finding dismissed while the value stays as it is now. Refused, naming what the
    record does have, when the latest run has no such finding on the record: a verdict on a
    finding that does not exist would decide nothing."""
    if not reason.strip():
        raise LamsachError(ErrorCode.RECORD_REASON_REQUIRED, Location(), {})
    record = store.record(campaign, dataset, key)
    if record is None:
        raise LamsachError(ErrorCode.RECORD_NOT_FOUND, Location(), {"dataset": dataset, "key": key})
    run = store.latest_run(campaign)
    if run is not None:
        from lamsach.backends.store.finding_queries import record_findings

        present = record_findings(store, run["id"], dataset, key)
        if not any(f["rule"] == rule and f["field"] == field for f in present):
            raise LamsachError(ErrorCode.FINDING_NOT_ON_RECORD, Location(), {
                "dataset": dataset, "key": key, "rule": rule, "field": field,
                "present": ", ".join(sorted({f"{f['rule']} ({f['field']})" for f in present})) or "–"})
    store.decide_finding(campaign, dataset, key, field, rule, "dismissed", record.data.get(field), actor,
                         reason.strip())
