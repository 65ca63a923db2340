"""The record page: every field's current value and its history (value, source, who, when, why),
with undo. Opening a person's record needs a purpose from the list, and every opening is logged;
ID numbers show in full only to those who need them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from lamsach.backends.store import finding_queries as q
from lamsach.backends.store.users import log_access
from lamsach.campaign import CampaignSpec
from lamsach.web.campaigns import Campaign
from lamsach.web.errors import WebError
from lamsach.web.labels import dataset_fields, field_label, id_fields, time_label, unit_label
from lamsach.web.masking import mask_id, mask_text
from lamsach.web.rendering import render
from lamsach.web.security import Editor, SignedIn, Viewer
from lamsach.web.wording import purposes

router = APIRouter()


@dataclass(frozen=True)
class ChangeView:
    id: int
    version: int
    old_value: str | None
    new_value: str | None
    source: str
    rule: str | None
    actor: str
    at: str
    reason: str | None
    undoes: int | None
    undone: bool  # a later change undid this one


@dataclass(frozen=True)
class FieldView:
    name: str
    label: str
    value: str | None
    masked: bool
    history: list[ChangeView] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class RecordPage:
    campaign: str
    dataset: str
    key: str
    unit: str | None
    unit_label: str
    version: int
    purpose: str
    fields: list[FieldView]
    can_undo: bool
    ids_in_full: bool
    notice: str | None = None
    documents: list[dict] = field(default_factory=list)  # archived documents tied to the record

    @property
    def url(self) -> str:
        return record_url(self.dataset, self.key, self.purpose)


@dataclass(frozen=True)
class PurposePage:
    """Asked before a person's record opens: why, from the list (logged with the view)."""

    campaign: str
    dataset: str
    key: str
    unit_label: str


def record_url(dataset: str, key: str, purpose: str | None = None) -> str:
    query = f"?{urlencode({'purpose': purpose})}" if purpose else ""
    return f"/records/{quote(dataset)}/{quote(key, safe='')}{query}"


def _record(request: Request, spec: CampaignSpec, viewer: Viewer, dataset: str, key: str):
    record = request.app.state.store.record(spec.name, dataset, key)
    if record is None:
        raise WebError("RECORD_NOT_FOUND", 404, {"dataset": dataset, "key": key})
    if not viewer.can_see_unit(record.unit):
        raise WebError("FORBIDDEN_UNIT", 403, {"unit": record.unit or "–"})
    return record


@router.get("/records/{dataset}/{key}")
def record_page(request: Request, dataset: str, key: str, viewer: SignedIn, spec: Campaign,
                purpose: str | None = None, notice: str | None = None):
    store = request.app.state.store
    record = _record(request, spec, viewer, dataset, key)
    if purpose not in purposes():
        return render(request, "record_purpose.html", PurposePage(spec.name, dataset, key, unit_label(record.unit)))
    log_access(store, viewer.username, viewer.role, "view_record", dataset=dataset, record_key=key,
               unit=record.unit, purpose=purpose)
    full = viewer.sees_ids(record.unit, purpose)
    ids = id_fields(dataset)
    history = store.history(spec.name, dataset, key)
    undone = {c.undoes for c in history if c.undoes}
    run = store.latest_run(spec.name)
    findings = q.record_findings(store, run["id"], dataset, key) if run else []

    def show(name: str, value: str | None) -> str | None:
        return value if full else (mask_id(value) if name in ids else mask_text(value))

    views = []
    for name in [*dataset_fields(dataset), *(n for n in record.data if n not in dataset_fields(dataset))]:
        changes = [ChangeView(c.id, c.version, show(name, c.old_value), show(name, c.new_value), c.source, c.rule,
                              c.actor, time_label(c.at), c.reason if full else mask_text(c.reason),
                              c.undoes, c.id in undone) for c in history if c.field == name]
        mine = [{"rule": f["rule"], "criterion": f["criterion"], "status": f["status"],
                 "message": f["message"] if full else mask_text(f["message"])} for f in findings if f["field"] == name]
        views.append(FieldView(name, field_label(dataset, name), show(name, record.data.get(name)),
                               not full and name in ids, changes, mine))
    return render(request, "record.html", RecordPage(
        spec.name, dataset, key, record.unit, unit_label(record.unit), record.version, purpose, views,
        viewer.can_edit_unit(record.unit), full, notice, _documents(store, spec.name, dataset, key, viewer)))


def _documents(store, campaign: str, dataset: str, key: str, viewer: Viewer) -> list[dict]:
    """The record's archived documents the viewer may open (confirmed and suggested)."""
    from lamsach.archive import may_open, record_documents

    return [d for d in record_documents(store, campaign, dataset, key)
            if may_open(d["access_level"], viewer.role, viewer.unit, d["unit"])]


@router.post("/records/{dataset}/{key}/undo/{change_id}")
def undo(request: Request, dataset: str, key: str, change_id: int, viewer: Editor, spec: Campaign,
         reason: Annotated[str, Form()] = "", purpose: Annotated[str, Form()] = ""):
    store = request.app.state.store
    record = _record(request, spec, viewer, dataset, key)
    if not viewer.can_edit_unit(record.unit):
        raise WebError("FORBIDDEN_UNIT", 403, {"unit": record.unit or "–"})
    if change_id not in {c.id for c in store.history(spec.name, dataset, key)}:
        raise WebError("CHANGE_NOT_FOUND", 404, {"id": change_id})
    if not reason.strip():
        raise WebError("REASON_REQUIRED", 400)
    store.undo(spec.name, change_id, viewer.username, reason.strip())
    request.app.state.jobs.submit("recheck", spec, viewer.username, viewer.unit)
    target = record_url(dataset, key, purpose if purpose in purposes() else None)
    separator = "&" if "?" in target else "?"
    return RedirectResponse(f"{target}{separator}notice=record.notice_undone", status_code=303)
