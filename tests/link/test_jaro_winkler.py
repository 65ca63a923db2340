"""The Jaro-Winkler the Spark engine uses is DuckDB's, bit for bit: the person model's levels
("toneless name Jaro-Winkler >= 0.92") put every pair on the same level on both engines."""

from __future__ import annotations

import itertools
import random

import duckdb
import pyarrow as pa

from lamsach.generate.province import build_world
from lamsach.link.jaro_winkler import jaro_winkler_similarity
from lamsach.standardise import name_key


def test_the_same_numbers_as_duckdb():
    names = sorted({name_key(v) for ds in build_world(people=150, seed=7).datasets.values() for row in ds.rows
                    for k, v in row.items() if v and k.endswith("name")})
    pairs = list(itertools.combinations(names[:250], 2))
    rnd = random.Random(1)
    letters = "abcdeđ ươạ"
    pairs += [("".join(rnd.choice(letters) for _ in range(rnd.randint(0, 12))),
               "".join(rnd.choice(letters) for _ in range(rnd.randint(0, 12)))) for _ in range(5000)]
    long = ["x" * 70 + "abc", "y" + "x" * 80, "abc" * 30]  # past 64 characters DuckDB works in blocks
    pairs += [*itertools.product(long, long), ("", ""), ("a", "a"), ("a", "b"), ("ab", "ba"), (None, "a")]
    con = duckdb.connect()
    con.register("p", pa.table({"a": [a for a, _ in pairs], "b": [b for _, b in pairs]}))
    duck = [r[0] for r in con.execute("SELECT jaro_winkler_similarity(a, b) FROM p").fetchall()]
    ours = [jaro_winkler_similarity(a, b) for a, b in pairs]
    differ = [(pairs[i], duck[i], ours[i]) for i in range(len(pairs)) if duck[i] != ours[i]]
    assert not differ, differ[:5]
    assert sum(1 for s in duck if s is not None and 0.92 <= s < 1) > 20  # pairs near the model's level
