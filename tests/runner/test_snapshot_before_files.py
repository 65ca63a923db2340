"""A snapshot dated before the files' own date (a past week's as-of run of files judged on a later
day) says so, and does not flag their dates up to that day as "in the future" by the hundred."""

from __future__ import annotations

from datetime import date

from lamsach.runner import run_pass
from lamsach.settings import Settings


def _manifest(tmp_path, sample_dir, reference: str):
    path = tmp_path / f"manifest-{reference}.yaml"
    path.write_text(f'name: Thử bản chốt\nprovince: "38"\nreference_date: "{reference}"\nsources:\n'
                    f"  - {{path: {sample_dir / 'death.csv'}, dataset: death}}\n", encoding="utf-8")
    return path


def _future(store, run_id) -> int:
    return sum(1 for f in store.findings(run_id) if f["rule"] == "date_in_future")


def test_an_as_of_before_the_files_date_says_so_and_flags_no_more_futures(tmp_path, sample_dir):
    from lamsach.backends.store import SqlAlchemyStore

    roots = [sample_dir]
    judged = run_pass(_manifest(tmp_path, sample_dir, "2026-11-01"), tmp_path / "a",
                      Settings(data_dir=tmp_path / "a-data"), source_roots=roots)
    early = run_pass(_manifest(tmp_path, sample_dir, "2026-11-01"), tmp_path / "b",
                     Settings(data_dir=tmp_path / "b-data"), reference_date=date(2026, 1, 5), source_roots=roots)
    assert judged.files_date is None and early.files_date == "2026-11-01"
    assert early.reference_date == "2026-01-05"  # the snapshot keeps its own date
    a = SqlAlchemyStore.open(Settings(data_dir=tmp_path / "a-data").store_url)
    b = SqlAlchemyStore.open(Settings(data_dir=tmp_path / "b-data").store_url)
    assert _future(b, early.run_id) == _future(a, judged.run_id)
