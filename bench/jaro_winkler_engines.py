"""DuckDB's Jaro-Winkler against the one Spark uses (the jar Splink ships), pair for pair.

    .venv/bin/python bench/jaro_winkler_engines.py [--people 400] [--names 700]

The person model's given-name comparison has a level "toneless name Jaro-Winkler >= 0.92"; a
pair scored differently by the two engines can land on another level, and the two models then
differ (docs/scale.md, "Identical, and how far"). Takes the toneless names of a generated
province, scores every pair of the first `--names` on both engines and prints how many pairs
differ, how many fall on the other side of 0.92, and examples. Starts a local Spark (Java 17).
"""

from __future__ import annotations

import argparse
import itertools

import duckdb
import pyarrow as pa

from lamsach.generate.province import build_world
from lamsach.standardise import name_key

THRESHOLD = 0.92


def toneless_names(people: int, seed: int) -> list[str]:
    con = duckdb.connect()
    keys = sorted({name_key(v) for ds in build_world(people=people, seed=seed).datasets.values()
                   for row in ds.rows for k, v in row.items() if v and k.endswith("name")} - {""})
    con.register("k", pa.table({"key": keys}))
    # as references.py makes name_plain
    rows = con.sql("SELECT DISTINCT nullif(trim(replace(strip_accents(key), 'đ', 'd')), '') AS n FROM k "
                   "WHERE n IS NOT NULL ORDER BY n").fetchall()
    return [r[0] for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--names", type=int, default=700)
    args = parser.parse_args()
    names = toneless_names(args.people, args.seed)[:args.names]
    a, b = zip(*itertools.combinations(names, 2), strict=True)
    pairs = pa.table({"a": list(a), "b": list(b)})
    con = duckdb.connect()
    con.register("p", pairs)
    duck = con.sql("SELECT jaro_winkler_similarity(a, b) AS s FROM p").to_arrow_table().column("s").to_pylist()

    from pyspark.sql.types import DoubleType

    from lamsach.backends.engine.spark import spark_session

    spark = spark_session("local[2]", shuffle_partitions=2)
    spark.udf.registerJavaFunction("jaro_winkler", "uk.gov.moj.dash.linkage.JaroWinklerSimilarity", DoubleType())
    spark.createDataFrame(pairs.append_column("i", pa.array(range(pairs.num_rows)))).createOrReplaceTempView("p")
    on_spark = spark.sql("SELECT jaro_winkler(a, b) AS s FROM p ORDER BY i").toArrow().column("s").to_pylist()
    spark.stop()
    differ = [i for i, (x, y) in enumerate(zip(duck, on_spark, strict=True)) if x != y]
    side = [i for i in differ if (duck[i] >= THRESHOLD) != (on_spark[i] >= THRESHOLD)]
    print(f"{len(names)} toneless names, {pairs.num_rows:,} pairs: {len(differ):,} scored differently, "
          f"{len(side)} on the other side of {THRESHOLD}")
    for i in (differ[:3] + side[:5]):
        print(f"  {a[i]!r} / {b[i]!r}: DuckDB {duck[i]:.4f}, Spark {on_spark[i]:.4f}")


if __name__ == "__main__":
    main()
