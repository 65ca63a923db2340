"""Findings about single cells: repairs still in force (status fixed) and problems of form (open).

Repairs come from the store's history, not only from this pass, so a value repaired in an
earlier pass still shows as a fixed finding: a unit's input quality stays visible.
"""

from __future__ import annotations

from typing import Any

from lamsach.backends.store import ChangeRow
from lamsach.data import fill_template
from lamsach.domain import DatasetSchema, FindingStatus
from lamsach.standardise.records_table import ColumnarRecords, StandardisedTable

WITHDRAWN = "withdrawn_by_unit"


def render(template: str, label: str, params: dict) -> str:
    """A rule template filled with the field's label and the finding's parameters."""
    return fill_template(template, {**params, "field": label})


def cell_findings_table(schema: DatasetSchema, result: StandardisedTable | Any, repairs: list[ChangeRow],
                        messages: dict[str, dict[str, str]]) -> list[dict]:
    """`result` is a `StandardisedTable` or an `EngineStandardised` (in DuckDB or on Spark): only
    the cells of the records with a repair or problem are read from its table."""
    index = {key: i for i, key in enumerate(result.keys)}
    keys = {c.record_key for c in repairs if c.record_key in index} | {result.keys[p.index] for p in result.problems}
    cells = result.cells(keys, {r.field for r in repairs})
    unit_field = schema.unit_field

    def unit(key: str) -> str | None:
        return cells[key]["__unit"] or (cells[key][unit_field] if unit_field else None)

    rows: list[dict] = []
    for change in repairs:
        cell = cells.get(change.record_key)
        if cell is None or change.field not in cell or cell[change.field] != change.new_value:
            continue
        template = messages.get(change.rule or "", {})
        rows.append({
            "dataset": schema.name, "record_id": change.record_key, "unit": unit(change.record_key),
            "field": change.field, "criterion": template.get("criterion", "clean"), "rule": change.rule,
            "severity": template.get("severity", "info"), "status": FindingStatus.FIXED.value,
            "message": render(template.get("vi", change.rule or ""), _label(schema, change.field),
                              {"original": change.old_value, "value": change.new_value}),
            "suggested_value": change.new_value})
    for problem in result.problems:
        template = messages.get(problem.rule, {})
        key = result.keys[problem.index]
        rows.append({
            "dataset": schema.name, "record_id": key, "unit": unit(key),
            "field": problem.field, "criterion": str(problem.criterion), "rule": problem.rule,
            "severity": str(problem.severity), "status": FindingStatus.OPEN.value,
            "message": render(template.get("vi", problem.rule), _label(schema, problem.field),
                              {**problem.params, "suggested_value": problem.suggested_value}),
            "suggested_value": problem.suggested_value})
    return rows


def withdrawn_findings(schema: DatasetSchema, records: list, sent_keys: dict[tuple[str, str], set[str]],
                       messages: dict[str, dict[str, str]]) -> list[dict]:
    """A finding on each record in use of a unit whose files in this pass no longer hold it: the
    unit withdrew it (a duplicate row deleted, a parcel split). It is neither kept silently nor
    dropped: an officer retires it, or dismisses the finding to keep it."""
    template = messages.get(WITHDRAWN, {})
    rows: list[dict] = []
    pairs = zip(records.keys, records.units, strict=True) if isinstance(records, ColumnarRecords) else (
        (r.key, r.unit) for r in records)
    for key, unit in pairs:
        sent = sent_keys.get((unit, schema.name)) if unit else None
        if sent is None or key in sent:
            continue
        rows.append({
            "dataset": schema.name, "record_id": key, "unit": unit, "field": "*",
            "criterion": template.get("criterion", "live"), "rule": WITHDRAWN,
            "severity": template.get("severity", "warning"), "status": FindingStatus.OPEN.value,
            "message": fill_template(template.get("vi", WITHDRAWN), {"key": key}), "suggested_value": None})
    return rows


def _label(schema: DatasetSchema, name: str) -> str:
    try:
        return schema.field(name).label_vi
    except KeyError:
        return name


def apply_overrides(rows: list[dict], overrides: dict[str, dict]) -> list[dict]:
    """A campaign's switched-off rules and changed severities, applied to cell findings too."""
    if not overrides:
        return rows
    kept = []
    for row in rows:
        setting = overrides.get(row["rule"], {})
        if not setting.get("enabled", True):
            continue
        kept.append({**row, "severity": setting["severity"]} if "severity" in setting else row)
    return kept
