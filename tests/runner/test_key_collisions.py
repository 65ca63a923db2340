"""A record key claimed by two files or two units is refused visibly, never overwritten; a file
listed twice in a manifest is refused, not stored twice."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from lamsach.backends.store import SqlAlchemyStore
from lamsach.domain import ErrorCode, LamsachError
from lamsach.ingest import load_manifest
from lamsach.runner import run_pass
from lamsach.settings import Settings

HEADER = ["Mã hồ sơ", "Số định danh cá nhân", "Họ và tên", "Ngày sinh", "Giới tính", "Mã xã", "Nơi thường trú",
          "Mã hộ", "Quan hệ với chủ hộ", "Tình trạng", "Ngày mất", "Ngày cập nhật"]


def person(key: str, name: str, commune: str) -> list[str]:
    return [key, "", name, "01/02/1980", "Nam", commune, f"Thôn 1, xã {commune}, tỉnh Thanh Hóa", "HH1", "Con",
            "Còn sống", "", "01/06/2026"]


def write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)


def manifest(folder: Path, sources: list[tuple[str, str]], name: str = "manifest.yaml") -> Path:
    lines = ["name: Trùng mã", 'province: "38"', "sources:"]
    for file, unit in sources:
        lines += [f"  - path: {file}", "    dataset: population", f'    unit: "{unit}"']
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def clean(out: Path) -> dict[str, dict[str, str]]:
    with (out / "clean" / "population.csv").open(encoding="utf-8") as handle:
        return {r["record_id"]: r for r in csv.DictReader(handle)}


@pytest.fixture
def two_units(tmp_path):
    write(tmp_path / "a.csv", [person(f"DC{i:04d}", "Nguyễn Văn An", "16012") for i in range(5)])
    write(tmp_path / "b.csv", [person("DC0001", "Trần Thị Bình", "16033"), person("DC9000", "Lê Văn Cường", "16033"),
                               person("DC0003", "Phạm Thị Dung", "16033")])
    return tmp_path


def test_a_key_in_two_files_of_one_pass_is_refused_naming_both(two_units, store_url):
    settings = Settings(data_dir=two_units / "data", database_url=store_url, lang="en")
    summary = run_pass(manifest(two_units, [("a.csv", "16012"), ("b.csv", "16033")]), two_units / "out", settings)
    assert (summary.rows_read, summary.rows_stored, summary.rows_rejected) == (8, 6, 2)
    [b] = [s for s in summary.sources if s["file"].endswith("b.csv")]
    assert [r["row"] for r in b["rejections"]] == [2, 4]
    assert {r["code"] for r in b["rejections"]} == {ErrorCode.INGEST_ROW_KEY_COLLISION.value}
    message = b["rejections"][0]["message"]
    assert "DC0001" in message and "a.csv" in message and "row 3" in message
    assert "unit 16012" in message and "unit 16033" in message
    records = clean(two_units / "out")
    assert records["DC0001"]["full_name"] == "Nguyễn Văn An"  # the first file's record is whole
    assert records["DC9000"]["full_name"] == "Lê Văn Cường"
    report = (two_units / "out" / "report.html").read_text(encoding="utf-8")
    assert ErrorCode.INGEST_ROW_KEY_COLLISION.value in report


def test_a_key_stored_for_another_unit_is_not_taken_over_by_a_later_pass(two_units, store_url):
    settings = Settings(data_dir=two_units / "data", database_url=store_url, lang="en")
    run_pass(manifest(two_units, [("a.csv", "16012")], "first.yaml"), two_units / "out1", settings)
    summary = run_pass(manifest(two_units, [("b.csv", "16033")], "second.yaml"), two_units / "out2", settings)
    assert (summary.rows_read, summary.rows_stored, summary.rows_rejected) == (3, 1, 2)
    [b] = summary.sources
    assert {r["code"] for r in b["rejections"]} == {ErrorCode.INGEST_ROW_KEY_OTHER_UNIT.value}
    assert "unit 16012" in b["rejections"][0]["message"] and "unit 16033" in b["rejections"][0]["message"]
    store = SqlAlchemyStore.open(store_url)
    kept = store.record("Trùng mã", "population", "DC0001")
    assert kept.unit == "16012" and kept.data["full_name"] == "Nguyễn Văn An"
    assert clean(two_units / "out2")["DC0001"]["full_name"] == "Nguyễn Văn An"


def test_a_unit_sending_its_own_record_again_updates_it(two_units, store_url):
    settings = Settings(data_dir=two_units / "data", database_url=store_url)
    run_pass(manifest(two_units, [("a.csv", "16012")]), two_units / "out1", settings)
    write(two_units / "a.csv", [person("DC0001", "Nguyễn Văn Anh", "16012")])
    summary = run_pass(manifest(two_units, [("a.csv", "16012")]), two_units / "out2", settings)
    assert (summary.rows_stored, summary.rows_rejected) == (1, 0)
    assert clean(two_units / "out2")["DC0001"]["full_name"] == "Nguyễn Văn Anh"


def test_the_same_file_listed_twice_is_refused(tmp_path):
    write(tmp_path / "a.csv", [person("DC0001", "Nguyễn Văn An", "16012")])
    path = manifest(tmp_path, [("a.csv", "16012"), ("./a.csv", "16012")])
    with pytest.raises(LamsachError) as caught:
        load_manifest(path)
    assert caught.value.code == ErrorCode.MANIFEST_SOURCE_REPEATED
    assert "source 2" in caught.value.message("en") and "source 1" in caught.value.message("en")


def test_one_workbook_listed_once_per_sheet_is_not_a_repeat(tmp_path):
    (tmp_path / "book.xlsx").write_bytes(b"")
    (tmp_path / "m.yaml").write_text(
        'name: x\nprovince: "38"\nsources:\n  - {path: book.xlsx, dataset: population, sheet: A}\n'
        "  - {path: book.xlsx, dataset: population, sheet: B}\n", encoding="utf-8")
    assert len(load_manifest(tmp_path / "m.yaml").sources) == 2
