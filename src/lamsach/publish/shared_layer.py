"""The publish stage: the shared layer, the outbox, and what the *shared* criterion measures.

A record's current version is published when it has no open finding of error severity (warnings
do not block): it becomes the record's row in the shared layer that lookups read, and an outbox
entry for the National Data Center, in one transaction. A record passes *shared* when its current
version is published and the receiver acknowledged it. Records that do not pass get a *shared*
finding when there is something to say: not published (naming the open errors that block it),
rejected by the National Data Center (its reason), or sent but not acknowledged in time.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
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


class Publishing:
    """The shared layer and the outbox being written in a thread of their own, while the pass goes
    on: measuring and writing the contract files and reports need only which records are blocked
    and the synchronisation states, not the written versions. The writing is the store's own SQL
    in one transaction, the pass's work beside it is DuckDB's and the report writers', so on two
    cores they run side by side. `result` is known once the blocked records are; `finish` waits
    for the transaction (and raises what it raised) before the pass writes anything else to the
    store."""

    def __init__(self, store: Store, campaign: str, run_id: int, blocked: Collection[tuple[str, str]]) -> None:
        self.seconds = 0.0  # how long the writing took, once it ended
        self._decided: Future[list[tuple[str, str]]] = Future()
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="lamsach-publish")
        started = time.perf_counter()
        self._written = self._pool.submit(store.publish_current, campaign, run_id, blocked, line_sql,
                                          self._decided.set_result)
        self._written.add_done_callback(lambda _: setattr(self, "seconds", round(time.perf_counter() - started, 3)))
        self._pool.shutdown(wait=False)
        self.result: SharedResult | None = None

    def blocked_keys(self) -> list[tuple[str, str]]:
        """The store's records the errors keep from being published, once the store has found them."""
        wait([self._decided, self._written], return_when=FIRST_COMPLETED)
        if self._decided.done():
            return self._decided.result()
        return self._written.result().blocked_keys  # raises what the writing raised

    def finish(self) -> SharedResult:
        """Wait for the versions to be written and committed; the result with their counts."""
        counts = self._written.result()
        assert self.result is not None, "finish() before the result was made"
        self.result.counts = counts
        return self.result

    def wait_quietly(self) -> None:
        """Wait for the writing to end, whatever its end (the pass failed meanwhile: the store
        must not be closed, nor the run marked failed, while the transaction is still open)."""
        wait([self._written])


def start_publish_shared(engine: Engine, store: Store, campaign: str, run_id: int,
                         tables: dict[str, str], findings: str, overdue_hours: float,
                         now: datetime | None = None) -> Publishing:
    """Start publishing what may be published, add the *shared* findings to `findings`, and make
    the table of records that pass *shared* (for the scorecard); the versions are written on in
    the background until `Publishing.finish`."""
    now = now or datetime.now(UTC)
    quote = engine.dialect.quote
    blocking = {(r["dataset"], r["record_id"]): r["rules"] for r in engine.rows(
        f"SELECT dataset, record_id, string_agg(DISTINCT rule, ', ' ORDER BY rule) AS rules "
        f"FROM {quote(findings)} WHERE status = 'open' AND severity = 'error' AND criterion <> 'shared' "
        f"GROUP BY dataset, record_id", rule="publish: blocking errors")}
    publishing = Publishing(store, campaign, run_id, blocking.keys())
    try:
        blocked_keys = publishing.blocked_keys()
        overdue_before = now - timedelta(hours=overdue_hours)
        templates = rule_templates()
        new_findings: list[dict] = []
        passing_keys: list[tuple[str, str]] = []
        for key in blocked_keys:  # the store's records that errors keep from being published
            new_findings.append(_finding(templates, key, NOT_PUBLISHED, {"rules": blocking[key]}))
        # records whose current version is published and was sent (records waiting to be sent, or
        # published in an older version elsewhere meanwhile, neither pass nor have anything to say).
        # Read while the versions are being written, so as the store was before them: the same
        # records, since a version published now is waiting to be sent, and its record was not
        # among them before (its current version was not the shared layer's).
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
    except BaseException:
        publishing.wait_quietly()
        raise
    publishing.result = SharedResult(PublishCounts(blocked=len(blocked_keys), blocked_keys=blocked_keys), passing,
                                     len(passing_keys), len(new_findings))
    return publishing


def publish_shared(engine: Engine, store: Store, campaign: str, run_id: int,
                   tables: dict[str, str], findings: str, overdue_hours: float,
                   now: datetime | None = None) -> SharedResult:
    """`start_publish_shared`, waiting for the versions to be written."""
    return start_publish_shared(engine, store, campaign, run_id, tables, findings, overdue_hours, now).finish()


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

