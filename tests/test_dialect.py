"""The DuckDB dialect renders what the stages ask of it, checked by running the SQL on DuckDB."""

from __future__ import annotations

from pathlib import Path

from lamsach.backends.engine import DuckDBEngine


def _engine() -> DuckDBEngine:
    engine = DuckDBEngine(memory_limit="512MB", threads=1)
    engine.run("CREATE TABLE t AS SELECT * FROM (VALUES ('a', 1, 'x'), ('a', 2, 'y'), ('a', 3, 'z'), "
               "('b', 5, 'it''s'), ('b', 4, NULL)) v(g, n, s)")
    return engine


def test_first_per_group_keeps_the_first_rows_of_each_group_by_the_order():
    with _engine() as engine:
        d = engine.dialect
        one = engine.run(f"SELECT * FROM ({d.first_per_group('g, n', 'FROM t', 'g', 'n DESC')}) ORDER BY g")
        two = engine.run(f"SELECT * FROM ({d.first_per_group('g, n', 'FROM t WHERE n > 1', 'g', 'n', 2)}) ORDER BY g, n")
        whole = engine.run(f"SELECT * FROM ({d.first_per_group('g, n', 'FROM t', None, 'n', 2)}) ORDER BY n")
    assert one == [("a", 3), ("b", 5)]
    assert two == [("a", 2), ("a", 3), ("b", 4), ("b", 5)]
    assert whole == [("a", 1), ("a", 2)]


def test_quoting_maps_matches_aggregates_and_lists():
    with _engine() as engine:
        d = engine.dialect
        odd = 'col "with" quotes'
        engine.run(f"CREATE TABLE {d.quote(odd)} AS SELECT {d.literal(chr(39) + 'x')} AS {d.quote('a b')}")
        assert engine.run(f"SELECT {d.quote('a b')} FROM {d.quote(odd)}") == [("'x",)]
        params = d.map_of({"value": "s", "n": "CAST(n AS VARCHAR)"})
        assert engine.run(f"SELECT {d.map_value(params, 'value')}, {d.map_value(params, 'none')} "
                          f"FROM t WHERE n = 5") == [("it's", None)]
        assert engine.run(f"SELECT count(*) FROM t WHERE {d.full_match('s', '[a-z]')}") == [(3,)]
        assert engine.run(f"SELECT g, {d.arg_max('s', 'n')}, {d.arg_min('s', 'n')}, "
                          f"{d.list_text(d.list_of('s', order='n DESC'), '|')}, {d.list_of('g', distinct=True)} "
                          f"FROM t WHERE s IS NOT NULL GROUP BY g ORDER BY g") == [("a", "z", "x", "z|y|x", ["a"]), ("b", "it's", "it's", "it's", ["b"])]
        assert engine.run(f"SELECT {d.star_replacing('t', {'n': 'n * 10'})} FROM t WHERE s = 'x'") == [("a", 10, "x")]


def test_copy_to_csv_writes_a_header_and_quotes_only_what_needs_it(tmp_path: Path):
    path = tmp_path / "it's.csv"
    with _engine() as engine:
        engine.run(engine.dialect.copy_to_csv("SELECT g, n, s FROM t ORDER BY n", str(path)))
    assert path.read_text(encoding="utf-8").splitlines() == ["g,n,s", "a,1,x", "a,2,y", "a,3,z", "b,4,", "b,5,it's"]


def test_casts_dates_and_json():
    with _engine() as engine:
        d = engine.dialect
        born, on = d.cast("'2008-11-02'", "date"), d.cast("'2026-11-01'", "date")
        assert engine.run(f"SELECT {d.cast('12', 'text')}, {d.cast('NULL', 'integer')}, {d.cast('2.5', 'double')}, "
                          f"{d.cast('sum(n)', 'bigint')} FROM t") == [("12", None, 2.5, 15)]
        assert engine.run(f"SELECT {d.date_diff('year', born, on)}, {d.date_diff('day', on, born)}, "
                          f"{d.format_date(born, '%d/%m/%Y')}, {d.format_date(born, '%m%d')}, "
                          f"{d.cast(d.cast(d.shift_date(born, 18, 'year'), 'date'), 'text')}, "
                          f"{d.cast(d.cast(d.shift_date(on, -30, 'day'), 'date'), 'text')}") == [
            (18, -6573, "02/11/2008", "1102", "2026-11-02", "2026-10-02")]
        assert engine.run(f"SELECT {d.json_text({'prior': '-3.5', 'name': 's'})} FROM t WHERE n = 5") == [
            ('{"prior":-3.5,"name":"it\'s"}',)]
