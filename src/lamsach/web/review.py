"""The review queue: the latest run's findings under filters, and what an officer does with one —
accept its suggestion, type a value, dismiss it with a reason, or accept every suggestion of a
rule in a unit. A change is a new version (source "person"); the campaign's pass then runs again
in the background to re-check, and the dashboard moves when it ends."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from lamsach.backends.store import ValueChange
from lamsach.backends.store import finding_queries as q
from lamsach.campaign import CampaignSpec
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
    bulk_count: int = 0  # open suggestions of the filtered rule in the filtered unit
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


@lru_cache(maxsize=512)
def _page(store, run_id: int, where: q.FindingFilter, limit: int, offset: int) -> tuple[tuple[dict, ...], int]:
    """A run's findings never change once stored: a page, its count and facets are kept."""
    rows, total = q.findings_page(store, run_id, where, limit, offset)
    return tuple(rows), total


@lru_cache(maxsize=128)
def _facets(store, run_id: int, unit: str | None) -> dict[str, list[str]]:
    return q.finding_facets(store, run_id, unit)


def latest_run_id(request: Request, spec: CampaignSpec) -> int | None:
    run = request.app.state.store.latest_run(spec.name)
    return run["id"] if run else None


def finding_view(f: dict, viewer: Viewer, action: str | None = None) -> FindingView:
    full = viewer.sees_ids(f["unit"])
    show = (lambda v: v) if full else mask_text
    return FindingView(f["id"], f["dataset"], f["record_key"], f["unit"], unit_label(f["unit"]), f["field"],
                       field_label(f["dataset"], f["field"]), f["criterion"], f["rule"], f["severity"], f["status"],
                       show(f["message"]) or "", show(f["suggested_value"]), action,
                       viewer.can_edit_unit(f["unit"]) and f["status"] == "open")


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
    rows, total = _page(store, run_id, where, size, (page - 1) * size)
    acted = _actions(request, spec, run, rows)
    views = [finding_view(f, viewer, acted.get((f["dataset"], f["record_key"], f["field"]))) for f in rows]
    bulk = len(q.open_suggestions(store, run_id, where.unit, where.rule)) if where.unit and where.rule else 0
    result = QueuePage(spec.name, run_id, where, _facets(store, run_id, where.unit), views, total, page,
                       max(1, -(-total // size)), bulk, request.query_params.get("notice"),
                       viewer.role == "officer")
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


def _apply_and_recheck(request: Request, spec: CampaignSpec, viewer: Viewer, changes: list[ValueChange]) -> int:
    applied = request.app.state.store.apply_changes(spec.name, changes, viewer.username)
    request.app.state.jobs.submit("recheck", spec, viewer.username, viewer.unit)
    return applied


def _row(request: Request, viewer: Viewer, found: dict, action: str, notice: str):
    return render(request, "_finding_row.html", FindingRow(finding_view(found, viewer, action), notice))


def _editable_field(found: dict) -> None:
    if found["field"] not in dataset_fields(found["dataset"]):
        raise WebError("FINDING_NOT_EDITABLE", 400)


@router.post("/queue/{finding_id}/accept")
def accept(request: Request, finding_id: int, viewer: Editor, spec: Campaign):
    found = _finding_for_edit(request, spec, viewer, finding_id)
    _editable_field(found)
    if found["suggested_value"] is None:
        raise WebError("NO_SUGGESTION", 400)
    t = Words("vi")
    _apply_and_recheck(request, spec, viewer, [ValueChange(
        found["dataset"], found["record_key"], found["field"], found["suggested_value"], SOURCE,
        t("queue.reason_accepted", rule=found["rule"]), found["rule"])])
    return _row(request, viewer, found, "edited", "queue.notice_accepted")


@router.post("/queue/{finding_id}/edit")
def edit(request: Request, finding_id: int, value: Annotated[str, Form()], viewer: Editor, spec: Campaign,
         reason: Annotated[str, Form()] = ""):
    found = _finding_for_edit(request, spec, viewer, finding_id)
    _editable_field(found)
    text = value.strip() or None
    why = reason.strip() or Words("vi")("queue.reason_edited", rule=found["rule"])
    _apply_and_recheck(request, spec, viewer, [ValueChange(
        found["dataset"], found["record_key"], found["field"], text, SOURCE, why, found["rule"])])
    return _row(request, viewer, found, "edited", "queue.notice_edited")


@router.post("/queue/{finding_id}/dismiss")
def dismiss(request: Request, finding_id: int, viewer: Editor, spec: Campaign,
            reason: Annotated[str, Form()] = ""):
    found = _finding_for_edit(request, spec, viewer, finding_id)
    if not reason.strip():
        raise WebError("REASON_REQUIRED", 400)
    store = request.app.state.store
    record = store.record(spec.name, found["dataset"], found["record_key"])
    value = record.data.get(found["field"]) if record else None
    store.decide_finding(spec.name, found["dataset"], found["record_key"], found["field"], found["rule"],
                         "dismissed", value, viewer.username, reason.strip())
    request.app.state.jobs.submit("recheck", spec, viewer.username, viewer.unit)
    return _row(request, viewer, found, "dismissed", "queue.notice_dismissed")


@router.post("/queue/accept-rule")
def accept_rule(request: Request, unit: Annotated[str, Form()], rule: Annotated[str, Form()], viewer: Editor,
                spec: Campaign):
    if not viewer.can_edit_unit(unit):
        raise WebError("FORBIDDEN_UNIT", 403, {"unit": unit})
    run_id = latest_run_id(request, spec)
    rows = q.open_suggestions(request.app.state.store, run_id, unit, rule) if run_id else []
    t = Words("vi")
    changes = [ValueChange(f["dataset"], f["record_key"], f["field"], f["suggested_value"], SOURCE,
                           t("queue.reason_accepted", rule=rule), rule) for f in rows if f["field"] in dataset_fields(f["dataset"])]
    applied = _apply_and_recheck(request, spec, viewer, changes) if changes else 0
    target = f"/queue?{QueuePage(spec.name, run_id, q.FindingFilter(unit=unit, rule=rule), {}).query()}"
    target += f"&notice=queue.notice_bulk&applied={applied}"
    if is_htmx(request):
        from fastapi.responses import Response

        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)
