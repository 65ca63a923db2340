"""Read-side queries the review queue and the record page need: one page of a run's findings
under filters, the values each filter can take, and what officers did since the run.

A province's run holds hundreds of thousands of findings; these read one page, never all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, replace
from datetime import datetime

from sqlalchemy import func, select

from lamsach.backends.store import tables as t
from lamsach.backends.store.sqlalchemy_store import SqlAlchemyStore

OFFICER_SOURCES = ("person", "unit workbook", "undo")


@dataclass(frozen=True)
class FindingFilter:
    """Equality filters on a run's findings; None means any."""

    unit: str | None = None
    dataset: str | None = None
    criterion: str | None = None
    rule: str | None = None
    severity: str | None = None
    status: str | None = None
    record_key: str | None = None

    def where(self, run_id: int) -> list:
        clauses = [t.findings.c.run_id == run_id]
        for f in fields(self):
            value = getattr(self, f.name)
            if value:
                clauses.append(t.findings.c[f.name] == value)
        return clauses


def findings_page(store: SqlAlchemyStore, run_id: int, where: FindingFilter, limit: int = 50,
                  offset: int = 0) -> tuple[list[dict], int]:
    """One page of findings (by id) and how many match in all."""
    clauses = where.where(run_id)
    with store.engine.connect() as conn:
        rows = conn.execute(select(t.findings).where(*clauses).order_by(t.findings.c.id)
                            .limit(limit).offset(offset))
        page = [dict(r._mapping) for r in rows]
        total = conn.execute(select(func.count()).select_from(t.findings).where(*clauses)).scalar_one()
    return page, int(total)


def finding_by_id(store: SqlAlchemyStore, finding_id: int) -> dict | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(t.findings).where(t.findings.c.id == finding_id)).first()
    return dict(row._mapping) if row else None


def finding_facets(store: SqlAlchemyStore, run_id: int, unit: str | None = None) -> dict[str, list[str]]:
    """The values each filter can take in this run (within one unit when given)."""
    clauses = FindingFilter(unit=unit).where(run_id)
    columns = ("unit", "dataset", "criterion", "rule", "severity", "status")
    facets: dict[str, set[str]] = {c: set() for c in columns}
    with store.engine.connect() as conn:
        rows = conn.execute(select(*(t.findings.c[c] for c in columns)).where(*clauses).distinct())
        for row in rows:
            for c in columns:
                if row._mapping[c]:
                    facets[c].add(row._mapping[c])
    return {c: sorted(v) for c, v in facets.items()}


def selected_suggestions(store: SqlAlchemyStore, run_id: int, where: FindingFilter) -> list[dict]:
    """The open findings carrying a suggested value among those `where` selects, every filter
    applied (unit, dataset, criterion, rule, severity, record): exactly what "accept all" changes."""
    clauses = replace(where, status=None).where(run_id)
    with store.engine.connect() as conn:
        rows = conn.execute(select(t.findings).where(
            *clauses, t.findings.c.status == "open", t.findings.c.suggested_value.is_not(None))
            .order_by(t.findings.c.id))
        return [dict(r._mapping) for r in rows]


def acted_since(store: SqlAlchemyStore, campaign: str, since: datetime,
                cells: list[tuple[str, str, str]]) -> dict[tuple[str, str, str], str]:
    """For (dataset, record_key, field) cells: what an officer did after `since` — "edited" when
    the value changed by hand, else "dismissed" when a verdict was recorded. Reads through the
    record and decision indexes: a page's few records, never the whole change log."""
    if not cells:
        return {}
    wanted = set(cells)
    datasets = sorted({d for d, _, _ in cells})
    keys = sorted({k for _, k, _ in cells})
    found: dict[tuple[str, str, str], str] = {}
    with store.engine.connect() as conn:
        decisions = conn.execute(select(t.finding_decisions.c.dataset, t.finding_decisions.c.record_key,
                                        t.finding_decisions.c.field)
                                 .where(t.finding_decisions.c.campaign == campaign,
                                        t.finding_decisions.c.dataset.in_(datasets),
                                        t.finding_decisions.c.record_key.in_(keys),
                                        t.finding_decisions.c.at >= since,
                                        t.finding_decisions.c.status == "dismissed"))
        for r in decisions:
            found[(r.dataset, r.record_key, r.field)] = "dismissed"
        edited = conn.execute(
            select(t.records.c.dataset, t.records.c.record_key, t.changes.c.field)
            .join(t.changes, t.changes.c.record_id == t.records.c.id)
            .where(t.records.c.campaign == campaign, t.records.c.dataset.in_(datasets),
                   t.records.c.record_key.in_(keys), t.changes.c.at >= since,
                   t.changes.c.source.in_(OFFICER_SOURCES)))
        for r in edited:
            found[(r.dataset, r.record_key, r.field)] = "edited"
    return {cell: what for cell, what in found.items() if cell in wanted}


def record_findings(store: SqlAlchemyStore, run_id: int, dataset: str, key: str) -> list[dict]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(t.findings).where(t.findings.c.run_id == run_id, t.findings.c.dataset == dataset,
                                                     t.findings.c.record_key == key).order_by(t.findings.c.id))
        return [dict(r._mapping) for r in rows]


def register_entries(store: SqlAlchemyStore, citizen_id: str) -> list[dict]:
    """The population-register records carrying `citizen_id` (every campaign), newest first:
    what an agency's residence lookup answers from."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(t.records.c.campaign, t.records.c.record_key, t.records.c.data,
                                   t.records.c.updated_at)
                            .where(t.records.c.citizen_id == citizen_id, t.records.c.dataset == "population")
                            .order_by(t.records.c.updated_at.desc()))
        return [{"campaign": r.campaign, "record_key": r.record_key, "data": json.loads(r.data),
                 "updated_at": r.updated_at} for r in rows]


@dataclass(frozen=True)
class ChangeFilter:
    """What the change log is narrowed to; every part optional."""

    unit: str | None = None
    dataset: str | None = None
    source: str | None = None
    actor: str | None = None
    record_key: str | None = None


def change_log(store: SqlAlchemyStore, campaign: str, where: ChangeFilter, limit: int,
               offset: int) -> tuple[list[dict], int]:
    """Every change of the campaign's records, newest first (value, source, who, when, why), and
    how many match in all: the inspector's history of every change."""
    c, r = t.changes.c, t.records.c
    conditions = [r.campaign == campaign]
    for column, value in ((r.unit, where.unit), (r.dataset, where.dataset), (c.source, where.source),
                          (c.actor, where.actor), (r.record_key, where.record_key)):
        if value:
            conditions.append(column == value)
    joined = t.changes.join(t.records, c.record_id == r.id)
    query = (select(c.id, c.version, c.field, c.old_value, c.new_value, c.source, c.rule, c.actor, c.at, c.reason,
                    c.undoes, r.dataset, r.record_key, r.unit)
             .select_from(joined).where(*conditions).order_by(c.id.desc()).limit(limit).offset(offset))
    count = select(func.count()).select_from(joined).where(*conditions)
    with store.engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)], int(conn.execute(count).scalar_one())


def change_sources(store: SqlAlchemyStore, campaign: str) -> list[str]:
    """The sources changes came from in this campaign (import, repair, enrichment, person, …)."""
    query = (select(t.changes.c.source).distinct().select_from(t.changes.join(t.records,
             t.changes.c.record_id == t.records.c.id)).where(t.records.c.campaign == campaign))
    with store.engine.connect() as conn:
        return sorted(row.source for row in conn.execute(query))
