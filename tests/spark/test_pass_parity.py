"""The whole pass on Spark writes the same contract files as on DuckDB: every rule kind's findings,
the links with their probabilities, the duplicates and the scorecard, compared row for row
(sorted: the order of rows is not part of the contract), on a generated province with every
planted defect kind. Both engines train the person model on the same samples (one hash,
`splink_backend.same_hash_sql`), score names with one Jaro-Winkler (DuckDB's: the jar Splink
ships for Spark computes another, `link/jaro_winkler.py`) and write probabilities to
`LINK_PROBABILITY_DECIMALS`."""

from __future__ import annotations

from pathlib import Path

import pytest

from lamsach.backends.engine import DuckDBEngine
from lamsach.backends.store import SqlAlchemyStore
from lamsach.generate import generate_province
from lamsach.runner import run_pass
from lamsach.settings import Settings
from runner.test_contract_golden import REFERENCE, contract_files

pytestmark = pytest.mark.spark

PEOPLE, SEED = 200, 7


def _pass(manifest: Path, root: Path, engine) -> Path:
    settings = Settings(data_dir=root / "data")
    run_pass(manifest, root / "out", settings, reference_date=REFERENCE,
             store=SqlAlchemyStore.open(settings.store_url), engine=engine)
    return root / "out"


def _spark(session):
    from lamsach.backends.engine.spark import SparkEngine

    return SparkEngine(session=session)


def test_generated_province_same_contract_files_on_both_engines(spark_session, tmp_path: Path):
    manifest = generate_province(tmp_path / "province", people=PEOPLE, seed=SEED)
    duck = contract_files(_pass(manifest, tmp_path / "duckdb", DuckDBEngine(memory_limit="1GB", threads=1)))
    spark = contract_files(_pass(manifest, tmp_path / "spark", _spark(spark_session)))
    assert sorted(spark) == sorted(duck)
    rule = duck["findings.csv"][0].split(",").index("rule")
    rules = {line.split(",")[rule] for line in duck["findings.csv"][1:]}
    assert len(rules) >= 20, rules  # the province exercises many rule kinds
    assert len(duck["links.csv"]) > 100
    assert any("probabilistic" in line for line in duck["links.csv"])  # the model's links are compared too
    for name, lines in duck.items():
        got = spark[name]
        if got != lines:
            missing, extra = sorted(set(lines) - set(got))[:5], sorted(set(got) - set(lines))[:5]
            pytest.fail(f"{name}: DuckDB {len(lines)} lines, Spark {len(got)}; only on DuckDB {missing}; "
                        f"only on Spark {extra}")


