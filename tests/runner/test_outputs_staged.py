"""Everything a pass writes — the contract files, the reports, the link model, its charts and
weights — appears together at the end or not at all: a pass that fails after linking leaves the
previous pass's folder as it was, and no new folder when there was none."""

from __future__ import annotations

import pytest

from lamsach.runner import pass_run, run_pass
from lamsach.settings import Settings


def _manifest(sample_dir, tmp_path):
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(
        'name: Thử ghi kết quả\nprovince: "38"\nreference_date: "2026-11-20"\nsources:\n'
        f"  - {{path: {sample_dir / 'population.csv'}, dataset: population}}\n"
        f"  - {{path: {sample_dir / 'land' / '16012.xlsx'}, dataset: land_parcel, unit: '16012'}}\n",
        encoding="utf-8")
    return manifest


def _snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_pass_failing_after_linking_changes_nothing_on_disk(sample_dir, tmp_path, monkeypatch):
    manifest, settings = _manifest(sample_dir, tmp_path), Settings(data_dir=tmp_path / "data", source_roots=str(sample_dir))
    run_pass(manifest, tmp_path / "out", settings)
    before = _snapshot(tmp_path / "out")
    assert {"findings.csv", "link_model.json", "link_weights.csv", "report.html"} <= set(before)

    def broken(*_args, **_kwargs):
        raise RuntimeError("the machine lost power while measuring")

    monkeypatch.setattr(pass_run, "build_scorecard", broken)
    with pytest.raises(RuntimeError):
        run_pass(manifest, tmp_path / "out", settings)
    assert _snapshot(tmp_path / "out") == before
    with pytest.raises(RuntimeError):
        run_pass(manifest, tmp_path / "fresh", settings)
    assert not (tmp_path / "fresh").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "manifest.yaml", "out"]  # no staging left


def test_a_later_pass_replaces_every_file_of_the_earlier_one(sample_dir, tmp_path):
    manifest, settings = _manifest(sample_dir, tmp_path), Settings(data_dir=tmp_path / "data", source_roots=str(sample_dir))
    run_pass(manifest, tmp_path / "out", settings)
    (tmp_path / "out" / "link_waterfall.html").write_text("an earlier pass's chart", encoding="utf-8")
    run_pass(manifest, tmp_path / "out", settings)
    waterfall = tmp_path / "out" / "link_waterfall.html"
    assert not waterfall.exists() or "an earlier pass's chart" not in waterfall.read_text(encoding="utf-8")


def test_an_output_folder_that_cannot_be_made_stops_the_pass_before_it_stores(sample_dir, tmp_path):
    from lamsach.backends.store import SqlAlchemyStore
    from lamsach.domain import ErrorCode, LamsachError

    manifest, settings = _manifest(sample_dir, tmp_path), Settings(data_dir=tmp_path / "data", source_roots=str(sample_dir))
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(LamsachError) as raised:
        run_pass(manifest, blocker / "out", settings)
    assert raised.value.code == ErrorCode.OUTPUT_NOT_WRITABLE and str(blocker / "out") in raised.value.message("en")
    store = SqlAlchemyStore.open(settings.store_url)
    assert store.batches() == [] and store.runs() == []
