"""The Splink database API that runs on the pass's own engine connection.

Splink writes its `__splink__*` tables beside the pass's `__lamsach__*` tables, so predictions
join the datasets in SQL without copying. Only the engine-to-API mapping knows which engine
is which; a Spark engine would map to `splink.SparkAPI` here.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from lamsach.backends.engine import Engine

logging.getLogger("splink").setLevel(logging.ERROR)


def splink_api(engine: Engine) -> Any:
    """A Splink `DatabaseAPI` over `engine`'s connection."""
    if engine.name == "duckdb":
        from splink import DuckDBAPI

        return DuckDBAPI(connection=engine.con)  # type: ignore[attr-defined]
    if engine.name == "spark":
        from splink.backends.spark import SparkAPI

        # intermediate tables kept in Spark's memory (its default writes parquet under the working folder)
        return SparkAPI(spark_session=engine.spark, break_lineage_method="persist",  # type: ignore[attr-defined]
                        num_partitions_on_repartition=int(engine.spark.conf.get("spark.sql.shuffle.partitions")))
    raise NotImplementedError(f"Splink linking is not available on the {engine.name} engine")


def for_api(db_api: Any, settings: dict[str, Any]) -> dict[str, Any]:
    """Splink settings written in DuckDB's SQL (the comparisons' conditions, the blocking rules) in
    the SQL of `db_api`'s engine. On Spark the similarity functions are those of Splink's jar
    (jaro_winkler), and those Spark lacks are spelled out (hamming)."""
    if type(db_api).__name__ != "SparkAPI":
        return settings
    from lamsach.backends.engine.spark_dialect import duckdb_to_spark

    def spark(sql: str) -> str:
        return sql if sql.strip().upper() == "ELSE" else duckdb_to_spark(sql, condition=True)

    out = copy.deepcopy(settings)
    for comparison in out.get("comparisons", []):
        for level in comparison["comparison_levels"]:
            level["sql_condition"] = spark(level["sql_condition"])
    out["blocking_rules_to_generate_predictions"] = [
        {**rule, "blocking_rule": spark(rule["blocking_rule"])} if isinstance(rule, dict) else spark(rule)
        for rule in out.get("blocking_rules_to_generate_predictions", [])]
    return out
