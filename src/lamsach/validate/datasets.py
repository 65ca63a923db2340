"""Validate every dataset of a pass in one engine: the shared tables once, then each dataset's rules,
then one findings table with the cell findings of standardising."""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa

from lamsach.backends.engine import Engine
from lamsach.data import catalogue_rows, load_schema
from lamsach.validate.context import (
    RuleContext,
    dead_by_id_sql,
    deaths_by_id_sql,
    register_by_id_sql,
    register_by_name_year_sql,
)
from lamsach.validate.register_rules import DEAD
from lamsach.validate.runner import FINDING_COLUMNS, rule_specs, rule_table, run_rules

FINDING_SCHEMA = pa.schema([(c, pa.string()) for c in FINDING_COLUMNS])


def shared_tables(engine: Engine, tables: dict[str, str], register_dataset: str = "population") -> dict[str, str]:
    """Tables every dataset's rules read: area bounds, the register one row per citizen_id and
    its only person per name key and birth year, the deaths one row per deceased ID (built once
    here rather than inside each rule, for each person role, that joins them)."""
    quote = engine.dialect.quote
    engine.register("area_plausibility", pa.Table.from_pylist(
        [{"land_use_code": r["land_use_code"], "min_m2": float(r["min_m2"]), "max_m2": float(r["max_m2"])}
         for r in catalogue_rows("rules/area_plausibility")]))
    shared = {"area_plausibility": engine.table_name("area_plausibility")}
    if register_dataset in tables:
        name = engine.table_name("register_by_id")
        engine.run(f"CREATE OR REPLACE TABLE {quote(name)} AS SELECT * FROM "
                   f"{register_by_id_sql(engine.dialect, tables[register_dataset])}", rule="register_by_id")
        shared["register_by_id"] = name
        # the two tables several roles' rules join: each role reduced the register or the deaths
        # again (on Spark a shuffle per role)
        candidates = engine.table_name("register_by_name_year")
        engine.run(f"CREATE OR REPLACE TABLE {quote(candidates)} AS SELECT * FROM "
                   f"{register_by_name_year_sql(quote(name))}", rule="register_by_name_year")
        shared["register_by_name_year"] = candidates
    if "death" in tables:
        deaths = engine.table_name("deaths_by_id")
        engine.run(f"CREATE OR REPLACE TABLE {quote(deaths)} AS SELECT * FROM "
                   f"{deaths_by_id_sql(quote(tables['death']))}", rule="deaths_by_id")
        shared["deaths_by_id"] = deaths
    if "register_by_id" in shared:  # the person-alive rules of every role join it, not the two above
        dead = engine.table_name("dead_by_id")
        engine.run(f"CREATE OR REPLACE TABLE {quote(dead)} AS SELECT * FROM "
                   f"{dead_by_id_sql(quote(shared['register_by_id']), quote(shared['deaths_by_id']) if 'deaths_by_id' in shared else None, DEAD)}",
                   rule="dead_by_id")
        shared["dead_by_id"] = dead
    return shared


def validate_datasets(engine: Engine, tables: dict[str, str], reference_date: str,
                      overrides: dict[str, dict] | None = None, freshness_days: dict[str, int] | None = None,
                      cell_rows: list[dict] | None = None, on_dataset: Callable[[str], None] | None = None) -> str:
    """Run every dataset's rules; return the engine table holding all findings (one per verdict)."""
    schemas = [load_schema(d) for d in tables]
    rule_table(engine, overrides)  # for the stages after this one that add findings
    shared = shared_tables(engine, tables)
    parts = []
    for schema in schemas:
        ctx = RuleContext(schema, tables, reference_date, catalogue_tables=shared,
                          freshness_days=(freshness_days or {}).get(schema.name), dialect=engine.dialect)
        parts.append(run_rules(engine, ctx, rule_specs(schema, overrides), overrides))
        if on_dataset:
            on_dataset(schema.name)
    quote = engine.dialect.quote
    cells = engine.register("cell_findings", pa.Table.from_pylist(cell_rows or [], schema=FINDING_SCHEMA))
    name = engine.table_name("findings")
    columns = ", ".join(FINDING_COLUMNS)
    # The same verdict may come from standardising and from a rule (an ID's sex/century digit): keep
    # one, chosen by a total order so identical runs write identical files. Standardising's comes
    # first (it names the values it compared, decoded); a suggestion only the rule's join finds (the
    # register's ID) is carried over to it.
    union = " UNION ALL ".join(f"SELECT {columns}, {i} AS __source FROM {quote(p)}"
                               for i, p in enumerate([cells, *parts]))
    verdict = "PARTITION BY dataset, record_id, field, rule, status"
    chosen = ", ".join(c if c != "suggested_value" else
                       f"coalesce(suggested_value, max(suggested_value) OVER ({verdict})) AS suggested_value"
                       for c in FINDING_COLUMNS)
    kept = engine.dialect.first_per_group(
        chosen, f"FROM ({union})", "dataset, record_id, field, rule, status",
        "__source, message, suggested_value NULLS LAST, unit, criterion, severity")
    engine.run(f"CREATE OR REPLACE TABLE {quote(name)} AS SELECT * FROM ({kept}) "
               f"ORDER BY dataset, record_id, field, rule, status", rule="findings")
    engine.drop_tables(cells, *parts, *shared.values())  # read by this stage's rules only
    return name
