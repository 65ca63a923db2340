"""Weekly progress of a campaign, read from the snapshots the store keeps (nothing recomputed).

Each run of the campaign is a snapshot dated by its reference date; the last snapshot of each
ISO week stands for that week. Per unit: scores per criterion and overall, change since last
week, a forecast to the deadline (`forecast.py`), a lagging flag and a rank.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from lamsach.backends.store import SqlAlchemyStore
from lamsach.campaign.forecast import forecast_at, outlook
from lamsach.campaign.model import CampaignProgress, CampaignSpec, UnitWeek
from lamsach.campaign.units import unit_name
from lamsach.measure import OVERALL

TOP_RULES = 5


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def weekly_snapshots(store: SqlAlchemyStore, campaign: str, as_of: date | None = None) -> list[tuple[str, dict]]:
    """(ISO week, run) for the last complete run of each week, oldest first."""
    runs = [r for r in store.runs() if r["campaign"] == campaign and r["status"] == "complete"
            and r["reference_date"]]
    if as_of:
        runs = [r for r in runs if date.fromisoformat(r["reference_date"]) <= as_of]
    latest: dict[str, dict] = {}
    for run in sorted(runs, key=lambda r: (r["reference_date"], r["id"])):
        latest[iso_week(date.fromisoformat(run["reference_date"]))] = run
    return sorted(latest.items())


def campaign_progress(store: SqlAlchemyStore, spec: CampaignSpec, as_of: date | None = None) -> CampaignProgress:
    snapshots = weekly_snapshots(store, spec.name, as_of)
    submissions: dict[str, list[date]] = defaultdict(list)
    for s in store.submissions(spec.name):
        submissions[s["unit"]].append(date.fromisoformat(s["date"]))
    target = spec.targets.get(OVERALL)
    progress = CampaignProgress(spec, [week for week, _ in snapshots])
    history: dict[str, list[tuple[date, float]]] = defaultdict(list)
    for week, run in snapshots:
        day = date.fromisoformat(run["reference_date"])
        card = store.scorecard(run["id"])
        scores = _unit_scores(card)
        units = list(spec.units) or sorted(set(scores) | set(submissions))
        rules = _top_rules(store.finding_counts(run["id"]))
        rows = []
        for unit in units:
            records, unit_scores = scores.get(unit, (0, {}))
            overall = unit_scores.get(OVERALL)
            previous = history[unit][-1][1] if history[unit] else None
            if overall is not None:
                history[unit].append((day, overall))
            recent = history[unit][-spec.forecast_weeks:]
            forecast = forecast_at(recent, spec.deadline)
            sent = [d for d in submissions.get(unit, []) if d <= day]
            last = max(sent) if sent else None
            reasons = []
            if target is not None and forecast is not None and forecast.value < target:
                reasons.append("forecast_below_target")
            if (day - (last or spec.start)).days >= spec.no_submission_days:
                reasons.append("no_submission")
            rows.append(UnitWeek(
                unit=unit, unit_name=unit_name(spec.manifest.province, unit), week=week, snapshot_date=day, run_id=run["id"],
                records=records, scores=unit_scores,
                change=None if previous is None or overall is None else round(overall - previous, 4),
                forecast=forecast.value if forecast else None, forecast_low=forecast.low if forecast else None,
                forecast_high=forecast.high if forecast else None, last_submission=last,
                lagging=bool(reasons), lagging_reasons=tuple(reasons), top_rules=rules.get(unit, ()),
                outlook=outlook(forecast, target, overall)))
        progress.province[week] = _roll_up(scores)
        progress.scorecard = list(card)  # the newest week's, per dataset (by key database in reports)
        ranked = sorted(rows, key=lambda r: (-(r.scores.get(OVERALL) or 0.0), r.unit))
        for rank, row in enumerate(ranked, start=1):
            progress.units.setdefault(row.unit, []).append(_with_rank(row, rank))
    return progress


def _unit_scores(rows: list[dict]) -> dict[str, tuple[int, dict[str, float]]]:
    """Per unit: its records (all datasets) and the share passing each criterion and overall."""
    records: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    passing: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        records[r["unit"]][r["criterion"]] += r["records"]
        passing[r["unit"]][r["criterion"]] += r["passing"]
    result = {}
    for unit, by_criterion in records.items():
        scores = {c: round(passing[unit][c] / n, 4) for c, n in by_criterion.items() if n}
        result[unit] = (by_criterion.get(OVERALL, 0), scores)
    return result


def _roll_up(scores: dict[str, tuple[int, dict[str, float]]]) -> dict[str, float]:
    """The province's share per criterion: passing records summed over units over all records."""
    return {c: round(total, 4) for c, total in _sums(scores).items()}


def _sums(scores: dict[str, tuple[int, dict[str, float]]]) -> dict[str, float]:
    records = sum(n for n, _ in scores.values())
    if not records:
        return {}
    criteria = {c for _, s in scores.values() for c in s}
    return {c: sum(round(s.get(c, 0) * n) for n, s in scores.values()) / records for c in criteria}


def _top_rules(counts: list[dict]) -> dict[str, tuple[tuple[str, int], ...]]:
    per_unit: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for c in counts:
        per_unit[c["unit"] or ""][c["rule"]] += c["n"]
    return {unit: tuple(sorted(rules.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_RULES])
            for unit, rules in per_unit.items()}


def _with_rank(row: UnitWeek, rank: int) -> UnitWeek:
    from dataclasses import replace

    return replace(row, rank=rank)
