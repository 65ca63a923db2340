"""A column no field takes is named — in the read, the pass's summary and the report — with the
field it may mean, until the manifest maps it or deliberately ignores it."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from lamsach.data import load_schema
from lamsach.ingest import load_manifest, read_source
from lamsach.runner import run_pass
from lamsach.settings import Settings

HINTED = "Ngay sinh (dd-mm-yyyy)"


@pytest.fixture
def death_folder(sample_dir, tmp_path) -> Path:
    """The sample's death file with its date-of-birth header written as units sometimes do."""
    text = (sample_dir / "death.csv").read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    assert ",Ngày sinh," in header
    (tmp_path / "death.csv").write_text(header.replace(",Ngày sinh,", f",{HINTED},") + "\n" + rest, encoding="utf-8")
    return tmp_path


def write_manifest(folder: Path, extra: str = "") -> Path:
    path = folder / "manifest.yaml"
    path.write_text(f'name: Khai tử\nprovince: "38"\nsources:\n  - path: death.csv\n    dataset: death\n{extra}',
                    encoding="utf-8")
    return path


def read(folder: Path, extra: str = ""):
    [source] = load_manifest(write_manifest(folder, extra)).sources
    return read_source(source, load_schema("death"))


def test_an_unmapped_column_is_named_with_the_field_it_may_mean(death_folder):
    assert read(death_folder).unmapped_columns == [(HINTED, "deceased_dob")]


def test_ignore_columns_silences_it_and_columns_maps_it(death_folder):
    assert read(death_folder, f'    ignore_columns: ["{HINTED}"]\n').unmapped_columns == []
    mapped = read(death_folder, f'    columns: {{"{HINTED}": deceased_dob}}\n')
    assert mapped.unmapped_columns == []
    assert all(row["deceased_dob"] for row in mapped.rows)


def test_ignore_columns_must_be_a_list(death_folder):
    from lamsach.domain import LamsachError

    with pytest.raises(LamsachError, match="ignore_columns"):
        load_manifest(write_manifest(death_folder, "    ignore_columns: Ghi chú\n"))


def test_the_pass_summary_and_report_name_the_column(death_folder, tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    summary = run_pass(write_manifest(death_folder), tmp_path / "out", settings)
    [source] = summary.sources
    assert source["unmapped_columns"] == [{"column": HINTED, "closest": "deceased_dob", "closest_label": "Ngày sinh"}]
    report = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert HINTED in report and "deceased_dob" in report
    book = openpyxl.load_workbook(tmp_path / "out" / "report.xlsx", read_only=True)
    cells = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert ["death.csv", HINTED, "Ngày sinh (deceased_dob)"] in [r[:3] for r in cells]


def test_an_unmapped_column_of_the_sample_is_none(sample_dir):
    """The sample's headers are all known: nothing to name there (a check the test is not noisy)."""
    for source in load_manifest(sample_dir / "manifest.yaml").sources:
        assert read_source(source, load_schema(source.dataset)).unmapped_columns == [], source.path


def test_columns_without_a_header_but_with_data_are_named(tmp_path):
    (tmp_path / "death.csv").write_text(
        "Mã hồ sơ,Số đăng ký,Ngày đăng ký,Mã xã,Họ tên người chết,Số định danh,Ngày chết,,Ghi chú\n"
        "KT1,1/2025,02/01/2025,16012,Lê Văn A,038078000001,01/01/2025,x,đã xác minh\n", encoding="utf-8")
    result = read(tmp_path)
    assert [h for h, _ in result.unmapped_columns] == ["Ghi chú", "[H]"]
