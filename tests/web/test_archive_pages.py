"""The archive's pages: an officer uploads a parcel's certificate, confirms the suggested parcel,
sees the document on the record's page and finds it by a toneless search; the upload answers
before the scan is read and the text arrives later; who may open what; a bad file refused with its
reason; every opening logged."""

from __future__ import annotations

import re
import time

from fastapi.testclient import TestClient
from fpdf import FPDF
from web_fixtures import csrf_of, sign_in

from lamsach.archive import fold
from lamsach.backends.store.users import audit_entries
from lamsach.generate.scans import FONT_PATH, ScanLook, certificate_lines, render_scan, scan_bytes


def certificate_pdf(values: dict) -> bytes:
    pdf = FPDF()
    pdf.add_font("DejaVu", fname=FONT_PATH)
    pdf.set_font("DejaVu", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 8, "\n".join(certificate_lines(values)))
    return bytes(pdf.output())


def client(app, username: str) -> TestClient:
    signed = TestClient(app)
    assert sign_in(signed, username).status_code == 303
    return signed


def read(officer, document_url: str, seconds: float = 120) -> str:
    """The document's page once its text is read (as the page's polling would show it)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page = officer.get(document_url)
        if "data-reading=" not in page.text:
            return page.text
        time.sleep(0.2)
    raise AssertionError(f"{document_url}: the text was not read in {seconds} s")


def settled(reader, document_id: int, seconds: float = 30) -> str | None:
    """The reading's job state once it has left "running": the text is stored a moment before its
    job is marked done, so a page may already show the text while the job still runs."""
    deadline = time.monotonic() + seconds
    while reader.state(document_id) in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.1)
    return reader.state(document_id)


def a_parcel(world):
    store = world.store()
    parcels = [r for r in store.load_records(world.campaign, "land_parcel")
               if r.unit == world.unit and r.data.get("certificate_serial") and r.data.get("owner_name")]
    return parcels[0]


def test_an_officer_keeps_confirms_and_finds_a_certificate(app, world):
    parcel = a_parcel(world)
    officer = client(app, "officer")
    page = officer.get("/archive")
    assert page.status_code == 200 and 'action="/archive/upload"' in page.text
    sent = officer.post("/archive/upload", data={"csrf_token": csrf_of(page.text), "retention": "vĩnh viễn",
                                                 "title": "Giấy chứng nhận quyền sử dụng đất"},
                        files={"file": ("GCN thửa.pdf", certificate_pdf(parcel.data), "application/pdf")},
                        follow_redirects=False)
    assert sent.status_code == 303
    document_url = sent.headers["location"].split("?")[0]
    document = officer.get(document_url)
    assert document.status_code == 200 and "GCN thửa.pdf" in document.text
    shown = read(officer, document_url)
    assert f'data-record="{parcel.key}"' in shown  # suggested for its parcel
    confirmed = officer.post(f"{document_url}/links", data={"csrf_token": csrf_of(shown),
                                                            "dataset": "land_parcel", "record_key": parcel.key,
                                                            "decision": "confirm"}, follow_redirects=True)
    assert 'data-link="confirmed"' in confirmed.text
    record = officer.get(f"/records/land_parcel/{parcel.key}?purpose=correct_finding")
    document_id = document_url.rsplit("/", 1)[1]
    assert re.search(rf'data-document="{document_id}" data-link="confirmed"', record.text)
    found = officer.get("/archive", params={"q": fold(parcel.data["owner_name"])})
    assert f'data-document="{document_id}"' in found.text
    original = officer.get(f"{document_url}/original")
    assert original.status_code == 200 and original.content.startswith(b"%PDF")
    actions = [e["action"] for e in audit_entries(world.store())[0] if e["actor"] == "officer"]
    assert "archive_open" in actions and "archive_download" in actions


def test_who_may_open_a_restricted_document_and_a_refused_file(app, world):
    officer = client(app, "officer")
    page = officer.get("/archive")
    sent = officer.post("/archive/upload", data={"csrf_token": csrf_of(page.text), "access_level": "restricted"},
                        files={"file": ("bien-ban.pdf", certificate_pdf({"owner_name": "Lê Văn Tám"}),
                                        "application/pdf")}, follow_redirects=False)
    url = sent.headers["location"].split("?")[0]
    assert client(app, "inspector").get(url).status_code == 200
    other = client(app, "other_officer")
    refused = other.get(url)
    assert refused.status_code == 403 and "Hạn chế" in refused.text
    assert other.get("/archive", params={"q": "le van tam"}).text.count("data-document=") == 0
    empty = officer.post("/archive/upload", data={"csrf_token": csrf_of(page.text)},
                         files={"file": ("rong.pdf", b"", "application/pdf")})
    assert empty.status_code == 200 and 'data-status="refused"' in empty.text and "0 byte" in empty.text
    assert client(app, "inspector").post("/archive/upload", data={"csrf_token": "x"},
                                         files={"file": ("a.pdf", b"%PDF", "application/pdf")}).status_code == 403


def test_the_upload_answers_before_the_scan_is_read_and_the_text_arrives_later(app, world):
    """A scan (rendered with DejaVu, turned and speckled) takes seconds of OCR: the upload answers
    with the document kept and "đang nhận dạng chữ" before the text exists; the page's poll then
    reloads it, and the text, its search and the suggested parcel are there."""
    parcel = a_parcel(world)
    officer = client(app, "officer")
    scan = scan_bytes([render_scan(certificate_lines(parcel.data), seed=4, look=ScanLook(1.0, 0.6, 0.005))])
    page = officer.get("/archive")
    started = time.monotonic()
    sent = officer.post("/archive/upload", data={"csrf_token": csrf_of(page.text), "title": "GCN bản quét"},
                        files={"file": ("gcn-quet.png", scan, "image/png")}, follow_redirects=False)
    answered = time.monotonic() - started
    assert sent.status_code == 303 and "notice=archive.notice_reading" in sent.headers["location"]
    document_url = sent.headers["location"].split("?")[0]
    document_id = int(document_url.rsplit("/", 1)[1])
    waiting = officer.get(document_url)
    assert 'data-reading="' in waiting.text and "Đang nhận dạng chữ" in waiting.text
    assert f'data-record="{parcel.key}"' not in waiting.text  # nothing read yet, nothing suggested
    poll = officer.get(f"{document_url}/reading")
    assert poll.status_code == 200 and "hx-get" in poll.text and "HX-Refresh" not in poll.headers
    owner = fold(parcel.data["owner_name"])
    # found by its title meanwhile, not yet by its text
    assert f'data-document="{document_id}"' in officer.get("/archive", params={"q": "gcn ban quet"}).text
    assert f'data-document="{document_id}"' not in officer.get("/archive", params={"q": owner}).text

    started = time.monotonic()
    text = read(officer, document_url)
    reading = answered + time.monotonic() - started
    assert answered < reading / 2, f"the upload took {answered:.1f} s of a {reading:.1f} s reading"
    assert officer.get(f"{document_url}/reading").headers.get("HX-Refresh") == "true"  # the poll reloads the page
    assert f'data-record="{parcel.key}"' in text and parcel.data["certificate_serial"] in text
    assert f'data-document="{document_id}"' in officer.get("/archive", params={"q": owner}).text


def test_only_inspectors_and_admins_run_the_fixity_check_and_it_is_logged(app, world):
    officer = client(app, "officer")
    page = officer.get("/archive")
    officer.post("/archive/upload", data={"csrf_token": csrf_of(page.text)},
                 files={"file": ("bien-ban.pdf", certificate_pdf({"owner_name": "Lê Văn Tám"}), "application/pdf")})
    assert officer.get("/archive/checks").status_code == 403
    assert officer.post("/archive/verify", data={"csrf_token": csrf_of(page.text)}).status_code == 403
    inspector = client(app, "inspector")
    checks = inspector.get("/archive/checks")
    assert checks.status_code == 200 and "Chưa kiểm tra lần nào" in checks.text
    assert inspector.post("/archive/verify", data={"csrf_token": "sai"}).status_code == 403  # CSRF
    done = inspector.post("/archive/verify", data={"csrf_token": csrf_of(checks.text)})
    assert done.status_code == 200 and "data-all-intact" in done.text and 'data-outcome-count="ok" data-n="1"' in done.text
    actions = [e["action"] for e in audit_entries(world.store())[0] if e["actor"] == "inspector"]
    assert "archive_verify" in actions


def test_a_document_kept_without_its_reading_queued_is_read_when_the_reader_starts(app, world):
    """The server stopped between keeping an upload and queueing its reading: the next start reads it."""
    from lamsach.archive import PENDING, receive_content
    from lamsach.backends.store import archive as catalogue

    store = world.store()
    kept = receive_content(store, world.settings, certificate_pdf({"owner_name": "Đinh Thị Lụa"}), "gcn-lua.pdf",
                           {}, "officer", world.unit)
    assert catalogue.document(store, kept.document_id)["text_source"] == PENDING
    reader = app.state.archive_reader
    assert reader.state(kept.document_id) is None
    reader.start()
    deadline = time.monotonic() + 60
    while catalogue.document(store, kept.document_id)["text_source"] == PENDING and time.monotonic() < deadline:
        time.sleep(0.2)
    assert catalogue.document(store, kept.document_id)["text_source"] == "text_layer"
    assert settled(reader, kept.document_id) == "done" and reader.queue_unread() == 0
    assert "Đinh Thị Lụa" in catalogue.document_text(store, kept.document_id)
    store.engine.dispose()


def test_a_reading_that_fails_says_so_stops_polling_and_can_be_run_again(app, world):
    """The original vanished before its reading ran (a disk taken away): the job fails, the page
    says the text could not be read and no longer polls; once the file is back, the officer has it
    read again."""
    from lamsach.archive import receive_content, vault_for
    from lamsach.backends.store import archive as catalogue

    store = world.store()
    kept = receive_content(store, world.settings, certificate_pdf({"owner_name": "Hà Văn Sáu"}), "gcn-sau.pdf",
                           {}, "officer", world.unit)
    sha256 = catalogue.document(store, kept.document_id)["sha256"]
    original = vault_for(world.settings).path("originals", sha256)
    content = original.read_bytes()
    original.unlink()
    reader = app.state.archive_reader
    reader.submit(kept.document_id, world.campaign, "officer", world.unit, "gcn-sau.pdf")
    deadline = time.monotonic() + 60
    while reader.state(kept.document_id) not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert reader.state(kept.document_id) == "failed"
    officer = client(app, "officer")
    page = officer.get(f"/archive/{kept.document_id}")
    assert 'data-reading="failed"' in page.text and "Không nhận dạng được chữ" in page.text
    assert "hx-get" not in officer.get(f"/archive/{kept.document_id}/reading").text
    # the original is put back (from a backup): the officer has it read again
    original.write_bytes(content)
    again = officer.post(f"/archive/{kept.document_id}/read", data={"csrf_token": csrf_of(page.text)},
                         follow_redirects=False)
    assert again.status_code == 303
    shown = read(officer, f"/archive/{kept.document_id}")
    assert "Hà Văn Sáu" in shown
    assert settled(reader, kept.document_id) == "done"
    store.engine.dispose()


def test_a_search_matching_more_than_the_cap_says_so(app, world):
    from lamsach.backends.store import archive as catalogue

    store = world.store()
    body = "Biên bản kiểm kê đất công ích của xã"
    catalogue.add_texts(store, [({"sha256": f"{n:064x}", "file_name": f"bb-{n}.pdf", "media_type": "application/pdf",
                                  "size_bytes": 1, "signed": 0, "copy_sha256": None, "text_source": "ocr",
                                  "metadata": {"title": f"Biên bản {n}"}, "access_level": "public", "unit": None,
                                  "added_by": "van_thu"}, body, fold(body)) for n in range(catalogue.COUNT_CAP + 5)])
    store.engine.dispose()
    found = client(app, "officer").get("/archive", params={"q": "kiem ke dat cong ich"})
    assert 'data-more="1"' in found.text and "Hơn 1.000 tài liệu khớp" in found.text
    assert found.text.count("data-document=") == 20
