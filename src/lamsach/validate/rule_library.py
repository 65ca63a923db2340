"""Ready-made rule kinds. Each compiles to one SELECT over whole tables, never a Python row loop.

Every SELECT returns the same columns (`COLUMNS`: the rule, the record, its unit, the field, a
suggested value and a map of template parameters), so the runner can stack them and fill the
message templates in SQL. Which rule
applies to which dataset is data (the `rules:` list of a schema file); how a kind compiles is here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from lamsach.backends.engine import Dialect
from lamsach.validate.context import RuleContext

COLUMNS = "rule, record_id, unit, field, suggested_value, params"


def finding_select(dialect: Dialect, rule: str, field: str, value: str = "NULL", suggested: str = "NULL",
                   alias: str = "", **params: str) -> str:
    """The common column list of a rule's SELECT; `params` (SQL expressions) fill its template.

    `alias` prefixes the dataset table's columns (record_id, __unit) when the FROM clause joins
    tables. A new rule kind builds its SELECT with this, so its findings stack with the rest.
    """
    params_sql = dialect.map_of({k: dialect.cast(v, "text") for k, v in {"value": value, **params}.items()})
    return (f"SELECT {dialect.literal(rule)} AS rule, {alias}record_id, {alias}__unit AS unit, "
            f"{dialect.literal(field)} AS field, {dialect.cast(suggested, 'text')} AS suggested_value, {params_sql} AS params")


@dataclass(frozen=True)
class FindingCase:
    """One finding kind of a SELECT that yields several (`findings_select`): the rule it carries,
    the condition (SQL over the joined row) under which the row has it, and what
    `finding_select` takes for it."""

    rule: str
    condition: str
    field: str
    value: str = "NULL"
    suggested: str = "NULL"
    params: dict[str, str] = field(default_factory=dict)


def findings_select(dialect: Dialect, cases: list[FindingCase], source: str, where: str = "",
                    alias: str = "") -> str:
    """The findings of every case in one pass over `source` (FROM and joins; `where`, a condition,
    filters the rows before any case is judged): each row yields a finding per case whose condition holds,
    with the same columns as `finding_select`. Cases needing the same join share it, where a
    SELECT per case joined again (on Spark a broadcast and a job per SELECT)."""
    if not cases:
        raise ValueError("findings_select needs at least one case")

    def per_rule(values: list[str]) -> str:
        return dialect.case_of("__case.case_key", {c.rule: v for c, v in zip(cases, values, strict=True)})

    params = [dialect.map_of({k: dialect.cast(v, "text") for k, v in {"value": c.value, **c.params}.items()})
              for c in cases]
    # only rows some case holds for go on to the cases' rows: on DuckDB, building the list of
    # cases for every joined row took twice the time of a SELECT per case (200,000 people)
    some = " OR ".join(f"({c.condition})" for c in cases)
    return (f"SELECT __case.case_key AS rule, {alias}record_id, {alias}__unit AS unit, "
            f"{per_rule([dialect.literal(c.field) for c in cases])} AS field, "
            f"{per_rule([dialect.cast(c.suggested, 'text') for c in cases])} AS suggested_value, "
            f"{per_rule(params)} AS params {source} "
            f"{dialect.rows_per_case({c.rule: c.condition for c in cases}, '__case')} "
            f"WHERE {f'({where}) AND ' if where else ''}({some})")


def age_sql(dialect: Dialect, dob: str, at: str) -> str:
    """Whole years from date `dob` to date `at`: the years between, less one before the birthday."""
    return (f"({dialect.date_diff('year', dob, at)} - CASE WHEN {dialect.format_date(at, '%m%d')} < "
            f"{dialect.format_date(dob, '%m%d')} THEN 1 ELSE 0 END)")


def _date(ctx: RuleContext, column: str) -> str:
    return f"TRY_CAST({ctx.quote(column)} AS DATE)"  # TRY_CAST: DuckDB and Spark alike


@dataclass(frozen=True)
class RuleSpecBase:
    rule: str
    kind: ClassVar[str] = ""

    def to_sql(self, ctx: RuleContext) -> str | None:
        raise NotImplementedError

    def emits(self) -> tuple[str, ...]:
        """The rule names this spec's findings carry (one, except for composite kinds)."""
        return (self.rule,)


@dataclass(frozen=True)
class Required(RuleSpecBase):
    """A field the dataset requires is empty (complete)."""

    field: str = ""
    kind: ClassVar[str] = "required"

    def to_sql(self, ctx: RuleContext) -> str:
        col = ctx.quote(self.field)
        dataset = ctx.literal(ctx.schema.label_vi)
        return f"{finding_select(ctx.dialect, self.rule, self.field, dataset=dataset)} FROM {ctx.table} WHERE {col} IS NULL OR {col} = ''"


@dataclass(frozen=True)
class DateOrder(RuleSpecBase):
    """`before` must not be later than `after` (birth before registration, birth before death)."""

    before: str = ""
    after: str = ""
    kind: ClassVar[str] = "date_order"

    def to_sql(self, ctx: RuleContext) -> str:
        label = ctx.literal(ctx.schema.field(self.before).label_vi)
        return (f"{finding_select(ctx.dialect, self.rule, self.after, ctx.quote(self.after), other_field=label, other_value=ctx.quote(self.before))} "
                f"FROM {ctx.table} WHERE {_date(ctx, self.before)} > {_date(ctx, self.after)}")


@dataclass(frozen=True)
class MinAge(RuleSpecBase):
    """The person born on `dob` is younger than `years` on date `at` (legal marriage age)."""

    dob: str = ""
    at: str = ""
    years: int = 18
    kind: ClassVar[str] = "min_age"

    def to_sql(self, ctx: RuleContext) -> str:
        d, dob, at = ctx.dialect, _date(ctx, self.dob), _date(ctx, self.at)
        age = age_sql(d, dob, at)
        return (f"{finding_select(ctx.dialect, self.rule, self.dob, ctx.quote(self.dob), age=age, min_age=str(self.years))} "
                f"FROM {ctx.table} WHERE {d.shift_date(dob, self.years, 'year')} > {at}")


@dataclass(frozen=True)
class Unique(RuleSpecBase):
    """Records sharing the same values of `fields`: each but the first is a duplicate (clean).

    "First" is the lowest record key: registers number records in the order they were created,
    so the lowest key is the original the others copy.
    """

    fields: tuple[str, ...] = ()
    kind: ClassVar[str] = "unique"

    def to_sql(self, ctx: RuleContext) -> str:
        cols = ", ".join(ctx.quote(f) for f in self.fields)
        not_null = " AND ".join(f"{ctx.quote(f)} IS NOT NULL AND {ctx.quote(f)} <> ''" for f in self.fields)
        field = self.fields[0] if len(self.fields) == 1 else "*"
        return (f"{finding_select(ctx.dialect, self.rule, field, 'key_text', suggested='first_id', duplicate_of='first_id')} FROM ("
                f"SELECT record_id, __unit, concat_ws(' / ', {cols}) AS key_text, "
                f"first_value(record_id) OVER (PARTITION BY {cols} ORDER BY record_id, __row_order) AS first_id, "
                f"row_number() OVER (PARTITION BY {cols} ORDER BY record_id, __row_order) AS n "
                f"FROM {ctx.table} WHERE {not_null}) WHERE n > 1")


@dataclass(frozen=True)
class Stale(RuleSpecBase):
    """Not updated within the dataset's freshness window before the reference date (live)."""

    field: str = "updated_at"
    days: int | None = None
    kind: ClassVar[str] = "stale"

    def to_sql(self, ctx: RuleContext) -> str | None:
        days = self.days or ctx.freshness_days or ctx.schema.freshness_days
        if not days:
            return None
        ref = ctx.dialect.cast(ctx.literal(ctx.reference_date), "date")
        age = ctx.dialect.date_diff("day", _date(ctx, self.field), ref)
        return (f"{finding_select(ctx.dialect, self.rule, self.field, ctx.quote(self.field), days=age, max_days=str(int(days)))} FROM {ctx.table} "
                f"WHERE {_date(ctx, self.field)} < {ctx.dialect.shift_date(ref, -int(days), 'day')}")


@dataclass(frozen=True)
class PlausibleArea(RuleSpecBase):
    """Area outside the plausible bounds of its land-use code, or not a positive number (correct)."""

    field: str = "area_m2"
    code_field: str = "land_use_code"
    kind: ClassVar[str] = "plausible_area"

    def to_sql(self, ctx: RuleContext) -> str:
        bounds = ctx.quote(ctx.catalogue_tables["area_plausibility"])
        area = f"TRY_CAST(d.{ctx.quote(self.field)} AS DOUBLE)"
        code = "d." + ctx.quote(self.code_field)
        return (f"{finding_select(ctx.dialect, self.rule, self.field, 'd.' + ctx.quote(self.field), alias='d.', min='CAST(b.min_m2 AS BIGINT)', max='CAST(b.max_m2 AS BIGINT)', land_use_code=code)} "
                f"FROM {ctx.table} d LEFT JOIN {bounds} b ON b.land_use_code = d.{ctx.quote(self.code_field)} "
                f"WHERE d.{ctx.quote(self.field)} IS NOT NULL AND trim(d.{ctx.quote(self.field)}) <> '' AND "
                f"({area} IS NULL OR {area} <= 0 OR {area} < b.min_m2 OR {area} > b.max_m2)")


@dataclass(frozen=True)
class Pattern(RuleSpecBase):
    """A value that does not match a regular expression (whole value), e.g. 12 digits (correct)."""

    field: str = ""
    pattern: str = ""
    expected: str = ""  # how the template names the expected form, e.g. "12 chữ số"
    kind: ClassVar[str] = "pattern"

    def to_sql(self, ctx: RuleContext) -> str:
        col = ctx.quote(self.field)
        return (f"{finding_select(ctx.dialect, self.rule, self.field, col, expected=ctx.literal(self.expected or self.pattern))} "
                f"FROM {ctx.table} WHERE {col} IS NOT NULL AND NOT {ctx.dialect.full_match(col, self.pattern)}")


@dataclass(frozen=True)
class Range(RuleSpecBase):
    """A number outside [min, max] or not a number at all (correct)."""

    field: str = ""
    min: float | None = None
    max: float | None = None
    kind: ClassVar[str] = "range"

    def to_sql(self, ctx: RuleContext) -> str:
        col, number = ctx.quote(self.field), f"TRY_CAST({ctx.quote(self.field)} AS DOUBLE)"
        outside = [f"{number} IS NULL"]
        if self.min is not None:
            outside.append(f"{number} < {float(self.min)!r}")
        if self.max is not None:
            outside.append(f"{number} > {float(self.max)!r}")
        bounds = {"min": ctx.literal(_number(self.min)), "max": ctx.literal(_number(self.max))}
        return (f"{finding_select(ctx.dialect, self.rule, self.field, col, **bounds)} FROM {ctx.table} "
                f"WHERE {col} IS NOT NULL AND ({' OR '.join(outside)})")


@dataclass(frozen=True)
class ValueSet(RuleSpecBase):
    """A value that is not one of a closed set, e.g. Nam/Nữ (correct)."""

    field: str = ""
    values: tuple[str, ...] = ()
    table: str = ""  # how the template names the list
    kind: ClassVar[str] = "value_set"

    def to_sql(self, ctx: RuleContext) -> str:
        col = ctx.quote(self.field)
        allowed = ", ".join(ctx.literal(v) for v in self.values)
        return (f"{finding_select(ctx.dialect, self.rule, self.field, col, table=ctx.literal(self.table or ', '.join(self.values)))} "
                f"FROM {ctx.table} WHERE {col} IS NOT NULL AND {col} NOT IN ({allowed})")


def _number(value: float | None) -> str | None:
    return None if value is None else f"{value:g}"


RULE_KINDS: dict[str, type[RuleSpecBase]] = {
    cls.kind: cls for cls in (Required, DateOrder, MinAge, Unique, Stale, PlausibleArea, Pattern, Range, ValueSet)
}
