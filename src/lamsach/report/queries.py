"""The figures both reports show, computed once in the engine and shaped per unit.

A provincial officer reads the province's totals and which units lag; a commune officer reads one
unit's page: its scores, the rules that cost it most records, and the records to fix first. Every
figure here comes from one SQL query over all units (window functions pick each unit's top rows),
so the report's cost does not grow with a loop over units or records in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lamsach.backends.engine import Dialect, Engine
from lamsach.domain import CRITERIA, DATA_CRITERIA
from lamsach.report.labels import UnitTitle, criterion_label, labels, unit_title
from lamsach.report.scores import OVERALL, ScoreRow, score_rows, unit_findings_table

CRITERION_VI = {c: criterion_label(c) for c in labels()["criteria"]}
"""Criterion code -> Vietnamese word (kept for the CLI's closing table)."""


@dataclass
class UnitPage:
    """What one unit's page (HTML) and sheet (XLSX) show."""

    title: UnitTitle
    total: ScoreRow
    datasets: list[ScoreRow]
    top_rules: list[dict] = field(default_factory=list)
    worst_records: list[dict] = field(default_factory=list)


@dataclass
class ReportData:
    criteria: list[str]  # the five data criteria, in report order
    province: ScoreRow
    by_dataset: list[ScoreRow]
    units: list[UnitPage]
    top_rules: list[dict]
    unit_findings: str  # engine table: findings with their record's unit
    generated_at: datetime


def _rule_impact_sql(dialect: Dialect, unit_findings: str, per_unit: bool, limit: int) -> str:
    """Rules ranked by the records their open findings touch: those records fail a criterion."""
    unit = "unit, " if per_unit else ""
    example = dialect.arg_min("message", "dataset || chr(31) || record_id || chr(31) || coalesce(field, '')")
    top = dialect.first_per_group(
        "*", f"FROM (SELECT {unit}rule, criterion, count(*) AS findings, "
        f"count(DISTINCT dataset || chr(31) || record_id) AS records, {example} AS example "
        f"FROM {dialect.quote(unit_findings)} WHERE status = 'open' GROUP BY {unit}rule, criterion)",
        "unit" if per_unit else None, "records DESC, findings DESC, rule", limit)
    return f"SELECT * FROM ({top}) ORDER BY {unit}records DESC, findings DESC, rule"


def _worst_records_sql(dialect: Dialect, unit_findings: str, limit: int) -> str:
    """Each unit's records with the most open findings, with every message, to fix first."""
    top = dialect.first_per_group(
        f"unit, dataset, record_id, count(*) AS findings, {dialect.list_of('criterion', distinct=True)} AS criteria, "
        f"{dialect.list_of('message', order='field, rule, message')} AS messages",
        f"FROM {dialect.quote(unit_findings)} WHERE status = 'open' GROUP BY unit, dataset, record_id",
        "unit", "count(*) DESC, dataset, record_id", limit)
    return f"SELECT * FROM ({top}) ORDER BY unit, findings DESC, dataset, record_id"


def report_data(engine: Engine, tables: dict[str, str], findings: str, scorecard: str,
                generated_at: datetime, rules_limit: int = 15, unit_rules_limit: int = 10,
                worst_limit: int = 10) -> ReportData:
    """Everything the two reports show, from the record tables, the findings and the scorecard."""
    scored = {r["criterion"] for r in engine.rows(f"SELECT DISTINCT criterion FROM {engine.dialect.quote(scorecard)}")}
    criteria = [c.value for c in CRITERIA if c in DATA_CRITERIA or c.value in scored]
    order = {c: i for i, c in enumerate(criteria)}
    unit_findings = unit_findings_table(engine, tables, findings)
    rows = score_rows(engine, tables, unit_findings, scorecard)
    province = next((r for r in rows if r.unit is None and r.dataset is None), ScoreRow(None, None))
    by_dataset = [r for r in rows if r.unit is None and r.dataset is not None]
    unit_rules: dict[str, list[dict]] = {}
    for r in engine.rows(_rule_impact_sql(engine.dialect, unit_findings, True, unit_rules_limit), rule="report: unit rules"):
        unit_rules.setdefault(r["unit"], []).append(r)
    worst: dict[str, list[dict]] = {}
    for r in engine.rows(_worst_records_sql(engine.dialect, unit_findings, worst_limit), rule="report: worst records"):
        r["criteria"] = sorted(r["criteria"], key=lambda c: order.get(c, len(order)))
        worst.setdefault(r["unit"], []).append(r)
    per_dataset: dict[str, list[ScoreRow]] = {}
    for r in rows:
        if r.unit is not None and r.dataset is not None:
            per_dataset.setdefault(r.unit, []).append(r)
    units = [UnitPage(unit_title(total.unit), total, per_dataset.get(total.unit, []),
                      unit_rules.get(total.unit, []), worst.get(total.unit, []))
             for total in rows if total.unit is not None and total.dataset is None]
    top = engine.rows(_rule_impact_sql(engine.dialect, unit_findings, False, rules_limit), rule="report: top rules")
    return ReportData(criteria, province, by_dataset, units, top, unit_findings, generated_at)


def ranked_units(data: ReportData) -> list[UnitPage]:
    """Units from the lowest overall score up: the ones to chase first."""
    return sorted(data.units, key=lambda u: (u.total.scores.get(OVERALL, 1.0), u.title.code))
