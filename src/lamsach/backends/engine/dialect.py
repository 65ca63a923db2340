"""The SQL an engine speaks where engines differ: quoting, and the constructs only some have.

Stages write their SQL through the `Dialect` of the engine they are handed (`engine.dialect`)
wherever DuckDB's SQL is not what another engine would accept: identifier and string quoting,
keeping the first rows of each group (DuckDB's QUALIFY), map literals and lookups, whole-value
regular expressions, arg_max, lists, casts and their type names, date arithmetic and formatting,
JSON objects, and writing a result to a CSV file. A second engine (Spark)
adds one subclass that renders the same constructs in its own SQL; the stages do not change.

Everything else the stages write is SQL both DuckDB and Spark accept.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Literal

SqlType = Literal["text", "integer", "bigint", "double", "date"]
DateUnit = Literal["year", "day"]


class Dialect(ABC):
    name: str = "sql"

    @abstractmethod
    def quote(self, identifier: str) -> str:
        """An identifier (table or column name) quoted, whatever characters it holds."""

    @abstractmethod
    def literal(self, value: str | None) -> str:
        """A string literal (NULL for None), for values from data files and the pass's own tables."""

    @abstractmethod
    def cast(self, expr: str, to: SqlType) -> str:
        """`expr` converted to the type (an error where it cannot be)."""

    @abstractmethod
    def format_date(self, expr: str, pattern: str) -> str:
        """A date as text in a C strftime `pattern` (%d/%m/%Y, %m%d)."""

    @abstractmethod
    def date_diff(self, unit: DateUnit, start: str, end: str) -> str:
        """Whole `unit` boundaries crossed from date `start` to date `end` (years: by the year only)."""

    @abstractmethod
    def shift_date(self, expr: str, amount: int, unit: DateUnit) -> str:
        """The date `amount` (negative: back) years or days from `expr`."""

    @abstractmethod
    def json_text(self, entries: dict[str, str]) -> str:
        """A JSON object as text, from keys to the values of SQL expressions."""

    @abstractmethod
    def first_per_group(self, columns: str, source: str, partition: str | None, order: str, keep: int = 1) -> str:
        """`SELECT columns source` (source: FROM, WHERE, GROUP BY; no ORDER BY or LIMIT) keeping,
        within each group of `partition` (SQL expressions over the source; None: one group), the
        first `keep` rows by `order`. DuckDB says it with QUALIFY; an engine without it ranks in a
        subquery."""

    @abstractmethod
    def map_of(self, entries: dict[str, str]) -> str:
        """A map from text keys to the values of SQL expressions (`entries`: key -> expression)."""

    @abstractmethod
    def map_value(self, map_sql: str, key: str) -> str:
        """The value of `key` in a map built by `map_of`; NULL when it has none."""

    @abstractmethod
    def full_match(self, expr: str, pattern: str) -> str:
        """True when the whole of `expr` matches the regular expression `pattern` (RE2 syntax)."""

    @abstractmethod
    def row_hash(self, exprs: list[str]) -> str:
        """A 63-bit hash of the values of `exprs` together (NULL hashed too), a non-negative
        BIGINT: for fingerprints of many rows, where a row's text digest would cost more."""

    @abstractmethod
    def arg_max(self, value: str, by: str) -> str:
        """The aggregate: `value` of the row with the largest `by` in the group."""

    @abstractmethod
    def arg_min(self, value: str, by: str) -> str:
        """The aggregate: `value` of the row with the smallest `by` in the group."""

    @abstractmethod
    def list_of(self, expr: str, order: str | None = None, distinct: bool = False) -> str:
        """The aggregate: every `expr` of the group as a list (each value once when `distinct`),
        in `order` when given."""

    @abstractmethod
    def list_text(self, list_sql: str, separator: str) -> str:
        """A list's items joined into one text with `separator` between them."""

    @abstractmethod
    def star_replacing(self, alias: str, replacements: dict[str, str]) -> str:
        """Every column of `alias` (a select list), with those named in `replacements` (column ->
        expression) taking the expression's value instead."""

    @abstractmethod
    def copy_to_csv(self, select: str, path: str) -> str:
        """The statement writing `select`'s rows to the CSV file `path`: a header, commas, and
        double quotes around a value only when it needs them."""

    def rows_per_case(self, conditions: dict[str, str], alias: str) -> str:
        """A join clause (after the FROM and its joins) giving each row one row per key of
        `conditions` whose condition, SQL over that row, holds; the key is `alias.case_key`, and a
        row no condition holds for is dropped. Several outcomes of one joined row in one pass,
        where a SELECT per outcome joined again (on Spark a broadcast and a job per SELECT).
        DuckDB's lateral UNNEST; sqlglot writes Spark's LATERAL VIEW explode."""
        keys = ", ".join(f"CASE WHEN {c} THEN {self.literal(k)} END" for k, c in conditions.items())
        return f"CROSS JOIN UNNEST(list_filter([{keys}], lambda k: k IS NOT NULL)) AS {alias}(case_key)"

    def case_of(self, expr: str, branches: dict[str, str]) -> str:
        """The SQL of the branch whose key (a text) `expr` equals; NULL for any other value."""
        return f"CASE {expr} " + " ".join(f"WHEN {self.literal(k)} THEN {v}" for k, v in branches.items()) + " END"

    def round_half_up(self, expr: str, decimals: int) -> str:
        """A non-negative DOUBLE `expr` rounded to `decimals` places, halves up, by the same IEEE
        operations on every engine (multiply, add, floor, divide): `round` itself is DuckDB's
        C++ on one engine and Java's BigDecimal on the other, which can part on a halfway value."""
        scale = 10 ** int(decimals)
        return f"(floor(({expr}) * {scale} + 0.5) / {scale})"


class DuckDBDialect(Dialect):
    """DuckDB's SQL (https://duckdb.org/docs/sql/introduction)."""

    name = "duckdb"

    def quote(self, identifier: str) -> str:
        return '"' + identifier.replace('"', '""') + '"'

    def literal(self, value: str | None) -> str:
        if value is None:
            return "NULL"
        return "'" + str(value).replace("'", "''") + "'"

    TYPES = {"text": "VARCHAR", "integer": "INTEGER", "bigint": "BIGINT", "double": "DOUBLE", "date": "DATE"}

    def cast(self, expr: str, to: SqlType) -> str:
        return f"CAST({expr} AS {self.TYPES[to]})"

    def format_date(self, expr: str, pattern: str) -> str:
        return f"strftime({expr}, {self.literal(pattern)})"

    def date_diff(self, unit: DateUnit, start: str, end: str) -> str:
        return f"date_diff({self.literal(unit)}, {start}, {end})"

    def shift_date(self, expr: str, amount: int, unit: DateUnit) -> str:
        sign = "-" if amount < 0 else "+"
        return f"({expr} {sign} INTERVAL {abs(int(amount))} {unit.upper()})"

    def json_text(self, entries: dict[str, str]) -> str:
        pairs = ", ".join(f"{self.literal(k)}, {v}" for k, v in entries.items())
        return f"CAST(json_object({pairs}) AS VARCHAR)"

    def first_per_group(self, columns: str, source: str, partition: str | None, order: str, keep: int = 1) -> str:
        groups = f"PARTITION BY {partition} " if partition else ""
        return f"SELECT {columns} {source} QUALIFY row_number() OVER ({groups}ORDER BY {order}) <= {int(keep)}"

    def map_of(self, entries: dict[str, str]) -> str:
        return "MAP {" + ", ".join(f"{self.literal(k)}: {v}" for k, v in entries.items()) + "}"

    def map_value(self, map_sql: str, key: str) -> str:
        return f"{map_sql}[{self.literal(key)}]"

    def full_match(self, expr: str, pattern: str) -> str:
        return f"regexp_full_match({expr}, {self.literal(pattern)})"

    def row_hash(self, exprs: list[str]) -> str:
        return f"CAST(hash({', '.join(exprs)}) >> 1 AS BIGINT)"

    def arg_max(self, value: str, by: str) -> str:
        return f"arg_max({value}, {by})"

    def arg_min(self, value: str, by: str) -> str:
        return f"arg_min({value}, {by})"

    def list_of(self, expr: str, order: str | None = None, distinct: bool = False) -> str:
        return f"list({'DISTINCT ' if distinct else ''}{expr}{f' ORDER BY {order}' if order else ''})"

    def list_text(self, list_sql: str, separator: str) -> str:
        return f"array_to_string({list_sql}, {self.literal(separator)})"

    def star_replacing(self, alias: str, replacements: dict[str, str]) -> str:
        return f"{alias}.* REPLACE (" + ", ".join(f"{e} AS {self.quote(c)}" for c, e in replacements.items()) + ")"

    def copy_to_csv(self, select: str, path: str) -> str:
        return f"COPY ({select}) TO {self.literal(path)} (HEADER, DELIMITER ',', QUOTE '\"')"

    def copy_to_parquet(self, select: str, path: str) -> str:
        """The statement writing `select`'s rows, in its order, to the Parquet file `path` (DuckDB
        writes it on all its threads: a Python writer fed batch by batch took seconds a million
        rows). Only the DuckDB pass keeps results as Parquet, so only this dialect has it."""
        return f"COPY ({select}) TO {self.literal(path)} (FORMAT parquet)"
