"""The campaign keeps its trained person model: a pass whose references and register differ little
from those the model was trained on links with it instead of training again, a pass whose input
moved beyond the tolerance trains and keeps a new one, and linking with the kept model gives what
training on the same rows gives."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from datetime import date
from pathlib import Path

from sqlalchemy import select

from lamsach.backends.store import KeptLinkModel, SqlAlchemyStore
from lamsach.backends.store import tables as t
from lamsach.link.model_keeping import SKETCH_SIZE, TrainingInput, changed_share
from lamsach.runner import run_pass
from lamsach.settings import Settings

REFERENCE = date(2026, 11, 1)
KEPT = "link: person model"
DEDUPE_KEPT = "link: duplicates model "


def _assert_same_contract_files(a: Path, b: Path) -> None:
    names = sorted(p.relative_to(a).as_posix() for p in [*a.glob("*.csv"), *(a / "clean").glob("*.csv")])
    assert "links.csv" in names
    assert names == sorted(p.relative_to(b).as_posix() for p in [*b.glob("*.csv"), *(b / "clean").glob("*.csv")])
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def _pass(manifest: Path, out: Path, store: Path, **settings):
    config = Settings(data_dir=store.parent / "data", database_url=f"sqlite:///{store}", standardise_workers=1,
                      **settings)
    return run_pass(manifest, out, config, reference_date=REFERENCE)


def _kept_rows(store: Path, link_type: str = "link_only") -> list:
    """The kept person model (`link_only`), or with `dedupe_only` the kept dedupe models."""
    with SqlAlchemyStore.open(f"sqlite:///{store}") as opened, opened.engine.connect() as conn:
        return [r for r in conn.execute(select(t.link_models)) if json.loads(r.model)["link_type"] == link_type]


def _dedupe_kept(result) -> set[str]:
    return {r.removeprefix(DEDUPE_KEPT) for r in result.reused if r.startswith(DEDUPE_KEPT)}


def _change_birth_dates(population: Path, people: int) -> None:
    """`people` register people's birth dates corrected by the commune (one day later)."""
    with population.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    column = rows[0].index("Ngày sinh")
    for row in rows[1:people + 1]:
        day, month, year = row[column].split("/")
        row[column] = f"{int(day) % 28 + 1:02d}/{month}/{year}"
    with population.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)


def _comparisons(model: dict) -> list:
    return [[(level.get("m_probability"), level.get("u_probability")) for level in c["comparison_levels"]]
            for c in model["comparisons"]]


def test_the_kept_model_links_until_the_training_input_moves_past_the_tolerance(tmp_path, small_province):
    store = tmp_path / "a" / "store.db"
    store.parent.mkdir()
    first = _pass(small_province, tmp_path / "out1", store)
    assert KEPT not in first.reused
    [kept] = _kept_rows(store)
    assert kept.run_id == first.run_id and kept.input_rows > 900
    deduped = {r.model_key: r for r in _kept_rows(store, "dedupe_only")}
    assert len(deduped) >= 4 and {r.run_id for r in deduped.values()} == {first.run_id}
    assert not _dedupe_kept(first)

    # a week with three register people's birth dates corrected: far below the tolerance
    _change_birth_dates(small_province.parent / "population.csv", 3)
    second = _pass(small_province, tmp_path / "out2", store)
    assert KEPT in second.reused
    assert [r.run_id for r in _kept_rows(store)] == [first.run_id]
    used = json.loads((tmp_path / "out2" / "link_model.json").read_text(encoding="utf-8"))
    assert _comparisons(used) == _comparisons(json.loads(kept.model))
    assert used["probability_two_random_records_match"] == json.loads(kept.model)[
        "probability_two_random_records_match"]  # the register's size did not change
    # the dedupe models too: the register's three rows are far below the tolerance, the others did not change
    assert len(_dedupe_kept(second)) == len(deduped) and "population" in _dedupe_kept(second)
    assert {r.model_key: r.run_id for r in _kept_rows(store, "dedupe_only")} == \
        {k: first.run_id for k in deduped}

    # a fifth of the register corrected: the input moved past the tolerance, a model is trained and kept
    _change_birth_dates(small_province.parent / "population.csv", 200)
    third = _pass(small_province, tmp_path / "out3", store)
    assert KEPT not in third.reused
    assert [r.run_id for r in _kept_rows(store)] == [third.run_id]
    # a fifth of the register is also a fifth of the register's dedupe rows: that model alone is trained again
    assert "population" not in _dedupe_kept(third) and len(_dedupe_kept(third)) == len(deduped) - 1
    assert sorted(r.run_id for r in _kept_rows(store, "dedupe_only")) == \
        sorted([third.run_id] + [first.run_id] * (len(deduped) - 1))

    # with no tolerance, any changed row trains again
    _change_birth_dates(small_province.parent / "population.csv", 1)
    fourth = _pass(small_province, tmp_path / "out4", store, link_model_max_change=0.0)
    assert KEPT not in fourth.reused
    assert "population" not in _dedupe_kept(fourth)


def test_linking_with_the_kept_model_writes_what_training_on_the_same_rows_writes(tmp_path, small_province):
    kept_store, fresh_store = tmp_path / "a" / "store.db", tmp_path / "b" / "store.db"
    kept_store.parent.mkdir()
    fresh_store.parent.mkdir()
    _pass(small_province, tmp_path / "out1", kept_store)
    # the second pass trains on the fixed point's input (the first pass enriched the store)
    _pass(small_province, tmp_path / "out2", kept_store, link_model_max_change=0.0)
    shutil.copyfile(kept_store, fresh_store)
    with SqlAlchemyStore.open(f"sqlite:///{fresh_store}") as opened, opened.engine.begin() as conn:
        conn.execute(t.link_models.delete())  # this copy has no kept model: its pass trains one

    kept = _pass(small_province, tmp_path / "kept", kept_store, link_model_max_change=0.0)
    fresh = _pass(small_province, tmp_path / "fresh", fresh_store, link_model_max_change=0.0)
    assert KEPT in kept.reused and KEPT not in fresh.reused
    assert len(_dedupe_kept(kept)) >= 4 and not _dedupe_kept(fresh)  # duplicates.csv compared below
    _assert_same_contract_files(tmp_path / "kept", tmp_path / "fresh")


def _fingerprint(hashes: list[str]) -> TrainingInput:
    ordered = sorted(hashes)
    return TrainingInput(len(ordered), "|".join(ordered), [h[:16] for h in ordered[:SKETCH_SIZE]])


def _kept(hashes: list[str]) -> KeptLinkModel:
    now = _fingerprint(hashes)
    return KeptLinkModel({}, now.rows, now.digest, now.sketch)


def test_the_changed_share_is_the_jaccard_distance_of_the_rows():
    rows = [hashlib.md5(f"row {i}".encode()).hexdigest() for i in range(1000)]
    assert changed_share(_kept(rows), _fingerprint(rows)) == 0.0
    edited = rows[10:] + [hashlib.md5(f"edited {i}".encode()).hexdigest() for i in range(10)]  # ten rows edited: 990 of 1010 in both
    assert abs(changed_share(_kept(rows), _fingerprint(edited)) - 20 / 1010) < 1e-12
    # above the sketch's size, estimated from the smallest hashes (these spread evenly)
    many = [hashlib.md5(f"row {i}".encode()).hexdigest() for i in range(100_000)]
    moved = many[:-2000] + [hashlib.md5(f"edited {i}".encode()).hexdigest() for i in range(2000)]
    estimate = changed_share(_kept(many), _fingerprint(moved))
    assert 0.03 < estimate < 0.05  # 2,000 rows edited: 96,000 of 102,000 in both, 0.039
