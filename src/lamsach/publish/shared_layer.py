"""The publish stage: the shared layer, the outbox, and what the *shared* criterion measures.

A record's current version is published when it has no open finding of error severity (warnings
do not block): it becomes the record's row in the shared layer that lookups read, and an outbox
entry for the National Data Center, in one transaction. A record passes *shared* when its current
version is published and the receiver acknowledged it. Records that do not pass get a *shared*
finding when there is something to say: not published (naming the open errors that block it),
rejected by the National Data Center (its reason), or sent but not acknowledged in time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyarrow as pa

from lamsach.backends.engine import Engine
from lamsach.backends.store import PublishCounts, Store, as_utc
from lamsach.data import rule_templates
from lamsach.publish.outbox import line_sql
from lamsach.validate import FINDING_COLUMNS

NOT_PUBLISHED = "not_published"
REJECTED = "rejected_by_national_center"
NOT_ACKNOWLEDGED = "sync_not_acknowledged"
_SEVERITY = {NOT_PUBLISHED: "warning", REJECTED: "error", NOT_ACKNOWLEDGED: "warning"}


@dataclass
class SharedResult:
    """What the stage did: the versions it published, and the engine table of records passing *shared*."""

    counts: PublishCounts
    passing: str
    acknowledged: int
    findings: int


def publish_shared(engine: Engine, store: Store, campaign: str, run_id: int,
                   tables: dict[str, str], findings: str, overdue_hours: float,
                   now: datetime | None = None) -> SharedResult:
    """Publish what may be published, add the *shared* findings to `findings`, and return the
    table of records that pass *shared* (for the scorecard)."""
    now = now or datetime.now(UTC)
    quote = engine.dialect.quote
    blocking = {(r["dataset"], r["record_id"]): r["rules"] for r in engine.rows(
        f"SELECT dataset, record_id, string_agg(DISTINCT rule, ', ' ORDER BY rule) AS rules "
        f"FROM {quote(findings)} WHERE status = 'open' AND severity = 'error' AND criterion <> 'shared' "
        f"GROUP BY dataset, record_id", rule="publish: blocking errors")}
    counts = store.publish_current(campaign, run_id, blocking.keys(), line_sql)
    overdue_before = now - timedelta(hours=overdue_hours)
    templates = rule_templates()
    new_findings: list[dict] = []
    passing_keys: list[tuple[str, str]] = []
    for key in counts.blocked_keys:  # the store's records that errors keep from being published
        new_findings.append(_finding(templates, key, NOT_PUBLISHED, {"rules": blocking[key]}))
    # records whose current version is published and was sent (records waiting to be sent, or
    # published in an older version elsewhere meanwhile, neither pass nor have anything to say)
    for s in store.sync_states(campaign):
        key = (s["dataset"], s["record_key"])
        if key in blocking:
            continue
        if s["state"] == "acknowledged":
            passing_keys.append(key)
        elif s["state"] == "rejected":
            new_findings.append(_finding(templates, key, REJECTED, {"reason": s["reason"] or ""}))
        elif s["state"] == "sending" and s["sent_at"] is not None and as_utc(s["sent_at"]) < overdue_before:
            new_findings.append(_finding(templates, key, NOT_ACKNOWLEDGED,
                                         {"sent_at": as_utc(s["sent_at"]).isoformat(timespec="minutes"),
                                          "hours": f"{overdue_hours:g}"}))
    _add_findings(engine, tables, findings, new_findings)
    passing = engine.register("shared_passing", pa.table({
        "dataset": pa.array([k[0] for k in passing_keys], pa.string()),
        "record_id": pa.array([k[1] for k in passing_keys], pa.string())}))
    return SharedResult(counts, passing, len(passing_keys), len(new_findings))


def _finding(templates: dict, key: tuple[str, str], rule: str, params: dict) -> dict:
    return {"dataset": key[0], "record_id": key[1], "rule": rule, "severity": _SEVERITY[rule],
            "message": templates[rule]["vi"].format_map(params)}


def _add_findings(engine: Engine, tables: dict[str, str], findings: str, rows: list[dict]) -> None:
    """Append the *shared* findings, each with its record's unit as the scorecard counts it."""
    if not rows or not tables:
        return
    quote = engine.dialect.quote
    new = engine.register("shared_findings", pa.table({
        name: pa.array([r[name] for r in rows], pa.string())
        for name in ("dataset", "record_id", "rule", "severity", "message")}))
    units = " UNION ALL ".join(
        f"SELECT '{d}' AS dataset, record_id, __unit AS unit FROM {quote(table)}" for d, table in tables.items())
    values = {"dataset": "n.dataset", "record_id": "n.record_id", "unit": "u.unit", "field": "''",
              "criterion": "'shared'", "rule": "n.rule", "severity": "n.severity", "status": "'open'",
              "message": "n.message", "suggested_value": "NULL"}
    engine.run(f"INSERT INTO {quote(findings)} ({', '.join(FINDING_COLUMNS)}) "
               f"SELECT {', '.join(values[c] for c in FINDING_COLUMNS)} FROM {quote(new)} n "
               f"LEFT JOIN ({units}) u ON u.dataset = n.dataset AND u.record_id = n.record_id",
               rule="publish: shared findings")

