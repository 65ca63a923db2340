"""A province adds a sector dataset with one schema file (and its code table) in its own data
folder, no code: the manifest accepts it, and the pass reads, standardises, checks, links and
scores it like the shipped ones."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from lamsach.data import PROVINCE_DATA, dataset_names, load_schema, read_csv
from lamsach.generate import generate_province
from lamsach.runner import run_pass
from lamsach.settings import Settings
from lamsach.standardise.codes import code_table

SCHEMA = """\
kind: dataset_schema
format_version: 1
name: household_business
label_vi: Hộ kinh doanh
key: record_id
unit_field: commune_code
freshness_days: null
fields:
  - {name: record_id, type: text, label_vi: "Mã hồ sơ", aliases: ["Mã hồ sơ"], required: true}
  - {name: commune_code, type: commune, label_vi: "Mã xã", aliases: ["Mã xã"], required: true}
  - {name: business_name, type: text, label_vi: "Tên hộ kinh doanh", aliases: ["Tên hộ kinh doanh"], required: true}
  - {name: business_line, type: code, label_vi: "Ngành nghề", aliases: ["Ngành nghề", "Ngành nghề kinh doanh"], required: true, code_table: business_line}
  - {name: keeper_name, type: name, label_vi: "Chủ hộ kinh doanh", aliases: ["Chủ hộ kinh doanh", "Họ tên chủ hộ"], required: true, person_role: keeper, role_part: name}
  - {name: keeper_id, type: id, label_vi: "Số định danh chủ hộ", aliases: ["Số định danh chủ hộ"], required: true, person_role: keeper, role_part: id}
rules:
  - {kind: unique, fields: [keeper_id, business_line], rule: duplicate_record}
  - {kind: register_match, role: keeper}
  - {kind: person_alive, role: keeper, rule: owner_deceased}
  - {kind: resident_in_unit, role: keeper, rule: beneficiary_not_resident}
"""
CODE_TABLE = """\
kind: code_table
format_version: 1
name: business_line
label_vi: Ngành nghề của hộ kinh doanh
files:
  codes: business_line.csv
source: the province's own list
valid_from: "2025-01-01"
valid_to: null
"""


@pytest.fixture
def province_data(tmp_path, monkeypatch):
    folder = tmp_path / "province-data"
    (folder / "schemas").mkdir(parents=True)
    (folder / "code_tables").mkdir()
    (folder / "schemas" / "household_business.yaml").write_text(SCHEMA, encoding="utf-8")
    (folder / "code_tables" / "business_line.yaml").write_text(CODE_TABLE, encoding="utf-8")
    (folder / "code_tables" / "business_line.csv").write_text("code,name_vi\nTAPHOA,Tạp hóa\nANUONG,Ăn uống\n",
                                                               encoding="utf-8")
    monkeypatch.setenv(PROVINCE_DATA, str(folder))
    caches = (dataset_names, load_schema, code_table)
    for cached in caches:
        cached.cache_clear()
    yield folder
    monkeypatch.delenv(PROVINCE_DATA)
    for cached in caches:
        cached.cache_clear()


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def test_a_dataset_from_a_schema_file_alone_runs_through_the_pass(province_data, tmp_path):
    assert "household_business" in dataset_names() and "social_insurance" in dataset_names()
    assert [r["code"] for r in read_csv("code_tables/business_line.csv")] == ["TAPHOA", "ANUONG"]
    manifest = generate_province(tmp_path / "province", people=400, seed=3)
    involved = {r["record_id"] for r in _rows(manifest.parent / "truth" / "involved.csv") if r["dataset"] == "population"}
    register = [r for r in _rows(manifest.parent / "population.csv") if r["Mã hồ sơ"] not in involved]
    ids = [r["Số định danh cá nhân"] for r in register]
    register = [r for r in register if ids.count(r["Số định danh cá nhân"]) == 1]
    alive = [r for r in register if r["Tình trạng"] == "Còn sống"]
    dead = next(r for r in register if r["Tình trạng"] == "Đã chết")
    a, b, c, d = alive[:4]
    elsewhere = next(r for r in alive[4:] if r["Mã xã"] != a["Mã xã"])

    def row(key, person, line="TAPHOA", name=None, cid=None, commune=None):
        return [key, commune or person["Mã xã"], f"Cửa hàng {key}", line, name or person["Họ và tên"],
                cid or person["Số định danh cá nhân"]]

    rows = [row("HKD1", a), row("HKD2", b, name="Lê Văn Khác Hẳn"), row("HKD3", c, cid="038099999999"),
            row("HKD4", dead), row("HKD5", d, line="XAYDUNG"), row("HKD6", a), row("HKD7", elsewhere, commune=a["Mã xã"])]
    with (manifest.parent / "hkd.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Mã hồ sơ", "Mã xã", "Tên hộ kinh doanh", "Ngành nghề kinh doanh", "Họ tên chủ hộ",
                         "Số định danh chủ hộ"])
        writer.writerows(rows)
    document = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    document["sources"].append({"path": "hkd.csv", "dataset": "household_business"})
    manifest.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")

    summary = run_pass(manifest, tmp_path / "out", Settings(data_dir=tmp_path / "data"))
    out = tmp_path / "out"
    clean = _rows(out / "clean" / "household_business.csv")
    assert [r["record_id"] for r in clean] == [f"HKD{i}" for i in range(1, 8)]  # every row stored
    findings = {(f["record_id"], f["rule"]) for f in _rows(out / "findings.csv")
                if f["dataset"] == "household_business" and f["criterion"] != "shared"}  # the data's own findings
    blocked = {f["record_id"] for f in _rows(out / "findings.csv")
               if f["dataset"] == "household_business" and f["rule"] == "not_published"}
    assert blocked == {"HKD2", "HKD3", "HKD4", "HKD5", "HKD6", "HKD7"}  # not shared while an error is open
    assert findings == {("HKD2", "name_differs_from_register"), ("HKD3", "id_not_in_register"),
                        ("HKD4", "owner_deceased"), ("HKD5", "code_not_in_table"), ("HKD6", "duplicate_record"),
                        ("HKD7", "beneficiary_not_resident")}
    links = {r["record_id"]: r for r in _rows(out / "links.csv") if r["dataset"] == "household_business"}
    assert links["HKD1"]["role"] == "keeper" and links["HKD1"]["citizen_id"] == a["Số định danh cá nhân"]
    scored = {r["criterion"] for r in _rows(out / "scorecard.csv") if r["dataset"] == "household_business"}
    assert {"correct", "unified", "live", "clean"} <= scored
    assert summary.run_id


def test_a_province_file_never_replaces_a_shipped_one(province_data):
    (province_data / "schemas" / "population.yaml").write_text("kind: nonsense\n", encoding="utf-8")
    load_schema.cache_clear()
    assert load_schema("population").field("citizen_id").type == "id"
