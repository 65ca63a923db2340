"""The written folder has the sample's shape, and every file reads back with ordinary tools."""

from __future__ import annotations

import csv
from datetime import date, datetime

import yaml
from python_calamine import CalamineWorkbook

from lamsach.data import load_schema

CSV_FILES = {"population.csv": "population", "birth.csv": "birth", "death.csv": "death", "marriage.csv": "marriage"}


def sheet(path):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def test_manifest_lists_every_file_in_the_batch_contract_format(province):
    manifest = yaml.safe_load(province.manifest.read_text(encoding="utf-8"))
    assert manifest["province"] == "38"
    assert date.fromisoformat(manifest["reference_date"]) == province.world.today
    assert manifest["name"]
    land = [s for s in manifest["sources"] if s["dataset"] == "land_parcel"]
    assert len(land) == len(province.world.communes) >= 3
    assert all(s["path"] == f"land/{s['unit']}.xlsx" for s in land)
    for source in manifest["sources"]:
        assert (province.folder / source["path"]).is_file()
    written = {p.relative_to(province.folder).as_posix() for p in province.folder.rglob("*") if p.is_file()}
    assert written - {s["path"] for s in manifest["sources"]} == {
        "manifest.yaml", "truth/errors.csv", "truth/involved.csv", "truth/clean_values.csv",
        "truth/links.csv", "truth/duplicates.csv",
    }


def test_csv_files_read_back_with_vietnamese_headers(province):
    for name, dataset in CSV_FILES.items():
        raw = (province.folder / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") == (dataset == "population")
        with (province.folder / name).open(encoding="utf-8-sig", newline="") as handle:
            header, *rows = list(csv.reader(handle))
        schema = load_schema(dataset)
        assert header == [f.label_vi for f in schema.fields]
        assert len(rows) == len(province.world.datasets[dataset].rows)
        by_id = {row["record_id"]: row for row in province.world.datasets[dataset].rows}
        for row in rows:
            assert [by_id[row[0]][f] for f in schema.field_names] == row


def test_land_workbooks_have_titles_stt_and_headers(province):
    schema = load_schema("land_parcel")
    total = 0
    for commune in province.world.communes:
        rows = sheet(province.folder / "land" / f"{commune.code}.xlsx")
        assert rows[0][0] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
        assert commune.name.upper() in rows[1][0]
        assert not any(rows[3])
        assert rows[4] == ["STT", *[f.label_vi for f in schema.fields]]
        body = rows[5:]
        assert [r[0] for r in body] == list(range(1, len(body) + 1))
        assert {r[2] for r in body} == {commune.code}
        total += len(body)
    assert total == len(province.world.datasets["land_parcel"].rows)


def test_one_commune_each_in_tcvn3_with_numeric_ids_and_with_excel_dates(province):
    quirks = province.world.file_quirks
    assert len(set(quirks.values())) == 3
    schema = load_schema("land_parcel")
    column = {name: i + 1 for i, name in enumerate(schema.field_names)}

    def body(quirk):
        return sheet(province.folder / "land" / f"{quirks[quirk]}.xlsx")[5:]

    tcvn3 = body("tcvn3")
    assert all("x·" in r[column["parcel_address"]] for r in tcvn3)  # "xã" typed in TCVN3
    numeric = [r[column["owner_id"]] for r in body("numeric_ids") if r[column["owner_id"]] != ""]
    assert numeric and all(isinstance(v, float) for v in numeric)
    assert all(len(str(int(v))) == 11 for v in numeric if v >= 1e10)  # 12 digits, leading zero lost
    dates = [r[column["updated_at"]] for r in body("excel_dates")]
    assert dates and all(isinstance(v, date | datetime) for v in dates)
    others = [c.code for c in province.world.communes if c.code not in quirks.values()]
    plain = sheet(province.folder / "land" / f"{others[0]}.xlsx")[5:]
    assert all(isinstance(r[column["owner_id"]], str) for r in plain)
    assert all(isinstance(r[column["updated_at"]], str) for r in plain)
