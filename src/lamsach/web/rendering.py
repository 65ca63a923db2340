"""Rendering a page: the template, its typed page context (`page`), and what every page shares
(the signed-in user, the language and its words, the CSRF token, the chosen campaign).

Every page and fragment is rendered through `render`, so a test can check that the context a
template received is the dataclass its route declares (`response.context["page"]`).
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import is_dataclass
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.templating import Jinja2Templates

from lamsach.report.labels import day, decimal, number, percent
from lamsach.web.labels import time_label, unit_label
from lamsach.web.wording import LANGS, Words, purposes

TEMPLATES = Jinja2Templates(directory=str(resources.files("lamsach.web").joinpath("templates")))
TEMPLATES.env.auto_reload = False  # templates ship with the package: no file check on every page
LANG_COOKIE = "lang"


def _signed_percent(change: float | None) -> str:
    if change is None:
        return ""
    return ("+" if change >= 0 else "−") + percent(abs(change))


@cache
def static_url(path: str) -> str:
    """`/static/<path>?v=<content hash>`: a browser keeps the file until its content changes."""
    content = resources.files("lamsach.web").joinpath("static", path).read_bytes()
    return f"/static/{path}?v={hashlib.sha256(content).hexdigest()[:12]}"


TEMPLATES.env.globals["static"] = static_url
TEMPLATES.env.filters["percent"] = percent  # the reports' Vietnamese figures: 98,3%
TEMPLATES.env.filters["number"] = number  # 12.345
TEMPLATES.env.filters["signed_percent"] = _signed_percent
TEMPLATES.env.globals["unit_label"] = unit_label  # "Xã Hậu Lộc (16012)" wherever a unit code shows
TEMPLATES.env.filters["vn_time"] = time_label  # every time on a page in Vietnam's time, dd/mm/yyyy
TEMPLATES.env.filters["decimal"] = decimal  # 813,8
TEMPLATES.env.filters["day"] = day  # 05/10/2026


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def request_lang(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "vi"
    return lang if lang in LANGS else "vi"


COMPRESS_FROM_BYTES = 2048  # smaller pages gain less than compressing costs


def _compress(request: Request, response) -> None:
    """Commune offices are often on slow links: a page travels gzip-compressed when the browser
    accepts it (a 100 kB queue page as about 7 kB). Done here rather than by a middleware so the
    response keeps the template context the tests read."""
    response.headers.append("vary", "Accept-Encoding")
    if len(response.body) < COMPRESS_FROM_BYTES or "gzip" not in request.headers.get("accept-encoding", ""):
        return
    response.body = gzip.compress(response.body, compresslevel=6)
    response.headers["content-encoding"] = "gzip"
    response.headers["content-length"] = str(len(response.body))


def render(request: Request, template: str, page: Any, status: int = 200, headers: dict | None = None):
    """Render `template` with `page` (a dataclass) and the shared context."""
    if not is_dataclass(page):
        raise TypeError(f"{template}: the page context must be a dataclass, not {type(page).__name__}")
    lang = request_lang(request)
    viewer = getattr(request.state, "viewer", None)
    context: dict[str, Any] = {
        "page": page,
        "viewer": viewer,
        "lang": lang,
        "t": Words(lang),
        "csrf": viewer.csrf if viewer else request.cookies.get("lamsach_csrf", ""),
        "campaign": getattr(request.state, "campaign", None),
        "campaign_names": getattr(request.state, "campaign_names", []),
        "purposes": purposes(),
        "path": request.url.path,
    }
    response = TEMPLATES.TemplateResponse(request, template, context, status_code=status, headers=headers)
    _compress(request, response)
    if request.query_params.get("campaign") and context["campaign"] is not None:
        response.set_cookie("campaign", quote(context["campaign"].name), samesite="lax", httponly=True)
    if request.query_params.get("lang") in LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", httponly=True)
    return response
