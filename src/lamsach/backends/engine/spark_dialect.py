"""The stages' SQL on Apache Spark: DuckDB's SQL, rewritten by sqlglot, with its traps handled here.

The stages write one SQL (DuckDB's, through the `Dialect`); `SparkEngine` turns every statement
into Spark SQL with sqlglot. sqlglot already gets most differences right, and the tests in
tests/spark hold it to them: `concat` skipping NULL (Spark's gives NULL: sqlglot wraps each part
in coalesce), NULL sort order (DuckDB puts NULLs last both ways, Spark first when ascending:
sqlglot writes NULLS LAST), `''` and backslashes in literals, QUALIFY (a ranked subquery),
`arg_max`, `any_value` ignoring NULLs, TRY_CAST for malformed dates.

Where sqlglot's translation is wrong, this dialect writes the construct so that it comes out
right. Each is a known trap:

- `list(x ORDER BY ...)` loses its order (sqlglot writes COLLECT_LIST): sort a list of structs
  whose first keys say "is NULL", so NULLs come last as in DuckDB, then keep the value;
- `MAP {...}` / `map(k, v, ...)` become a struct or lose entries: build the map from two lists;
- `regexp_full_match` has no Spark function, and Spark's RLIKE finds the pattern anywhere:
  anchor it (`\\z`, since Java's `$` also matches before a final line break);
- `date_diff('year', ...)` becomes Spark's DATEDIFF(YEAR), which counts whole years, where
  DuckDB counts year boundaries: subtract the years;
- `json_object` keeps JSON's NULLs in DuckDB, while Spark's `to_json` drops NULL fields: ask it
  to keep them;
- `arg_max`/`arg_min` pass over rows whose value is NULL in DuckDB; Spark's max_by/min_by
  return it: order only the rows with a value;
- `* REPLACE (...)` has no Spark form: every column but the replaced ones, then the new values
  (the replaced columns move to the end: every caller selects by name afterwards).

Writing CSV (`COPY ... TO`) is handled by the engine itself (see `SparkEngine`).
"""

from __future__ import annotations

import re
from typing import Any

from lamsach.backends.engine.dialect import DateUnit, DuckDBDialect
from lamsach.link.jaro_winkler import SPARK_UDF_NAME as JARO_WINKLER_UDF


class SparkDialect(DuckDBDialect):
    """DuckDB's SQL, as far as sqlglot turns it into the same results on Spark."""

    name = "spark"

    def date_diff(self, unit: DateUnit, start: str, end: str) -> str:
        if unit == "year":
            return f"(year({end}) - year({start}))"
        return super().date_diff(unit, start, end)

    def json_text(self, entries: dict[str, str]) -> str:
        pairs = ", ".join(f"{self.literal(k)}, {v}" for k, v in entries.items())
        return f"to_json(named_struct({pairs}), spark_map('ignoreNullFields', 'false'))"

    def row_hash(self, exprs: list[str]) -> str:
        return f"(xxhash64({', '.join(exprs)}) & 9223372036854775807)"

    def arg_max(self, value: str, by: str) -> str:
        return f"arg_max({value}, CASE WHEN ({value}) IS NOT NULL THEN {by} END)"

    def arg_min(self, value: str, by: str) -> str:
        return f"arg_min({value}, CASE WHEN ({value}) IS NOT NULL THEN {by} END)"

    def map_of(self, entries: dict[str, str]) -> str:
        keys = ", ".join(self.literal(k) for k in entries)
        values = ", ".join(entries.values())
        return f"map_from_arrays([{keys}], [{values}])"

    def map_value(self, map_sql: str, key: str) -> str:
        return f"try_element_at({map_sql}, {self.literal(key)})"

    def full_match(self, expr: str, pattern: str) -> str:
        return f"regexp_matches({expr}, {self.literal('^(?:' + pattern + ')' + chr(92) + 'z')})"

    def list_of(self, expr: str, order: str | None = None, distinct: bool = False) -> str:
        if not order:
            return super().list_of(expr, distinct=distinct)
        if distinct:
            raise NotImplementedError("a distinct list in an order is not used by the stages")
        keys = [k.strip() for k in _split_top(order)]
        if any(re.search(r"\s(DESC|ASC|NULLS)\b", k, re.IGNORECASE) for k in keys):
            raise NotImplementedError(f"list order {order!r}: only ascending keys are written for Spark")
        fields = []
        for i, key in enumerate(keys):
            fields += [f"n{i} := ({key}) IS NULL", f"k{i} := {key}"]
        return f"list_transform(list_sort(list(struct_pack({', '.join(fields)}, v := {expr}))), x -> x.v)"

    def star_replacing(self, alias: str, replacements: dict[str, str]) -> str:
        kept = f"{alias}.* EXCLUDE ({', '.join(self.quote(c) for c in replacements)})"
        return ", ".join([kept, *(f"{e} AS {self.quote(c)}" for c, e in replacements.items())])


def _split_top(text: str) -> list[str]:
    """`text` split at the commas outside parentheses and quotes."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _accent_table() -> tuple[str, str, str]:
    """What DuckDB's strip_accents does to Latin letters, as Spark's `translate` arguments: each
    precomposed letter to its base letter (NFD, marks dropped), and lone combining marks deleted.
    (đ and Đ are letters of their own, kept by both.)"""
    import unicodedata

    froms, tos = [], []
    for cp in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        ch = chr(cp)
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        if len(base) == 1 and base != ch:
            froms.append(ch)
            tos.append(base)
    marks = "".join(chr(cp) for cp in range(0x300, 0x370))
    return "".join(froms), "".join(tos), marks


def duckdb_to_spark(sql: str | Any, *, condition: bool = False) -> str:
    """DuckDB SQL (a statement, or with `condition` an expression) as Spark SQL: sqlglot's
    translation, after the rewrites of the functions and list indexes it gets wrong."""
    import sqlglot

    tree = sql if not isinstance(sql, str) else (
        sqlglot.parse_one(sql, read="duckdb", into=sqlglot.exp.Condition) if condition
        else sqlglot.parse_one(sql, read="duckdb"))
    return rewrite_for_spark(tree).sql(dialect="spark")


def rewrite_for_spark(tree: Any) -> Any:
    from sqlglot import exp

    def fix(node: Any) -> Any:
        if isinstance(node, exp.Bracket) and len(node.expressions) == 1 and _negative(node.expressions[0]):
            # DuckDB's list[-1] is the last item; sqlglot keeps indexes from 0 and makes it [-2],
            # which Spark refuses. Spark's element_at counts -1 as the last, as DuckDB does.
            index = int(node.expressions[0].sql()) + 1
            return exp.Anonymous(this="element_at", expressions=[node.this, exp.Literal.number(index)])
        if isinstance(node, exp.Anonymous) and node.name.lower() == "strip_accents":
            froms, tos, marks = _ACCENTS
            return exp.Anonymous(this="translate", expressions=[
                node.expressions[0], exp.Literal.string(froms + marks), exp.Literal.string(tos)])
        if isinstance(node, exp.Anonymous) and node.name.lower() == "spark_map":
            # Spark's own map(k, v, ...), which sqlglot cannot be asked for from DuckDB's SQL
            return exp.Anonymous(this="map", expressions=list(node.expressions))
        if isinstance(node, exp.Anonymous) and node.name.lower() == "hamming":
            # the positions where two texts of one length differ (no such function in Spark)
            a, b = (e.sql(dialect="spark") for e in node.expressions)
            return sqlglot_parse(f"size(filter(sequence(1, length({a})), i -> substr({a}, i, 1) <> substr({b}, i, 1)))")
        if isinstance(node, exp.JarowinklerSimilarity):
            # DuckDB's Jaro-Winkler, registered with the session (the jar's is another function)
            return exp.Anonymous(this=JARO_WINKLER_UDF, expressions=[node.this, node.expression])
        return node

    return tree.transform(fix)


def _negative(index: Any) -> bool:
    text = index.sql()
    return bool(re.fullmatch(r"-\s*\d+", text))


def sqlglot_parse(spark_sql: str) -> Any:
    import sqlglot

    return sqlglot.parse_one(spark_sql, read="spark")


_ACCENTS = _accent_table()
