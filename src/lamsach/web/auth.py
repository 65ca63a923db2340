"""Signing in and out: argon2 passwords, server-side sessions, lock-out after repeated failures."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from lamsach.backends.store import as_utc
from lamsach.backends.store import users as repo
from lamsach.web.passwords import new_token, token_hash, verify_password
from lamsach.web.rendering import render
from lamsach.web.security import ANON_CSRF_COOKIE, SESSION_COOKIE, CsrfChecked

router = APIRouter()


@dataclass(frozen=True)
class SignInPage:
    next: str = "/dashboard"
    username: str = ""
    error: str | None = None  # a key of `auth.*` wording
    locked_until: str | None = None
    csrf_token: str = ""  # the anonymous form's token, also sent as a cookie (double submit)


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/dashboard"


def _sign_in_page(request: Request, page: SignInPage, status: int = 200):
    token = request.cookies.get(ANON_CSRF_COOKIE) or new_token()
    response = render(request, "login.html", replace(page, csrf_token=token), status=status)
    response.set_cookie(ANON_CSRF_COOKIE, token, httponly=True, samesite="lax",
                        secure=request.app.state.config.secure_cookies)
    return response


@router.get("/login")
def sign_in_form(request: Request, next: str | None = None):
    return _sign_in_page(request, SignInPage(next=_safe_next(next)))


@router.post("/login")
def sign_in(request: Request, username: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
            csrf_token: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/dashboard"):
    store, config = request.app.state.store, request.app.state.config
    expected = request.cookies.get(ANON_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(csrf_token, expected):
        return _sign_in_page(request, SignInPage(_safe_next(next), username, "csrf"), 403)
    now = datetime.now(UTC)
    user = repo.user_by_name(store, username.strip())
    if user is not None and user.locked(now):
        verify_password(None, password)  # the same time as any other refusal
        return _locked(request, next, username, user.locked_until)
    if user is None or user.disabled or not verify_password(user.password_hash, password):
        if user is not None:
            until = repo.record_failed_sign_in(store, user.id, config.max_failed_sign_ins, config.lock_minutes, now)
            repo.log_access(store, user.username, user.role, "sign_in_failed")
            if until is not None:
                return _locked(request, next, username, until)
        return _sign_in_page(request, SignInPage(_safe_next(next), username, "wrong"), 401)
    repo.record_sign_in(store, user.id)
    token = new_token()
    repo.create_session(store, token_hash(token), user.id, new_token(),
                        now + timedelta(hours=config.session_hours))
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=config.secure_cookies,
                        max_age=config.session_hours * 3600)
    response.delete_cookie(ANON_CSRF_COOKIE)
    return response


def _locked(request: Request, next: str, username: str, until: datetime | None):
    moment = as_utc(until)
    shown = moment.astimezone(timezone_vn()).strftime("%H:%M") if moment else None
    return _sign_in_page(request, SignInPage(_safe_next(next), username, "locked", shown), 429)


def timezone_vn():
    from datetime import timezone

    return timezone(timedelta(hours=7), "ICT")


@router.post("/logout")
def sign_out(request: Request, viewer: CsrfChecked):
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        repo.delete_session(request.app.state.store, token_hash(token))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
