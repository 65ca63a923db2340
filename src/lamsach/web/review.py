"""The review queue: the latest run's findings under filters, and what an officer does with one —
accept its suggestion, type a value, dismiss it with a reason, or accept every suggestion of a
rule in a unit. A change is a new version (source "person"); the campaign's pass then runs again
in the background to re-check, and the dashboard moves when it ends."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from lamsach.backends.store import finding_queries as q
from lamsach.campaign import CampaignSpec
from lamsach.review.actions import (
    RECORD_DECISIONS,
    accept_suggestions,
    dismiss_finding,
    is_cell_finding,
    set_value,
)
from lamsach.web.campaigns import Campaign
from lamsach.web.errors import WebError
from lamsach.web.labels import dataset_fields, field_label, unit_label
from lamsach.web.masking import mask_text
from lamsach.web.rendering import is_htmx, render
from lamsach.web.security import Editor, SignedIn, Viewer
from lamsach.web.wording import Words

router = APIRouter()
SOURCE = "person"


@dataclass(frozen=True)
class FindingView:
    id: int
    dataset: str
    record_key: str
    unit: str | None
    unit_label: str
    field: str
    field_label: str
    criterion: str
    rule: str
    severity: str
    status: str
    message: str
    suggested_value: str | None
    action: str | None  # "edited" or "dismissed" since the run: waiting for the re-check
    editable: bool
    record_decision: bool = False  # decided on the record page: merge or retire


@dataclass(frozen=True)
class QueuePage:
    campaign: str
    run_id: int | None
    filters: q.FindingFilter
    facets: dict[str, list[str]]
    findings: list[FindingView] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1
    bulk_count: int = 0  # values "accept all" would change: open suggestions the filters select
    bulk_records: int = 0  # of how many records
    notice: str | None = None
    unit_locked: bool = False  # an officer sees only the own unit

    def query(self, **changes) -> str:
        """The query string of this view with `changes` (page links, filters)."""
        values = {f.name: getattr(self.filters, f.name) for f in fields(self.filters)} | changes
        values["campaign"] = self.campaign
        from urllib.parse import urlencode

        return urlencode({k: v for k, v in values.items() if v not in (None, "")})


@dataclass(frozen=True)
class FindingRow:
    """The `_finding_row.html` fragment an action swaps in."""

    finding: FindingView
    notice: str | None = None


def _page(request: Request, run_id: int, where: q.FindingFilter, limit: int, offset: int) -> tuple[tuple[dict, ...], int]:
    """A run's findings never change once stored: a page and its count are kept (on the app)."""
    store = request.app.state.store

    def compute():
        rows, total = q.findings_page(store, run_id, where, limit, offset)
        return tuple(rows), total

    return request.app.state.caches.queue_pages.get((run_id, where, limit, offset), compute)


def _facets(request: Request, run_id: int, unit: str | None) -> dict[str, list[str]]:
    store = request.app.state.store
    return request.app.state.caches.facets.get((run_id, unit), lambda: q.finding_facets(store, run_id, unit))


def latest_run_id(request: Request, spec: CampaignSpec) -> int | None:
    run = request.app.state.store.latest_run(spec.name)
    return run["id"] if run else None


def finding_view(f: dict, viewer: Viewer, action: str | None = None) -> FindingView:
    full = viewer.sees_ids(f["unit"])
    show = (lambda v: v) if full else mask_text
    return FindingView(f["id"], f["dataset"], f["record_key"], f["unit"], unit_label(f["unit"]), f["field"],
                       field_label(f["dataset"], f["field"]), f["criterion"], f["rule"], f["severity"], f["status"],
                       show(f["message"]) or "", show(f["suggested_value"]), action,
                       viewer.can_edit_unit(f["unit"]) and f["status"] == "open", f["rule"] in RECORD_DECISIONS)


def _actions(request: Request, spec: CampaignSpec, run: dict, rows: list[dict]) -> dict:
    """What officers did to the page's cells since `run` started, waiting for the re-check."""
    cells = [(f["dataset"], f["record_key"], f["field"]) for f in rows]
    return q.acted_since(request.app.state.store, spec.name, run["started_at"], cells)


@router.get("/queue")
def queue(request: Request, viewer: SignedIn, spec: Campaign, unit: str | None = None,
          dataset: str | None = None, criterion: str | None = None, rule: str | None = None, severity: str | None = None, status: str | None = "open",
          record_key: str | None = None, page: int = 1):
    store, size = request.app.state.store, request.app.state.config.page_size
    where = q.FindingFilter(viewer.scope_unit(unit), dataset or None, criterion or None, rule or None,
                            severity or None, status or None, record_key or None)
    run = store.latest_run(spec.name)
    if run is None:
        return render(request, "review_queue.html", QueuePage(spec.name, None, where, {}))
    run_id, page = run["id"], max(page, 1)
    rows, total = _page(request, run_id, where, size, (page - 1) * size)
    acted = _actions(request, spec, run, rows)
    views = [finding_view(f, viewer, acted.get((f["dataset"], f["record_key"], f["field"]))) for f in rows]
    bulk = _bulk_cells(store, run_id, where) if where.unit and where.rule else []
    result = QueuePage(spec.name, run_id, where, _facets(request, run_id, where.unit), views, total, page,
                       max(1, -(-total // size)), len(bulk), len({f["record_key"] for f in bulk}),
                       request.query_params.get("notice"), viewer.role == "officer")
    return render(request, "_queue_table.html" if is_htmx(request) else "review_queue.html", result)


def _finding_for_edit(request: Request, spec: CampaignSpec, viewer: Viewer, finding_id: int) -> dict:
    store = request.app.state.store
    found = q.finding_by_id(store, finding_id)
    run = store.run(found["run_id"]) if found else None
    if found is None or run is None or run["campaign"] != spec.name:
        raise WebError("FINDING_NOT_FOUND", 404, {"id": finding_id})
    if not viewer.can_edit_unit(found["unit"]):
        raise WebError("FORBIDDEN_UNIT", 403, {"unit": found["unit"] or "–"})
    return found


def _row(request: Request, viewer: Viewer, found: dict, action: str, notice: str):
    return render(request, "_finding_row.html", FindingRow(finding_view(found, viewer, action), notice))


def _editable_field(found: dict) -> None:
    if not is_cell_finding(found, dataset_fields(found["dataset"])):
        raise WebError("FINDING_NOT_EDITABLE", 400)


@router.post("/queue/{finding_id}/accept")
def accept(request: Request, finding_id: int, viewer: Editor, spec: Campaign):
    found = _finding_for_edit(request, spec, viewer, finding_id)
    _editable_field(found)
    if found["suggested_value"] is None:
        raise WebError("NO_SUGGESTION", 400)
    t = Words("vi")
    accept_suggestions(request.app.state.store, spec.name, [found], viewer.username, SOURCE,
                       t("queue.reason_accepted", rule=t.rule(found["rule"])))
    request.app.state.jobs.submit("recheck", spec, viewer.username, viewer.unit)
    return _row(request, viewer, found, "edited", "queue.notice_accepted")


@router.post("/queue/{finding_id}/edit")
def edit(request: Request, finding_id: int, value: Annotated[str, Form()], viewer: Editor, spec: Campaign,
         reason: Annotated[str, Form()] = ""):
    found = _finding_for_edit(request, spec, viewer, finding_id)
    _editable_field(found)
    why = reason.strip() or Words("vi")("queue.reason_edited", rule=Words("vi").rule(found["rule"]))
    set_value(request.app.state.store, spec.name, found, value, viewer.username, SOURCE, why)
    request.app.state.jobs.submit("recheck", spec, viewer.username, viewer.unit)
    return _row(request, viewer, found, "edited", "queue.notice_edited")


@router.post("/queue/{finding_id}/dismiss")
def dismiss(request: Request, finding_id: int, viewer: Editor, spec: Campaign,
            reason: Annotated[str, Form()] = ""):
    found = _finding_for_edit(request, spec, viewer, finding_id)
    if not reason.strip():
        raise WebError("REASON_REQUIRED", 400)
    dismiss_finding(request.app.state.store, spec.name, found["dataset"], found["record_key"], found["field"],
                    found["rule"], viewer.username, reason)
    request.app.state.jobs.submit("recheck", spec, viewer.username, viewer.unit)
    return _row(request, viewer, found, "dismissed", "queue.notice_dismissed")


def _bulk_cells(store, run_id: int, where: q.FindingFilter) -> list[dict]:
    """The cells "accept all" changes: one suggestion per (dataset, record, field) among the open
    findings the filters select, on fields an officer may edit (the first finding's suggestion
    when two rules suggest for one cell)."""
    cells: dict[tuple[str, str, str], dict] = {}
    for f in q.selected_suggestions(store, run_id, where):
        if is_cell_finding(f, dataset_fields(f["dataset"])):
            cells.setdefault((f["dataset"], f["record_key"], f["field"]), f)
    return list(cells.values())


@dataclass(frozen=True)
class BulkChange:
    record_key: str
    dataset: str
    field_label: str
    current: str | None
    suggested: str | None


@dataclass(frozen=True)
class BulkPreview:
    """What "accept all" will change, shown before it acts: each value of each record."""

    campaign: str
    filters: q.FindingFilter
    changes: list[BulkChange]
    records: int
    hidden: dict[str, str]  # the filters, carried by the confirming form


BULK_FILTERS = ("unit", "dataset", "criterion", "rule", "severity", "record_key")


def _bulk_filter(viewer: Viewer, values: dict[str, str | None]) -> q.FindingFilter:
    unit = values.get("unit") or None
    if not unit or not values.get("rule"):
        raise WebError("BULK_NEEDS_UNIT_AND_RULE", 400)
    if not viewer.can_edit_unit(unit):
        raise WebError("FORBIDDEN_UNIT", 403, {"unit": unit})
    return q.FindingFilter(unit, values.get("dataset") or None, values.get("criterion") or None,
                           values.get("rule") or None, values.get("severity") or None, "open",
                           values.get("record_key") or None)


@router.get("/queue/accept-all")
def accept_all_preview(request: Request, viewer: SignedIn, spec: Campaign, unit: str | None = None,
                       dataset: str | None = None, criterion: str | None = None, rule: str | None = None,
                       severity: str | None = None, record_key: str | None = None):
    """The confirmation page: how many values of which records will change, old and new."""
    where = _bulk_filter(viewer, {"unit": unit, "dataset": dataset, "criterion": criterion, "rule": rule,
                                  "severity": severity, "record_key": record_key})
    store, run_id = request.app.state.store, latest_run_id(request, spec)
    cells = _bulk_cells(store, run_id, where) if run_id else []
    show = (lambda v: v) if viewer.sees_ids(where.unit) else mask_text
    changes = []
    for f in cells:
        record = store.record(spec.name, f["dataset"], f["record_key"])
        current = record.data.get(f["field"]) if record else None
        changes.append(BulkChange(f["record_key"], f["dataset"], field_label(f["dataset"], f["field"]),
                                  show(None if current is None else str(current)), show(f["suggested_value"])))
    hidden = {name: getattr(where, name) for name in BULK_FILTERS if getattr(where, name)}
    return render(request, "accept_all.html", BulkPreview(spec.name, where, changes,
                                                          len({c.record_key for c in changes}), hidden))


@router.post("/queue/accept-rule")
def accept_rule(request: Request, viewer: Editor, spec: Campaign, unit: Annotated[str, Form()],
                rule: Annotated[str, Form()], expected: Annotated[int, Form()],
                dataset: Annotated[str, Form()] = "", criterion: Annotated[str, Form()] = "",
                severity: Annotated[str, Form()] = "", record_key: Annotated[str, Form()] = ""):
    """Accepts exactly the suggestions the filters select; `expected` is the count the officer
    confirmed, and a selection that changed since (a re-check ended) is refused, not applied."""
    where = _bulk_filter(viewer, {"unit": unit, "dataset": dataset, "criterion": criterion, "rule": rule,
                                  "severity": severity, "record_key": record_key})
    run_id = latest_run_id(request, spec)
    cells = _bulk_cells(request.app.state.store, run_id, where) if run_id else []
    if len(cells) != expected:
        raise WebError("BULK_SELECTION_CHANGED", 409, {"expected": expected, "now": len(cells)})
    t = Words("vi")
    applied = 0
    for rule in sorted({f["rule"] for f in cells}):
        applied += accept_suggestions(request.app.state.store, spec.name, [f for f in cells if f["rule"] == rule],
                                      viewer.username, SOURCE, t("queue.reason_accepted", rule=t.rule(rule)))
    if applied:
        request.app.state.jobs.submit("recheck", spec, viewer.username, viewer.unit)
    target = f"/queue?{QueuePage(spec.name, run_id, replace(where, status=None), {}).query()}"
    target += f"&notice=queue.notice_bulk&applied={applied}"
    if is_htmx(request):
        from fastapi.responses import Response

        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)
