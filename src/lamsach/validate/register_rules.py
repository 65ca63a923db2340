"""Rule kinds that join a dataset with the population register or with another dataset.

The register is reduced to one row per citizen_id first (duplicates in it are reported by the
register's own `unique` rule), so a join never multiplies findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from lamsach.validate.context import RuleContext, literal, quote
from lamsach.validate.rule_library import RuleSpecBase, _select

DEAD = "(lower(coalesce(r.status, '')) LIKE '%chết%' OR lower(coalesce(r.status, '')) LIKE '%mất%')"


def register_view(ctx: RuleContext) -> str | None:
    table = ctx.other(ctx.register_dataset)
    if table is None:
        return None
    return (f"(SELECT * FROM {table} WHERE citizen_id IS NOT NULL "
            f"QUALIFY row_number() OVER (PARTITION BY citizen_id ORDER BY __row_order) = 1)")


@dataclass(frozen=True)
class RegisterMatch(RuleSpecBase):
    """A person reference agrees with the register: ID known, name, birth year and sex equal."""

    role: str = ""
    sex: str | None = None
    kind: ClassVar[str] = "register_match"

    def emits(self) -> tuple[str, ...]:
        return ("id_not_in_register", "name_differs_from_register", "birth_year_differs_from_register",
                "sex_differs_from_register")

    def to_sql(self, ctx: RuleContext) -> str | None:
        register = register_view(ctx)
        parts = ctx.schema.person_roles().get(self.role, {})
        id_field = parts.get("id")
        if register is None or id_field is None:
            return None
        idq = "d." + quote(id_field)
        kind = "d." + quote(f"{id_field}__kind")
        selects = [
            (_select("id_not_in_register", id_field, idq, alias="d.")
             + f" FROM {ctx.table} d WHERE {kind} = 'cccd12' AND NOT EXISTS "
             f"(SELECT 1 FROM {register} r WHERE r.citizen_id = {idq})")
        ]
        joined = f" FROM {ctx.table} d JOIN {register} r ON r.citizen_id = {idq} WHERE {kind} = 'cccd12'"
        if "name" in parts:
            key = "d." + quote(f"{parts['name']}__key")
            selects.append(
                _select('name_differs_from_register', parts["name"], "d." + quote(parts["name"]), "r.full_name", other="r.full_name", alias="d.")
                + joined + f" AND {key} IS NOT NULL AND r.full_name__key IS NOT NULL AND {key} <> r.full_name__key")
        year_field, year_col = None, None
        if "dob" in parts:
            year_field, year_col = parts["dob"], "d." + quote(f"{parts['dob']}__year")
        elif "birth_year" in parts:
            year_field, year_col = parts["birth_year"], "TRY_CAST(d." + quote(parts["birth_year"]) + " AS INTEGER)"
        if year_field:
            selects.append(
                _select("birth_year_differs_from_register", year_field, "d." + quote(year_field),
                        "r.date_of_birth", other="r.date_of_birth__year", alias="d.")
                + joined + f" AND {year_col} IS NOT NULL AND r.date_of_birth__year IS NOT NULL "
                f"AND {year_col} <> r.date_of_birth__year")
        expected_sex = ("d." + quote(parts["sex"])) if "sex" in parts else literal(self.sex) if self.sex else None
        if expected_sex:
            selects.append(
                _select('sex_differs_from_register', id_field, expected_sex, expected=expected_sex, other="r.sex", alias="d.")
                + joined + f" AND {expected_sex} IS NOT NULL AND r.sex IS NOT NULL AND {expected_sex} <> r.sex")
        return " UNION ALL ".join(selects)


@dataclass(frozen=True)
class PersonAlive(RuleSpecBase):
    """The referenced person is dead per the register's status or the death register (live)."""

    role: str = ""
    kind: ClassVar[str] = "person_alive"

    def to_sql(self, ctx: RuleContext) -> str | None:
        register = register_view(ctx)
        id_field = ctx.schema.person_roles().get(self.role, {}).get("id")
        if register is None or id_field is None:
            return None
        idq = "d." + quote(id_field)
        deaths = ctx.other("death")
        death_join = (f" LEFT JOIN (SELECT deceased_id, min(date_of_death) AS date_of_death FROM {deaths} "
                      f"GROUP BY deceased_id) x ON x.deceased_id = {idq}") if deaths else ""
        dead_at = "coalesce(r.date_of_death, x.date_of_death)" if deaths else "r.date_of_death"
        dead = f"({DEAD} OR x.deceased_id IS NOT NULL)" if deaths else DEAD
        return (f"{_select(self.rule, id_field, idq, other=dead_at, alias='d.')} FROM {ctx.table} d "
                f"LEFT JOIN {register} r ON r.citizen_id = {idq}{death_join} "
                f"WHERE {idq} IS NOT NULL AND {dead}")


@dataclass(frozen=True)
class DeathReflected(RuleSpecBase):
    """A register record still alive although a death registration names its ID (live)."""

    id_field: str = "citizen_id"
    status_field: str = "status"
    kind: ClassVar[str] = "death_reflected"

    def to_sql(self, ctx: RuleContext) -> str | None:
        deaths = ctx.other("death")
        if deaths is None:
            return None
        return (f"{_select(self.rule, self.status_field, 'r.' + quote(self.status_field), literal('Đã chết'), other='x.date_of_death', alias='r.')} "
                f"FROM {ctx.table} r JOIN (SELECT deceased_id, min(date_of_death) AS date_of_death "
                f"FROM {deaths} WHERE deceased_id IS NOT NULL GROUP BY deceased_id) x "
                f"ON x.deceased_id = r.{quote(self.id_field)} WHERE NOT {DEAD}")


@dataclass(frozen=True)
class SingleMarriage(RuleSpecBase):
    """A spouse who already has an earlier standing marriage registration (unified)."""

    roles: tuple[str, ...] = ()
    kind: ClassVar[str] = "single_marriage"

    def to_sql(self, ctx: RuleContext) -> str | None:
        selects = []
        for role in self.roles:
            id_field = ctx.schema.person_roles().get(role, {}).get("id")
            if not id_field:
                continue
            col = quote(id_field)
            selects.append(
                f"{_select(self.rule, id_field, 'm.' + col, other='e.registration_no', alias='m.')} FROM {ctx.table} m "
                f"JOIN {ctx.table} e ON e.{col} = m.{col} AND e.record_id <> m.record_id "
                f"AND (TRY_CAST(e.registration_date AS DATE) < TRY_CAST(m.registration_date AS DATE) OR "
                f"(e.registration_date = m.registration_date AND e.__row_order < m.__row_order)) "
                f"WHERE m.{col} IS NOT NULL AND m.{col} <> '' "
                f"QUALIFY row_number() OVER (PARTITION BY m.record_id ORDER BY e.__row_order) = 1")
        return " UNION ALL ".join(selects) or None


CROSS_RULE_KINDS: dict[str, type[RuleSpecBase]] = {
    cls.kind: cls for cls in (RegisterMatch, PersonAlive, DeathReflected, SingleMarriage)
}
