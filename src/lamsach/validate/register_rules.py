"""Rule kinds that join a dataset with the population register or with another dataset.

The register is reduced to one row per citizen_id first (duplicates in it are reported by the
register's own `unique` rule), so a join never multiplies findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from lamsach.validate.context import (
    RuleContext,
    dead_by_id_sql,
    deaths_by_id_sql,
    register_by_id_sql,
    register_by_name_year_sql,
)
from lamsach.validate.rule_library import FindingCase, RuleSpecBase, finding_select, findings_select

DEAD = "(lower(coalesce(r.status, '')) LIKE '%chết%' OR lower(coalesce(r.status, '')) LIKE '%mất%')"


def register_view(ctx: RuleContext) -> str | None:
    """The register, one row per citizen_id: the pass builds it once (`register_by_id`); a rule
    run on its own builds it inline."""
    if "register_by_id" in ctx.catalogue_tables:
        return ctx.quote(ctx.catalogue_tables["register_by_id"])
    table = ctx.tables.get(ctx.register_dataset)
    return register_by_id_sql(ctx.dialect, table) if table else None


def deaths_view(ctx: RuleContext) -> str | None:
    """The death registrations one row per deceased ID: the pass's shared table (`deaths_by_id`),
    or made inline for a rule run on its own."""
    if "deaths_by_id" in ctx.catalogue_tables:
        return ctx.quote(ctx.catalogue_tables["deaths_by_id"])
    deaths = ctx.other("death")
    return deaths_by_id_sql(deaths) if deaths else None


def dead_view(ctx: RuleContext) -> str | None:
    """The IDs dead per the register or the death registrations, one row each with the date of
    death: the pass's shared table (`dead_by_id`), or made inline for a rule run on its own."""
    if "dead_by_id" in ctx.catalogue_tables:
        return ctx.quote(ctx.catalogue_tables["dead_by_id"])
    register = register_view(ctx)
    return dead_by_id_sql(register, deaths_view(ctx), DEAD) if register else None


def _year_of(ctx: RuleContext, parts: dict[str, str]) -> tuple[str | None, str | None]:
    """The field holding a person's birth date or year, and the SQL for the year as a number."""
    if "dob" in parts:
        return parts["dob"], "d." + ctx.quote(f"{parts['dob']}__year")
    if "birth_year" in parts:
        return parts["birth_year"], "TRY_CAST(d." + ctx.quote(parts["birth_year"]) + " AS INTEGER)"
    return None, None


def _candidate_join(ctx: RuleContext, register: str, parts: dict[str, str], year_col: str | None) -> str:
    """LEFT JOIN `c`: the register's only person with the reference's name key and birth year."""
    if "name" not in parts or year_col is None:
        return f" LEFT JOIN (SELECT {ctx.dialect.cast('NULL', 'text')} AS citizen_id) c ON false"
    key = "d." + ctx.quote(f"{parts['name']}__key")
    shared = ctx.catalogue_tables.get("register_by_name_year")  # made once by the pass for every role
    candidates = ctx.quote(shared) if shared else register_by_name_year_sql(register)
    return (f" LEFT JOIN {candidates} c ON c.full_name__key = {key} AND c.date_of_birth__year = {year_col}")


@dataclass(frozen=True)
class RegisterMatch(RuleSpecBase):
    """A person reference agrees with the register: ID known, name, birth year and sex equal."""

    role: str = ""
    sex: str | None = None
    full_dob: bool = False  # compare the whole birth date, not only its year (social insurance)
    kind: ClassVar[str] = "register_match"

    def emits(self) -> tuple[str, ...]:
        return ("id_not_in_register", "id_sex_century_mismatch", "name_differs_from_register",
                "name_spelling_differs_from_register", "birth_year_differs_from_register",
                "sex_differs_from_register", *(("birth_date_differs_from_register",) if self.full_dob else ()))

    def to_sql(self, ctx: RuleContext) -> str | None:
        """Every finding kind of the role from one pass: the reference joined once with the
        register (its person of that ID, if any) and with the register's only person of its name
        and birth year, each joined row yielding the kinds whose condition holds."""
        register = register_view(ctx)
        parts = ctx.schema.person_roles().get(self.role, {})
        id_field = parts.get("id")
        if register is None or id_field is None:
            return None
        idq = "d." + ctx.quote(id_field)
        kind = "d." + ctx.quote(f"{id_field}__kind")
        year_field, year_col = _year_of(ctx, parts)
        unknown, known = "r.citizen_id IS NULL", "r.citizen_id IS NOT NULL"
        cases = [
            FindingCase("id_not_in_register", unknown, id_field, idq, "c.citizen_id"),
            # the one register person of that name and birth year holds this number but for the
            # sex/century digit: the number was mistyped or issued before a change of sex
            FindingCase("id_sex_century_mismatch",
                        f"{unknown} AND c.citizen_id IS NOT NULL AND substr(c.citizen_id, 1, 3) = substr({idq}, 1, 3) "
                        f"AND substr(c.citizen_id, 5) = substr({idq}, 5)", id_field, idq, "c.citizen_id",
                        {"id_sex": f"substr({idq}, 4, 1)", "register_value": "c.citizen_id"}),
        ]
        if "name" in parts:
            key, name = "d." + ctx.quote(f"{parts['name']}__key"), "d." + ctx.quote(parts["name"])
            cases.append(FindingCase(
                "name_differs_from_register",
                f"{known} AND {key} IS NOT NULL AND r.full_name__key IS NOT NULL AND {key} <> r.full_name__key",
                parts["name"], name, "r.full_name", {"register_value": "r.full_name"}))
            # same key, other spelling (Thuỷ/Thủy): reported, never rewritten, since a name is legal data
            cases.append(FindingCase(
                "name_spelling_differs_from_register",
                f"{known} AND {key} = r.full_name__key AND {name} <> r.full_name",
                parts["name"], name, "r.full_name", {"register_value": "r.full_name"}))
        if year_field:
            # the suggestion has the cell's shape: the register's date for a date of birth, its
            # year for a birth-year cell (a full date was offered in a year cell)
            cases.append(FindingCase(
                "birth_year_differs_from_register",
                f"{known} AND {year_col} IS NOT NULL AND r.date_of_birth__year IS NOT NULL "
                f"AND {year_col} <> r.date_of_birth__year", year_field, "d." + ctx.quote(year_field),
                "r.date_of_birth" if ctx.schema.field(year_field).type == "date" else "r.date_of_birth__year",
                {"register_value": "r.date_of_birth__year"}))
        if self.full_dob and "dob" in parts:  # same year, another day: the year check above stays silent
            dob = f"TRY_CAST(d.{ctx.quote(parts['dob'])} AS DATE)"
            cases.append(FindingCase(
                "birth_date_differs_from_register",
                f"{known} AND {dob} IS NOT NULL AND TRY_CAST(r.date_of_birth AS DATE) IS NOT NULL "
                f"AND {year_col} = r.date_of_birth__year AND {dob} <> TRY_CAST(r.date_of_birth AS DATE)",
                parts["dob"], "d." + ctx.quote(parts["dob"]), "r.date_of_birth", {"register_value": "r.date_of_birth"}))
        expected_sex = ("d." + ctx.quote(parts["sex"])) if "sex" in parts else ctx.literal(self.sex) if self.sex else None
        if expected_sex:
            # without a sex column (a husband's or wife's sex is fixed by the role) the finding sits
            # on the ID, and the register's sex is no value for an ID cell: no suggestion then
            cases.append(FindingCase(
                "sex_differs_from_register",
                f"{known} AND {expected_sex} IS NOT NULL AND r.sex IS NOT NULL AND {expected_sex} <> r.sex",
                parts.get("sex", id_field), expected_sex, "r.sex" if "sex" in parts else "NULL",
                {"register_value": "r.sex"}))
        source = (f"FROM {ctx.table} d LEFT JOIN {register} r ON r.citizen_id = {idq}"
                  f"{_candidate_join(ctx, register, parts, year_col)}")
        return findings_select(ctx.dialect, cases, source, f"{kind} = 'cccd12'", alias="d.")


@dataclass(frozen=True)
class PersonAlive(RuleSpecBase):
    """The referenced person is dead per the register's status or the death register (live)."""

    role: str = ""
    before: str | None = None  # only when death came before this date field (marriage registration)
    kind: ClassVar[str] = "person_alive"

    def to_sql(self, ctx: RuleContext) -> str | None:
        """One join, with the IDs dead per the register or the deaths (`dead_view`), where the
        register and the deaths were each joined (on Spark a broadcast each, per role)."""
        dead = dead_view(ctx)
        id_field = ctx.schema.person_roles().get(self.role, {}).get("id")
        if dead is None or id_field is None:
            return None
        idq = "d." + ctx.quote(id_field)
        return (f"{finding_select(ctx.dialect, self.rule, id_field, idq, alias='d.', date_of_death='z.date_of_death')} "
                f"FROM {ctx.table} d JOIN {dead} z ON z.citizen_id = {idq}"
                + (f" WHERE TRY_CAST(z.date_of_death AS DATE) < TRY_CAST(d.{ctx.quote(self.before)} AS DATE)"
                   if self.before else ""))


@dataclass(frozen=True)
class DeathReflected(RuleSpecBase):
    """A register record still alive although a death registration names its ID (live)."""

    id_field: str = "citizen_id"
    status_field: str = "status"
    kind: ClassVar[str] = "death_reflected"

    def to_sql(self, ctx: RuleContext) -> str | None:
        deaths = deaths_view(ctx)
        if deaths is None:
            return None
        return (f"{finding_select(ctx.dialect, self.rule, self.status_field, 'r.full_name', ctx.literal('Đã chết'), alias='r.', date_of_death='x.date_of_death')} "
                f"FROM {ctx.table} r JOIN {deaths} x "
                f"ON x.deceased_id = r.{ctx.quote(self.id_field)} WHERE NOT {DEAD}")


@dataclass(frozen=True)
class SingleMarriage(RuleSpecBase):
    """A spouse who already has an earlier standing marriage registration (unified).

    The earlier registration is matched in either role: a record with husband and wife swapped
    still shows that the person was married."""

    roles: tuple[str, ...] = ()
    kind: ClassVar[str] = "single_marriage"

    def to_sql(self, ctx: RuleContext) -> str | None:
        ids = [f for f in (ctx.schema.person_roles().get(r, {}).get("id") for r in self.roles) if f]
        selects = []
        # each registration once per role it names a person in: an equality join, where a join on
        # "either role" (OR) made the engine compare every pair of registrations
        by_person = " UNION ALL ".join(f"SELECT *, {ctx.quote(other)} AS __person FROM {ctx.table}" for other in ids)
        for id_field in ids:
            col = ctx.quote(id_field)
            selects.append(
                ctx.dialect.first_per_group(
                    finding_select(ctx.dialect, self.rule, id_field, 'm.' + col, alias='m.',
                                   other_record='e.record_id').removeprefix("SELECT "),
                    f"FROM {ctx.table} m JOIN ({by_person}) e ON e.__person = m.{col} AND e.record_id <> m.record_id "
                    f"AND (TRY_CAST(e.registration_date AS DATE) < TRY_CAST(m.registration_date AS DATE) OR "
                    f"(e.registration_date = m.registration_date AND e.__row_order < m.__row_order)) "
                    f"WHERE m.{col} IS NOT NULL AND m.{col} <> ''", "m.record_id", "e.__row_order"))
        return " UNION ALL ".join(selects) or None


CROSS_RULE_KINDS: dict[str, type[RuleSpecBase]] = {
    cls.kind: cls for cls in (RegisterMatch, PersonAlive, DeathReflected, SingleMarriage)
}
