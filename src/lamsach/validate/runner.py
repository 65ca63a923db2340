"""Run a dataset's rules in the engine and stack their verdicts into one findings table.

Rules are compiled once per pass and run as one statement per dataset; the message is filled
from the rule's Vietnamese template in SQL, so no Python loop touches the rows.
"""

from __future__ import annotations

from string import Formatter

import pyarrow as pa

from lamsach.backends.engine import Dialect, Engine
from lamsach.data import rule_templates
from lamsach.domain import DatasetSchema, ErrorCode, LamsachError, Location
from lamsach.validate.context import RuleContext
from lamsach.validate.register_rules import CROSS_RULE_KINDS
from lamsach.validate.rule_library import COLUMNS, RULE_KINDS, Required, RuleSpecBase
from lamsach.validate.sector_rules import SECTOR_RULE_KINDS

ALL_KINDS = {**RULE_KINDS, **CROSS_RULE_KINDS, **SECTOR_RULE_KINDS}
FINDING_COLUMNS = ("dataset", "record_id", "unit", "field", "criterion", "rule", "severity", "status",
                   "message", "suggested_value")



def rule_specs(schema: DatasetSchema, overrides: dict[str, dict] | None = None) -> list[RuleSpecBase]:
    """Required-field rules from the schema, then the schema's `rules:` list, minus those switched off."""
    overrides = overrides or {}
    specs: list[RuleSpecBase] = [Required(rule="missing_required", field=f.name)
                                 for f in schema.fields if f.required]
    for position, entry in enumerate(schema.rules, start=1):
        params = dict(entry)
        kind = params.pop("kind", None)
        if kind not in ALL_KINDS:
            raise LamsachError(ErrorCode.DATA_FILE_INVALID, Location(file=schema.source_file, row=position),
                               {"reason": f"unknown rule kind {kind!r} (known: {', '.join(sorted(ALL_KINDS))})"})
        params.setdefault("rule", kind)
        for key in ("fields", "roles", "given", "values"):
            if key in params:
                params[key] = tuple(params[key])
        specs.append(ALL_KINDS[kind](**params))
    specs = [s for s in specs if overrides.get(s.rule, {}).get("enabled", True)]
    check_templates(specs)
    return specs


def rule_catalogue(overrides: dict[str, dict] | None = None) -> dict[str, dict[str, str]]:
    """The rule catalogue: rule -> criterion, severity (overrides applied) and Vietnamese template."""
    overrides = overrides or {}
    return {name: {"criterion": t["criterion"],
                   "severity": overrides.get(name, {}).get("severity", t.get("severity", "error")),
                   "template": t["vi"]} for name, t in rule_templates().items()}


def rule_table(engine: Engine, overrides: dict[str, dict] | None = None) -> str:
    """The rule catalogue as an engine table, for the stages that join findings they add with it."""
    rows = [{"rule": name, **entry} for name, entry in rule_catalogue(overrides).items()]
    return engine.register("rule_catalogue", pa.Table.from_pylist(rows))


def run_rules(engine: Engine, ctx: RuleContext, specs: list[RuleSpecBase],
              overrides: dict[str, dict] | None = None) -> str:
    """Findings of `specs` on `ctx.schema`'s table, as engine table `findings_<dataset>`.

    Criterion, severity and field label are CASE expressions over the few rules the specs emit
    and the dataset's fields, not joins with catalogue tables (on Spark each join with a small
    table was a broadcast, a job, per dataset)."""
    name = engine.table_name(f"findings_{ctx.schema.name}")
    parts = [sql for sql in (spec.to_sql(ctx) for spec in specs) if sql]
    if not parts:
        engine.run(f"CREATE OR REPLACE TABLE {ctx.quote(name)} AS SELECT " + ", ".join(
            f"{ctx.dialect.cast('NULL', 'text')} AS {c}" for c in FINDING_COLUMNS) + " WHERE false")
        return name
    stacked = " UNION ALL ".join(f"SELECT {COLUMNS} FROM ({sql})" for sql in parts)
    rules = sorted({rule for spec in specs for rule in spec.emits()})
    catalogue = rule_catalogue(overrides)
    label = f"coalesce({label_sql(ctx.dialect, ctx.schema, 'v.field')}, v.field)"
    message = message_sql(ctx.dialect, set(rules), "v", label)
    sql = (f"CREATE OR REPLACE TABLE {ctx.quote(name)} AS "
           f"SELECT {ctx.literal(ctx.schema.name)} AS dataset, v.record_id, v.unit, v.field, "
           f"{_case(ctx.dialect, 'v.rule', {r: catalogue[r]['criterion'] for r in rules})} AS criterion, v.rule, "
           f"{_case(ctx.dialect, 'v.rule', {r: catalogue[r]['severity'] for r in rules})} AS severity, "
           f"'open' AS status, {message} AS message, v.suggested_value "
           f"FROM ({stacked}) v")
    engine.run(sql, rule=f"{ctx.schema.name}")
    return name


def label_sql(dialect: Dialect, schema: DatasetSchema, field: str) -> str:
    """The Vietnamese label of the field named by SQL `field` (NULL for a field without one);
    `*`, a finding on the whole record, reads "toàn bộ bản ghi"."""
    labels = {f.name: f.label_vi for f in schema.fields if f.label_vi is not None}
    return _case(dialect, field, {**labels, "*": "toàn bộ bản ghi"})


def _case(dialect: Dialect, expr: str, values: dict[str, str]) -> str:
    return dialect.case_of(expr, {k: dialect.literal(v) for k, v in values.items()})


def message_sql(dialect: Dialect, rules: set[str], alias: str, label: str) -> str:
    """One CASE over the rule names, each branch its Vietnamese template as a `concat` of literal
    text and parameters: a single pass over the findings instead of a replace() per placeholder.
    `label` is the SQL of the finding's field as the template names it."""
    branches = []
    for rule in sorted(rules):
        pieces = []
        for text, name, _, _ in Formatter().parse(rule_templates()[rule]["vi"]):
            if text:
                pieces.append(dialect.literal(text))
            if name == "field":
                pieces.append(label)
            elif name:
                pieces.append(f"coalesce({dialect.map_value(alias + '.params', name)}, '')")
        branches.append(f"WHEN {dialect.literal(rule)} THEN concat({', '.join(pieces) or dialect.literal('')})")
    return f"CASE {alias}.rule {' '.join(branches)} END"


def check_templates(specs: list[RuleSpecBase]) -> None:
    """Every rule a spec can emit needs a template, or its findings would vanish in the join."""
    missing = sorted({name for spec in specs for name in spec.emits()} - set(rule_templates()))
    if missing:
        raise LamsachError(ErrorCode.DATA_FILE_INVALID, Location(file="messages/rules.yaml"),
                           {"reason": "no template for rule(s) " + ", ".join(missing)})
