"""The agencies' access log for the province and the inspector: every /api/v1 lookup (ID masked),
its hash chain checked on request, and a citizen's access report — who looked them up, when,
for what purpose — as the answer to the citizen's request under the personal-data law."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request

from lamsach.backends.store import access_log
from lamsach.lookups.access_report import AccessReport, access_report, local_time
from lamsach.web.errors import WebError
from lamsach.web.paging import Paging, filter_value
from lamsach.web.rendering import render, request_lang
from lamsach.web.security import CsrfChecked, Viewer, require

router = APIRouter()
PAGE_SIZE = 100
Reader = Annotated[Viewer, Depends(require("admin", "inspector"))]


@dataclass(frozen=True)
class AccessPage:
    entries: list[dict] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1
    client: str | None = None
    chain: access_log.ChainReport | None = None  # when asked to verify


@dataclass(frozen=True)
class CitizenPage:
    report: AccessReport | None = None
    error: str | None = None  # a key of `access.*` wording


@router.get("/audit/access")
def access_page(request: Request, viewer: Reader, client: str | None = None, page: int = 1, verify: int = 0):
    store = request.app.state.store
    paging = Paging.of(page, PAGE_SIZE)
    rows, total = access_log.entries(store, paging.size, paging.offset, filter_value(client))
    entries = [{**r, "at": local_time(r["at"])} for r in rows]
    chain = access_log.verify(store) if verify else None
    return render(request, "access_log.html", AccessPage(entries, total, paging.page, paging.pages(total),
                                                         client, chain))


@router.get("/audit/citizen")
def citizen_form(request: Request, viewer: Reader):
    return render(request, "citizen_report.html", CitizenPage())


@router.post("/audit/citizen")
def citizen_report(request: Request, viewer: CsrfChecked, citizen_id: Annotated[str, Form()] = ""):
    """A POST, so the ID is in no URL, history or server log."""
    if not viewer.can_read_audit:
        raise WebError("FORBIDDEN", 403)
    citizen_id = citizen_id.strip()
    if not re.fullmatch(r"[0-9]{12}", citizen_id):
        return render(request, "citizen_report.html", CitizenPage(error="id_invalid"), status=400)
    config = request.app.state.config
    report = access_report(request.app.state.store, config.settings.data_dir, citizen_id, request_lang(request),
                           key=getattr(request.app.state, "access_key", None))
    return render(request, "citizen_report.html", CitizenPage(report))
