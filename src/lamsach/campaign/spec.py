"""Read a campaign file: a manifest (name, province, sources, rules, freshness_days) plus the
campaign's own keys — start, deadline, targets, units, lagging — checked with clear errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from lamsach.campaign.model import CampaignSpec
from lamsach.domain import CRITERIA, ErrorCode, LamsachError, Location
from lamsach.ingest import load_manifest
from lamsach.settings import Settings

TARGET_KEYS = {c.value for c in CRITERIA} | {"overall"}


def load_campaign(path: Path) -> CampaignSpec:
    """The campaign declared in `path`; every problem reported together."""
    path = Path(path)
    manifest = load_manifest(path, Settings.from_env().source_root_paths)
    document = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    errors: list[LamsachError] = []

    def problem(reason: str) -> None:
        errors.append(LamsachError(ErrorCode.MANIFEST_INVALID, Location(file=str(path)), {"reason": reason}))

    start = _date(document.get("start"), "start", problem)
    deadline = _date(document.get("deadline"), "deadline", problem)
    if start and deadline and deadline <= start:
        problem(f"deadline {deadline} must come after start {start}")
    targets = document.get("targets") or {"overall": 0.95}
    if not isinstance(targets, dict):
        problem("targets: must map a criterion (or overall) to a share between 0 and 1, e.g. overall: 0.95")
        targets = {}
    clean_targets: dict[str, float] = {}
    for key, value in targets.items():
        if key not in TARGET_KEYS:
            problem(f"targets: “{key}” is not a criterion (known: {', '.join(sorted(TARGET_KEYS))})")
        elif not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1:
            problem(f"targets: {key} must be a share between 0 and 1, not “{value}”")
        else:
            clean_targets[key] = float(value)
    units = tuple(str(u).zfill(5) if str(u).isdigit() else str(u) for u in document.get("units") or ())
    lagging = document.get("lagging") or {}
    no_submission_days = _positive(lagging.get("no_submission_days", 14), "lagging.no_submission_days", problem)
    forecast_weeks = _positive(lagging.get("forecast_weeks", 4), "lagging.forecast_weeks", problem)
    report = document.get("report") or {}
    if errors:
        raise errors[0] if len(errors) == 1 else ExceptionGroup("campaign", errors)
    assert start and deadline
    return CampaignSpec(manifest.name, manifest, start, deadline, clean_targets, units, no_submission_days,
                        max(forecast_weeks, 2), str(report.get("issuing_body", "")),
                        str(report.get("number", "")))


def _date(value: Any, key: str, problem) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problem(f"{key}: needs a date yyyy-mm-dd, not “{value}”" if value is not None else f"{key}: is missing")
        return None


def _positive(value: Any, key: str, problem) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    problem(f"{key} must be a whole number > 0, not “{value}”")
    return 1
