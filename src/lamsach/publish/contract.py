"""The contract files (findings, clean data, links, duplicates, scorecard) and the reports,
written into the pass's staging folder (`lamsach.publish.folder`) that is published at the end."""

from __future__ import annotations

from pathlib import Path

from lamsach.backends.engine import Engine
from lamsach.backends.store import FINDING_STORE_COLUMNS, Store
from lamsach.data import load_schema
from lamsach.domain import CRITERIA
from lamsach.link import LINK_COLUMNS, LINK_PROBABILITY_DECIMALS
from lamsach.measure import OVERALL, SCORECARD_COLUMNS
from lamsach.report import write_reports
from lamsach.validate import FINDING_COLUMNS

CONTRACT_FINDING_COLUMNS = [c for c in FINDING_COLUMNS if c != "unit"]


def _copy(engine: Engine, sql: str, path: Path) -> None:
    engine.run(engine.dialect.copy_to_csv(sql, str(path)), rule=f"write {path.name}")


def write_outputs(engine: Engine, staging: Path, datasets: list[str], tables: dict[str, str], findings: str,
                  links: str, scorecard: str, summary) -> None:
    """Write the contract files and the reports into `staging`."""
    quote = engine.dialect.quote
    f = quote(findings)
    _copy(engine, f"SELECT {', '.join(CONTRACT_FINDING_COLUMNS)} FROM {f}", staging / "findings.csv")
    (staging / "clean").mkdir()
    for dataset in datasets:
        fields = ", ".join(quote(n) for n in load_schema(dataset).field_names)
        _copy(engine, f"SELECT {fields} FROM {quote(tables[dataset])} ORDER BY __row_order",
              staging / "clean" / f"{dataset}.csv")
    probability = engine.dialect.round_half_up("match_probability", LINK_PROBABILITY_DECIMALS)
    link_columns = [f"{probability} AS match_probability" if c == "match_probability" else c for c in LINK_COLUMNS]
    _copy(engine, f"SELECT {', '.join(link_columns)} FROM {quote(links)} ORDER BY dataset, record_id, role",
          staging / "links.csv")
    _copy(engine, f"SELECT dataset, record_id, suggested_value AS duplicate_of FROM {f} "
                  f"WHERE rule = 'duplicate_record' ORDER BY dataset, record_id", staging / "duplicates.csv")
    _copy(engine, f"SELECT {', '.join(SCORECARD_COLUMNS)} FROM {quote(scorecard)} "
                  f"WHERE criterion <> '{OVERALL}'", staging / "scorecard.csv")
    _fill_counts(engine, f, links, summary)
    write_reports(engine, staging, tables, findings, scorecard, summary)


def _fill_counts(engine: Engine, findings: str, links: str, summary) -> None:
    quote = engine.dialect.quote
    rows = engine.run(f"SELECT criterion, status, count(*) FROM {findings} GROUP BY criterion, status")
    by_criterion: dict[str, dict[str, int]] = {c.value: {} for c in CRITERIA}
    for criterion, status, count in rows:
        by_criterion.setdefault(criterion, {})[status] = count
    summary.findings_by_criterion = by_criterion
    summary.links = engine.run(f"SELECT count(*) FROM {quote(links)}")[0][0]
    summary.duplicates = engine.run(f"SELECT count(*) FROM {findings} WHERE rule = 'duplicate_record'")[0][0]


def save_results(store: Store, engine: Engine, run_id: int, findings: str, scorecard: str) -> None:
    """The run's findings and scorecard kept in the store, where the web and the next pass read them."""
    quote = engine.dialect.quote
    columns = ", ".join("record_id AS record_key" if c == "record_key" else quote(c) for c in FINDING_STORE_COLUMNS)
    # streamed a batch at a time: a province's findings are never whole in Python (nor, on
    # Spark, collected to the driver at once)
    store.save_findings(run_id, engine.batches(f"SELECT {columns} FROM {quote(findings)}", 50_000))
    store.save_scorecard(run_id, engine.rows(f'SELECT unit, dataset, criterion, records, passing FROM "{scorecard}"'))
