"""OCR on generated scans (DejaVu text turned, blurred and speckled): character accuracy of at least
95%, every document found again by a toneless phrase; multi-page TIFF and JPEG scans; a signed PDF
kept with its signature intact and its text read without rewriting it. A few pages only: OCR is slow."""

from __future__ import annotations

import io

import img2pdf
import pytest
from PIL import Image

from lamsach.archive import KEPT, add_content, fold, search, vault_for
from lamsach.backends.store import archive as catalogue
from lamsach.generate.scans import ScanLook, certificate_lines, character_accuracy, render_scan, scan_bytes

from .conftest import PARCEL
from .signing import sign_pdf, signature_intact
from .test_search import text_pdf

MIN_ACCURACY = 0.95
OTHER = {**PARCEL, "certificate_serial": "DA 765432", "owner_name": "Đặng Văn Định", "owner_birth_year": "1962",
         "owner_id": "038062004321", "parcel_no": "48", "map_sheet": "9",
         "parcel_address": "Xóm Bắc, xã Đa Lộc, tỉnh Thanh Hóa"}

SCANS = [  # (name, kind, looks of its pages, parcel)
    ("gcn-125.png", "PNG", [ScanLook(1.5, 0.8, 0.01)], PARCEL),
    ("gcn-48.jpg", "JPEG", [ScanLook(-2.0, 1.0, 0.015)], OTHER),
    ("so-muc-ke.tif", "TIFF", [ScanLook(0.5, 0.6, 0.005), ScanLook(-1.0, 0.8, 0.01)], OTHER),
]


def test_ocr_accuracy_on_generated_scans_and_toneless_search_finds_each(sqlite_archive, record_property):
    settings, store = sqlite_archive
    accuracies = {}
    for number, (name, kind, looks, parcel) in enumerate(SCANS):
        lines = certificate_lines(parcel)
        pages = [render_scan(lines, seed=number * 10 + i, look=look) for i, look in enumerate(looks)]
        outcome = add_content(store, settings, scan_bytes(pages, kind), name, {"retention": "vĩnh viễn"}, "van_thu")
        assert outcome.status == KEPT and outcome.pages == len(looks) and outcome.text_source == "ocr"
        text = catalogue.document_text(store, outcome.document_id)
        read_pages = text.split("\f")
        assert len(read_pages) == len(looks)
        for page_no, page in enumerate(read_pages):
            accuracies[f"{name} p{page_no + 1}"] = character_accuracy("\n".join(lines), page)
        phrase = fold(parcel["owner_name"])  # typed without tone marks, đ as d
        assert outcome.document_id in {h.document_id for h in search(store, phrase, "admin").hits}
    record_property("ocr_character_accuracy", accuracies)
    print("OCR character accuracy:", {k: f"{v:.2%}" for k, v in accuracies.items()})
    assert min(accuracies.values()) >= MIN_ACCURACY, accuracies


def test_a_blank_scan_is_kept_and_said_to_have_no_text(sqlite_archive):
    settings, store = sqlite_archive
    blank = render_scan([], look=ScanLook(0, 0.5, 0.002))
    outcome = add_content(store, settings, scan_bytes([blank]), "trang-trang.png", {}, "van_thu")
    assert outcome.status == KEPT and outcome.text_source == "none"
    assert outcome.warnings[0].code.value == "ARCHIVE_NO_TEXT"
    assert "không nhận dạng được chữ" in outcome.warnings[0].message("vi")


@pytest.mark.parametrize("scanned", [False, True], ids=["text-layer", "scanned-page"])
def test_a_signed_pdf_is_kept_intact_and_its_text_read_without_rewriting(sqlite_archive, scanned):
    settings, store = sqlite_archive
    if scanned:  # a scan signed as it is: its only page is an image, read by Tesseract alone
        page = render_scan(certificate_lines(PARCEL), look=ScanLook(0.5, 0.5, 0.002))
        unsigned = img2pdf.convert(scan_bytes([page]))
    else:
        unsigned = text_pdf("Quyết định số 12/QĐ-UBND về việc giao đất cho ông Đặng Văn Định.")
    signed = sign_pdf(unsigned)
    assert signature_intact(signed)
    outcome = add_content(store, settings, signed, "quyet-dinh-ky-so.pdf", {}, "van_thu")
    assert outcome.status == KEPT
    document = catalogue.document(store, outcome.document_id)
    assert document["signed"] == 1 and document["copy_sha256"] is None  # no rewritten copy at all
    kept = vault_for(settings).path("originals", document["sha256"]).read_bytes()
    assert kept == signed and signature_intact(kept)
    tampered = kept.replace(b"/Type /Page", b"/Type /Page ", 1)
    assert not signature_intact(tampered)  # the check above can fail
    expected = "Nguyễn Thị Thủy" if scanned else "Đặng Văn Định"
    assert expected in catalogue.document_text(store, outcome.document_id)
    assert document["text_source"] == ("ocr" if scanned else "text_layer")


def test_a_multipage_tiff_keeps_every_frame_in_its_searchable_copy(sqlite_archive):
    settings, store = sqlite_archive
    pages = [render_scan([f"Trang số {n} của sổ mục kê đất đai"], look=ScanLook(0, 0.3, 0.001)) for n in (1, 2, 3)]
    outcome = add_content(store, settings, scan_bytes(pages, "TIFF"), "so-muc-ke.tiff", {}, "van_thu")
    document = catalogue.document(store, outcome.document_id)
    import pikepdf

    copy = vault_for(settings).path("copies", document["copy_sha256"], ".pdf")
    with pikepdf.open(copy) as pdf:
        assert len(pdf.pages) == 3
    assert document["metadata"]["page_count"] == "3"
    with Image.open(io.BytesIO(vault_for(settings).read("originals", document["sha256"]))) as original:
        assert original.n_frames == 3
