"""`export_correction_workbook`: a unit's correction workbook for one round of a campaign."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import xlsxwriter

from lamsach.backends.store import Store
from lamsach.domain import ErrorCode, LamsachError, Location
from lamsach.review.instructions import write_instructions
from lamsach.review.metadata import SheetMetadata, WorkbookMetadata, write_metadata
from lamsach.review.plan import ExportPlan, build_plan
from lamsach.review.sheets import Formats, write_dataset_sheet

VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")


@dataclass(frozen=True)
class WorkbookSummary:
    """What was exported: per dataset, how many records (rows) and cells to correct."""

    path: Path
    campaign: str
    unit: str
    round: int
    exported_at: str
    records_by_dataset: dict[str, int] = field(default_factory=dict)
    cells_by_dataset: dict[str, int] = field(default_factory=dict)
    findings: int = 0
    # records offered a merge or retirement in the "Xử lý" column (duplicates, withdrawn records)
    actions_by_dataset: dict[str, int] = field(default_factory=dict)

    @property
    def records(self) -> int:
        return sum(self.records_by_dataset.values())


def export_correction_workbook(store: Store, campaign: str, unit: str, path: Path,
                               run_id: int | None = None) -> WorkbookSummary:
    """Write `unit`'s correction workbook to `path` from the open findings of `run_id` (default:
    the campaign's latest complete run). A unit without open findings gets a workbook with only
    the instructions, saying so; an unknown unit or run is a `LamsachError`."""
    plan = build_plan(store, campaign, unit, run_id)
    exported_at = datetime.now(VIETNAM_TIME).isoformat(timespec="seconds")
    meta = WorkbookMetadata(campaign, unit, plan.round, exported_at, plan.reference_date,
                            [SheetMetadata(s.sheet, s.schema.name, s.fields, list(s.rows),
                                          {key: rule for key, (rule, _) in s.actions.items()})
                             for s in plan.sheets])
    _write(path, plan, meta)
    return WorkbookSummary(
        path=path, campaign=campaign, unit=unit, round=plan.round, exported_at=exported_at,
        records_by_dataset={s.schema.name: len(s.rows) for s in plan.sheets},
        cells_by_dataset={s.schema.name: len(s.cells) for s in plan.sheets},
        actions_by_dataset={s.schema.name: len(s.actions) for s in plan.sheets if s.actions},
        findings=sum(len(c.findings) for s in plan.sheets for c in s.cells.values()))


def _write(path: Path, plan: ExportPlan, meta: WorkbookMetadata) -> None:
    options = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        workbook = xlsxwriter.Workbook(str(path), options)
        workbook.set_properties({"title": f"{plan.campaign} — {plan.unit}", "author": "lamsach"})
        write_instructions(workbook, plan, meta.exported_at)
        formats = Formats(workbook)
        for sheet in plan.sheets:
            write_dataset_sheet(workbook, formats, sheet)
        write_metadata(workbook, meta)
        workbook.close()
    except OSError as exc:
        raise LamsachError(ErrorCode.OUTPUT_NOT_WRITABLE, Location(file=str(path)),
                           {"reason": exc.strerror or str(exc)}) from None
