"""The web's one exception handler: every error a request can end in, in one shape.

`LamsachError` (and groups of them) from the stages, `WebError` from the web itself (sign-in,
rights, CSRF, not found), FastAPI's request validation and any bug all go through `handle_error`,
which answers `/api/` calls with JSON `{ok: false, code, message, location, errors}`, HTMX
requests with the `_error.html` fragment and page loads with `error.html`. A bug is logged with
a reference the page shows; its text never reaches the user.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from lamsach.domain import ErrorCode, LamsachError

log = logging.getLogger("lamsach.web")


@dataclass
class WebError(Exception):
    """A web-level refusal; its wording is `errors.<code>` in the web wording files."""

    code: str
    status: int = 400
    params: dict[str, Any] = field(default_factory=dict)
    location: dict[str, Any] | None = None  # e.g. the parameter and the values it may take
    headers: dict[str, str] | None = None  # e.g. Retry-After on 429

    def __post_init__(self) -> None:
        super().__init__(self.code)


@dataclass(frozen=True)
class ErrorItem:
    code: str
    message: str
    location: dict[str, Any] | None


@dataclass(frozen=True)
class ErrorPage:
    """The context of `error.html` / `_error.html`, and the body of the JSON answer."""

    status: int
    code: str
    message: str
    location: dict[str, Any] | None = None
    errors: list[ErrorItem] = field(default_factory=list)
    reference: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"ok": False, "code": self.code, "message": self.message, "location": self.location,
                "errors": [{"code": e.code, "message": e.message, "location": e.location} for e in self.errors]}


STATUS_BY_CODE = {ErrorCode.STORE_UNAVAILABLE: 503, ErrorCode.OUTPUT_NOT_WRITABLE: 500,
                  ErrorCode.ARCHIVE_ACCESS_DENIED: 403, ErrorCode.ARCHIVE_DOCUMENT_NOT_FOUND: 404}


def lamsach_errors(exc: BaseException) -> list[LamsachError]:
    if isinstance(exc, LamsachError):
        return [exc]
    if isinstance(exc, BaseExceptionGroup):
        return [e for sub in exc.exceptions for e in lamsach_errors(sub)]
    return []


def describe(exc: BaseException, lang: str) -> ErrorPage:
    from lamsach.web.wording import Words

    t = Words(lang)
    if isinstance(exc, WebError):
        return ErrorPage(exc.status, exc.code, t(f"errors.{exc.code}", **exc.params), exc.location)
    if isinstance(exc, RequestValidationError):
        items = [ErrorItem("REQUEST_INVALID", f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}",
                           None) for e in exc.errors()]
        return ErrorPage(422, "REQUEST_INVALID", t("errors.REQUEST_INVALID"), None, items)
    if isinstance(exc, HTTPException):
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(exc.status_code, "HTTP_ERROR")
        return ErrorPage(exc.status_code, code, t(f"errors.{code}"))
    found = lamsach_errors(exc)
    if found:
        items = [ErrorItem(e.code.value, e.message(lang), e.location.as_dict()) for e in found]
        first = found[0]
        status = STATUS_BY_CODE.get(first.code, 422)
        if len(found) == 1:
            return ErrorPage(status, first.code.value, items[0].message, items[0].location, items)
        return ErrorPage(status, "MANY_ERRORS", t("errors.MANY_ERRORS", n=len(found)), None, items)
    reference = uuid.uuid4().hex[:10]
    log.error("unexpected error, reference %s", reference, exc_info=exc)
    return ErrorPage(500, "INTERNAL_ERROR", t("errors.INTERNAL_ERROR", reference=reference), reference=reference)


async def handle_error(request: Request, exc: Exception) -> Response:
    """The single handler, registered for every exception type the app can meet."""
    from lamsach.web.rendering import is_htmx, render, request_lang

    page = describe(exc, request_lang(request))
    if request.url.path.startswith("/api/"):
        headers = exc.headers if isinstance(exc, WebError) else None
        return JSONResponse(page.as_json(), status_code=page.status, headers=headers)
    if page.code == "AUTH_REQUIRED":
        target = f"/login?next={request.url.path}"
        if is_htmx(request):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    if is_htmx(request):
        response = render(request, "_error.html", page, status=page.status)
        response.headers["HX-Retarget"] = "#errors"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "error.html", page, status=page.status)


def install(app) -> None:
    for kind in (LamsachError, ExceptionGroup, WebError, RequestValidationError, HTTPException, Exception):
        app.add_exception_handler(kind, handle_error)
