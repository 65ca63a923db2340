"""/api/v1: the lookups agencies make instead of asking citizens for paper.

An agency is an API client (`lamsach client add`) with scopes, declared purposes and a rate; it
calls `GET /api/v1/<lookup>?citizen_id=…&purpose=…` with `Authorization: Bearer <token>`. The
checks run in one order — token, rate, scope, purpose, parameters — and every answered lookup
goes into the hash-chained access log with the ID masked and keyed-hashed. The OpenAPI document
(`/api/v1/openapi.json`, kept as docs/api-v1.openapi.json) declares every parameter's values.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from lamsach.backends.store import access_log
from lamsach.backends.store.api_clients import ApiClient, client_by_token_hash, take_token
from lamsach.lookups import allowed_purposes, answers, rate_limit, scopes
from lamsach.lookups.clients import ClientCache
from lamsach.lookups.subject_key import access_key, subject_hash
from lamsach.web.errors import WebError
from lamsach.web.masking import mask_id
from lamsach.web.passwords import token_hash

router = APIRouter(prefix="/api/v1")
log = logging.getLogger(__name__)
TITLE = "lamsach — tra cứu cho cơ quan (API v1)"
PATTERNS = {"citizen_id": r"^[0-9]{12}$", "commune": r"^[0-9]{5}$", "map_sheet": r"^[0-9A-Za-z]{1,10}$",
            "parcel_no": r"^[0-9A-Za-z]{1,10}$"}
PARAMETER_CODES = {"citizen_id": "LOOKUP_ID_INVALID", "commune": "LOOKUP_COMMUNE_INVALID",
                   "map_sheet": "LOOKUP_SHEET_INVALID", "parcel_no": "LOOKUP_PARCEL_INVALID"}
DESCRIPTIONS = {"citizen_id": "Số định danh cá nhân (12 chữ số). / The personal ID number (12 digits).",
                "commune": "Mã xã (5 chữ số). / The commune code (5 digits).",
                "map_sheet": "Số tờ bản đồ. / The map sheet number.",
                "parcel_no": "Số thửa. / The parcel number.",
                "purpose": "Mục đích tra cứu: một mục đích cơ quan đã khai mà phạm vi cho phép. / "
                           "Why: a purpose the client declared that this scope allows."}
Criterion = Literal["correct", "complete", "clean", "live", "unified", "shared"]


class Quality(BaseModel):
    """Whether the records behind the answer pass the six criteria, and which are open if not."""

    passes_all: bool
    open_criteria: list[Criterion]
    records: int


class Answer(BaseModel):
    ok: Literal[True]
    scope: str
    purpose: str
    citizen_id: str  # masked
    as_of: str | None  # the register's own update date
    quality: Quality


class ResidenceAnswer(Answer):
    found: bool
    commune: str
    resides: bool


class LifeStatusAnswer(Answer):
    found: bool
    status: Literal["alive", "dead"] | None
    date_of_death: str | None
    disagreements: list[Literal["death_not_in_register", "no_death_registration"]]


class MaritalStatusAnswer(Answer):
    found: bool
    status: Literal["married", "not_married", "widowed"]
    register_spouse: bool
    disagreements: list[Literal["register_spouse_without_marriage", "several_marriages"]]


class LandRightsAnswer(Answer):
    parcel_found: bool
    commune: str
    map_sheet: str
    parcel_no: str
    holds: bool


class Parcel(BaseModel):
    commune: str | None
    map_sheet: str
    parcel_no: str
    land_use_code: str | None


class LandParcelsAnswer(Answer):
    parcels: list[Parcel]


class ErrorItem(BaseModel):
    code: str
    message: str
    location: dict[str, Any] | None


class ErrorBody(BaseModel):
    ok: Literal[False]
    code: str
    message: str
    location: dict[str, Any] | None
    errors: list[ErrorItem]


RETRY_AFTER = {"Retry-After": {"description": "Số giây cần chờ. / Seconds to wait.",
                               "schema": {"type": "integer", "minimum": 1}}}
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Mục đích hoặc tham số không hợp lệ. / Purpose or parameter invalid."},
    401: {"model": ErrorBody, "description": "Thiếu mã, mã sai, đã thu hồi hoặc hết hạn. / Token missing, "
                                             "wrong, revoked or expired."},
    403: {"model": ErrorBody, "description": "Phạm vi không được cấp. / Scope not granted."},
    429: {"model": ErrorBody, "headers": RETRY_AFTER,
          "description": "Vượt giới hạn lượt tra cứu. / Rate limit reached."},
}


# the checks, in order ---------------------------------------------------------------------
def _client(request: Request) -> ApiClient:
    """The token's client, checked (cached per process; see `lookups.clients`), with one token
    taken from its rate."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise WebError("API_TOKEN_MISSING", 401)
    digest = token_hash(token.strip())
    cache = _clients(request)
    client = cache.get(digest)
    for _attempt in range(2):
        if client is None:
            raise WebError("API_TOKEN_INVALID", 401)
        state = client.state(datetime.now(UTC))
        if state != "active":
            raise WebError(f"API_TOKEN_{state.upper()}", 401)
        wait = rate_limit.take(request.app.state.store, client, digest)
        if wait is not None:
            break
        client = cache.reload(digest)  # revoked or rotated since it was cached: read it again
    else:
        raise WebError("API_TOKEN_INVALID", 401)
    if wait:
        raise WebError("RATE_LIMITED", 429, {"seconds": wait}, headers={"Retry-After": str(wait)})
    return client


def _clients(request: Request) -> ClientCache:
    state = request.app.state
    if getattr(state, "api_clients", None) is None:
        state.api_clients = ClientCache(state.store)
    return state.api_clients


def warm_up(app) -> None:
    """What a server process's first lookups would otherwise do at once, done as it starts: read
    the scopes, make or read the access log's key, and run each lookup's statement once (SQLAlchemy
    compiles and caches it, the pool opens a connection) for an ID no register holds, and the
    client's and rate token's statements for a token no client has (they change nothing)."""
    try:
        scopes()
        _state_key(app.state)
        answers.warm_up(app.state.store)
        nobody = "0" * 64
        client_by_token_hash(app.state.store, nobody)
        take_token(app.state.store, 0, nobody, 0.0)
    except Exception:  # the first lookups will do it, and say what is wrong
        log.warning("the lookups could not be prepared at start-up", exc_info=True)


def _key(request: Request) -> bytes:
    return _state_key(request.app.state)


def _state_key(state) -> bytes:
    if getattr(state, "access_key", None) is None:
        state.access_key = access_key(state.config.settings.data_dir)
    return state.access_key


def _checked(request: Request, scope: str, purpose: str | None, params: dict[str, str | None]) -> ApiClient:
    client = _client(request)
    if scope not in client.scopes:
        raise WebError("SCOPE_FORBIDDEN", 403, {"scope": scope, "scopes": ", ".join(client.scopes)},
                       location={"scope": scope, "granted": list(client.scopes)})
    allowed = allowed_purposes(scope, client.purposes)
    if purpose not in allowed:
        raise WebError("PURPOSE_NOT_ALLOWED", 400, {"purposes": ", ".join(allowed)},
                       location={"parameter": "purpose", "allowed": allowed})
    for name, value in params.items():
        if not re.fullmatch(PATTERNS[name], value or ""):
            shown = mask_id(value) if name == "citizen_id" else value
            raise WebError(PARAMETER_CODES[name], 400, {"value": shown or "–"}, location={"parameter": name})
    return client


def _answer(request: Request, client: ApiClient, scope: str, purpose: str, citizen_id: str, body: dict) -> dict:
    """Log the answer in the chain (ID masked and keyed-hashed), then give it."""
    masked = mask_id(citizen_id) or ""
    access_log.append(request.app.state.store, access_log.Lookup(
        client.name, scope, purpose, masked, subject_hash(_key(request), citizen_id),
        json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))))
    return {"ok": True, "scope": scope, "purpose": purpose, "citizen_id": masked, **body}


# the lookups ------------------------------------------------------------------------------
@router.get("/residence", response_model=ResidenceAnswer, responses=ERRORS,
            summary="Thường trú tại xã? / Permanent residence in a commune?")
def residence(request: Request, citizen_id: str | None = None, commune: str | None = None,
              purpose: str | None = None):
    """Công dân có thường trú tại xã này theo CSDL dân cư không (người đã chết: không)."""
    client = _checked(request, "residence", purpose, {"citizen_id": citizen_id, "commune": commune})
    body = answers.residence(request.app.state.store, citizen_id, commune)
    return _answer(request, client, "residence", purpose, citizen_id, body)


@router.get("/marital-status", response_model=MaritalStatusAnswer, responses=ERRORS,
            summary="Tình trạng hôn nhân / Marital status")
def marital_status(request: Request, citizen_id: str | None = None, purpose: str | None = None):
    """Đã kết hôn / chưa kết hôn / góa theo sổ đăng ký kết hôn, đối chiếu quan hệ trong hộ của CSDL dân
    cư; nêu chỗ hai nguồn không khớp."""
    client = _checked(request, "marital_status", purpose, {"citizen_id": citizen_id})
    body = answers.marital_status(request.app.state.store, citizen_id)
    return _answer(request, client, "marital_status", purpose, citizen_id, body)


@router.get("/life-status", response_model=LifeStatusAnswer, responses=ERRORS,
            summary="Còn sống hay đã chết / Alive or dead")
def life_status(request: Request, citizen_id: str | None = None, purpose: str | None = None):
    """Còn sống hay đã chết theo CSDL dân cư và sổ khai tử; nêu chỗ hai nguồn không khớp."""
    client = _checked(request, "life_status", purpose, {"citizen_id": citizen_id})
    body = answers.life_status(request.app.state.store, citizen_id)
    return _answer(request, client, "life_status", purpose, citizen_id, body)


@router.get("/land-rights", response_model=LandRightsAnswer, responses=ERRORS,
            summary="Có quyền sử dụng thửa đất? / Holds a right on a parcel?")
def land_rights(request: Request, citizen_id: str | None = None, commune: str | None = None,
                map_sheet: str | None = None, parcel_no: str | None = None, purpose: str | None = None):
    """Công dân có đứng tên sử dụng thửa đất (xã, tờ bản đồ, số thửa) theo CSDL đất đai không."""
    client = _checked(request, "land_rights", purpose, {"citizen_id": citizen_id, "commune": commune,
                                                        "map_sheet": map_sheet, "parcel_no": parcel_no})
    body = answers.land_rights(request.app.state.store, citizen_id, commune, map_sheet, parcel_no)
    return _answer(request, client, "land_rights", purpose, citizen_id, body)


@router.get("/land-parcels", response_model=LandParcelsAnswer, responses=ERRORS,
            summary="Các thửa đất của công dân / The citizen's parcels")
def land_parcels(request: Request, citizen_id: str | None = None, purpose: str | None = None):
    """Danh sách thửa đất công dân đứng tên (phạm vi rộng hơn land_rights)."""
    client = _checked(request, "land_parcels", purpose, {"citizen_id": citizen_id})
    body = answers.land_parcels(request.app.state.store, citizen_id)
    return _answer(request, client, "land_parcels", purpose, citizen_id, body)


SCOPE_OF = {"/api/v1/residence": "residence", "/api/v1/marital-status": "marital_status",
            "/api/v1/life-status": "life_status", "/api/v1/land-rights": "land_rights",
            "/api/v1/land-parcels": "land_parcels"}


def openapi_document() -> dict:
    """The v1 document: FastAPI's, with every parameter required and its allowed values declared
    (patterns, and per lookup the purposes its scope allows), and the bearer token."""
    document = get_openapi(title=TITLE, version="1.0.0", routes=router.routes,
                           description="Tra cứu thay giấy tờ: xem docs/api.md. / Lookups instead of paper.")
    for path, operations in document["paths"].items():
        operation = operations["get"]
        operation["security"] = [{"bearer": []}]
        for parameter in operation["parameters"]:
            name = parameter["name"]
            parameter["required"] = True
            parameter["description"] = DESCRIPTIONS[name]
            if name == "purpose":
                parameter["schema"] = {"type": "string", "enum": list(scopes()[SCOPE_OF[path]])}
            else:
                parameter["schema"] = {"type": "string", "pattern": PATTERNS[name]}
        operation["responses"].pop("422", None)
    schemas = document["components"]["schemas"]
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    document["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    return document


@router.get("/openapi.json", include_in_schema=False)
def openapi() -> dict:
    return openapi_document()
