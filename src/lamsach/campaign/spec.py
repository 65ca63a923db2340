"""Read a campaign file: a manifest (name, province, sources, rules, freshness_days) plus the
campaign's own keys — start, deadline, targets, units, lagging — checked with clear errors."""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path
from typing import Any

import yaml

from lamsach.campaign.model import CampaignSpec
from lamsach.domain import CRITERIA, ErrorCode, LamsachError, Location
from lamsach.ingest import key_lines, load_manifest, parse_yaml, shown_value
from lamsach.settings import Settings

TARGET_KEYS = {c.value for c in CRITERIA} | {"overall"}
# every key a campaign file may hold, by where it sits: a misspelt one ("dealine") is an error
# naming its line and the nearest valid key, never a setting silently left at its default
CAMPAIGN_KEYS: dict[str, tuple[str, ...]] = {
    "": ("kind", "name", "province", "reference_date", "sources", "rules", "freshness_days", "documents_required", "start",
         "deadline", "targets", "units", "lagging", "report"),
    "lagging": ("no_submission_days", "forecast_weeks"),
    "report": ("issuing_body", "number", "place", "signer_title", "signer_name"),
}


def load_campaign(path: Path) -> CampaignSpec:
    """The campaign declared in `path`; every problem reported together."""
    path = Path(path)
    settings = Settings.from_env()
    manifest = load_manifest(path, settings.source_root_paths, settings.source_url_prefixes)
    text = path.read_text(encoding="utf-8-sig")
    document, node = parse_yaml(text, str(path))
    document = document or {}
    lines = key_lines(node)
    errors: list[LamsachError] = unknown_keys(text, str(path))

    def problem(code: ErrorCode, at: str | None = None, **params: Any) -> None:
        """One problem in the file's language-neutral form: a code and its values, worded in vi/en,
        at the line of the key `at` (by default the key the message names)."""
        line = lines.get(at or params.get("key") or params.get("field") or "")
        errors.append(LamsachError(code, Location(file=str(path), row=line), params))

    def shaped(key: str, kind: type, example: str) -> Any:
        """The value of `key` if it has the shape `kind` (or is absent), else a problem and None."""
        value = document.get(key)
        if value is None or isinstance(value, kind):
            return value
        code = ErrorCode.MANIFEST_VALUE_NOT_MAPPING if kind is dict else ErrorCode.MANIFEST_VALUE_NOT_LIST
        problem(code, key=key, value=shown_value(value), example=example)
        return None

    start = _date(document.get("start"), "start", problem)
    deadline = _date(document.get("deadline"), "deadline", problem)
    if start and deadline and deadline <= start:
        problem(ErrorCode.CAMPAIGN_DEADLINE_BEFORE_START, start=start.isoformat(), deadline=deadline.isoformat())
    targets = shaped("targets", dict, "{overall: 0.95}")
    if not document.get("targets"):
        targets = {"overall": 0.95}  # none given: the default target
    targets = targets or {}  # a value of the wrong shape was reported above
    clean_targets: dict[str, float] = {}
    for key, value in targets.items():
        if key not in TARGET_KEYS:
            problem(ErrorCode.CAMPAIGN_TARGET_UNKNOWN, at=f"targets.{key}", key=str(key),
                    known=", ".join(sorted(TARGET_KEYS)))
        elif not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1:
            problem(ErrorCode.CAMPAIGN_TARGET_INVALID, key=f"targets.{key}", value=str(value))
        else:
            clean_targets[key] = float(value)
    units = tuple(str(u).zfill(5) if str(u).isdigit() else str(u)
                  for u in shaped("units", list, '["16012", "16015"]') or ())
    lagging = shaped("lagging", dict, "{no_submission_days: 14, forecast_weeks: 4}") or {}
    no_submission_days = _positive(lagging.get("no_submission_days", 14), "lagging.no_submission_days", problem)
    forecast_weeks = _positive(lagging.get("forecast_weeks", 4), "lagging.forecast_weeks", problem)
    report = shaped("report", dict, '{issuing_body: "UBND TỈNH THANH HÓA", place: "Thanh Hóa"}') or {}
    if errors:
        raise errors[0] if len(errors) == 1 else ExceptionGroup("campaign", errors)
    assert start and deadline
    return CampaignSpec(manifest.name, manifest, start, deadline, clean_targets, units, no_submission_days,
                        max(forecast_weeks, 2), str(report.get("issuing_body", "")),
                        str(report.get("number", "")), str(report.get("place", "")),
                        str(report.get("signer_title", "")), str(report.get("signer_name", "")))


def _date(value: Any, key: str, problem) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        if value is None:
            problem(ErrorCode.MANIFEST_FIELD_MISSING, field=key)
        else:
            problem(ErrorCode.CAMPAIGN_DATE_INVALID, key=key, value=str(value))
        return None


def _positive(value: Any, key: str, problem) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    problem(ErrorCode.CAMPAIGN_NUMBER_INVALID, key=key, value=str(value))
    return 1


def unknown_keys(text: str, file: str) -> list[LamsachError]:
    """An error per key of `CAMPAIGN_KEYS`' sections that is not one of them, at its line."""
    errors: list[LamsachError] = []
    root = yaml.compose(text)
    if not isinstance(root, yaml.MappingNode):
        return errors
    sections = {"": root}
    for key, value in root.value:
        if key.value in CAMPAIGN_KEYS and isinstance(value, yaml.MappingNode):
            sections[key.value] = value
    for section, node in sections.items():
        allowed = CAMPAIGN_KEYS[section]
        for key, _ in node.value:
            if key.value in allowed:
                continue
            nearest = difflib.get_close_matches(str(key.value), allowed, n=1, cutoff=0.0)
            name = f"{section}.{key.value}" if section else str(key.value)
            errors.append(LamsachError(ErrorCode.MANIFEST_KEY_UNKNOWN, Location(file=file, row=key.start_mark.line + 1),
                                       {"key": name, "nearest": nearest[0] if nearest else "",
                                        "allowed": ", ".join(allowed)}))
    return errors
