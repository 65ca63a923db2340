"""Scorecards: per unit, dataset and criterion, the records and how many pass.

A record passes a criterion when it has no open finding of that criterion. Numerators and
denominators are kept (not only the share) so scores roll up the unit hierarchy exactly.
"""

from __future__ import annotations

from lamsach.backends.engine import Engine
from lamsach.domain import DATA_CRITERIA, Criterion

SCORECARD_COLUMNS = ("unit", "dataset", "criterion", "records", "passing", "score")
OVERALL = "overall"
"""A record passes overall when it passes all five data criteria; kept in the store and reports,
not in scorecard.csv, whose criterion column is one of the six by contract."""


SCORE_DECIMALS = 4


def score_sql(passing: str, records: str) -> str:
    """`passing` / `records` rounded to `SCORE_DECIMALS` places, halves up, from the integers: the
    same number on every engine and the right one at an exact half. `round` of the quotient is
    DuckDB's C++ on one engine and Java's BigDecimal on the other, and a quotient such as
    314 / 320 = 0.98125 is not exact in binary: at 200,000 people DuckDB gave 0.9812, Spark 0.9813.
    Here the quotient (2·passing·10⁴ + records) / (2·records) is a whole number at every half, which
    floating point divides exactly, and otherwise far from one."""
    scale = 10 ** SCORE_DECIMALS
    return f"(floor(({2 * scale} * ({passing}) + ({records})) / (2 * ({records}))) / {scale})"


def build_scorecard(engine: Engine, records: dict[str, str], findings: str, shared: str | None = None) -> str:
    """Engine table `scorecard` from the record tables (dataset -> table) and the findings table.

    With `shared` (a table of the dataset and record_id of records that pass *shared*, made by the
    publish stage), the sixth criterion is scored too: a record passes it when it is in that table,
    whatever its findings (a record waiting for its first acknowledgement has no finding, yet fails)."""
    quote = engine.dialect.quote
    measured = [*(c.value for c in DATA_CRITERIA), *([Criterion.SHARED.value] if shared else []), OVERALL]
    criteria = ", ".join(f"('{c}', {i})" for i, c in enumerate(measured))
    not_shared = (f" UNION SELECT dataset, record_id, 'shared' FROM recs r WHERE NOT EXISTS (SELECT 1 FROM "
                  f"{quote(shared)} s WHERE s.dataset = r.dataset AND s.record_id = r.record_id)") if shared else ""
    data_criteria = ", ".join(f"'{c.value}'" for c in DATA_CRITERIA)
    units = " UNION ALL ".join(
        f"SELECT '{dataset}' AS dataset, record_id, coalesce(__unit, '') AS unit FROM {quote(table)}"
        for dataset, table in records.items())
    name = engine.table_name("scorecard")
    engine.run(
        f"CREATE OR REPLACE TABLE {quote(name)} AS "
        f"WITH recs AS ({units}), crit(criterion, ord) AS (VALUES {criteria}), "
        f"failing AS (SELECT DISTINCT dataset, record_id, criterion FROM {quote(findings)} "
        f"WHERE status = 'open' AND criterion <> 'shared' UNION SELECT DISTINCT dataset, record_id, '{OVERALL}' FROM {quote(findings)} "
        f"WHERE status = 'open' AND criterion IN ({data_criteria}){not_shared}) "
        f"SELECT r.unit, r.dataset, c.criterion, count(*) AS records, "
        f"count(*) - count(f.record_id) AS passing, "
        f"{score_sql('count(*) - count(f.record_id)', 'count(*)')} AS score "
        f"FROM recs r CROSS JOIN crit c LEFT JOIN failing f ON f.dataset = r.dataset "
        f"AND f.record_id = r.record_id AND f.criterion = c.criterion "
        f"GROUP BY r.unit, r.dataset, c.criterion, c.ord ORDER BY r.unit, r.dataset, c.ord",
        rule="scorecard")
    return name
