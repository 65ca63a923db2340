"""Scores at every level a report shows: unit × dataset, unit, dataset, province; and "overall".

The scorecard holds the share of records passing each criterion per unit and dataset. Reports also
need totals over datasets and units, and "overall", the share of records passing all five data
criteria at once: a record passes overall when it has no open finding of any of them. Sums of
numerators and denominators (never averages of shares) roll up exactly; all of it is one GROUPING
SETS query in the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lamsach.backends.engine import Dialect, Engine
from lamsach.domain import CRITERIA, DATA_CRITERIA

OVERALL = "overall"
"""The pseudo-criterion: passing all five data criteria."""


def sql_text(value: str) -> str:
    """A SQL string literal for the names this package chooses (datasets, criteria), never user input."""
    return "'" + value.replace("'", "''") + "'"


def data_criteria_sql() -> str:
    return ", ".join(sql_text(c.value) for c in DATA_CRITERIA)


def measured_criteria_sql() -> str:
    """The six criteria: *shared* is in the scorecard when the pass published, beside the five."""
    return ", ".join(sql_text(c.value) for c in CRITERIA)


@dataclass
class ScoreRow:
    """One line of a score table: a dataset in a unit, or a total (`None` meaning "all")."""

    unit: str | None
    dataset: str | None
    records: int = 0
    passing: dict[str, int] = field(default_factory=dict)  # criterion or OVERALL -> records passing
    scores: dict[str, float] = field(default_factory=dict)  # the same as shares, rounded as the scorecard
    findings: int = 0
    open_findings: int = 0


def records_sql(dialect: Dialect, tables: dict[str, str]) -> str:
    """Every record as (dataset, record_id, unit), the unit counted as the scorecard counts it."""
    quote = dialect.quote
    if not tables:
        text = dialect.cast("NULL", "text")
        return f"SELECT {text} AS dataset, {text} AS record_id, {text} AS unit WHERE false"
    return " UNION ALL ".join(
        f"SELECT {sql_text(dataset)} AS dataset, record_id, coalesce(__unit, '') AS unit FROM {quote(table)}"
        for dataset, table in tables.items())


def unit_findings_table(engine: Engine, tables: dict[str, str], findings: str) -> str:
    """Findings with the unit of their record: a finding counts where its record is scored."""
    quote = engine.dialect.quote
    name = engine.table_name("report_findings")
    engine.run(
        f"CREATE OR REPLACE TABLE {quote(name)} AS "
        f"SELECT f.dataset, f.record_id, coalesce(r.unit, f.unit, '') AS unit, f.field, f.criterion, f.rule, "
        f"f.severity, f.status, f.message, f.suggested_value "
        f"FROM {quote(findings)} f LEFT JOIN ({records_sql(engine.dialect, tables)}) r "
        f"ON r.dataset = f.dataset AND r.record_id = f.record_id", rule="report: findings by unit")
    return name


def score_rows(engine: Engine, tables: dict[str, str], unit_findings: str, scorecard: str) -> list[ScoreRow]:
    """Score rows for each (unit, dataset), unit, dataset and the province, in that key order."""
    quote = engine.dialect.quote
    five = data_criteria_sql()
    f = quote(unit_findings)
    rows = engine.rows(
        f"WITH failing AS (SELECT DISTINCT dataset, record_id FROM {f} "
        f"  WHERE status = 'open' AND criterion IN ({five})), "
        f"recs AS ({records_sql(engine.dialect, tables)}), "
        f"overall AS (SELECT r.unit, r.dataset, '{OVERALL}' AS criterion, count(*) AS records, "
        f"  count(*) - count(x.record_id) AS passing FROM recs r LEFT JOIN failing x "
        f"  ON x.dataset = r.dataset AND x.record_id = r.record_id GROUP BY r.unit, r.dataset), "
        f"card AS (SELECT unit, dataset, criterion, records, passing FROM {quote(scorecard)} "
        f"  WHERE criterion IN ({measured_criteria_sql()}) UNION ALL SELECT * FROM overall) "
        f"SELECT unit, dataset, criterion, {engine.dialect.cast('sum(records)', 'bigint')} AS records, "
        f"{engine.dialect.cast('sum(passing)', 'bigint')} AS passing, "
        f"round(sum(passing) / sum(records), 4) AS score, grouping(unit) AS all_units, "
        f"grouping(dataset) AS all_datasets FROM card "
        f"GROUP BY GROUPING SETS ((unit, dataset, criterion), (unit, criterion), (dataset, criterion), (criterion))",
        rule="report: scores")
    counts = engine.rows(
        f"SELECT unit, dataset, count(*) AS findings, count(*) FILTER (WHERE status = 'open') AS open_findings, "
        f"grouping(unit) AS all_units, grouping(dataset) AS all_datasets FROM {f} "
        f"GROUP BY GROUPING SETS ((unit, dataset), (unit), (dataset), ())", rule="report: finding counts")
    out: dict[tuple, ScoreRow] = {}

    def row_for(r: dict) -> ScoreRow:
        unit = None if r["all_units"] else r["unit"]
        dataset = None if r["all_datasets"] else r["dataset"]
        return out.setdefault((unit, dataset), ScoreRow(unit, dataset))

    for r in rows:
        row = row_for(r)
        row.records = r["records"]
        row.passing[r["criterion"]] = r["passing"]
        row.scores[r["criterion"]] = r["score"]
    for r in counts:
        row = row_for(r)
        row.findings, row.open_findings = r["findings"], r["open_findings"]
    # units by code, records without a unit after them, totals last
    return sorted(out.values(), key=lambda s: (s.unit is None, s.unit == "", s.unit or "",
                                               s.dataset is None, s.dataset or ""))
