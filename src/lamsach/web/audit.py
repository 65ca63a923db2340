"""The audit log: who opened which person's record, who looked what up through the API, and
sign-in failures, with the purpose given. Read by the province and the inspector."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from lamsach.backends.store.users import audit_entries
from lamsach.web.masking import mask_text
from lamsach.web.rendering import render
from lamsach.web.security import Viewer, require

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


@router.get("/audit")
def audit_log(request: Request, viewer: Annotated[Viewer, Depends(require("admin", "inspector"))],
              actor: str | None = None, action: str | None = None, page: int = 1):
    page = max(page, 1)
    rows, total = audit_entries(request.app.state.store, PAGE_SIZE, (page - 1) * PAGE_SIZE, actor or None,
                                action or None)
    entries = [{**r, "at": r["at"].isoformat(sep=" ", timespec="seconds")[:19],
                "detail": r["detail"] if viewer.role == "admin" else mask_text(r["detail"])} for r in rows]
    return render(request, "audit_log.html", AuditPage(entries, total, page, max(1, -(-total // PAGE_SIZE)),
                                                       actor, action))
