"""Linking: suggestions read from a document's text (certificate serial, 12-digit ID, parcel sheet and
number, name with birth date or year) for the records that match, confirmed or rejected by an officer;
the officer's journey from scan to proof on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib

import pytest

from lamsach.archive import KEPT, RecordRef, add_content, link_document, record_documents, search, suggestions
from lamsach.backends.store import BatchInput, IncomingRow
from lamsach.domain import LamsachError
from lamsach.generate.scans import certificate_lines

from .conftest import PARCEL
from .test_search import text_pdf

CAMPAIGN = "Làm sạch CSDL đất đai - xã Hậu Lộc"


def load(store, dataset: str, rows: dict[str, dict]) -> None:
    run = store.start_run(CAMPAIGN, None, "2026-12-01", "tester")
    content = repr(rows).encode()
    incoming = [IncomingRow(key, "16012", n, values) for n, (key, values) in enumerate(rows.items(), start=2)]
    store.import_batch(run, BatchInput(CAMPAIGN, dataset, "16012", f"{dataset}.csv",
                                       hashlib.sha256(content).hexdigest(), content, "csv", "utf-8", None, 1,
                                       len(incoming), incoming, []), "tester")


@pytest.fixture
def province(archive):
    settings, store = archive
    load(store, "land_parcel", {
        "TD-125": {**PARCEL, "record_id": "TD-125", "commune_code": "16012"},
        "TD-126": {**PARCEL, "record_id": "TD-126", "parcel_no": "126", "certificate_serial": "CS 123457",
                   "owner_id": "038185099999", "owner_name": "Lê Văn Tám"},
        "TD-OTHER-SHEET": {**PARCEL, "record_id": "TD-OTHER-SHEET", "map_sheet": "15", "certificate_serial": "",
                           "owner_id": "", "owner_name": "Phạm Thị Hoa"},
    })
    load(store, "population", {
        "DC-1": {"record_id": "DC-1", "citizen_id": "038185012345", "full_name": "Nguyễn Thị Thủy",
                 "date_of_birth": "1985-03-12"},
        "DC-2": {"record_id": "DC-2", "citizen_id": "038185011111", "full_name": "Nguyễn Thị Thủy",
                 "date_of_birth": "1990-01-01"},
    })
    return settings, store


def test_a_certificate_is_suggested_for_its_parcel_and_owner_with_the_evidence(province):
    settings, store = province
    pdf = text_pdf("\n".join(certificate_lines(PARCEL)) + "\nNgày sinh: 12/03/1985")
    outcome = add_content(store, settings, pdf, "gcn.pdf", {}, "can_bo")
    suggested = {(s["dataset"], s["record_key"]): s["evidence"] for s in outcome.suggestions}
    assert set(suggested) == {("land_parcel", "TD-125"), ("population", "DC-1")}
    parcel = suggested[("land_parcel", "TD-125")]
    for evidence in ("số phát hành GCN CS 123456", "038185012345", "thửa đất số 125, tờ bản đồ số 14",
                     "Tên người sử dụng đất Nguyễn Thị Thủy, năm sinh 1985"):
        assert evidence in parcel
    assert "Họ và tên Nguyễn Thị Thủy, ngày sinh 12/03/1985" in suggested[("population", "DC-1")]
    # waiting for an officer: listed, shown on the record's page as suggested, not yet confirmed
    assert {s["record_key"] for s in suggestions(store)} == {"TD-125", "DC-1"}
    [shown] = record_documents(store, CAMPAIGN, "land_parcel", "TD-125")
    assert shown["link_status"] == "suggested"
    link_document(store, outcome.document_id, RecordRef(CAMPAIGN, "land_parcel", "TD-125"), "can_bo")
    link_document(store, outcome.document_id, RecordRef(CAMPAIGN, "population", "DC-1"), "can_bo", confirm=False)
    assert suggestions(store) == []
    assert record_documents(store, CAMPAIGN, "land_parcel", "TD-125")[0]["link_status"] == "confirmed"
    assert record_documents(store, CAMPAIGN, "population", "DC-1") == []  # rejected: no longer shown


def test_a_document_tied_by_hand_must_name_a_record_that_exists(province):
    settings, store = province
    pdf = text_pdf("Biên bản bàn giao mốc giới thửa đất.")
    outcome = add_content(store, settings, pdf, "bien-ban.pdf", {}, "can_bo",
                          record=RecordRef(CAMPAIGN, "land_parcel", "TD-126"))
    assert outcome.status == KEPT
    assert record_documents(store, CAMPAIGN, "land_parcel", "TD-126")[0]["link_status"] == "confirmed"
    missing = add_content(store, settings, text_pdf("Khác."), "khac.pdf", {}, "can_bo",
                          record=RecordRef(CAMPAIGN, "land_parcel", "KHONG-CO"))
    assert missing.error.code.value == "ARCHIVE_RECORD_NOT_FOUND" and "KHONG-CO" in missing.error.message("vi")
    with pytest.raises(LamsachError):
        link_document(store, outcome.document_id, RecordRef(CAMPAIGN, "land_parcel", "KHONG-CO"), "can_bo")


def test_an_officer_scans_confirms_finds_and_proves(sqlite_archive, certificate_scan):
    """The issue's done-when: scan a parcel's certificate, see it suggested for the right parcel,
    confirm it, find it again by a toneless search, prove no stored file has changed."""
    from lamsach.archive import verify

    settings, store = sqlite_archive
    load(store, "land_parcel", {"TD-125": {**PARCEL, "record_id": "TD-125"},
                                "TD-126": {**PARCEL, "record_id": "TD-126", "parcel_no": "126",
                                           "certificate_serial": "CS 999999", "owner_id": "038185099999",
                                           "owner_name": "Lê Văn Tám"}})
    outcome = add_content(store, settings, certificate_scan[0], "scan-gcn.png", {"retention": "vĩnh viễn"}, "can_bo")
    assert [(s["dataset"], s["record_key"]) for s in outcome.suggestions] == [("land_parcel", "TD-125")]
    link_document(store, outcome.document_id, RecordRef(CAMPAIGN, "land_parcel", "TD-125"), "can_bo")
    assert [h.document_id for h in search(store, "nguyen thi thuy", "officer", None).hits] == []  # restricted
    assert [h.document_id for h in search(store, "giay chung nhan nguyen thi thuy", "admin").hits] == \
        [outcome.document_id]
    report = verify(store, settings, "thanh_tra")
    assert report.problems == [] and report.checked >= 2
