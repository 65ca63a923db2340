"""The audit log: who opened which person's record, who looked what up through the API, and
sign-in failures, with the purpose given. Read by the province and the inspector."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from lamsach.backends.store.users import audit_entries
from lamsach.web.downloads import csv_download
from lamsach.web.labels import time_label
from lamsach.web.masking import mask_text
from lamsach.web.paging import Paging, filter_value
from lamsach.web.rendering import render, request_lang
from lamsach.web.security import Viewer, require
from lamsach.web.wording import Words, purposes

router = APIRouter()
PAGE_SIZE = 100


@dataclass(frozen=True)
class AuditPage:
    entries: list[dict] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1
    actor: str | None = None
    action: str | None = None


def _entry(viewer: Viewer, r: dict) -> dict:
    return {**r, "at": time_label(r["at"]),
            "detail": r["detail"] if viewer.sees_ids(r["unit"]) else mask_text(r["detail"])}


@router.get("/audit")
def audit_log(request: Request, viewer: Annotated[Viewer, Depends(require("admin", "inspector"))],
              actor: str | None = None, action: str | None = None, page: int = 1):
    paging = Paging.of(page, PAGE_SIZE)
    rows, total = audit_entries(request.app.state.store, paging.size, paging.offset, filter_value(actor),
                                filter_value(action))
    entries = [_entry(viewer, r) for r in rows]
    return render(request, "audit_log.html", AuditPage(entries, total, paging.page, paging.pages(total),
                                                       actor, action))


@router.get("/audit.csv")
def audit_log_csv(request: Request, viewer: Annotated[Viewer, Depends(require("admin", "inspector"))],
                  actor: str | None = None, action: str | None = None):
    """The whole matching log as CSV for Excel, newest first, masked as the page is."""
    store = request.app.state.store
    t = Words(request_lang(request))
    header = [t(f"audit.{k}") for k in ("at", "actor", "action", "record", "unit", "purpose", "detail")]
    names = purposes()

    def cells(r: dict) -> list:
        e = _entry(viewer, r)
        purpose = names.get(e["purpose"] or "", {}).get(t.lang, e["purpose"] or "")
        record = f"{t('datasets.' + e['dataset']) if e['dataset'] else ''} {e['record_key'] or ''}".strip()
        return [e["at"], e["actor"], t(f"audit.actions.{e['action']}"), record, e["unit"] or "", purpose,
                e["detail"] or ""]

    return csv_download("nhat-ky-truy-cap.csv", header,
                        lambda limit, offset: audit_entries(store, limit, offset, filter_value(actor),
                                                            filter_value(action))[0],
                        cells)
