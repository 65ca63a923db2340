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
    """A Splink `DatabaseAPI` over `engine`'s connection, drawing its samples by `same_hash_sql`."""
    if engine.name == "duckdb":
        from splink import DuckDBAPI

        api = DuckDBAPI(connection=engine.con)  # type: ignore[attr-defined]
    elif engine.name == "spark":
        from splink.backends.spark import SparkAPI

        # intermediate tables kept in Spark's memory (its default writes parquet under the working folder)
        api = SparkAPI(spark_session=engine.spark, break_lineage_method="persist",  # type: ignore[attr-defined]
                       num_partitions_on_repartition=int(engine.spark.conf.get("spark.sql.shuffle.partitions")))
    else:
        raise NotImplementedError(f"Splink linking is not available on the {engine.name} engine")
    api.sql_dialect = _same_hash_dialect(api.sql_dialect)
    return api


def same_hash_sql(engine_name: str, text_sql: str) -> str:
    """A non-negative BIGINT from the first 60 bits of the MD5 of `text_sql`, the same number in
    DuckDB's SQL and in Spark's.

    Splink picks the record pairs it estimates u from, and the records EM trains on when a block
    has too many pairs, by a hash of each record's ID; its own hash is DuckDB's `hash` on one
    engine and Spark's murmur3 `hash` on the other, so the two engines trained on different
    samples and wrote different probabilities. MD5 is built into both."""
    digits = f"substr(md5({text_sql}), 1, 15)"
    if engine_name == "spark":
        return f"CAST(conv({digits}, 16, 10) AS BIGINT)"
    return f"CAST(('0x' || {digits}) AS BIGINT)"


def _same_hash_dialect(dialect: Any) -> Any:
    """`dialect`, Splink's one instance of its class, hashing by `same_hash_sql`.

    The instance itself is changed, not a subclass of it given to the API: Splink draws the u
    sample through the API's dialect, but EM's sample of a block's records through the blocking
    rule's, which it looks up by name (`SplinkDialect.from_string`) and so gets the class's one
    instance. A subclass reached the first and not the second: the two engines trained on
    different EM samples once a block had more than `link_em_max_pairs` pairs (200,000 people),
    and their models' m probabilities differed by up to 3 %. Splink runs only for the pass in
    this process, so every use of the instance wants the one hash."""
    engine_name = "spark" if dialect.sql_dialect_str == "spark" else "duckdb"
    dialect.hash_function_expression = lambda col: same_hash_sql(engine_name, f"({col})")
    return dialect


def for_api(db_api: Any, settings: dict[str, Any]) -> dict[str, Any]:
    """Splink settings written in DuckDB's SQL (the comparisons' conditions, the blocking rules) in
    the SQL of `db_api`'s engine. On Spark, Jaro-Winkler is DuckDB's, registered with the session
    (`link/jaro_winkler.py`), and what Spark lacks is spelled out (hamming)."""
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
