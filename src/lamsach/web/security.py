"""Who is asking, and what they may do: sessions, roles and unit scope, CSRF, API tokens.

Roles: `admin` (the province: everything), `officer` (one unit: its data, its queue, its
uploads), `inspector` (read-only everywhere, and the audit log). Rights are asked of the
`Viewer`, never by comparing role names in handlers.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request

from lamsach.backends.store.users import UserRow, session_user, user_by_token_hash
from lamsach.web.errors import WebError
from lamsach.web.passwords import token_hash

SESSION_COOKIE = "lamsach_session"
ANON_CSRF_COOKIE = "lamsach_csrf"
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True)
class Viewer:
    user: UserRow
    csrf: str

    @property
    def username(self) -> str:
        return self.user.username

    @property
    def role(self) -> str:
        return self.user.role

    @property
    def unit(self) -> str | None:
        return self.user.unit

    def can_see_unit(self, unit: str | None) -> bool:
        return self.role in ("admin", "inspector") or (unit is not None and unit == self.unit)

    def can_edit_unit(self, unit: str | None) -> bool:
        return self.role == "admin" or (self.role == "officer" and unit is not None and unit == self.unit)

    @property
    def can_edit(self) -> bool:
        return self.role in ("admin", "officer")

    @property
    def can_read_audit(self) -> bool:
        return self.role in ("admin", "inspector")

    def sees_ids(self, unit: str | None, purpose: str | None = None) -> bool:
        """Full ID numbers: the province always; an officer only for the own unit's record opened
        with a purpose; an inspector never."""
        if self.role == "admin":
            return True
        return self.role == "officer" and purpose is not None and unit is not None and unit == self.unit

    def scope_unit(self, requested: str | None) -> str | None:
        """The unit a list is limited to: an officer's own, whatever was asked."""
        if self.role == "officer":
            if requested and requested != self.unit:
                raise WebError("FORBIDDEN_UNIT", 403, {"unit": requested})
            return self.unit
        return requested or None


def current_viewer(request: Request) -> Viewer:
    """The signed-in person, from the session cookie; a page without one sends to sign-in."""
    token = request.cookies.get(SESSION_COOKIE)
    found = session_user(request.app.state.store, token_hash(token), datetime.now(UTC)) if token else None
    if found is None:
        raise WebError("AUTH_REQUIRED", 401)
    viewer = Viewer(*found)
    request.state.viewer = viewer
    return viewer


def require(*roles: str):
    """A dependency admitting only `roles` (403 for the others)."""

    def dependency(viewer: SignedIn) -> Viewer:
        if viewer.role not in roles:
            raise WebError("FORBIDDEN", 403)
        return viewer

    return dependency


async def check_csrf(request: Request, viewer: SignedIn) -> Viewer:
    """Every POST carries the session's CSRF token, as a form field or (HTMX) a header."""
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        form = await request.form()
        sent = str(form.get("csrf_token") or "")
    if not sent or not hmac.compare_digest(sent, viewer.csrf):
        raise WebError("CSRF_INVALID", 403)
    return viewer


def editor(viewer: CsrfChecked) -> Viewer:
    """A POST that changes data: CSRF checked, and the role may edit at all."""
    if not viewer.can_edit:
        raise WebError("FORBIDDEN", 403)
    return viewer


def api_caller(request: Request) -> UserRow:
    """The agency calling the API, from `Authorization: Bearer <token>`."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise WebError("API_TOKEN_MISSING", 401)
    user = user_by_token_hash(request.app.state.store, token_hash(token.strip()))
    if user is None or user.disabled:
        raise WebError("API_TOKEN_INVALID", 401)
    return user


SignedIn = Annotated[Viewer, Depends(current_viewer)]
CsrfChecked = Annotated[Viewer, Depends(check_csrf)]
Editor = Annotated[Viewer, Depends(editor)]
