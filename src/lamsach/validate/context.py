"""What a rule needs to compile: the dataset's table, the register's table, the reference date."""

from __future__ import annotations

from dataclasses import dataclass, field

from lamsach.domain import DatasetSchema


def quote(identifier: str) -> str:
    """The one quoting function for identifiers that reach SQL."""
    return '"' + identifier.replace('"', '""') + '"'


def literal(value: str | None) -> str:
    """A SQL string literal for values that come from data files, never from users."""
    if value is None:
        return "NULL"
    return "'" + str(value).replace("'", "''") + "'"


def register_by_id_sql(table: str) -> str:
    """The register (engine table `table`) reduced to one row per citizen_id, the first received:
    every join with the register goes through this, so a duplicated ID never multiplies a row."""
    return (f"(SELECT * FROM {quote(table)} WHERE citizen_id IS NOT NULL "
            f"QUALIFY row_number() OVER (PARTITION BY citizen_id ORDER BY __row_order) = 1)")


@dataclass(frozen=True)
class RuleContext:
    schema: DatasetSchema
    tables: dict[str, str]  # dataset -> engine table holding its standardised records
    reference_date: str  # ISO date
    register_dataset: str = "population"
    catalogue_tables: dict[str, str] = field(default_factory=dict)
    freshness_days: int | None = None  # the campaign's window; the schema's default otherwise

    @property
    def table(self) -> str:
        return quote(self.tables[self.schema.name])

    def other(self, dataset: str) -> str | None:
        name = self.tables.get(dataset)
        return quote(name) if name else None
