"""The manifest loader: the batch contract's format, and every problem reported at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from lamsach.domain import ErrorCode, LamsachError
from lamsach.ingest import load_manifest


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "manifest.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def codes(group: ExceptionGroup) -> list[ErrorCode]:
    return [e.code for e in group.exceptions]


def test_contract_example_loads_with_paths_relative_to_the_manifest(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
name: Làm sạch CSDL đất đai - xã Hậu Lộc
province: "38"
reference_date: 2026-11-20
sources:
  - path: population.csv
    dataset: population
  - path: land/16012.xlsx
    dataset: land_parcel
    unit: 16012
    sheet: Thua dat
    columns: {"Họ tên chủ": owner_name, "Ghi chú": null}
""",
    )
    manifest = load_manifest(path)
    assert manifest.name == "Làm sạch CSDL đất đai - xã Hậu Lộc"
    assert manifest.province == "38"
    assert manifest.reference_date == "2026-11-20"
    assert manifest.path == path
    first, second = manifest.sources
    assert first.path == tmp_path / "population.csv" and first.dataset == "population"
    assert first.unit is None and first.columns == {} and first.sheet is None
    assert second.path == tmp_path / "land" / "16012.xlsx"
    assert second.unit == "16012" and second.sheet == "Thua dat"
    assert second.columns == {"Họ tên chủ": "owner_name", "Ghi chú": ""}


def test_unquoted_province_keeps_its_leading_zero(tmp_path: Path) -> None:
    manifest = load_manifest(
        write(tmp_path, "name: x\nprovince: 1\nsources: [{path: a.csv, dataset: birth}]\n")
    )
    assert manifest.province == "01"


def test_missing_manifest(tmp_path: Path) -> None:
    with pytest.raises(LamsachError) as info:
        load_manifest(tmp_path / "nope.yaml")
    assert info.value.code == ErrorCode.MANIFEST_NOT_FOUND
    assert "nope.yaml" in info.value.message("vi") and "nope.yaml" in info.value.message("en")


def test_not_yaml_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(LamsachError) as info:
        load_manifest(write(tmp_path, "name: x\nprovince: '38'\nsources:\n  - path: [unclosed\n"))
    assert info.value.code == ErrorCode.MANIFEST_YAML_UNCLOSED
    assert info.value.location.row == 4 and info.value.params["key"] == "path"
    assert info.value.message("vi").startswith("Tệp ")


def test_not_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(LamsachError) as info:
        load_manifest(write(tmp_path, "- just\n- a list\n"))
    assert info.value.code == ErrorCode.MANIFEST_NOT_MAPPING


def test_missing_name_province_and_sources_reported_together(tmp_path: Path) -> None:
    with pytest.raises(ExceptionGroup) as info:
        load_manifest(write(tmp_path, "reference_date: 2026-01-01\n"))
    assert codes(info.value) == [ErrorCode.MANIFEST_FIELD_MISSING] * 3
    fields = [e.params["field"] for e in info.value.exceptions]
    assert fields == ["name", "province", "sources"]


def test_every_source_problem_is_collected_with_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """name: x
province: "38"
sources:
  - path: a.csv
    dataset: land
  - path: b.xlsx
    dataset: land_parcel
    columns: {"Họ tên chủ": owner, "Số CCCD": owner_id}
  - dataset: birth
  - path: c.csv
    dataset: death
    colums: {"A": deceased_name}
""",
    )
    with pytest.raises(ExceptionGroup) as info:
        load_manifest(path)
    errors = info.value.exceptions
    assert codes(info.value) == [
        ErrorCode.MANIFEST_DATASET_UNKNOWN,
        ErrorCode.MANIFEST_COLUMN_UNKNOWN,
        ErrorCode.MANIFEST_FIELD_MISSING,
        ErrorCode.MANIFEST_KEY_UNKNOWN,
    ]
    assert [e.location.row for e in errors] == [4, 6, 9, 10]
    assert errors[0].params["value"] == "land" and "land_parcel" in errors[0].params["expected"]
    assert errors[1].params["value"] == "owner" and "owner_name" in errors[1].message("en")
    assert errors[2].params["field"] == "sources[3].path"
    assert "colums" in errors[3].message("vi") and errors[3].code == ErrorCode.MANIFEST_KEY_UNKNOWN
    assert errors[3].params["nearest"] == "columns" and errors[3].location.row == 10


def test_bad_reference_date(tmp_path: Path) -> None:
    text = "name: x\nprovince: '38'\nreference_date: 20/11/2026\nsources: [{path: a.csv, dataset: birth}]\n"
    with pytest.raises(LamsachError) as info:
        load_manifest(write(tmp_path, text))
    assert info.value.code == ErrorCode.CAMPAIGN_DATE_INVALID
    assert info.value.location.row == 3 and "20/11/2026" in info.value.message("en")


def test_sample_manifest_loads(sample_dir: Path) -> None:
    manifest = load_manifest(sample_dir / "manifest.yaml")
    assert len(manifest.sources) == 12
    assert {s.dataset for s in manifest.sources} == {
        "population",
        "land_parcel",
        "birth",
        "death",
        "marriage",
    }
