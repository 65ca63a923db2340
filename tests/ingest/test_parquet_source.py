"""Parquet files (what a national extract or a Spark job writes) are read like CSV: the same
records, findings and contract files as from the same rows as CSV."""

from __future__ import annotations

from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import yaml

from lamsach.generate import generate_province
from lamsach.runner import run_pass
from lamsach.settings import Settings


def _contract(out: Path) -> dict[str, list[str]]:
    return {p.relative_to(out).as_posix(): sorted(p.read_text(encoding="utf-8").splitlines())
            for p in [*out.glob("*.csv"), *(out / "clean").glob("*.csv")] if p.name != "link_weights.csv"}


def test_parquet_files_give_the_same_results_as_their_csv(tmp_path: Path):
    manifest = generate_province(tmp_path / "province", people=120, seed=4)
    spec = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    converted = 0
    for source in spec["sources"]:
        path = manifest.parent / source["path"]
        if path.suffix == ".csv":
            columns = pacsv.read_csv(path, read_options=pacsv.ReadOptions(encoding="utf-8"),
                                     convert_options=pacsv.ConvertOptions(strings_can_be_null=False))
            names = columns.column_names
            as_text = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, "string"), strings_can_be_null=True))
            pq.write_table(as_text, path.with_suffix(".parquet"))
            source["path"] = str(Path(source["path"]).with_suffix(".parquet"))
            converted += 1
    assert converted >= 3
    parquet_manifest = manifest.with_name("manifest_parquet.yaml")
    parquet_manifest.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")

    csv_summary = run_pass(manifest, tmp_path / "csv", Settings(data_dir=tmp_path / "d1"))
    parquet_summary = run_pass(parquet_manifest, tmp_path / "parquet", Settings(data_dir=tmp_path / "d2"))
    assert parquet_summary.rows_stored == csv_summary.rows_stored > 0
    assert _contract(tmp_path / "parquet") == _contract(tmp_path / "csv")


def test_a_damaged_parquet_file_names_the_file(tmp_path: Path):
    import pytest

    from lamsach.domain import LamsachError
    from lamsach.ingest.source import read_parquet

    with pytest.raises(LamsachError) as caught:
        read_parquet(b"PAR1 not really", "dan_cu.parquet")
    assert "dan_cu.parquet" in caught.value.message("vi")
