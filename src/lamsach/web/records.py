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
from lamsach.domain.lifecycle import STATE_FIELD, state_of
from lamsach.review.lifecycle import merge_record, retire_record
from lamsach.web.campaigns import Campaign
from lamsach.web.errors import WebError
from lamsach.web.labels import dataset_fields, field_label, id_fields, time_label, unit_label, value_label
from lamsach.web.masking import mask_id, mask_text
from lamsach.web.rendering import render, request_lang
from lamsach.web.security import Editor, SignedIn, Viewer
from lamsach.web.wording import Words, purposes

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
    state: str | None = None  # "merged", "retired" or None: in use
    merged_into: str | None = None
    record_findings: list[dict] = field(default_factory=list)  # findings about the whole record
    duplicate_of: str | None = None  # the record an open duplicate finding names: the one to keep

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
        return value_label(dataset, name, value) if full else (mask_id(value) if name in ids else mask_text(value))

    views = []
    for name in [*dataset_fields(dataset), *(n for n in record.data if n not in dataset_fields(dataset))]:
        if name == STATE_FIELD:
            continue
        changes = [ChangeView(c.id, c.version, show(name, c.old_value), show(name, c.new_value), c.source, c.rule,
                              c.actor, time_label(c.at), c.reason if full else mask_text(c.reason),
                              c.undoes, c.id in undone) for c in history if c.field == name]
        mine = [{"rule": f["rule"], "criterion": f["criterion"], "status": f["status"],
                 "message": f["message"] if full else mask_text(f["message"])} for f in findings if f["field"] == name]
        views.append(FieldView(name, field_label(dataset, name), show(name, record.data.get(name)),
                               not full and name in ids, changes, mine))
    state, into = state_of(record.data)
    whole = [{"rule": f["rule"], "criterion": f["criterion"], "status": f["status"],
              "message": f["message"] if full else mask_text(f["message"])}
             for f in findings if f["field"] not in dataset_fields(dataset)]
    duplicate_of = next((f["suggested_value"] for f in findings if f["rule"] == "duplicate_record"
                         and f["status"] == "open" and f["suggested_value"] and f["suggested_value"] != key), None)
    state_changes = [ChangeView(c.id, c.version, c.old_value, c.new_value, c.source, c.rule, c.actor, time_label(c.at),
                                c.reason if full else mask_text(c.reason), c.undoes, c.id in undone)
                     for c in history if c.field == STATE_FIELD]
    if state_changes:
        views.append(FieldView(STATE_FIELD, Words(request_lang(request))("record.state_field"), None, False,
                               state_changes))
    return render(request, "record.html", RecordPage(
        spec.name, dataset, key, record.unit, unit_label(record.unit), record.version, purpose, views,
        viewer.can_edit_unit(record.unit), full, notice, _documents(store, spec.name, dataset, key, viewer),
        state, into, whole, duplicate_of))


def _decided(request: Request, spec: CampaignSpec, viewer: Viewer, dataset: str, key: str, purpose: str,
             notice: str):
    request.app.state.jobs.submit("recheck", spec, viewer.username, viewer.unit)
    target = record_url(dataset, key, purpose if purpose in purposes() else None)
    separator = "&" if "?" in target else "?"
    return RedirectResponse(f"{target}{separator}notice={notice}", status_code=303)


@router.post("/records/{dataset}/{key}/merge")
def merge(request: Request, dataset: str, key: str, viewer: Editor, spec: Campaign,
          into: Annotated[str, Form()], reason: Annotated[str, Form()] = "", purpose: Annotated[str, Form()] = ""):
    """Merge this record into `into`, the one kept (the same unit's record)."""
    record = _record(request, spec, viewer, dataset, key)
    kept = _record(request, spec, viewer, dataset, into.strip())
    for unit in (record.unit, kept.unit):
        if not viewer.can_edit_unit(unit):
            raise WebError("FORBIDDEN_UNIT", 403, {"unit": unit or "–"})
    merge_record(request.app.state.store, spec.name, dataset, key, into.strip(), viewer.username, reason)
    return _decided(request, spec, viewer, dataset, key, purpose, "record.notice_merged")


@router.post("/records/{dataset}/{key}/retire")
def retire(request: Request, dataset: str, key: str, viewer: Editor, spec: Campaign,
           reason: Annotated[str, Form()] = "", purpose: Annotated[str, Form()] = ""):
    """Stop using this record (withdrawn by its unit, entered by mistake): kept with its history."""
    record = _record(request, spec, viewer, dataset, key)
    if not viewer.can_edit_unit(record.unit):
        raise WebError("FORBIDDEN_UNIT", 403, {"unit": record.unit or "–"})
    retire_record(request.app.state.store, spec.name, dataset, key, viewer.username, reason, rule="withdrawn_by_unit")
    return _decided(request, spec, viewer, dataset, key, purpose, "record.notice_retired")


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
