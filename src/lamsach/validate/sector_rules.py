"""Rule kinds the sector datasets need, each a join a schema file configures without code:

- `resident_in_unit`: the person a record refers to lives, per the register, in the record's unit
  (a benefit paid by a commune to someone registered elsewhere);
- `exists_in`: the record's reference is found in another dataset (a building permit's parcel in
  the land database), optionally only where part of it is found (the parcel exists, but not with
  this holder as its land user);
- `other_value_in`: the row another dataset holds for the reference has a value from a list (the
  parcel's land-use code allows building);
- `age_fits_level`: a person's age at the start of the school year fits the grade (grade + offset,
  within a tolerance).

Like the other kinds, each compiles to one SELECT over whole tables (`finding_select`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar

from lamsach.validate.context import RuleContext
from lamsach.validate.register_rules import register_view
from lamsach.validate.rule_library import RuleSpecBase, age_sql, finding_select


def _filled(ctx: RuleContext, alias: str, fields) -> str:
    return " AND ".join(f"{alias}.{ctx.quote(f)} IS NOT NULL AND {alias}.{ctx.quote(f)} <> ''" for f in fields)


def _matches(ctx: RuleContext, match: dict[str, str], left: str = "d", right: str = "o") -> str:
    return " AND ".join(f"{right}.{ctx.quote(theirs)} = {left}.{ctx.quote(mine)}" for mine, theirs in match.items())


@dataclass(frozen=True)
class ResidentInUnit(RuleSpecBase):
    """The register places the referenced person in another unit than the record's (unified)."""

    role: str = ""
    kind: ClassVar[str] = "resident_in_unit"

    def to_sql(self, ctx: RuleContext) -> str | None:
        register, unit = register_view(ctx), ctx.schema.unit_field
        id_field = ctx.schema.person_roles().get(self.role, {}).get("id")
        if register is None or id_field is None or unit is None:
            return None
        idq, unitq = "d." + ctx.quote(id_field), "d." + ctx.quote(unit)
        return (f"{finding_select(ctx.dialect, self.rule, unit, unitq, 'r.commune_code', alias='d.', register_value='r.commune_code', person=idq)} "
                f"FROM {ctx.table} d JOIN {register} r ON r.citizen_id = {idq} "
                f"WHERE {unitq} IS NOT NULL AND r.commune_code IS NOT NULL AND r.commune_code <> '' "
                f"AND r.commune_code <> {unitq}")


@dataclass(frozen=True)
class ExistsIn(RuleSpecBase):
    """No row of `dataset` matches the record on `match` ({this field: that field}) (unified).

    With `given` (some of `match`'s fields), only records whose `given` part is found are judged:
    the parcel exists, yet no row of it names this holder."""

    dataset: str = ""
    match: dict[str, str] = field(default_factory=dict)
    given: tuple[str, ...] = ()
    field: str = ""  # the field the finding names (the first of `match` if empty)
    kind: ClassVar[str] = "exists_in"

    def to_sql(self, ctx: RuleContext) -> str | None:
        other = ctx.other(self.dataset)
        if other is None or not self.match:
            return None
        named = self.field or next(iter(self.match))
        value = "concat_ws(' / ', " + ", ".join(f"d.{ctx.quote(f)}" for f in self.match) + ")"
        sql = (f"{finding_select(ctx.dialect, self.rule, named, value, alias='d.')} FROM {ctx.table} d "
               f"WHERE {_filled(ctx, 'd', self.match)} "
               f"AND NOT EXISTS (SELECT 1 FROM {other} o WHERE {_matches(ctx, self.match)})")
        if self.given:
            part = {k: v for k, v in self.match.items() if k in self.given}
            sql += f" AND EXISTS (SELECT 1 FROM {other} o WHERE {_matches(ctx, part)})"
        return sql


@dataclass(frozen=True)
class OtherValueIn(RuleSpecBase):
    """The row of `dataset` matching the record has `other_field` outside `values` (unified)."""

    dataset: str = ""
    match: dict[str, str] = field(default_factory=dict)
    other_field: str = ""
    values: tuple[str, ...] = ()
    table: str = ""  # how the template names the allowed list
    field: str = ""
    kind: ClassVar[str] = "other_value_in"

    def to_sql(self, ctx: RuleContext) -> str | None:
        other = ctx.other(self.dataset)
        if other is None or not self.match or not self.other_field:
            return None
        named = self.field or next(iter(self.match))
        allowed = ", ".join(ctx.literal(v) for v in self.values)
        value = "o." + ctx.quote(self.other_field)
        keys = ", ".join(ctx.quote(t) for t in self.match.values())
        wrong = (f"FROM (SELECT DISTINCT {keys}, {ctx.quote(self.other_field)} FROM {other}) o "
                 f"WHERE {value} IS NOT NULL AND {value} <> '' AND {value} NOT IN ({allowed})")
        # one finding a record: the parcel's lowest wrong code when duplicates disagree
        first = ctx.dialect.first_per_group(f"{keys}, {ctx.quote(self.other_field)}", wrong, keys, value)
        return (f"{finding_select(ctx.dialect, self.rule, named, value, alias='d.', table=ctx.literal(self.table or ', '.join(self.values)))} "
                f"FROM {ctx.table} d JOIN ({first}) o ON {_matches(ctx, self.match)}")


@dataclass(frozen=True)
class AgeFitsLevel(RuleSpecBase):
    """Age on the school year's first day (`year_start`, "mm-dd", of the reference date's school
    year) outside level + offset - below .. level + offset + above (correct)."""

    dob: str = ""
    level: str = ""
    offset: int = 5
    below: int = 1
    above: int = 2
    year_start: str = "09-05"
    kind: ClassVar[str] = "age_fits_level"

    def to_sql(self, ctx: RuleContext) -> str:
        ref = date.fromisoformat(ctx.reference_date)
        start = date.fromisoformat(f"{ref.year}-{self.year_start}")
        start = start if start <= ref else start.replace(year=ref.year - 1)
        dob = f"TRY_CAST(d.{ctx.quote(self.dob)} AS DATE)"
        at = f"DATE {ctx.literal(start.isoformat())}"
        age = age_sql(ctx.dialect, dob, at)
        level = f"TRY_CAST(d.{ctx.quote(self.level)} AS INTEGER)"
        low, high = f"({level} + {int(self.offset) - int(self.below)})", f"({level} + {int(self.offset) + int(self.above)})"
        return (f"{finding_select(ctx.dialect, self.rule, self.level, 'd.' + ctx.quote(self.level), alias='d.', age=age, min_age=low, max_age=high)} "
                f"FROM {ctx.table} d WHERE {dob} IS NOT NULL AND {level} IS NOT NULL "
                f"AND ({age} < {low} OR {age} > {high})")


SECTOR_RULE_KINDS: dict[str, type[RuleSpecBase]] = {
    cls.kind: cls for cls in (ResidentInUnit, ExistsIn, OtherValueIn, AgeFitsLevel)
}
