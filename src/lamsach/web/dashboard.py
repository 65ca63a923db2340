"""The dashboard: the campaign's progress by unit (`campaign_progress`), the criteria, the weekly
trend and the lagging units; every figure links down to the findings behind it."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import APIRouter, Request

from lamsach.backends.store import SqlAlchemyStore
from lamsach.campaign import CampaignProgress, CampaignSpec, UnitWeek, campaign_progress
from lamsach.catalogue import group_by_database
from lamsach.domain import CRITERIA
from lamsach.measure import OVERALL
from lamsach.report.labels import day, week_label
from lamsach.report.weekly_chart import shown_units
from lamsach.web.caches import AppCaches
from lamsach.web.campaigns import Campaign, campaign_names, campaign_spec
from lamsach.web.rendering import render, request_lang
from lamsach.web.security import SignedIn, Viewer

log = logging.getLogger("lamsach.web.dashboard")
router = APIRouter()


@dataclass(frozen=True)
class UnitRow:
    unit: str
    name: str
    rank: int
    records: int
    overall: float | None
    change: float | None
    forecast: float | None
    lagging: bool
    lagging_reasons: tuple[str, ...]
    scores: dict[str, float]
    top_rules: tuple[tuple[str, int], ...]
    outlook: str | None = None  # on_track, at_risk, will_miss
    last_submission: str | None = None  # dd/mm/yyyy


@dataclass(frozen=True)
class DashboardPage:
    campaign: str
    week: str | None
    deadline: str
    target: float | None
    criteria: list[str]
    units: list[UnitRow] = field(default_factory=list)
    province: dict[str, float] = field(default_factory=dict)  # criterion -> share, records-weighted
    lagging: list[UnitRow] = field(default_factory=list)
    trend: dict = field(default_factory=dict)  # ECharts data: weeks, one series per unit
    pending: bool = False  # a pass is running or waiting: figures will move
    databases: list = field(default_factory=list)  # catalogue.DatabaseGroup: the visible units' datasets by key database


def progress_for(store: SqlAlchemyStore, spec: CampaignSpec, caches: AppCaches) -> CampaignProgress:
    """`campaign_progress`, kept (on the app) until the campaign has a new run: it reads every snapshot."""
    runs = [r["id"] for r in store.runs() if r["campaign"] == spec.name and r["status"] == "complete"]
    key = (spec.name, spec.manifest.path, max(runs, default=0), len(runs))
    with caches.lock:
        computing = caches.computing.setdefault(spec.name, threading.Lock())
    with computing:  # when a pass ends, the many pages asking at once wait for one computation
        caches.progress.drop(lambda k: k[0] != spec.name or k == key)
        return caches.progress.get(key, lambda: campaign_progress(store, spec))


def warm_up(store: SqlAlchemyStore, work_dir: Path, caches: AppCaches) -> None:
    """Compute the most recent campaign's progress as the server starts, so the first person to
    open the dashboard does not wait for it (each server process keeps its own copy)."""
    try:
        names = campaign_names(store)
        if names:
            progress_for(store, campaign_spec(store, names[0], work_dir), caches)
    except Exception:  # a campaign file gone missing: the dashboard itself will say so
        log.warning("the dashboard could not be prepared at start-up", exc_info=True)


def _row(week: UnitWeek) -> UnitRow:
    return UnitRow(week.unit, week.unit_name, week.rank, week.records, week.scores.get(OVERALL), week.change,
                   week.forecast, week.lagging, week.lagging_reasons, dict(week.scores), week.top_rules,
                   week.outlook, day(week.last_submission) if week.last_submission else None)


def dashboard_page(request: Request, spec: CampaignSpec, viewer: Viewer) -> DashboardPage:
    progress = progress_for(request.app.state.store, spec, request.app.state.caches)
    visible = {u: weeks for u, weeks in progress.units.items() if viewer.can_see_unit(u)}
    rows = sorted((_row(weeks[-1]) for weeks in visible.values() if weeks), key=lambda r: r.rank)
    present = {c for r in rows for c in r.scores}
    criteria = [c.value for c in CRITERIA if c.value in present]
    total = sum(r.records for r in rows)
    province = {c: sum(r.scores.get(c, 0.0) * r.records for r in rows) / total
                for c in [*criteria, OVERALL]} if total else {}
    trend = {"weeks": [week_label(w).split(" (")[0] for w in progress.weeks], "target": spec.targets.get(OVERALL),
             # the best and the worst units (all up to 8), plus the province: 150 lines are a smudge,
             # the others are in the table
             "series": [{"name": f"{visible[unit][-1].unit_name} ({unit})" if visible[unit][-1].unit_name != unit
                         else unit, "unit": unit, "data": _by_week(progress.weeks, visible[unit])}
                        for unit in shown_units(rows)]
             + ([{"name": "Toàn tỉnh", "unit": "", "data": [
                 None if progress.province.get(w, {}).get(OVERALL) is None
                 else round(progress.province[w][OVERALL] * 100, 2) for w in progress.weeks]}]
                if len(visible) > 1 else [])}
    return DashboardPage(spec.name, week_label(progress.weeks[-1]) if progress.weeks else None, day(spec.deadline),
                         spec.targets.get(OVERALL), criteria, rows, province, [r for r in rows if r.lagging], trend,
                         request.app.state.jobs.pending(spec.name),
                         group_by_database(progress.scorecard, set(visible), request_lang(request)))


def _by_week(weeks: list[str], unit_weeks: list[UnitWeek]) -> list[float | None]:
    scores = {w.week: w.scores.get(OVERALL) for w in unit_weeks}
    return [None if scores.get(w) is None else round(scores[w] * 100, 2) for w in weeks]


@router.get("/dashboard")
def dashboard(request: Request, viewer: SignedIn,
              spec: Campaign):
    return render(request, "dashboard.html", dashboard_page(request, spec, viewer))


@router.get("/dashboard/units")
def dashboard_units(request: Request, viewer: SignedIn,
                    spec: Campaign):
    """The units table alone, re-polled by HTMX while a pass is running."""
    return render(request, "_units_table.html", dashboard_page(request, spec, viewer))
