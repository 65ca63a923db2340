"""A campaign may require a document for some records: a parcel with a certificate serial must have
its certificate's scan; each one without a confirmed document counts as not complete."""

from __future__ import annotations

import csv
import shutil

import yaml

from lamsach.archive import RecordRef, add_content, link_document
from lamsach.backends.store import SqlAlchemyStore
from lamsach.runner import run_pass
from lamsach.settings import Settings

from .test_search import text_pdf


def findings(out) -> list[dict]:
    with (out / "findings.csv").open(encoding="utf-8-sig") as handle:
        return [r for r in csv.DictReader(handle) if r["rule"] == "document_missing"]


def test_a_parcel_without_its_certificate_scan_counts_under_complete(sample_dir, tmp_path):
    folder = tmp_path / "province"
    shutil.copytree(sample_dir, folder, ignore=shutil.ignore_patterns("truth"))
    manifest = yaml.safe_load((folder / "manifest.yaml").read_text(encoding="utf-8"))
    manifest["sources"] = [s for s in manifest["sources"] if s["dataset"] == "population" or s.get("unit") == "16012"]
    manifest["documents_required"] = [{"dataset": "land_parcel", "when": "certificate_serial",
                                       "document": "Giấy chứng nhận quyền sử dụng đất"}]
    (folder / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data")

    run_pass(folder / "manifest.yaml", tmp_path / "out1", settings)
    missing = findings(tmp_path / "out1")
    assert missing and {f["criterion"] for f in missing} == {"complete"}
    assert all("Giấy chứng nhận quyền sử dụng đất" in f["message"] for f in missing)
    chosen = missing[0]["record_id"]

    store = SqlAlchemyStore.open(settings.store_url)
    outcome = add_content(store, settings, text_pdf(f"Giấy chứng nhận của hồ sơ {chosen}"), "gcn.pdf", {}, "can_bo")
    link_document(store, outcome.document_id, RecordRef(manifest["name"], "land_parcel", chosen), "can_bo")

    run_pass(folder / "manifest.yaml", tmp_path / "out2", settings)
    after = findings(tmp_path / "out2")
    assert {f["record_id"] for f in after} == {f["record_id"] for f in missing} - {chosen}
    with (tmp_path / "out2" / "scorecard.csv").open(encoding="utf-8-sig") as handle:
        complete = [r for r in csv.DictReader(handle) if r["dataset"] == "land_parcel" and r["criterion"] == "complete"]
    assert sum(int(r["records"]) - int(r["passing"]) for r in complete) >= len(after)


def test_a_requirement_naming_an_unknown_field_is_a_clear_manifest_error(tmp_path):
    import pytest

    from lamsach.domain import LamsachError
    from lamsach.ingest import load_manifest

    (tmp_path / "p.csv").write_text("Mã hồ sơ\n1\n", encoding="utf-8")
    (tmp_path / "m.yaml").write_text(yaml.safe_dump({
        "name": "X", "province": "38", "sources": [{"path": "p.csv", "dataset": "population"}],
        "documents_required": [{"dataset": "land_parcel", "when": "so_gcn", "document": "GCN"}]}), encoding="utf-8")
    with pytest.raises(LamsachError) as error:
        load_manifest(tmp_path / "m.yaml")
    assert error.value.code.value == "MANIFEST_COLUMN_UNKNOWN" and "so_gcn" in error.value.message("vi")
