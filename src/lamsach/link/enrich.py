"""Enrichment: values the register knows, filled into records tied to it with confidence.

A link accepted by the model, confirmed by an officer (`manual`) or made by an ID the register
agrees with (`id_verified`) may fill, from the register record it names:

- the person's ID when it is missing or an old 9-digit CMND (out of date, not wrong);
- the birth year or date, sex or address when the field is empty.

Nothing that holds a value is overwritten, except the CMND, whose number stays in the history.
An enrichment an officer undid is not made again: the undo says the register person was the
wrong one, and the next pass must not repeat the mistake.
Each fill is a new version of the record with source `register`, the link's method and
probability in its reason, and the rule `register_enrichment` (`register_update` for a CMND
replaced), so `store.undo` restores the previous value. The finding the fill answers (a missing required value, a legacy ID) becomes
`fixed`; a fill that answers no finding is recorded as a fixed `register_enrichment` finding,
like the standardise stage's repairs. The pass's own tables take the new values too, so the
clean files and the scorecard show the enriched data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

from lamsach.backends.engine import Dialect, Engine
from lamsach.backends.store import Store, ValueChange
from lamsach.data import rule_templates
from lamsach.domain import DatasetSchema
from lamsach.validate import register_by_id_sql

RULE = "register_enrichment"
"""A value filled into an empty field."""
UPDATE_RULE = "register_update"
"""An out-of-date value (a 9-digit CMND) replaced by the register's 12-digit ID."""
SOURCE = "register"
ENRICHING_METHODS = ("id_verified", "probabilistic", "manual")
ANSWERED_RULES = ("missing_required", "legacy_id_document")
FILLS: dict[str, tuple[str, Callable[[Dialect], str], Callable[[Dialect], str]]] = {
    # part: (condition on the record's value `v` and kind `k`, register value, value as the store keeps it)
    "id": ("{v} IS NULL OR {k} = 'cmnd9'", lambda d: "r.citizen_id", lambda d: "r.citizen_id"),
    "birth_year": ("{v} IS NULL", lambda d: d.cast("r.date_of_birth__year", "text"),
                   lambda d: d.cast("r.date_of_birth__year", "text")),
    "dob": ("{v} IS NULL", lambda d: "r.date_of_birth",
            lambda d: d.format_date("TRY_CAST(r.date_of_birth AS DATE)", "%d/%m/%Y")),
    "sex": ("{v} IS NULL", lambda d: "r.sex", lambda d: "r.sex"),
    "address": ("{v} IS NULL", lambda d: "r.address", lambda d: "r.address"),
}


@dataclass(frozen=True)
class EnrichmentResult:
    changes: int
    fixed_findings: int
    new_findings: int
    datasets: frozenset[str] = frozenset()
    """The datasets whose records took a fill: their standardised tables changed after standardising."""


def _fill_candidates(dialect: Dialect, schemas: list[DatasetSchema], tables: dict[str, str]) -> str | None:
    """Every (record, role) of `schemas` whose role the register can fill, one row each, with the
    role's field name, label and value per part (NULL where the role has no such field): a
    UNION ALL of projections, so the links are joined with all of them at once."""
    quote, literal = dialect.quote, dialect.literal
    selects = []
    for schema in schemas:
        if schema.name not in tables:
            continue
        columns = {f.name for f in schema.fields}
        for role, parts in schema.person_roles().items():
            fields = {part: name for part, name in parts.items() if part in FILLS}
            if not fields:
                continue
            items = [f"{literal(schema.name)} AS dataset", "d.record_id", f"{literal(role)} AS role",
                     "coalesce(d.__unit, d.commune_code) AS unit"]
            for part in FILLS:
                name = fields.get(part)
                label = (schema.field(name).label_vi if name in columns else name) if name else None
                value = dialect.cast(f"d.{quote(name)}", "text") if name else dialect.cast("NULL", "text")
                items += [f"{dialect.cast(literal(name), 'text')} AS {part}__field",
                          f"{dialect.cast(literal(label), 'text')} AS {part}__label", f"{value} AS {part}__value"]
            kind = dialect.cast(f"d.{quote(fields['id'] + '__kind')}" if "id" in fields else "NULL", "text")
            items.append(f"{kind} AS id__kind")
            selects.append(f"SELECT {', '.join(items)} FROM {quote(tables[schema.name])} d")
    return " UNION ALL ".join(selects) or None


def _fills_select(dialect: Dialect, candidates: str, linked: str) -> str:
    """Each fill the links allow: the candidates joined once with the links and their register
    person's values (`_linked_register`, as `r`), each joined row giving a row per part whose
    condition holds (`Dialect.rows_per_case`); a SELECT per role and part joined the links again
    (on Spark a broadcast and a job each)."""
    literal = dialect.literal
    conditions, values, stored = {}, {}, {}
    for part, (condition, value_of, stored_of) in FILLS.items():
        value = value_of(dialect)
        methods = ", ".join(literal(m) for m in (("probabilistic", "manual") if part == "id" else ENRICHING_METHODS))
        held = condition.format(v=f"f.{part}__value", k="f.id__kind" if part == "id" else "NULL")
        conditions[part] = (f"f.{part}__field IS NOT NULL AND r.method IN ({methods}) AND ({held}) "
                            f"AND {value} IS NOT NULL")
        values[part], stored[part] = value, stored_of(dialect)

    def per_part(column: str | dict[str, str]) -> str:
        branches = column if isinstance(column, dict) else {p: f"f.{p}__{column}" for p in FILLS}
        return dialect.case_of("__fill.case_key", branches)

    some = " OR ".join(f"({c})" for c in conditions.values())
    return (f"SELECT f.dataset, f.record_id, f.role, {per_part('field')} AS field, {per_part('label')} AS label, "
            f"__fill.case_key AS part, {per_part('value')} AS old_value, {per_part(values)} AS new_value, "
            f"{per_part(stored)} AS stored_value, r.citizen_id, r.method, r.match_probability, f.unit "
            f"FROM ({candidates}) f JOIN {dialect.quote(linked)} r ON r.dataset = f.dataset "
            f"AND r.record_id = f.record_id AND r.role = f.role {dialect.rows_per_case(conditions, '__fill')} "
            f"WHERE {some}")


def _note_sql(dialect: Dialect, templates: dict[str, dict[str, str]]) -> str:
    """The fill's message (its rule's Vietnamese template), filled in SQL from the fills' columns."""
    literal = dialect.literal
    sql = f"CASE WHEN old_value IS NULL THEN {literal(templates[RULE]['vi'])} ELSE {literal(templates[UPDATE_RULE]['vi'])} END"
    for placeholder, column in (("field", "label"), ("value", "new_value"), ("citizen_id", "citizen_id"),
                                ("method", "method"), ("probability", dialect.cast("round(match_probability, 4)", "text")),
                                ("original", "coalesce(old_value, '')")):
        sql = f"replace({sql}, '{{{placeholder}}}', {column})"
    return sql


def enrich_from_register(engine: Engine, store: Store, campaign: str, run_id: int, actor: str,
                         schemas: list[DatasetSchema], tables: dict[str, str], links: str, findings: str,
                         catalogue: str) -> EnrichmentResult:
    """Fill, version and record every enrichment the pass's accepted links allow."""
    if not any(_fill_parts(schema) for schema in schemas if schema.name in tables):
        return EnrichmentResult(0, 0, 0)
    linked = _linked_register(engine, tables["population"], links)
    refused = _refused_table(engine, store, campaign)
    try:
        return _enrich(engine, store, campaign, run_id, actor, schemas, tables, linked, refused, findings, catalogue)
    finally:
        engine.drop_tables(linked, refused, engine.table_name("enrichment"))


def _enrich(engine: Engine, store: Store, campaign: str, run_id: int, actor: str, schemas: list[DatasetSchema],
            tables: dict[str, str], linked: str, refused_table: str, findings: str,
            catalogue: str) -> EnrichmentResult:
    """`enrich_from_register`'s work, over the links that may enrich and the refused fills."""
    quote, literal = engine.dialect.quote, engine.dialect.literal
    candidates = _fill_candidates(engine.dialect, schemas, tables)
    fills = quote(engine.table_name("enrichment"))
    refused = quote(refused_table)
    chosen = engine.dialect.first_per_group(
        f"*, {_note_sql(engine.dialect, rule_templates())} AS note, "
        f"CASE WHEN old_value IS NULL THEN '{RULE}' ELSE '{UPDATE_RULE}' END AS rule",
        f"FROM ({_fills_select(engine.dialect, candidates, linked)}) f WHERE NOT EXISTS (SELECT 1 FROM {refused} x "
        f"WHERE x.dataset = f.dataset AND x.record_id = f.record_id AND x.field = f.field "
        f"AND x.value = f.stored_value)", "dataset, record_id, field", "match_probability DESC, citizen_id")
    engine.run(f"CREATE OR REPLACE TABLE {fills} AS {chosen}", rule="enrichment")
    rows = engine.rows(f"SELECT * FROM {fills} ORDER BY dataset, record_id, field")
    changes = [ValueChange(r["dataset"], r["record_id"], r["field"], r["stored_value"], SOURCE,
                           reason=r["note"], rule=r["rule"]) for r in rows]
    applied = store.apply_changes(campaign, changes, actor, run_id=run_id)
    if not rows:  # nothing filled: no table or finding changes (on Spark each statement is a few jobs)
        return EnrichmentResult(applied, 0, 0)
    filled = {(r["dataset"], r["field"]) for r in rows}
    for schema in schemas:
        _update_table(engine, schema, tables.get(schema.name), fills, filled)
    fixed = engine.run(
        f"UPDATE {quote(findings)} f SET status = 'fixed', suggested_value = x.new_value, "
        f"message = f.message || ' ' || x.note FROM {fills} x WHERE f.dataset = x.dataset "
        f"AND f.record_id = x.record_id AND f.field = x.field AND f.status = 'open' "
        f"AND f.rule IN ({', '.join(literal(r) for r in ANSWERED_RULES)})", rule="enrichment findings")
    added = engine.run(
        f"INSERT INTO {quote(findings)} SELECT x.dataset, x.record_id, x.unit, x.field, c.criterion, "
        f"x.rule, c.severity, 'fixed', x.note, x.new_value FROM {fills} x JOIN {quote(catalogue)} c "
        f"ON c.rule = x.rule WHERE NOT EXISTS (SELECT 1 FROM {quote(findings)} f WHERE f.dataset = x.dataset "
        f"AND f.record_id = x.record_id AND f.field = x.field AND f.rule IN "
        f"({', '.join(literal(r) for r in ANSWERED_RULES)}))", rule="enrichment findings")
    return EnrichmentResult(applied, fixed[0][0] if fixed else 0, added[0][0] if added else 0,
                            frozenset(dataset for dataset, _field in filled))


def _fill_parts(schema: DatasetSchema) -> list[tuple[str, str, str]]:
    """(role, part, field) of every person field of `schema` the register can fill."""
    return [(role, part, field_name) for role, parts in schema.person_roles().items()
            for part, field_name in parts.items() if part in FILLS]


def _linked_register(engine: Engine, register: str, links: str) -> str:
    """Each link that may enrich (`ENRICHING_METHODS`) with the register person it names (the
    register one row per citizen_id), made once for every fill's SELECT: each used to join the
    links and reduce the register again (on Spark, a few jobs per field that can be filled)."""
    quote = engine.dialect.quote
    name = engine.table_name("enrichment_linked")
    methods = ", ".join(engine.dialect.literal(m) for m in ENRICHING_METHODS)
    engine.run(f"CREATE OR REPLACE TABLE {quote(name)} AS SELECT l.dataset, l.record_id, l.role, l.citizen_id, "
               f"l.method, l.match_probability, r.date_of_birth__year, r.date_of_birth, r.sex, r.address "
               f"FROM {quote(links)} l JOIN {register_by_id_sql(engine.dialect, register)} r "
               f"ON r.citizen_id = l.citizen_id WHERE l.method IN ({methods})", rule="enrichment")
    return name


def _refused_table(engine: Engine, store: Store, campaign: str) -> str:
    """Enrichments an officer undid: (dataset, record, field, the register's value)."""
    rows = [{"dataset": c.dataset, "record_id": c.record_key, "field": c.field, "value": c.old_value}
            for c in store.history(campaign, source="undo") if c.rule in (RULE, UPDATE_RULE)]
    schema = pa.schema([(name, pa.string()) for name in ("dataset", "record_id", "field", "value")])
    return engine.register("enrichment_refused", pa.Table.from_pylist(rows, schema=schema))


def _update_table(engine: Engine, schema: DatasetSchema, table: str | None, fills: str,
                  filled: set[tuple[str, str]]) -> None:
    """The pass's standardised table takes the filled values and their derived columns, in one
    UPDATE for all the fields `filled` (dataset, field) holds for it: the fills pivoted to a row
    per record, a field without a fill keeping its value (on Spark each UPDATE is a few jobs, and
    there was one per field)."""
    quote, literal = engine.dialect.quote, engine.dialect.literal
    if table is None or not any(dataset == schema.name for dataset, _ in filled):
        return
    columns = {r[0] for r in engine.run(f"DESCRIBE {quote(table)}")}
    sets, pivot = [], []
    for role_parts in schema.person_roles().values():
        for part, field_name in role_parts.items():
            if part not in FILLS or (schema.name, field_name) not in filled:
                continue
            new = f"x.{quote(field_name)}"
            pivot.append(f"max(CASE WHEN field = {literal(field_name)} THEN new_value END) AS {quote(field_name)}")
            sets.append(f"{quote(field_name)} = coalesce({new}, d.{quote(field_name)})")
            if part == "id" and f"{field_name}__kind" in columns:
                kind = quote(field_name + "__kind")
                sets.append(f"{kind} = CASE WHEN {new} IS NULL THEN d.{kind} ELSE 'cccd12' END")
            if part in ("dob", "birth_year") and f"{field_name}__year" in columns:
                year = quote(field_name + "__year")
                sets.append(f"{year} = CASE WHEN {new} IS NULL THEN d.{year} "
                            f"ELSE TRY_CAST(left({new}, 4) AS INTEGER) END")
    if not sets:
        return
    engine.run(f"UPDATE {quote(table)} d SET {', '.join(sets)} FROM (SELECT record_id, {', '.join(pivot)} "
               f"FROM {fills} WHERE dataset = {literal(schema.name)} GROUP BY record_id) x "
               f"WHERE x.record_id = d.record_id", rule="enrichment")
