"""A dismissed finding stays dismissed in later passes while its value is unchanged."""

from __future__ import annotations

import csv

from lamsach.backends.store import SqlAlchemyStore, ValueChange
from lamsach.runner import run_pass
from lamsach.settings import Settings


def _findings(out):
    with (out / "findings.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_dismissed_until_the_value_changes(sample_dir, tmp_path, store_url):
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(
        'name: Thử quyết định\nprovince: "38"\nreference_date: "2026-11-20"\nsources:\n'
        f"  - {{path: {sample_dir / 'population.csv'}, dataset: population}}\n"
        f"  - {{path: {sample_dir / 'land' / '16012.xlsx'}, dataset: land_parcel, unit: '16012'}}\n",
        encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", database_url=store_url, source_roots=str(sample_dir))
    run_pass(manifest, tmp_path / "out1", settings)
    target = next(f for f in _findings(tmp_path / "out1") if f["status"] == "open" and f["field"] != "*"
                  and f["dataset"] == "land_parcel")
    store = SqlAlchemyStore.open(settings.store_url)
    value = store.record("Thử quyết định", target["dataset"], target["record_id"]).data[target["field"]]
    store.decide_finding("Thử quyết định", target["dataset"], target["record_id"], target["field"], target["rule"],
                         "dismissed", value, "cán bộ xã", "đã kiểm tra hồ sơ gốc")

    run_pass(manifest, tmp_path / "out2", settings)
    again = [f for f in _findings(tmp_path / "out2") if (f["record_id"], f["field"], f["rule"]) ==
             (target["record_id"], target["field"], target["rule"])]
    assert [f["status"] for f in again] == ["dismissed"]
    others = [f for f in _findings(tmp_path / "out2") if f["status"] == "dismissed"]
    assert len(others) == 1

    store.apply_changes("Thử quyết định", [ValueChange(target["dataset"], target["record_id"], target["field"],
                                                       (value or "") + "x", "person", "sửa thử")], "cán bộ xã")
    run_pass(manifest, tmp_path / "out3", settings)
    statuses = {f["status"] for f in _findings(tmp_path / "out3") if (f["record_id"], f["field"], f["rule"]) ==
                (target["record_id"], target["field"], target["rule"])}
    assert "dismissed" not in statuses
