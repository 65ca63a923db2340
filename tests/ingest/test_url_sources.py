"""Files named by URL (shared storage a national run's Spark reads): allowed only under the
prefixes the administrator lists, fetched to this machine before reading, and stored and known
again next week by their URL. On one machine's engine only `file://` is read; other schemes say
that Spark is needed. Spark's own fetching is tested in tests/spark/test_url_fetch.py."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import yaml

from lamsach.domain import ErrorCode, LamsachError
from lamsach.generate import generate_province
from lamsach.ingest import load_manifest
from lamsach.runner import run_pass
from lamsach.settings import Settings


def _manifest(folder: Path, paths: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "manifest.yaml"
    path.write_text(yaml.safe_dump({"name": "Thử", "province": "38", "sources": [
        {"path": p, "dataset": "population"} for p in paths]}, allow_unicode=True), encoding="utf-8")
    return path


def _codes(caught: pytest.ExceptionInfo) -> list[str]:
    error = caught.value
    errors = list(error.exceptions) if isinstance(error, ExceptionGroup) else [error]
    return [e.code.value for e in errors]


def test_a_url_is_read_only_under_an_allowed_prefix(tmp_path: Path):
    manifest = _manifest(tmp_path, ["hdfs://nn.tinh38:8020/tinh-38/dan_cu.csv"])
    with pytest.raises(LamsachError) as caught:
        load_manifest(manifest)
    assert caught.value.code == ErrorCode.MANIFEST_URL_OUTSIDE
    assert "LAMSACH_SOURCE_URLS" in caught.value.message("vi")
    assert "hdfs://nn.tinh38:8020/tinh-38/dan_cu.csv" in caught.value.message("vi")

    loaded = load_manifest(manifest, url_prefixes=["HDFS://NN.tinh38:8020/tinh-38/"])
    (source,) = loaded.sources
    assert source.url == "hdfs://nn.tinh38:8020/tinh-38/dan_cu.csv"
    assert source.name == source.url and source.path.name == "dan_cu.csv"


@pytest.mark.parametrize("url", [
    "hdfs://nn.tinh38:8020/tinh-38/../tinh-40/dan_cu.csv",  # climbs out of the prefix
    "hdfs://other:8020/tinh-38/dan_cu.csv",  # another host
    "s3a://nn.tinh38:8020/tinh-38/dan_cu.csv",  # another scheme
    "hdfs://nn.tinh38:8020/tinh-380/dan_cu.csv",  # a folder that only starts like the prefix
])
def test_a_url_outside_the_prefix_is_refused(tmp_path: Path, url: str):
    with pytest.raises(LamsachError) as caught:
        load_manifest(_manifest(tmp_path, [url]), url_prefixes=["hdfs://nn.tinh38:8020/tinh-38"])
    assert caught.value.code == ErrorCode.MANIFEST_URL_OUTSIDE


def test_a_file_url_may_not_leave_its_prefix_through_a_symbolic_link(tmp_path: Path):
    allowed, outside = tmp_path / "kho", tmp_path / "ngoai"
    allowed.mkdir()
    outside.mkdir()
    (outside / "mat.csv").write_text("x", encoding="utf-8")
    (allowed / "lien_ket.csv").symlink_to(outside / "mat.csv")
    (allowed / "that.csv").write_text("x", encoding="utf-8")
    prefixes = [allowed.as_uri() + "/"]
    with pytest.raises(LamsachError) as caught:
        load_manifest(_manifest(tmp_path / "m", [(allowed / "lien_ket.csv").as_uri()]), url_prefixes=prefixes)
    assert caught.value.code == ErrorCode.MANIFEST_URL_OUTSIDE
    assert load_manifest(_manifest(tmp_path / "m", [(allowed / "that.csv").as_uri()]), url_prefixes=prefixes).sources


def test_one_url_listed_twice_is_a_repeat(tmp_path: Path):
    url = "s3a://kho/tinh-38/dan_cu.csv"
    with pytest.raises(LamsachError) as caught:
        load_manifest(_manifest(tmp_path, [url, url]), url_prefixes=["s3a://kho/"])
    assert caught.value.code == ErrorCode.MANIFEST_SOURCE_REPEATED


def _as_urls(manifest: Path) -> Path:
    """The same manifest with every file named by its `file://` URL."""
    spec = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    for source in spec["sources"]:
        source["path"] = (manifest.parent / source["path"]).resolve().as_uri()
    by_url = manifest.with_name("manifest_urls.yaml")
    by_url.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return by_url


def _contract(out: Path) -> dict[str, list[str]]:
    return {p.relative_to(out).as_posix(): sorted(p.read_text(encoding="utf-8").splitlines())
            for p in [*out.glob("*.csv"), *(out / "clean").glob("*.csv")] if p.name != "link_weights.csv"}


def test_files_named_by_file_url_give_the_same_results_and_are_known_again_by_url(tmp_path: Path):
    manifest = generate_province(tmp_path / "province", people=120, seed=4)
    by_url = _as_urls(manifest)
    prefix = (tmp_path / "province").resolve().as_uri() + "/"
    data = tmp_path / "d2"
    by_path = run_pass(manifest, tmp_path / "by_path", Settings(data_dir=tmp_path / "d1"))
    first = run_pass(by_url, tmp_path / "by_url", Settings(data_dir=data, source_urls=prefix))
    assert first.rows_stored == by_path.rows_stored > 0
    assert _contract(tmp_path / "by_url") == _contract(tmp_path / "by_path")
    assert {s["file"] for s in first.sources} == {s["path"] for s in yaml.safe_load(by_url.read_text())["sources"]}
    assert not list(data.rglob("fetched")), "the fetched copies go with the pass"
    with sqlite3.connect(data / "lamsach.db") as db:
        stored = {row[0] for row in db.execute("SELECT file_name FROM batches")}
    assert stored == {s["file"] for s in first.sources}, "each batch is stored under its file's URL"

    # a second pass differs from the first (the first's repairs and filled IDs are in the store)
    again = run_pass(by_url, tmp_path / "by_url", Settings(data_dir=data, source_urls=prefix))
    assert all(s["unchanged_file"] for s in again.sources), "the stored batch is known again by its URL"
    run_pass(manifest, tmp_path / "by_path", Settings(data_dir=tmp_path / "d1"))
    assert _contract(tmp_path / "by_url") == _contract(tmp_path / "by_path")


def test_other_schemes_need_spark_and_missing_or_large_files_are_named(tmp_path: Path):
    folder = tmp_path / "province"
    manifest = generate_province(folder, people=30, seed=2)
    present = next(folder.rglob("*.csv")).resolve()
    missing = (folder / "khong_co.csv").resolve().as_uri()
    remote = "hdfs://nn.tinh38:8020/tinh-38/dan_cu.csv"
    by_url = _manifest(folder / "urls", [present.as_uri(), missing, remote])
    settings = Settings(data_dir=tmp_path / "d", source_urls=f"{folder.resolve().as_uri()}/ hdfs://nn.tinh38:8020/")
    with pytest.raises(ExceptionGroup) as caught:
        run_pass(by_url, tmp_path / "out", settings)
    errors = {e.code: e for e in caught.value.exceptions}
    assert set(errors) == {ErrorCode.INGEST_FILE_NOT_FOUND, ErrorCode.INGEST_URL_NEEDS_SPARK}
    assert errors[ErrorCode.INGEST_FILE_NOT_FOUND].location.file == missing
    needs = errors[ErrorCode.INGEST_URL_NEEDS_SPARK]
    assert needs.location.file == remote and "--engine spark" in needs.message("vi")
    assert not (tmp_path / "out").exists(), "nothing is written when a file cannot be fetched"

    small = Settings(data_dir=tmp_path / "d", source_urls=settings.source_urls, max_source_file_mb=0)
    with pytest.raises(LamsachError) as too_large:
        run_pass(_manifest(folder / "one", [present.as_uri()]), tmp_path / "out", small)
    assert too_large.value.code == ErrorCode.INGEST_FILE_TOO_LARGE
    assert too_large.value.location.file == present.as_uri()
    assert manifest.exists()
