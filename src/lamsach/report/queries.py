"""The figures both reports show, computed once in the engine."""

from __future__ import annotations

from dataclasses import dataclass

from lamsach.backends.engine import Engine
from lamsach.domain import DATA_CRITERIA
from lamsach.validate import quote

CRITERION_VI = {"correct": "Đúng", "complete": "Đủ", "clean": "Sạch", "live": "Sống",
                "unified": "Thống nhất", "shared": "Dùng chung"}


@dataclass
class ReportData:
    units: list[dict]  # unit, dataset, records, and one score per criterion
    top_rules: list[dict]
    worst_records: list[dict]
    criteria: list[str]


def report_data(engine: Engine, findings: str, scorecard: str, limit: int = 20) -> ReportData:
    crit = [c.value for c in DATA_CRITERIA]
    pivot = ", ".join(
        f"max(CASE WHEN criterion = '{c}' THEN score END) AS {c}" for c in crit)
    units = engine.rows(f"SELECT unit, dataset, max(records) AS records, {pivot} FROM {quote(scorecard)} "
                       f"GROUP BY unit, dataset ORDER BY unit, dataset")
    top = engine.rows(f"SELECT rule, criterion, status, count(*) AS n, count(DISTINCT record_id) AS records "
                     f"FROM {quote(findings)} GROUP BY ALL ORDER BY n DESC LIMIT {int(limit)}"
                     )
    worst = engine.rows(f"SELECT dataset, record_id, unit, count(*) AS n, string_agg(DISTINCT rule, ', ') AS rules "
                       f"FROM {quote(findings)} WHERE status = 'open' GROUP BY ALL ORDER BY n DESC, record_id "
                       f"LIMIT {int(limit)}")
    return ReportData(units, top, worst, crit)
