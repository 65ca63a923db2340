"""The archive's pages: search (toneless, with snippets) and upload of scans, one document's page
(metadata, findings, records it is tied to, suggestions to confirm), its original for download.

Each handler calls one archive function; what a viewer may open follows the document's access
level and the viewer's role and unit, and every opening and download is logged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from lamsach.archive import (
    KEPT,
    PENDING,
    Hit,
    RecordRef,
    access_levels,
    link_document,
    may_open,
    metadata_schema,
    open_document,
    receive_content,
    search,
    vault_for,
    verify,
)
from lamsach.backends.store import archive as catalogue
from lamsach.backends.store.users import log_access
from lamsach.web.campaigns import Campaign
from lamsach.web.errors import WebError
from lamsach.web.rendering import render, request_lang
from lamsach.web.security import CsrfChecked, Editor, SignedIn

router = APIRouter()
VERIFIERS = ("inspector", "admin")  # who may run and read the fixity checks from the web
CHECKS_SHOWN = 500  # the most recent check events the checks page lists
UPLOAD_FIELDS = ("title", "doc_number", "issuer", "doc_date", "summary", "retention", "fonds_code", "file_code")


@dataclass(frozen=True)
class ArchivePage:
    query: str
    hits: list[Hit]
    total: int
    more: bool  # more matches than `total` (the count stops at its cap)
    can_upload: bool
    levels: list[tuple[str, str]]
    fields: list[tuple[str, str]]
    datasets: list[str]
    outcome: dict | None = None  # what became of the file just sent


@dataclass(frozen=True)
class DocumentPage:
    document: dict
    metadata: list[tuple[str, str]]
    findings: list[dict]
    links: list[dict]
    checks: list[dict]
    can_link: bool
    campaign: str
    text_excerpt: str
    level_label: str = ""
    notice: str | None = None
    suggested: list[dict] = field(default_factory=list)
    reading: str | None = None  # while the text is pending: its reading's state (queued, running, failed)


@dataclass(frozen=True)
class ChecksPage:
    """The fixity checks: the latest round's counts by outcome, its problems, and recent events."""

    latest: dict[str, int]  # outcome: how many checks (ok, repaired, missing, altered)
    latest_at: object | None
    problems: list[dict]
    events: list[dict]
    can_verify: bool
    notice: str | None = None


@dataclass(frozen=True)
class ReadingPage:
    document_id: int
    state: str  # queued, running, failed
    can_retry: bool = False


def _levels() -> list[tuple[str, str]]:
    return [(code, rule["label_vi"]) for code, rule in access_levels().items()]


def _page(request: Request, viewer, query: str, spec, outcome: dict | None = None) -> Response:
    result = search(request.app.state.store, query, viewer.role, viewer.unit) if query.strip() else None
    labels = {f.name: f.label_vi for f in metadata_schema().fields}
    return render(request, "archive_search.html", ArchivePage(
        query, result.hits if result else [], result.total if result else 0,
        bool(result and result.more), viewer.can_edit, _levels(),
        [(name, labels[name]) for name in UPLOAD_FIELDS], sorted({s.dataset for s in spec.manifest.sources}), outcome))


@router.get("/archive")
def archive_search(request: Request, viewer: SignedIn, spec: Campaign, q: str = ""):
    return _page(request, viewer, q, spec)


@router.post("/archive/upload")
def archive_upload(request: Request, viewer: Editor, spec: Campaign, file: Annotated[UploadFile, File()],
                   access_level: Annotated[str, Form()] = "restricted", dataset: Annotated[str, Form()] = "",
                   record_key: Annotated[str, Form()] = "", title: Annotated[str, Form()] = "",
                   doc_number: Annotated[str, Form()] = "", issuer: Annotated[str, Form()] = "",
                   doc_date: Annotated[str, Form()] = "", summary: Annotated[str, Form()] = "",
                   retention: Annotated[str, Form()] = "", fonds_code: Annotated[str, Form()] = "",
                   file_code: Annotated[str, Form()] = ""):
    """Keep a scan and answer at once: its text is read (OCR) by a queued job while its page says so."""
    config = request.app.state.config
    content = file.file.read(config.upload_max_bytes + 1)
    if len(content) > config.upload_max_bytes:
        raise WebError("UPLOAD_TOO_LARGE", 413, {"name": file.filename or "–"})
    record = RecordRef(spec.name, dataset, record_key.strip()) if dataset and record_key.strip() else None
    values = {"title": title, "doc_number": doc_number, "issuer": issuer, "doc_date": doc_date, "summary": summary,
              "retention": retention, "fonds_code": fonds_code, "file_code": file_code, "access_level": access_level}
    unit = viewer.unit if viewer.role == "officer" else None
    outcome = receive_content(request.app.state.store, config.settings, content, file.filename or "tep", values,
                              viewer.username, unit, record)
    lang = request_lang(request)
    shown = {"status": outcome.status, "file_name": outcome.file_name, "document_id": outcome.document_id,
             "error": outcome.error.message(lang) if outcome.error else None,
             "warnings": [w.message(lang) for w in outcome.warnings],
             "findings": [f["message"] for f in outcome.findings], "suggestions": outcome.suggestions}
    if outcome.status == KEPT:
        request.app.state.archive_reader.submit(outcome.document_id, spec.name, viewer.username, unit,
                                                outcome.file_name)
        return RedirectResponse(f"/archive/{outcome.document_id}?notice=archive.notice_reading", status_code=303)
    return _page(request, viewer, "", spec, shown)


@router.get("/archive/checks")
def archive_checks(request: Request, viewer: SignedIn, notice: str | None = None):
    """What the fixity checks found: every kept file re-hashed, each check an event."""
    if viewer.role not in VERIFIERS:
        raise WebError("FORBIDDEN", 403)
    events = catalogue.checks(request.app.state.store, limit=CHECKS_SHOWN)
    latest_at = events[0]["at"] if events else None
    latest = [e for e in events if e["at"] == latest_at]
    counts: dict[str, int] = {}
    for event in latest:
        counts[event["outcome"]] = counts.get(event["outcome"], 0) + 1
    return render(request, "archive_checks.html", ChecksPage(
        counts, latest_at, [e for e in latest if e["outcome"] not in ("ok", "repaired")], events, True, notice))


@router.post("/archive/verify")
def archive_verify(request: Request, viewer: CsrfChecked):
    """Re-hash every kept file now (as the schedule of `lamsach serve` does), repair from the
    second copy where it can, and show the round's outcome; the round is recorded as events."""
    if viewer.role not in VERIFIERS:
        raise WebError("FORBIDDEN", 403)
    report = verify(request.app.state.store, request.app.state.config.settings, viewer.username)
    log_access(request.app.state.store, viewer.username, viewer.role, "archive_verify",
               detail=f"{report.checked} checks, {len(report.problems)} problems, {len(report.repaired)} repaired")
    notice = "archive.notice_verified_problems" if report.problems else "archive.notice_verified"
    return RedirectResponse(f"/archive/checks?notice={notice}", status_code=303)


@router.get("/archive/{document_id}")
def archive_document(request: Request, document_id: int, viewer: SignedIn, spec: Campaign,
                     notice: str | None = None):
    store = request.app.state.store
    document = open_document(store, document_id, viewer.username, viewer.role, viewer.unit, purpose="archive")
    labels = {f.name: f.label_vi for f in metadata_schema().fields}
    text = catalogue.document_text(store, document_id)
    links = catalogue.links(store, document_id)
    level = access_levels().get(document["access_level"], {}).get("label_vi", document["access_level"])
    return render(request, "archive_document.html", DocumentPage(
        document, [(labels.get(k, k), v or "") for k, v in document["metadata"].items()],
        catalogue.findings(store, document_id), [link for link in links if link["status"] != "suggested"],
        catalogue.checks(store, limit=10, document_id=document_id), viewer.can_edit, spec.name,
        text[:1500], level, notice, [link for link in links if link["status"] == "suggested"],
        _reading(request, document)))


def _reading(request: Request, document: dict) -> str | None:
    """The state of a pending document's reading (a document kept without one counts as queued)."""
    if document["text_source"] != PENDING:
        return None
    return request.app.state.archive_reader.state(document["id"]) or "queued"


@router.get("/archive/{document_id}/reading")
def archive_reading(request: Request, document_id: int, viewer: SignedIn):
    """The reading's state for the document's page to poll; once the text is there, the page
    reloads itself (htmx's HX-Refresh) to show the text and the records it names."""
    document = catalogue.document(request.app.state.store, document_id)  # not an opening: not logged
    if document is None or not may_open(document["access_level"], viewer.role, viewer.unit, document["unit"]):
        raise WebError("NOT_FOUND", 404)
    state = _reading(request, document)
    if state is None:
        return HTMLResponse("", headers={"HX-Refresh": "true"})
    return render(request, "_archive_reading.html", ReadingPage(document_id, state, viewer.can_edit))


@router.post("/archive/{document_id}/read")
def archive_read_again(request: Request, document_id: int, viewer: Editor, spec: Campaign):
    """Queue the reading again after it failed (the original was restored, Tesseract repaired)."""
    store = request.app.state.store
    document = open_document(store, document_id, viewer.username, viewer.role, viewer.unit, purpose="archive")
    if _reading(request, document) == "failed":
        request.app.state.archive_reader.submit(document_id, spec.name, viewer.username, document["unit"],
                                                document["file_name"])
    return RedirectResponse(f"/archive/{document_id}?notice=archive.notice_reading", status_code=303)


@router.get("/archive/{document_id}/original")
def archive_original(request: Request, document_id: int, viewer: SignedIn):
    """The original, byte for byte, as received (the download is logged like an opening)."""
    store = request.app.state.store
    document = open_document(store, document_id, viewer.username, viewer.role, viewer.unit, purpose="download")
    content = vault_for(request.app.state.config.settings).read("originals", document["sha256"])
    log_access(store, viewer.username, viewer.role, "archive_download", unit=document["unit"],
               detail=f"document {document_id}: {document['file_name']}")
    return Response(content, media_type=document["media_type"], headers={
        "Content-Disposition": f"attachment; filename=\"tai-lieu-{document_id}\"; "
                               f"filename*=UTF-8''{_percent(document['file_name'])}"})


def _percent(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


@router.post("/archive/{document_id}/links")
def archive_link(request: Request, document_id: int, viewer: Editor, spec: Campaign,
                 dataset: Annotated[str, Form()], record_key: Annotated[str, Form()],
                 decision: Annotated[str, Form()] = "confirm"):
    store = request.app.state.store
    document = open_document(store, document_id, viewer.username, viewer.role, viewer.unit, purpose="archive")
    if not viewer.can_edit_unit(document["unit"]) and viewer.role != "admin" and document["unit"] is not None:
        raise WebError("FORBIDDEN_UNIT", 403, {"unit": document["unit"]})
    link_document(store, document_id, RecordRef(spec.name, dataset, record_key.strip()), viewer.username,
                  confirm=decision != "reject")
    notice = "archive.notice_rejected" if decision == "reject" else "archive.notice_linked"
    return RedirectResponse(f"/archive/{document_id}?notice={notice}", status_code=303)
