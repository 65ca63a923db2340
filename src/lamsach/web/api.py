"""The first agencies' lookup, kept working for callers that use it: new callers use /api/v1
(`web/api_v1.py`), and every answer here points there (`Deprecation`, `Link` headers).

`GET /api/lookup/residence?citizen_id=…&commune=…&purpose=…` with `Authorization: Bearer <token>`
answers whether the citizen's permanent residence in the register's current records is in that
commune. Every call is logged with the caller and the purpose; errors have the one JSON shape.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from lamsach.backends.store import finding_queries as q
from lamsach.backends.store.users import UserRow, log_access
from lamsach.data import read_csv
from lamsach.web.errors import WebError
from lamsach.web.masking import mask_id
from lamsach.web.security import api_caller
from lamsach.web.wording import purposes

router = APIRouter(prefix="/api")
CITIZEN_ID = re.compile(r"\d{12}")
COMMUNE = re.compile(r"\d{5}")
RAW, CANONICAL, DEAD = "value", "code", "Đã chết"


@cache
def _dead_words() -> frozenset[str]:
    """Every spelling the life-status code table maps to “Đã chết”."""
    return frozenset(r[RAW].strip().lower() for r in read_csv("code_tables/life_status.csv") if r[CANONICAL] == DEAD)


def _alive(data: dict) -> bool:
    return not data.get("date_of_death") and (data.get("status") or "").strip().lower() not in _dead_words()


@router.get("/lookup/residence")
def residence(request: Request, response: Response, caller: Annotated[UserRow, Depends(api_caller)],
              citizen_id: str = "", commune: str = "", purpose: str = ""):
    response.headers["Deprecation"] = "true"
    response.headers["Link"] = '</api/v1/residence>; rel="successor-version"'
    citizen_id, commune = citizen_id.strip(), commune.strip()
    if not CITIZEN_ID.fullmatch(citizen_id):
        raise WebError("LOOKUP_ID_INVALID", 400, {"value": mask_id(citizen_id) or "–"})
    if not COMMUNE.fullmatch(commune):
        raise WebError("LOOKUP_COMMUNE_INVALID", 400, {"value": commune or "–"})
    if purpose not in purposes():
        raise WebError("PURPOSE_REQUIRED", 400, {"purposes": ", ".join(purposes())})
    store = request.app.state.store
    entries = q.register_entries(store, citizen_id)
    current = entries[0] if entries else None
    found = current is not None
    alive = found and _alive(current["data"])
    resides = bool(found and alive and current["data"].get("commune_code") == commune)
    log_access(store, caller.username, caller.role, "lookup_residence", dataset="population",
               record_key=current["record_key"] if current else None, unit=commune, purpose=purpose,
               detail=f"citizen_id={mask_id(citizen_id)} found={found} resides={resides}")
    return {"ok": True, "citizen_id": mask_id(citizen_id), "commune": commune, "found": found,
            "alive": bool(alive), "resides": resides,
            "as_of": current["updated_at"].date().isoformat() if current and current["updated_at"] else None}
