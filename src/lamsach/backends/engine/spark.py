"""`SparkEngine`: the pass's SQL on Apache Spark (local mode or a cluster), same results as DuckDB.

The stages write DuckDB's SQL through the `SparkDialect`; every statement is rewritten by
sqlglot into Spark SQL. Spark's SQL has no tables to update in place outside a lakehouse
format, so the statements the stages use to change a table are carried out here: each engine
table is a temporary view over a DataFrame whose lineage is cut (`localCheckpoint`), and
`CREATE OR REPLACE TABLE`, `INSERT INTO` and `UPDATE ... FROM` make the view anew. `COPY ... TO`
(the contract files) streams the result's Arrow batches to the driver and writes them with
DuckDB's CSV writer, so numbers are written in the same form on both engines.

Importing this module imports pyspark: only `open_spark_engine` does, when `--engine spark` is
asked for, so `import lamsach` and a DuckDB pass never load it.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import sqlglot
from sqlglot import exp

from lamsach.backends.engine.base import Engine
from lamsach.backends.engine.spark_dialect import SparkDialect, duckdb_to_spark
from lamsach.domain import ErrorCode, LamsachError, Location
from lamsach.domain.files import check_size, hadoop_path, same_file

log = logging.getLogger("lamsach.engine")

COLLECT_ROWS = 50_000
"""Rows a result streamed to the driver (`SparkEngine.batches`) brings back in one collect."""

RID, HIT, RANK = "__lamsach_rid", "__lamsach_hit", "__lamsach_rank"
_COPY = re.compile(r"^\s*COPY \((?P<select>.*)\) TO '(?P<path>(?:[^']|'')*)' \(HEADER, DELIMITER ',', QUOTE '\"'\)\s*$",
                   re.DOTALL)


def spark_session(master: str = "local[*]", driver_memory: str = "2g", shuffle_partitions: int = 4,
                  app_name: str = "lamsach") -> Any:
    """A SparkSession for the pass: Splink's similarity functions on its class path, the web UI
    off, UTC, and ANSI mode off so that x/0 and a map's missing key give NULL as in DuckDB.

    Local mode runs offline on the loopback (`SPARK_LOCAL_IP`), with Python workers from the same
    environment as the driver (`PYSPARK_PYTHON`)."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = (SparkSession.builder.master(master).appName(app_name)
               .config("spark.jars", similarity_jar_location())
               .config("spark.driver.memory", driver_memory)
               .config("spark.sql.shuffle.partitions", str(int(shuffle_partitions)))
               .config("spark.default.parallelism", str(int(shuffle_partitions)))
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.ansi.enabled", "false")
               # two rules trip over a UNION of branches that read one table ("key not found:
               # role#5095", the two person roles of one dataset): the pass needs neither
               .config("spark.sql.constraintPropagation.enabled", "false")
               .config("spark.sql.optimizer.excludedRules",
                       "org.apache.spark.sql.catalyst.optimizer.PushProjectionThroughUnion")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.driver.host", os.environ["SPARK_LOCAL_IP"])
               .config("spark.driver.bindAddress", os.environ["SPARK_LOCAL_IP"]))
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    _register_functions(session)
    return session


def _register_functions(session: Any) -> None:
    """The functions the pass's SQL calls that Spark lacks or computes otherwise than DuckDB:
    DuckDB's Jaro-Winkler (`link/jaro_winkler.py`), vectorised through Arrow."""
    from pyspark.sql.functions import udf

    from lamsach.link.jaro_winkler import SPARK_UDF_NAME, jaro_winkler_similarity

    session.udf.register(SPARK_UDF_NAME, udf(jaro_winkler_similarity, "double", useArrow=True))


class SparkEngine(Engine):
    name = "spark"
    dialect = SparkDialect()

    def __init__(self, session: Any = None, master: str = "local[*]", driver_memory: str = "2g",
                 shuffle_partitions: int = 4, stop_on_close: bool = True) -> None:
        self.spark = session or spark_session(master, driver_memory, shuffle_partitions)
        self.stop_on_close = stop_on_close and session is None
        self._frames: dict[str, Any] = {}  # view name -> the checkpointed DataFrame behind it

    # --- SQL ---------------------------------------------------------------------------------

    def to_spark(self, sql: str) -> str:
        """One DuckDB statement as Spark SQL."""
        return duckdb_to_spark(sql)

    def _run(self, sql: str, params: list[Any] | None = None) -> list[tuple]:
        if params:
            raise NotImplementedError("the Spark engine takes no statement parameters")
        copy = _COPY.match(sql)
        if copy:
            self._copy_to_csv(copy["select"], copy["path"].replace("''", "'"))
            return []
        statement = sqlglot.parse_one(sql, read="duckdb")
        if isinstance(statement, exp.Create):
            return self._create(statement)
        if isinstance(statement, exp.Insert):
            return self._insert(statement)
        if isinstance(statement, exp.Update):
            return self._update(statement)
        if isinstance(statement, exp.Describe):
            frame = self.spark.table(_name(statement.this))
            return [(f.name, f.dataType.simpleString()) for f in frame.schema.fields]
        if isinstance(statement, exp.Drop):
            self.drop(_name(statement.this))
            return []
        return [tuple(row) for row in self.spark.sql(_generate(statement)).collect()]

    def _arrow(self, sql: str) -> Any:
        return _plain_arrow(self.spark.sql(self.to_spark(sql)).toArrow())

    def batches(self, sql: str, rows_per_batch: int = 10_000) -> Any:
        """The result as Arrow record batches, partition by partition (never whole on the driver)."""
        frame = self.spark.sql(self.to_spark(sql))
        schema = _plain_schema(frame.limit(0).toArrow().schema)

        def stream():
            for part in _partitions_in_order(frame):
                yield from _plain_arrow(part).to_batches(rows_per_batch)
        return pa.RecordBatchReader.from_batches(schema, stream())

    def _register(self, table_name: str, data: Any) -> None:
        table = data if isinstance(data, pa.Table) else pa.table(data)
        fixed = [c.cast(pa.string()) if pa.types.is_null(c.type) else c for c in table.columns]
        table = pa.Table.from_arrays(fixed, names=table.column_names)
        if table.num_rows == 0:
            from pyspark.sql.pandas.types import from_arrow_schema

            frame = self.spark.createDataFrame([], schema=from_arrow_schema(table.schema))
        else:
            frame = self.spark.createDataFrame(table)
        # the rows are already whole in Spark (the Arrow batches handed over): nothing to compute
        # once, and checkpointing them would be one more Spark job per registered table
        self.save(table_name, frame, materialise=False)

    def save(self, table_name: str, frame: Any, materialise: bool = True) -> Any:
        """`frame` computed once and kept as the engine table `table_name` (a temporary view).

        Its lineage is cut, so a table made from tables made from tables plans in constant time.
        `materialise=False` keeps a frame that is only a projection of one already computed (one
        Spark job less)."""
        if materialise:
            frame = _materialised(frame)
        frame.createOrReplaceTempView(table_name)
        old = self._frames.pop(table_name, None)
        self._frames[table_name] = frame
        if old is not None:
            old.unpersist()
        return frame

    def fetch_file(self, url: str, destination: Path, max_bytes: int | None) -> None:
        """Copy the file at `url`, on any file system Spark is configured for (HDFS, `s3a://`,
        `abfss://`, `file://`), to `destination` through Spark's `binaryFile` source: its size is
        read first, so a file over `max_bytes` is refused without being transferred."""
        from pyspark.errors import PySparkException

        try:
            frame = self.spark.read.format("binaryFile").load(hadoop_path(url))
            found = frame.select("path", "length").collect()
            # a folder gives the files in it: only the file the URL names is taken
            if len(found) != 1 or not same_file(found[0][0], url):
                raise LamsachError(ErrorCode.INGEST_FILE_NOT_FOUND, Location(file=url))
            check_size(int(found[0][1]), max_bytes, url)
            content = frame.select("content").head()[0]
        except PySparkException as exc:
            if "PATH_NOT_FOUND" in str(exc):
                raise LamsachError(ErrorCode.INGEST_FILE_NOT_FOUND, Location(file=url)) from None
            raise LamsachError(ErrorCode.INGEST_URL_UNREADABLE, Location(file=url),
                               {"reason": str(exc).strip().splitlines()[0]}) from None
        destination.write_bytes(bytes(content))

    def table_exists(self, table_name: str) -> bool:
        return bool(self.spark.catalog.tableExists(table_name))

    def drop(self, table_name: str) -> None:
        self.spark.catalog.dropTempView(table_name)
        old = self._frames.pop(table_name, None)
        if old is not None:
            old.unpersist()

    def close(self) -> None:
        for frame in self._frames.values():
            frame.unpersist()
        self._frames.clear()
        if self.stop_on_close:
            self.spark.stop()

    # --- statements Spark SQL does not carry out on temporary views ----------------------------

    def _create(self, statement: exp.Create) -> list[tuple]:
        target = statement.this
        query = statement.expression
        if isinstance(target, exp.Schema) and query is None:  # CREATE TABLE t (a VARCHAR, ...)
            columns = [f"CAST(NULL AS {c.args['kind'].sql(dialect='spark')}) AS `{c.name}`"
                       for c in target.expressions if isinstance(c, exp.ColumnDef)]
            frame = self.spark.sql(f"SELECT {', '.join(columns)} WHERE false")
            self.save(_name(target.this), frame)
            return []
        if query is None:
            raise NotImplementedError(f"CREATE without a query: {statement.sql('duckdb')[:80]}")
        self.save(_name(target), self.spark.sql(_generate(query)))
        return []

    def _insert(self, statement: exp.Insert) -> list[tuple]:
        target = statement.this
        name = _name(target.this if isinstance(target, exp.Schema) else target)
        table = self.spark.table(name)
        new = self.spark.sql(_generate(statement.expression))
        if isinstance(target, exp.Schema):
            given = [c.name for c in target.expressions]
            new = new.toDF(*given)
        else:
            given = list(table.columns)
            new = new.toDF(*given)
        from pyspark.sql import functions as F

        lower = {g.lower(): g for g in given}
        new = new.select([(F.col(f"`{lower[f.name.lower()]}`") if f.name.lower() in lower else F.lit(None))
                          .cast(f.dataType).alias(f.name) for f in table.schema.fields])
        new = _materialised(new)
        added = new.count()
        self.save(name, table.unionByName(new))
        return [(added,)]

    def _update(self, statement: exp.Update) -> list[tuple]:
        """UPDATE t [a] SET c = e, ... [FROM s [b]] [WHERE w] (`s` a table or a subquery): the table made again, each row
        taking the new values where it meets the condition (with one row of `s` if several do)."""
        target = statement.this
        name = _name(target)
        alias = target.alias_or_name
        table = self.spark.table(name)
        sets = {}
        for assignment in statement.expressions:
            sets[assignment.this.name.lower()] = _generate(assignment.expression)
        where = statement.args.get("where")
        condition = _generate(where.this) if where is not None else "TRUE"
        source = statement.args.get("from_") or statement.args.get("from")
        q = _quote
        if source is None:
            hit = f"({condition})"
            joined = f"FROM {q(name)} AS {q(alias)}"
        else:
            src = source.this
            src_alias = src.alias_or_name
            # a table, or a subquery (a grouping of the rows that set the values)
            rows = f"({_generate(src.this)}) AS {RID}_src" if isinstance(src, exp.Subquery) else q(_name(src))
            hit = f"{q(src_alias)}.{HIT}"
            joined = (f"FROM (SELECT *, monotonically_increasing_id() AS {RID} FROM {q(name)}) AS {q(alias)} "
                      f"LEFT JOIN (SELECT *, TRUE AS {HIT} FROM {rows}) AS {q(src_alias)} ON {condition}")
        columns = [f"CASE WHEN coalesce({hit}, FALSE) THEN {sets[c.lower()]} ELSE {q(alias)}.{q(c)} END AS {q(c)}"
                   if c.lower() in sets else f"{q(alias)}.{q(c)}" for c in table.columns]
        extra = f", coalesce({hit}, FALSE) AS {HIT}"
        if source is not None:
            extra += f", row_number() OVER (PARTITION BY {q(alias)}.{RID} ORDER BY {q(alias)}.{RID}) AS {RANK}"
        frame = self.spark.sql(f"SELECT {', '.join(columns)}{extra} {joined}")
        if source is not None:
            frame = frame.where(f"{RANK} = 1").drop(RANK)
        frame = _materialised(frame)
        changed = frame.where(HIT).count()
        self.save(name, frame.drop(HIT), materialise=False)  # a projection of the frame just computed
        return [(changed,)]

    def _copy_to_csv(self, select: str, path: str) -> None:
        """The rows of `select`, in order, written as DuckDB writes CSV (same quoting, same numbers)."""
        import duckdb

        reader = self.batches(select, 50_000)
        con = duckdb.connect()
        try:
            con.register("rows", reader)
            con.execute(f"COPY (SELECT * FROM rows) TO '{path.replace(chr(39), chr(39) * 2)}' "
                        f"(HEADER, DELIMITER ',', QUOTE '\"')")
        finally:
            con.close()


def _generate(expression: exp.Expression) -> str:
    return duckdb_to_spark(expression)


def _name(table: exp.Expression) -> str:
    """The name of a table reference (no catalog or schema: engine tables are temporary views)."""
    if isinstance(table, exp.Schema):
        table = table.this
    return table.name


def _quote(identifier: str) -> str:
    return "`" + identifier.replace("`", "``") + "`"


def _plain_schema(schema: pa.Schema) -> pa.Schema:
    """Spark's Arrow types as DuckDB hands them: plain strings rather than large ones."""
    fields = [pa.field(f.name, pa.string()) if pa.types.is_large_string(f.type) else f for f in schema]
    return pa.schema(fields)


def _plain_arrow(table: pa.Table) -> pa.Table:
    return table.cast(_plain_schema(table.schema))


def _partitions_in_order(frame: Any):
    """The frame's rows as Arrow tables, in the frame's order, at most `COLLECT_ROWS` rows each.

    Each part is one collect, and a collect's task result passes through the driver's block
    manager: a whole partition of a large result (a sorted result is often one partition) was
    lost there at 200,000 people (`TaskResultLost`, writing the findings' workbook). So the rows
    are numbered once (`monotonically_increasing_id`: the partition in the upper bits, the row
    within it below, so their order is the frame's), kept, and fetched a range of numbers at a time."""
    from pyspark.sql import functions as F

    numbered = _materialised(frame.withColumn("__lamsach_row", F.monotonically_increasing_id()))
    sizes = sorted((row[0], row[1]) for row in numbered.groupBy(F.spark_partition_id()).count().collect())
    for part, size in sizes:
        first = part << 33  # where Spark starts a partition's numbers
        for start in range(0, size, COLLECT_ROWS):
            rows = numbered.where(F.col("__lamsach_row").between(first + start, first + min(start + COLLECT_ROWS, size) - 1))
            yield rows.drop("__lamsach_row").toArrow()
    numbered.unpersist()


def _materialised(frame: Any) -> Any:
    return frame.localCheckpoint(eager=True)
