"""What a rule needs to compile: the dataset's table, the register's table, the reference date,
and the SQL dialect of the engine the rules run on."""

from __future__ import annotations

from dataclasses import dataclass, field

from lamsach.backends.engine import Dialect, DuckDBDialect
from lamsach.domain import DatasetSchema


def register_by_id_sql(dialect: Dialect, table: str) -> str:
    """The register (engine table `table`) reduced to one row per citizen_id, the first received:
    every join with the register goes through this, so a duplicated ID never multiplies a row."""
    return "(" + dialect.first_per_group("*", f"FROM {dialect.quote(table)} WHERE citizen_id IS NOT NULL",
                                         "citizen_id", "__row_order") + ")"


def register_by_name_year_sql(register: str) -> str:
    """The register's only person of each name key and birth year (`register`: SQL of the register
    one row per citizen_id): where a reference's ID is unknown, the person it likely means."""
    return (f"(SELECT full_name__key, date_of_birth__year, min(citizen_id) AS citizen_id FROM {register} "
            f"GROUP BY full_name__key, date_of_birth__year HAVING count(*) = 1)")


def deaths_by_id_sql(deaths: str) -> str:
    """Each deceased ID of the death registrations (`deaths`: SQL of their table) with its earliest date."""
    return f"(SELECT deceased_id, min(date_of_death) AS date_of_death FROM {deaths} GROUP BY deceased_id)"


def dead_by_id_sql(register: str, deaths: str | None, dead: str) -> str:
    """Every ID the register marks dead (`dead`: its condition on the register's row `r`) or a death
    registration names, once, with its date of death (the register's first): `register` and
    `deaths` are SQL of the register one row per citizen_id and of the deaths one row per ID."""
    if deaths is None:
        return f"(SELECT r.citizen_id, r.date_of_death FROM {register} r WHERE {dead})"
    return (f"(SELECT coalesce(r.citizen_id, x.deceased_id) AS citizen_id, "
            f"coalesce(r.date_of_death, x.date_of_death) AS date_of_death "
            f"FROM {register} r FULL OUTER JOIN {deaths} x ON x.deceased_id = r.citizen_id "
            f"WHERE x.deceased_id IS NOT NULL OR {dead})")


@dataclass(frozen=True)
class RuleContext:
    schema: DatasetSchema
    tables: dict[str, str]  # dataset -> engine table holding its standardised records
    reference_date: str  # ISO date
    register_dataset: str = "population"
    catalogue_tables: dict[str, str] = field(default_factory=dict)
    freshness_days: int | None = None  # the campaign's window; the schema's default otherwise
    dialect: Dialect = field(default_factory=DuckDBDialect)  # the engine's (`engine.dialect`)

    def quote(self, identifier: str) -> str:
        return self.dialect.quote(identifier)

    def literal(self, value: str | None) -> str:
        return self.dialect.literal(value)

    @property
    def table(self) -> str:
        return self.quote(self.tables[self.schema.name])

    def other(self, dataset: str) -> str | None:
        name = self.tables.get(dataset)
        return self.quote(name) if name else None
