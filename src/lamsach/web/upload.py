"""Upload: a unit sends its files (the pass runs in the background, with a progress bar) and its
correction workbook goes out and comes back here; the job page shows what was read, rejected with
the reasons, and found."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field, replace
from dataclasses import replace as dataclass_replace
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from lamsach.campaign import CampaignSpec
from lamsach.campaign.uploads import ACCEPTED_SUFFIXES, reject_upload, save_upload
from lamsach.domain import LamsachError
from lamsach.domain.clock import upload_arrival
from lamsach.web.campaigns import Campaign
from lamsach.web.errors import ErrorItem, WebError, lamsach_errors
from lamsach.web.jobs import Job
from lamsach.web.labels import unit_label
from lamsach.web.rendering import is_htmx, render, request_lang
from lamsach.web.security import Editor, SignedIn, Viewer
from lamsach.web.wording import Words

router = APIRouter()


@dataclass(frozen=True)
class UploadPage:
    campaign: str
    units: list[tuple[str, str]]  # (code, label) the viewer may upload for
    datasets: list[str]
    jobs: list[Job]
    can_upload: bool
    run_id: int | None
    problems: list[ErrorItem] = field(default_factory=list)  # why the file just sent was not taken


@dataclass(frozen=True)
class JobPage:
    job: Job
    unit_label: str
    sources: list[dict] = field(default_factory=list)  # what was read and rejected, per file
    found: dict[str, dict[str, int]] = field(default_factory=dict)  # criterion -> status -> count
    problems: list[ErrorItem] = field(default_factory=list)  # why the pass refused the files
    ahead: int = 0  # passes that run or wait before this one while it is queued
    # a snapshot dated before its files' own date: (snapshot day, files' day), both ISO; the page
    # says so, as the command line does, so nobody reads "nothing in the future" as a missed check
    dated_before_files: tuple[str, str] | None = None


def _units_and_datasets(spec: CampaignSpec, viewer: Viewer) -> tuple[list[tuple[str, str]], list[str]]:
    units = sorted({s.unit for s in spec.manifest.sources if s.unit} | set(spec.units))
    datasets = sorted({s.dataset for s in spec.manifest.sources})
    if viewer.role == "officer":
        return [(viewer.unit, unit_label(viewer.unit))] if viewer.unit else [], [d for d in datasets
                                                                                 if d != "population"]
    return [(u, unit_label(u)) for u in units], datasets


@router.get("/upload")
def upload_page(request: Request, viewer: SignedIn,
                spec: Campaign):
    units, datasets = _units_and_datasets(spec, viewer)
    jobs = request.app.state.jobs.recent(spec.name, viewer.unit if viewer.role == "officer" else None)
    run = request.app.state.store.latest_run(spec.name)
    return render(request, "upload.html", UploadPage(spec.name, units, datasets, jobs, viewer.can_edit,
                                                     run["id"] if run else None))


def _target_unit(viewer: Viewer, unit: str | None) -> str:
    chosen = viewer.unit if viewer.role == "officer" else (unit or "").strip()
    if not chosen:
        raise WebError("UNIT_REQUIRED", 400)
    if not viewer.can_edit_unit(chosen):
        raise WebError("FORBIDDEN_UNIT", 403, {"unit": chosen})
    return chosen


async def _read(request: Request, file: UploadFile) -> tuple[str, bytes]:
    name = Path(file.filename or "").name
    if not name or Path(name).suffix.lower() not in ACCEPTED_SUFFIXES:
        raise WebError("UPLOAD_TYPE", 400, {"name": name or "–", "types": ", ".join(ACCEPTED_SUFFIXES)})
    content = await file.read(request.app.state.config.upload_max_bytes + 1)
    if len(content) > request.app.state.config.upload_max_bytes:
        raise WebError("UPLOAD_TOO_LARGE", 413, {"name": name})
    if not content:
        raise WebError("UPLOAD_EMPTY", 400, {"name": name})
    return name, content


def _to_job(request: Request, job: Job):
    target = f"/jobs/{job.id}"
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def check_upload(path: Path, name: str, dataset: str, unit: str, lang: str) -> list[ErrorItem]:
    """Read the file as the pass will (readable, of this dataset, its header found) before a pass
    is queued for it: its problems at once, each naming the file as sent, never a server path."""
    from lamsach.data import load_schema
    from lamsach.domain import SourceSpec
    from lamsach.ingest import read_source

    try:
        read_source(SourceSpec(path, dataset, unit), load_schema(dataset), lang=lang)
    except Exception as exc:
        errors = lamsach_errors(exc)
        if not errors:
            raise
        return [ErrorItem(e.code.value, LamsachError(e.code, replace(e.location, file=name), e.params).message(lang),
                          {**e.location.as_dict(), "file": name}) for e in errors]
    return []


def _refused(request: Request, spec: CampaignSpec, viewer: Viewer, problems: list[ErrorItem]):
    """The upload page again, with why the file was not taken above its form (status 400)."""
    page = upload_page(request, viewer, spec)
    return render(request, "upload.html", dataclass_replace(page.context["page"], problems=problems), status=400)


@router.post("/upload")
async def upload(request: Request, file: Annotated[UploadFile, File()], dataset: Annotated[str, Form()],
                 viewer: Editor, spec: Campaign, unit: Annotated[str | None, Form()] = None):
    chosen = _target_unit(viewer, unit)
    _, datasets = _units_and_datasets(spec, viewer)
    if dataset not in datasets:
        raise WebError("DATASET_UNKNOWN", 400, {"dataset": dataset})
    lang = request_lang(request)
    try:
        name, content = await _read(request, file)
    except WebError as refused:
        return _refused(request, spec, viewer, [ErrorItem(refused.code, Words(lang)(f"errors.{refused.code}",
                                                                                    **refused.params), None)])
    config = request.app.state.config
    path = save_upload(config.uploads_dir, spec.name, chosen, dataset, name, content)
    problems = await run_in_threadpool(check_upload, path, name, dataset, chosen, lang)
    if problems:
        reject_upload(path)
        return _refused(request, spec, viewer, problems)
    return _to_job(request, request.app.state.jobs.submit("upload", spec, viewer.username, chosen, path, name))


@router.get("/workbook/{unit}")
def download_workbook(request: Request, unit: str, viewer: SignedIn,
                      spec: Campaign):
    from lamsach.review import export_correction_workbook

    if not viewer.can_see_unit(unit):
        raise WebError("FORBIDDEN_UNIT", 403, {"unit": unit})
    folder = Path(tempfile.mkdtemp(prefix="lamsach-workbook-"))
    summary = export_correction_workbook(request.app.state.store, spec.name, unit, folder / f"sua-loi-{unit}.xlsx")
    return FileResponse(summary.path, filename=summary.path.name, background=BackgroundTask(_remove, folder),
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


@router.post("/workbook")
async def upload_workbook(request: Request, file: Annotated[UploadFile, File()], viewer: Editor, spec: Campaign,
                          unit: Annotated[str | None, Form()] = None):
    from lamsach.review import ApplyResult, apply_correction_workbook

    chosen = _target_unit(viewer, unit)
    name, content = await _read(request, file)

    def apply() -> ApplyResult:
        folder = Path(tempfile.mkdtemp(prefix="lamsach-returned-"))
        try:
            path = folder / "returned.xlsx"
            path.write_bytes(content)
            return apply_correction_workbook(request.app.state.store, path, viewer.username, expected_unit=chosen,
                                             file_name=name)
        finally:
            _remove(folder)

    # reading a workbook and writing its cells takes seconds: off the event loop, so other
    # officers' pages keep answering meanwhile
    result = await run_in_threadpool(apply)
    if result.campaign != spec.name:
        raise WebError("WORKBOOK_OTHER_CAMPAIGN", 400, {"campaign": result.campaign})
    return _to_job(request, request.app.state.jobs.submit("workbook", spec, viewer.username, chosen, None, name,
                                                          notes=result.skipped))


def _job(request: Request, viewer: Viewer, job_id: str) -> Job:
    job = request.app.state.jobs.get(job_id)
    if job is None:
        raise WebError("JOB_NOT_FOUND", 404, {"id": job_id})
    if viewer.role == "officer" and job.unit != viewer.unit:
        raise WebError("FORBIDDEN_UNIT", 403, {"unit": job.unit or "–"})
    return job


def shown_name(path: str | None) -> str | None:
    """A file as the unit knows it: its name as sent (a kept upload's arrival stamp dropped),
    never the server's folders."""
    if not path:
        return path
    name = Path(path).name
    return name.split("-", 1)[-1] if upload_arrival(name) else name


def _as_sent(error: LamsachError, lang: str) -> ErrorItem:
    shown = LamsachError(error.code, replace(error.location, file=shown_name(error.location.file)), error.params,
                         error.severity)
    return ErrorItem(shown.code.value, shown.message(lang), shown.location.as_dict())


def job_page(request: Request, job: Job) -> JobPage:
    store, lang = request.app.state.store, request_lang(request)
    problems = [_as_sent(e, lang) for e in job.problems]
    if job.state != "done" or job.run_id is None:
        return JobPage(job, unit_label(job.unit), problems=problems, ahead=request.app.state.jobs.ahead(job))
    run = store.run(job.run_id) or {}
    summary = json.loads(run.get("summary") or "{}")
    sources = [s for s in summary.get("sources", []) if job.unit is None or s.get("unit") == job.unit]
    found: dict[str, dict[str, int]] = {}
    for status in ("open", "fixed"):
        for row in store.finding_counts(job.run_id, status):
            if job.unit is None or row["unit"] == job.unit:
                by = found.setdefault(row["criterion"], {})
                by[status] = by.get(status, 0) + row["n"]
    for source in sources:  # the name as sent, never the server's path
        source["name"] = Path(source.get("file", "")).name.split("-", 1)[-1]
        for rejection in source.get("rejections", []):
            rejection["message"] = rejection["message"].replace(source.get("file", ""), source["name"])
    dated = (summary["reference_date"], summary["files_date"]) if summary.get("files_date") else None
    return JobPage(job, unit_label(job.unit), sources, found, problems, dated_before_files=dated)


@router.get("/jobs/{job_id}")
def job_status(request: Request, job_id: str, viewer: SignedIn):
    return render(request, "job.html", job_page(request, _job(request, viewer, job_id)))


@router.get("/jobs/{job_id}/progress")
def job_progress(request: Request, job_id: str, viewer: SignedIn):
    """The progress bar, polled by HTMX; when the pass ends the page reloads to show the result."""
    job = _job(request, viewer, job_id)
    headers = {"HX-Refresh": "true"} if job.finished else None
    page = JobPage(job, unit_label(job.unit), ahead=request.app.state.jobs.ahead(job))
    return render(request, "_job_progress.html", page, headers=headers)
