"""Keeping files: the original byte for byte under its SHA-256, with a second copy, text and
validated metadata; bad files refused with a reason and nothing stored."""

from __future__ import annotations

import hashlib
import io

import pikepdf
import pytest
from sqlalchemy import text

from lamsach.archive import KEPT, REFUSED, add_content, add_path, vault_for
from lamsach.backends.store import archive as catalogue


def kept_files(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix != ".db")


def test_a_scan_is_kept_byte_for_byte_with_text_copy_and_metadata(sqlite_archive, certificate_scan):
    settings, store = sqlite_archive
    content, _ = certificate_scan
    outcome = add_content(store, settings, content, "gcn-125.png",
                          {"doc_date": "12/03/2020", "retention": "Vĩnh viễn", "access_level": "Công khai",
                           "doc_number": "125/GCN-UBND"}, "can_bo")
    assert outcome.status == KEPT and outcome.text_source == "ocr"
    sha = hashlib.sha256(content).hexdigest()
    document = catalogue.document(store, outcome.document_id)
    assert document["sha256"] == sha and document["size_bytes"] == len(content)
    vault = vault_for(settings)
    assert vault.path("originals", sha).read_bytes() == content
    assert (settings.archive_copy_dir / "originals" / sha[:2] / sha).read_bytes() == content
    copy = vault.path("copies", document["copy_sha256"], ".pdf").read_bytes()
    assert copy.startswith(b"%PDF") and b"pdfaid" in copy  # the searchable copy is PDF/A
    assert "CS 123456" in vault.path("texts", sha, ".txt").read_text(encoding="utf-8")
    assert document["metadata"]["doc_date"] == "2020-03-12"
    assert document["metadata"]["access_level"] == "public"
    assert document["metadata"]["retention"] == "vĩnh viễn"
    assert document["metadata"]["page_count"] == "1"
    assert outcome.findings == []


def test_metadata_is_validated_by_the_schema_rules(sqlite_archive, certificate_scan):
    settings, store = sqlite_archive
    content, _ = certificate_scan
    outcome = add_content(store, settings, content, "gcn.png",
                          {"doc_date": "31/02/2020", "access_level": "tối mật", "fonds_code": "Phông 3"}, "can_bo")
    rules = {(f["field"], f["rule"]) for f in outcome.findings}
    assert rules == {("doc_date", "archive_date_invalid"), ("access_level", "archive_access_invalid"),
                     ("fonds_code", "archive_code_invalid"), ("retention", "missing_required")}
    stored = {(f["field"], f["criterion"]) for f in catalogue.findings(store, outcome.document_id)}
    assert ("retention", "complete") in stored and ("doc_date", "correct") in stored
    message = next(f["message"] for f in outcome.findings if f["field"] == "doc_date")
    assert "Ngày văn bản" in message and "31/02/2020" in message
    # an unknown access level is kept as the strictest one the viewer rules know of
    assert catalogue.document(store, outcome.document_id)["access_level"] == "tối mật"


def _encrypted_pdf() -> bytes:
    pdf, out = pikepdf.new(), io.BytesIO()
    pdf.add_blank_page()
    pdf.save(out, encryption=pikepdf.Encryption(owner="o", user="secret"))
    return out.getvalue()


@pytest.mark.parametrize(("content", "code"), [
    (b"", "ARCHIVE_FILE_EMPTY"),
    (b"%PDF-1.7\n1 0 obj garbage", "ARCHIVE_FILE_CORRUPT"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "ARCHIVE_FILE_CORRUPT"),
    (b"PK\x03\x04 a zip file", "ARCHIVE_FORMAT_UNSUPPORTED"),
    (_encrypted_pdf(), "ARCHIVE_FILE_ENCRYPTED"),
])
def test_bad_files_are_refused_with_a_reason_and_nothing_is_stored(sqlite_archive, content, code):
    settings, store = sqlite_archive
    outcome = add_content(store, settings, content, "ho-so.pdf", {}, "can_bo")
    assert outcome.status == REFUSED and outcome.error.code.value == code
    assert "ho-so.pdf" in outcome.error.message("vi")
    assert catalogue.documents(store) == [] and kept_files(settings.archive_root) == []


def test_too_many_pages_is_refused_naming_the_limit(tmp_path):
    from dataclasses import replace

    from lamsach.backends.store import SqlAlchemyStore
    from lamsach.settings import Settings

    settings = Settings(data_dir=tmp_path, archive_max_pages=20)
    store = SqlAlchemyStore.open(settings.store_url)
    pdf, out = pikepdf.new(), io.BytesIO()
    for _ in range(25):
        pdf.add_blank_page()
    pdf.save(out)
    outcome = add_content(store, settings, out.getvalue(), "so-dang-ky.pdf", {}, "can_bo")
    assert outcome.error.code.value == "ARCHIVE_TOO_MANY_PAGES"
    assert "25 trang" in outcome.error.message("vi") and "20" in outcome.error.message("vi")
    # at the shipped limit (500 pages) the same file is kept
    kept = add_content(store, replace(settings, archive_max_pages=500), out.getvalue(), "so.pdf", {}, "can_bo")
    assert kept.status == KEPT and kept.pages == 25 and kept.text_source == "none"
    assert kept.warnings[0].code.value == "ARCHIVE_NO_TEXT"


def test_the_same_file_twice_is_refused_naming_the_kept_document(sqlite_archive, certificate_scan):
    settings, store = sqlite_archive
    first = add_content(store, settings, certificate_scan[0], "a.png", {}, "can_bo")
    again = add_content(store, settings, certificate_scan[0], "b.png", {}, "can_bo")
    assert again.status == REFUSED and again.error.code.value == "ARCHIVE_DUPLICATE"
    assert f"số {first.document_id}" in again.error.message("vi")
    assert len(catalogue.documents(store)) == 1


def test_file_names_in_any_encoding_are_read(sqlite_archive, tmp_path, certificate_scan):
    settings, store = sqlite_archive
    folder = tmp_path.as_posix().encode()
    # Vietnamese Windows (code page 1258) writes a tone as a combining mark after its letter
    windows = folder + b"/" + "Gi\u00e2\u0301y ch\u01b0\u0301ng nh\u00e2\u0323n.png".encode("cp1258")
    with open(windows, "wb") as handle:
        handle.write(certificate_scan[0])
    outcome = add_path(store, settings, windows, {}, "can_bo")
    assert outcome.status == KEPT
    assert catalogue.document(store, outcome.document_id)["file_name"] == "Giấy chứng nhận.png"
    missing = add_path(store, settings, folder + b"/kh\xf4ng-c\xf3.png", {}, "can_bo")
    assert missing.error.code.value == "ARCHIVE_FILE_NOT_FOUND"


def test_a_failed_catalogue_write_leaves_no_file_behind(sqlite_archive, certificate_scan):
    settings, store = sqlite_archive
    with store.engine.begin() as conn:  # the catalogue cannot be written: its text table is gone
        conn.execute(text("DROP TABLE archive_texts"))
    with pytest.raises(Exception):  # noqa: B017 - a database error, whatever the driver calls it
        add_content(store, settings, certificate_scan[0], "a.png", {}, "can_bo")
    assert kept_files(settings.archive_root) == [] and kept_files(settings.archive_copy_dir) == []
    assert catalogue.documents(store) == []


def test_one_file_sent_twice_at_once_is_kept_once(sqlite_archive):
    from concurrent.futures import ThreadPoolExecutor

    from .test_search import text_pdf

    settings, store = sqlite_archive
    content = text_pdf("Quyết định số 9 về việc giao đất.")
    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(lambda n: add_content(store, settings, content, f"qd-{n}.pdf", {}, "van_thu"),
                                 range(4)))
    assert sorted(o.status for o in outcomes) == [KEPT, REFUSED, REFUSED, REFUSED]
    kept_id = next(o.document_id for o in outcomes if o.status == KEPT)
    assert {o.document_id for o in outcomes} == {kept_id}
    assert len(catalogue.documents(store)) == 1
    assert vault_for(settings).path("originals", hashlib.sha256(content).hexdigest()).read_bytes() == content
