"""In Chromium, the archive's "done when": an officer uploads a scan of a parcel's certificate
(Vietnamese text rendered with DejaVu, turned, blurred and speckled like a scan), the page answers
at once and says the text is being read, then shows the parcel it names; the officer confirms it,
sees the scan on the parcel's page and finds it again by a toneless search; an inspector runs the
fixity check from the web and sees that no stored file has changed, and that a changed byte is
caught. Screenshots go to `screenshots/`."""

from __future__ import annotations

import re
import time

from browser_fixtures import screenshot

from lamsach.archive import fold, vault_for
from lamsach.backends.store import archive as catalogue
from lamsach.generate.scans import ScanLook, certificate_lines, render_scan, scan_bytes

READ_SECONDS = 180  # OCR of one page on a loaded 2-core machine, with room


def _a_parcel(world):
    store = world.store()
    parcels = [r for r in store.load_records(world.campaign, "land_parcel")
               if r.unit == world.unit and r.data.get("certificate_serial") and r.data.get("owner_name")
               and r.data.get("map_sheet") and r.data.get("parcel_no")]
    store.engine.dispose()
    return parcels[len(parcels) // 2]


def test_an_officer_scans_confirms_and_finds_a_certificate_and_an_inspector_proves_it_intact(
        served, sign_in_as, tmp_path):
    _, _, world = served
    parcel = _a_parcel(world)
    scan = tmp_path / "Giấy chứng nhận quét.png"
    scan.write_bytes(scan_bytes([render_scan(certificate_lines(parcel.data), seed=8,
                                             look=ScanLook(1.2, 0.6, 0.005))]))

    officer = sign_in_as("officer")
    officer.goto("/archive")
    officer.set_input_files("input[name=file]", str(scan))
    officer.fill("input[name=title]", "Giấy chứng nhận quyền sử dụng đất")
    started = time.monotonic()
    officer.click("button[data-action=archive-upload]")
    officer.wait_for_url(re.compile(r"/archive/\d+\?notice="))
    answered = time.monotonic() - started
    document_id = int(re.search(r"/archive/(\d+)", officer.url).group(1))
    reading = officer.locator("#archive-reading")
    assert reading.count() == 1 and "Đang nhận dạng chữ" in reading.inner_text()
    assert officer.locator("form.suggestion").count() == 0
    screenshot(officer, "archive-reading")

    # the page polls and reloads itself once the text is read: the parcel is suggested with its evidence
    suggestion = officer.locator(f'form.suggestion[data-record="{parcel.key}"]')
    suggestion.wait_for(timeout=READ_SECONDS * 1000)
    read_in = time.monotonic() - started
    assert answered < read_in / 2, f"the upload answered in {answered:.1f} s, the text came after {read_in:.1f} s"
    assert officer.locator("#archive-reading").count() == 0
    assert parcel.data["certificate_serial"] in suggestion.inner_text()  # the evidence names the serial
    screenshot(officer, "archive-suggested")
    suggestion.locator("button[data-action=confirm]").click()
    officer.wait_for_selector("li[data-link=confirmed]")
    assert f"land_parcel/{parcel.key}" in officer.locator("li[data-link=confirmed]").inner_text()

    officer.goto(f"/records/land_parcel/{parcel.key}?purpose=correct_finding")
    assert officer.locator(f'[data-document="{document_id}"][data-link="confirmed"]').count() == 1

    # found again by typing without tone marks, as an officer does
    query = f"giay chung nhan {fold(parcel.data['owner_name'])}"
    officer.goto("/archive")
    officer.fill("input[name=q]", query)
    officer.click("button[data-action=search]")
    officer.wait_for_selector("[data-total]")
    hit = officer.locator(f'li[data-document="{document_id}"]')
    # the snippet shows the text as read, with its tone marks (a long name may be cut by the snippet's end)
    assert hit.count() == 1 and parcel.data["owner_name"].split()[0] in hit.inner_text()
    assert "Người sử dụng đất" in hit.inner_text()
    screenshot(officer, "archive-found")

    # the inspector proves no stored file has changed
    inspector = sign_in_as("inspector")
    inspector.goto("/archive")
    inspector.click("a[data-action=checks]")
    inspector.click("button[data-action=verify]")
    inspector.wait_for_url(re.compile(r"notice=archive\.notice_verified$"))
    assert inspector.locator("[data-all-intact]").count() == 1
    assert inspector.locator("[data-outcome-count=altered], [data-outcome-count=missing]").count() == 0
    checked = inspector.locator(f'tr[data-outcome="ok"]:has(a[href="/archive/{document_id}"])')
    assert checked.count() == 2  # its original and its searchable PDF/A copy
    screenshot(inspector, "archive-checks")

    # and a changed byte would not go unseen: alter the original, check, put it back, check again
    store = world.store()
    original = vault_for(world.settings).path("originals", catalogue.document(store, document_id)["sha256"])
    store.engine.dispose()
    kept = original.read_bytes()
    try:
        original.write_bytes(kept[:-1] + bytes([kept[-1] ^ 1]))
        inspector.click("button[data-action=verify]")
        inspector.wait_for_url(re.compile(r"notice=archive\.notice_verified_problems$"))
        assert "bị thay đổi" in inspector.locator(f'[data-problem="{document_id}"]').inner_text()
        screenshot(inspector, "archive-checks-altered")
    finally:
        original.write_bytes(kept)
    inspector.click("button[data-action=verify]")
    inspector.wait_for_url(re.compile(r"notice=archive\.notice_verified$"))
    assert inspector.locator("[data-all-intact]").count() == 1
