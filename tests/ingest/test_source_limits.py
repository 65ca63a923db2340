"""A manifest reads only files under its own folder (or a folder the administrator allows), and a
file over the size limit is refused by its size, before it is read, naming the setting."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from lamsach.data import load_schema
from lamsach.domain import ErrorCode, LamsachError, SourceSpec
from lamsach.ingest import load_manifest, read_source
from lamsach.runner import run_pass
from lamsach.settings import Settings

ROW = "DC{n:06d},,Lê Văn An,01/02/1980,Nam,16012,\"Thôn 1, xã Hậu Lộc\",HH1,Con,Còn sống,,01/06/2026\n"
HEADER = ("Mã hồ sơ,Số định danh cá nhân,Họ và tên,Ngày sinh,Giới tính,Mã xã,Nơi thường trú,Mã hộ,"
          "Quan hệ với chủ hộ,Tình trạng,Ngày mất,Ngày cập nhật\n")


def population(path: Path, rows: int = 3) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + "".join(ROW.format(n=n) for n in range(rows)), encoding="utf-8")
    return path


def manifest(folder: Path, file: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "manifest.yaml"
    path.write_text(f'name: Giới hạn\nprovince: "38"\nsources:\n  - path: "{file}"\n    dataset: population\n',
                    encoding="utf-8")
    return path


def outside_codes(path: Path, roots=()) -> list[ErrorCode]:
    try:
        load_manifest(path, roots)
    except LamsachError as error:
        return [error.code]
    return []


@pytest.mark.parametrize("how", ["parent", "absolute", "symlink"])
def test_a_path_outside_the_manifest_folder_is_refused_naming_source_and_path(tmp_path, how):
    secret = population(tmp_path / "elsewhere" / "secret.csv")
    folder = tmp_path / "campaign"
    folder.mkdir()
    if how == "symlink":
        (folder / "link.csv").symlink_to(secret)
    file = {"parent": "../elsewhere/secret.csv", "absolute": str(secret), "symlink": "link.csv"}[how]
    path = manifest(folder, file)
    with pytest.raises(LamsachError) as caught:
        load_manifest(path)
    assert caught.value.code == ErrorCode.MANIFEST_PATH_OUTSIDE
    message = caught.value.message("en")
    assert "source 1" in message and file in message and "LAMSACH_SOURCE_ROOTS" in message


def test_files_below_the_manifest_folder_and_in_allowed_roots_are_read(tmp_path):
    population(tmp_path / "campaign" / "units" / "a.csv")
    assert outside_codes(manifest(tmp_path / "campaign", "units/a.csv")) == []
    shared = population(tmp_path / "shared" / "b.csv")
    path = manifest(tmp_path / "campaign", str(shared))
    assert outside_codes(path) == [ErrorCode.MANIFEST_PATH_OUTSIDE]
    assert outside_codes(path, [tmp_path / "shared"]) == []


def test_the_pass_takes_allowed_roots_from_its_setting(tmp_path, monkeypatch):
    shared = population(tmp_path / "shared" / "b.csv")
    path = manifest(tmp_path / "campaign", str(shared))
    settings = Settings(data_dir=tmp_path / "data")
    with pytest.raises(LamsachError):
        run_pass(path, tmp_path / "out", settings)
    summary = run_pass(path, tmp_path / "out", Settings(data_dir=tmp_path / "data", source_roots=str(tmp_path / "shared")))
    assert summary.rows_stored == 3


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path):
    big = population(tmp_path / "big.csv", rows=20_000)  # about 1.6 MB
    size = big.stat().st_size
    tracemalloc.start()
    with pytest.raises(LamsachError) as caught:
        read_source(SourceSpec(path=big, dataset="population"), load_schema("population"), max_bytes=1_000_000)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert caught.value.code == ErrorCode.INGEST_FILE_TOO_LARGE
    message = caught.value.message("en")
    assert f"{size / 1e6:.1f} MB" in message and "1 MB" in message and "LAMSACH_MAX_SOURCE_FILE_MB" in message
    assert peak < size / 4  # refused by its size: the file was never read into memory
    assert read_source(SourceSpec(path=big, dataset="population"), load_schema("population"),
                       max_bytes=size).rows_read == 20_000


def test_the_pass_refuses_a_file_over_its_setting(tmp_path):
    population(tmp_path / "campaign" / "a.csv", rows=20_000)
    settings = Settings(data_dir=tmp_path / "data", max_source_file_mb=1)
    with pytest.raises(ExceptionGroup) as caught:
        run_pass(manifest(tmp_path / "campaign", "a.csv"), tmp_path / "out", settings)
    assert [e.code for e in caught.value.exceptions] == [ErrorCode.INGEST_FILE_TOO_LARGE]
