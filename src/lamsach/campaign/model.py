"""A campaign and its weekly progress, as plain dataclasses the report and the web read.

A campaign is declared in a YAML file (`kind: campaign`): the manifest's sources plus start,
deadline, targets per criterion, the freshness windows, rule overrides and when a unit that
sends nothing counts as lagging. Each run of the campaign is a dated snapshot; the last snapshot
of an ISO week is that week's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from lamsach.domain import Manifest


@dataclass(frozen=True)
class CampaignSpec:
    name: str
    manifest: Manifest
    start: date
    deadline: date
    targets: dict[str, float]  # criterion or "overall" -> share of records that must pass
    units: tuple[str, ...] = ()  # commune codes; empty: every unit the sources name
    no_submission_days: int = 14  # a unit that sent nothing for this long is lagging
    forecast_weeks: int = 4  # how many recent weeks the trend is fitted on
    issuing_body: str = ""  # e.g. "ỦY BAN NHÂN DÂN TỈNH THANH HÓA" for the weekly report header
    report_number: str = ""  # e.g. "…/BC-UBND"
    report_place: str = ""  # e.g. "Thanh Hóa": the place before the report's date
    signer_title: str = ""  # e.g. "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH": the signature block's title
    signer_name: str = ""  # the signer's full name under the title


@dataclass(frozen=True)
class UnitWeek:
    """One unit's standing in one ISO week (from that week's last snapshot)."""

    unit: str
    unit_name: str
    week: str  # ISO week, e.g. "2026-W47"
    snapshot_date: date
    run_id: int
    records: int
    scores: dict[str, float]  # criterion -> share passing; "overall" = passing all five data criteria
    change: float | None  # overall score minus the previous week's; None in the first week
    forecast: float | None  # overall score expected at the deadline (None: too few weeks)
    forecast_low: float | None  # lower bound of the forecast's 80% interval
    forecast_high: float | None
    last_submission: date | None
    lagging: bool
    lagging_reasons: tuple[str, ...] = ()  # "forecast_below_target", "no_submission"
    rank: int = 0  # 1 = best overall score this week
    top_rules: tuple[tuple[str, int], ...] = ()  # the rules with most open findings (rule, count)
    outlook: str | None = None  # "on_track", "at_risk", "will_miss" against the overall target


@dataclass
class CampaignProgress:
    spec: CampaignSpec
    weeks: list[str]  # ISO weeks with a snapshot, oldest first
    units: dict[str, list[UnitWeek]] = field(default_factory=dict)  # unit -> its weeks, oldest first
    province: dict[str, dict[str, float]] = field(default_factory=dict)  # week -> criterion -> share
    scorecard: list[dict] = field(default_factory=list)  # the newest week's scorecard rows (unit, dataset, …)

    def latest(self) -> list[UnitWeek]:
        """Each unit's row for the newest week, best rank first."""
        rows = [weeks[-1] for weeks in self.units.values() if weeks]
        return sorted(rows, key=lambda r: r.rank)
