"""A seed is a promise: the same seed writes the same bytes; another seed, another province."""

from __future__ import annotations

import time
from itertools import islice

from lamsach.generate import generate_province, generate_register_rows


def files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes(tmp_path):
    first = files(generate_province(tmp_path / "a", people=600, seed=11).parent)
    second = files(generate_province(tmp_path / "b", people=600, seed=11).parent)
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_another_seed_another_province(tmp_path):
    first = files(generate_province(tmp_path / "a", people=600, seed=11).parent)
    other = files(generate_province(tmp_path / "b", people=600, seed=12).parent)
    assert first["population.csv"] != other["population.csv"]


def test_register_rows_stream_deterministically():
    rows = list(generate_register_rows(2500, seed=5))
    assert len(rows) == 2500
    assert rows == list(generate_register_rows(2500, seed=5))
    assert len({r["citizen_id"] for r in rows}) == 2500
    assert len({r["record_id"] for r in rows}) == 2500
    assert list(islice(generate_register_rows(10, seed=6), 10)) != rows[:10]


def test_register_rows_are_the_clean_register_of_the_province(province):
    streamed = list(generate_register_rows(len(province.clean.people), seed=1))
    assert streamed == province.clean.datasets["population"].rows


def test_three_thousand_people_in_under_ten_seconds(province, tmp_path):
    assert province.seconds < 10
    started = time.perf_counter()
    generate_province(tmp_path / "timed", people=3000, seed=2)
    assert time.perf_counter() - started < 10
