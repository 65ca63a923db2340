"""The change log: every change of every record of the campaign — what value, from which source,
by whom, when and why — newest first, narrowed by unit, dataset, source and person. The
inspector's "history of every change"; an officer sees the own unit's. Values are masked as on
the queue (no purpose was given for any one person), and each view of the log is itself logged."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from urllib.parse import urlencode

from fastapi import APIRouter, Request

from lamsach.backends.store import finding_queries as q
from lamsach.backends.store.users import log_access
from lamsach.web.campaigns import Campaign
from lamsach.web.downloads import csv_download
from lamsach.web.labels import field_label, time_label, unit_label
from lamsach.web.masking import mask_text
from lamsach.web.paging import Paging
from lamsach.web.records import record_url
from lamsach.web.rendering import render, request_lang
from lamsach.web.security import SignedIn, Viewer
from lamsach.web.wording import Words

router = APIRouter()
PAGE_SIZE = 50  # as the review queue: a page an officer reads, not a dump


@dataclass(frozen=True)
class ChangeRow:
    at: str
    actor: str
    source: str
    dataset: str
    record_key: str
    record_url: str
    unit_label: str
    field_label: str
    old_value: str
    new_value: str
    reason: str
    rule: str | None
    undoes: int | None


@dataclass(frozen=True)
class ChangeLogPage:
    campaign: str
    filters: q.ChangeFilter
    sources: list[str]
    units: list[tuple[str, str]]
    rows: list[ChangeRow] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1
    unit_locked: bool = False

    def query(self, **changes) -> str:
        values = {f.name: getattr(self.filters, f.name) for f in fields(self.filters)} | changes
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})


def _filter(viewer: Viewer, unit: str | None, dataset: str | None, source: str | None, actor: str | None,
            record_key: str | None) -> q.ChangeFilter:
    return q.ChangeFilter(viewer.scope_unit(unit or None), dataset or None, source or None, actor or None,
                          (record_key or "").strip() or None)


def _row(viewer: Viewer, c: dict) -> ChangeRow:
    show = (lambda v: v or "") if viewer.sees_ids(c["unit"]) else (lambda v: mask_text(v) or "")
    return ChangeRow(time_label(c["at"]), c["actor"], c["source"], c["dataset"],
                     c["record_key"], record_url(c["dataset"], c["record_key"]), unit_label(c["unit"]),
                     field_label(c["dataset"], c["field"]), show(c["old_value"]), show(c["new_value"]),
                     show(c["reason"]), c["rule"], c["undoes"])


@router.get("/changes")
def change_log(request: Request, viewer: SignedIn, spec: Campaign, unit: str | None = None,
               dataset: str | None = None, source: str | None = None, actor: str | None = None,
               record_key: str | None = None, page: int = 1):
    store = request.app.state.store
    where = _filter(viewer, unit, dataset, source, actor, record_key)
    paging = Paging.of(page, PAGE_SIZE)
    found, total = q.change_log(store, spec.name, where, paging.size, paging.offset)
    rows = [_row(viewer, c) for c in found]
    log_access(store, viewer.username, viewer.role, "view_changes", unit=where.unit,
               record_key=where.record_key, dataset=where.dataset,
               detail=f"page={paging.page} {where.source or ''} {where.actor or ''}".strip())
    units = sorted({s.unit for s in spec.manifest.sources if s.unit} | set(spec.units))
    return render(request, "change_log.html", ChangeLogPage(
        spec.name, where, q.change_sources(store, spec.name), [(u, unit_label(u)) for u in units], rows, total,
        paging.page, paging.pages(total), viewer.role == "officer"))


@router.get("/changes.csv")
def change_log_csv(request: Request, viewer: SignedIn, spec: Campaign, unit: str | None = None,
                   dataset: str | None = None, source: str | None = None, actor: str | None = None,
                   record_key: str | None = None):
    """Every matching change as CSV for Excel, masked as the page is; the export is logged."""
    store = request.app.state.store
    where = _filter(viewer, unit, dataset, source, actor, record_key)
    log_access(store, viewer.username, viewer.role, "export_changes", unit=where.unit, dataset=where.dataset,
               record_key=where.record_key, detail=f"{where.source or ''} {where.actor or ''}".strip() or None)
    words = Words(request_lang(request))
    header = [words(f"changes.{k}") for k in ("at", "actor", "source", "record", "dataset", "unit", "field", "old",
                                                "new", "reason", "rule")]

    def cells(c: dict) -> list:
        r = _row(viewer, c)
        return [r.at, r.actor, words(f"sources.{r.source}"), r.record_key, words(f"datasets.{r.dataset}"),
                r.unit_label, r.field_label, r.old_value, r.new_value, r.reason, r.rule or ""]

    return csv_download("lich-su-thay-doi.csv", header,
                        lambda limit, offset: q.change_log(store, spec.name, where, limit, offset)[0], cells)
