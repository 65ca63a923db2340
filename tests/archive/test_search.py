"""Search: toneless and đ/d-insensitive over text and metadata, with snippets, on SQLite (FTS5) and
PostgreSQL; results and openings respect access level and role; every opening is logged."""

from __future__ import annotations

import pytest
from fpdf import FPDF

from lamsach.archive import KEPT, add_content, open_document, search
from lamsach.backends.store.users import audit_entries
from lamsach.domain import LamsachError
from lamsach.generate.scans import FONT_PATH


def text_pdf(*pages: str) -> bytes:
    """A born-digital PDF (text layer, DejaVu) with one page per argument."""
    pdf = FPDF()
    pdf.add_font("DejaVu", fname=FONT_PATH)
    pdf.set_font("DejaVu", size=12)
    for page in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, page)
    return bytes(pdf.output())


DOCUMENTS = [  # (text, metadata)
    ("Quyết định giao đất đai cho hộ gia đình ông Đặng Văn Định tại thôn Đông, xã Hậu Lộc.",
     {"title": "Quyết định giao đất", "access_level": "public", "unit": "16012"}),
    ("Biên bản kiểm tra hiện trạng sử dụng đất của thửa số 7, tờ bản đồ số 3.",
     {"title": "Biên bản kiểm tra", "access_level": "restricted", "unit": "16012"}),
    ("Hồ sơ mật về tranh chấp đất đai giữa hai dòng họ.",
     {"title": "Hồ sơ tranh chấp", "access_level": "confidential", "unit": "16000"}),
    ("Sổ đăng ký khai sinh năm 1990 của xã Đa Lộc.",
     {"title": "Sổ khai sinh", "access_level": "restricted", "unit": "16000"}),
]


@pytest.fixture
def filled(archive):
    settings, store = archive
    ids = []
    for number, (body, meta) in enumerate(DOCUMENTS):
        outcome = add_content(store, settings, text_pdf(body, f"Trang hai của tài liệu {number}."),
                              f"tai-lieu-{number}.pdf", {**meta, "retention": "vĩnh viễn"}, "van_thu",
                              unit=meta["unit"])
        assert outcome.status == KEPT and outcome.text_source == "text_layer"
        ids.append(outcome.document_id)
    return settings, store, ids


def test_toneless_query_finds_toned_text_and_d_finds_đ(filled):
    _, store, ids = filled
    result = search(store, "dat dai", "admin")
    assert {h.document_id for h in result.hits} == {ids[0], ids[2]} and result.total == 2
    assert any("đất đai" in h.snippet for h in result.hits)  # the snippet shows the original, toned
    assert [h.document_id for h in search(store, "dang van dinh", "admin").hits] == [ids[0]]
    assert [h.document_id for h in search(store, "ĐẶNG VĂN ĐỊNH", "admin").hits] == [ids[0]]
    assert [h.document_id for h in search(store, "da loc", "admin").hits] == [ids[3]]
    # metadata is searched too, and the last word matches as a prefix while typing
    assert [h.document_id for h in search(store, "bien ban kiem", "admin").hits] == [ids[1]]
    assert search(store, "khong co tu nay", "admin").hits == []
    assert search(store, "  ,;  ", "admin").total == 0


def test_results_respect_access_level_and_role(filled):
    _, store, ids = filled
    everything = {h.document_id for h in search(store, "tai lieu", "admin").hits}
    assert everything == set(ids)
    assert {h.document_id for h in search(store, "tai lieu", "inspector").hits} == {ids[0], ids[1], ids[3]}
    # an officer sees public documents anywhere, restricted ones of the own unit only
    assert {h.document_id for h in search(store, "tai lieu", "officer", "16012").hits} == {ids[0], ids[1]}
    assert {h.document_id for h in search(store, "tai lieu", "officer", "16000").hits} == {ids[0], ids[3]}


def test_every_opening_is_logged_and_a_forbidden_one_refused(filled):
    _, store, ids = filled
    assert open_document(store, ids[1], "can_bo_16012", "officer", "16012")["id"] == ids[1]
    with pytest.raises(LamsachError) as refused:
        open_document(store, ids[2], "thanh_tra", "inspector")
    assert refused.value.code.value == "ARCHIVE_ACCESS_DENIED" and "Mật" in refused.value.message("vi")
    entries, total = audit_entries(store)
    assert total == 2
    assert [(e["actor"], e["action"]) for e in entries] == [("thanh_tra", "archive_refused"),
                                                           ("can_bo_16012", "archive_open")]
    assert f"document {ids[1]}" in entries[1]["detail"]


def test_a_word_in_many_documents_is_counted_up_to_the_cap_and_ranked_best_first(archive):
    """1,200 documents hold "thửa đất"; the count stops past 1,000 and says there are more; a
    document naming the owner three times ranks before those naming him once; a number in the
    query is matched whole."""
    from lamsach.archive import fold
    from lamsach.backends.store import archive as catalogue

    settings, store = archive
    entries = []
    for n in range(1200):
        body = f"Giấy chứng nhận thửa đất số {n}, chủ sử dụng Trần Văn {'Hùng Hùng Hùng' if n == 700 else 'Hùng'}."
        entries.append(({"sha256": f"{n:064x}", "file_name": f"gcn-{n}.pdf", "media_type": "application/pdf",
                         "size_bytes": 1, "signed": 0, "copy_sha256": None, "text_source": "ocr",
                         "metadata": {"title": "GCN"}, "access_level": "public", "unit": "16012",
                         "added_by": "van_thu"}, body, fold(body)))
    ids = catalogue.add_texts(store, entries)
    many = search(store, "thua dat", "inspector")
    assert many.total == catalogue.COUNT_CAP and many.more and len(many.hits) == 20
    # a number is matched whole (parcel 1 is not parcel 10 or 1100); an unfinished word as a prefix
    assert [h.document_id for h in search(store, "thua dat so 1", "inspector").hits] == [ids[1]]
    assert search(store, "so 11 chu su", "inspector").total == 1
    assert search(store, "tran van hung", "inspector").hits[0].document_id == ids[700]
