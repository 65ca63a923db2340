"""What goes into a unit's correction workbook, worked out from the store before any Excel.

A round is a complete run of the campaign: its open findings of the unit decide which records
(rows) and which cells are shown, and the records' current values are what the unit corrects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lamsach.backends.store import Store
from lamsach.data import dataset_names, load_schema
from lamsach.domain import DatasetSchema, ErrorCode, LamsachError, Location
from lamsach.review.actions import RECORD_DECISIONS
from lamsach.review.layout import sheet_columns

_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass
class CellFindings:
    """The open findings on one cell; the worst severity decides its colour."""

    findings: list[dict] = field(default_factory=list)

    @property
    def severity(self) -> str:
        return min((f["severity"] for f in self.findings), key=lambda s: _SEVERITY_ORDER.get(s, 3))


@dataclass
class SheetPlan:
    """One dataset: its records with open findings (by key) and the findings per (key, field)."""

    schema: DatasetSchema
    rows: list[tuple[str, list[str | None]]] = field(default_factory=list)
    cells: dict[tuple[str, str], CellFindings] = field(default_factory=dict)
    # key -> (rule, key of the record to keep if the finding suggests one): the records the unit
    # may merge or retire in the action columns (a duplicate, a record it no longer sends)
    actions: dict[str, tuple[str, str | None]] = field(default_factory=dict)

    @property
    def sheet(self) -> str:
        return self.schema.name

    @property
    def fields(self) -> list[str]:
        return [f.name for f in sheet_columns(self.schema)]


@dataclass
class ExportPlan:
    campaign: str
    unit: str
    round: int
    reference_date: str | None
    sheets: list[SheetPlan] = field(default_factory=list)


def choose_round(store: Store, campaign: str, run_id: int | None) -> dict:
    """The run to export: the given one if it is a complete run of `campaign`, else the latest."""
    if run_id is None:
        run = store.latest_run(campaign)
        if run is None:
            raise LamsachError(ErrorCode.REVIEW_NO_COMPLETE_RUN, Location(), {"campaign": campaign})
        return run
    run = store.run(run_id)
    if run is None or run["campaign"] != campaign or run["status"] != "complete":
        raise LamsachError(ErrorCode.REVIEW_RUN_NOT_FOUND, Location(), {"round": run_id, "campaign": campaign})
    return run


def build_plan(store: Store, campaign: str, unit: str, run_id: int | None) -> ExportPlan:
    """The sheets of `unit`'s workbook for the chosen round, datasets in schema-file order."""
    run = choose_round(store, campaign, run_id)
    findings = store.unit_findings(run["id"], unit, status="open")
    if not findings and unit not in store.run_units(run["id"]):
        raise LamsachError(ErrorCode.REVIEW_UNIT_UNKNOWN, Location(), {"unit": unit, "round": run["id"]})
    plan = ExportPlan(campaign, unit, run["id"], run.get("reference_date"))
    by_dataset: dict[str, list[dict]] = {}
    for finding in findings:
        by_dataset.setdefault(finding["dataset"], []).append(finding)
    order = {name: i for i, name in enumerate(dataset_names())}
    for dataset in sorted(by_dataset, key=lambda d: (order.get(d, len(order)), d)):
        plan.sheets.append(_sheet(store, campaign, load_schema(dataset), by_dataset[dataset]))
    return plan


def _sheet(store: Store, campaign: str, schema: DatasetSchema, findings: list[dict]) -> SheetPlan:
    records = store.records_by_keys(campaign, schema.name, {f["record_key"] for f in findings})
    plan = SheetPlan(schema)
    names = set(plan.fields)
    for key in sorted(records):
        data = records[key].data
        plan.rows.append((key, [key if name == schema.key else _text(data.get(name)) for name in plan.fields]))
    for finding in findings:
        if finding["record_key"] not in records:
            continue  # a record removed since the run has nothing left to correct
        name = finding["field"] if finding["field"] in names else schema.key  # record-level: on the key
        plan.cells.setdefault((finding["record_key"], name), CellFindings()).findings.append(finding)
        if finding["rule"] in RECORD_DECISIONS:
            _offer(plan, finding)
    return plan


def _offer(plan: SheetPlan, finding: dict) -> None:
    """Offer the record's merge or retirement; a duplicate's suggested record to keep wins."""
    key, suggested = finding["record_key"], finding.get("suggested_value")
    # only a fuzzy or exact duplicate's suggestion is the key of the record to keep
    into = suggested if suggested and suggested != key and finding["rule"] == "duplicate_record" else None
    if key not in plan.actions or (into and not plan.actions[key][1]):
        plan.actions[key] = (finding["rule"], into)


def _text(value: object) -> str | None:
    return None if value is None else str(value)
