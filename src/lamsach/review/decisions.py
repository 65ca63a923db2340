"""Officers' verdicts carried into a new pass: a dismissed finding stays dismissed while the
value it judged is unchanged, and opens again as soon as the value changes."""

from __future__ import annotations

import pyarrow as pa

from lamsach.backends.engine import Engine
from lamsach.data import load_schema

DECISION_SCHEMA = pa.schema([(c, pa.string()) for c in
                             ("dataset", "record_key", "field", "rule", "status", "value")])


def apply_decisions(engine: Engine, findings: str, tables: dict[str, str], decisions: list[dict]) -> int:
    """Set the status of open findings that an officer decided on; return how many were set."""
    quote = engine.dialect.quote
    if not decisions:
        return 0
    rows = [{k: d[k] for k in DECISION_SCHEMA.names} for d in decisions if d["dataset"] in tables]
    decided = engine.register("decisions", pa.Table.from_pylist(rows, schema=DECISION_SCHEMA))
    current = []
    for dataset, table in tables.items():
        fields = load_schema(dataset).field_names
        value = "CASE x.field " + " ".join(f"WHEN '{f}' THEN {engine.dialect.cast('d.' + quote(f), 'text')}" for f in fields) + " END"
        current.append(f"SELECT x.*, {value} AS current_value FROM {quote(decided)} x "
                       f"JOIN {quote(table)} d ON d.record_id = x.record_key WHERE x.dataset = '{dataset}'")
    holding = engine.table_name("decisions_holding")
    engine.run(f"CREATE OR REPLACE TABLE {quote(holding)} AS SELECT * FROM ({' UNION ALL '.join(current)}) "
               f"WHERE value IS NOT DISTINCT FROM current_value", rule="decisions")
    count = engine.run(
        f"SELECT count(*) FROM {quote(findings)} f JOIN {quote(holding)} h ON h.dataset = f.dataset "
        f"AND h.record_key = f.record_id AND h.field = f.field AND h.rule = f.rule WHERE f.status = 'open'")[0][0]
    engine.run(f"UPDATE {quote(findings)} f SET status = h.status FROM {quote(holding)} h "
               f"WHERE h.dataset = f.dataset AND h.record_key = f.record_id AND h.field = f.field "
               f"AND h.rule = f.rule AND f.status = 'open'", rule="decisions")
    return count
