"""In Chromium: each role signs in and sees (and may do) only what it should, direct URLs
included; an officer uploads a file, fixes a finding in the queue, sees the unit's score move on
the dashboard, and undoes the fix. Screenshots of the main pages go to `screenshots/`."""

from __future__ import annotations

import re
import time
from collections import Counter

from browser_fixtures import screenshot
from openpyxl import load_workbook

REGISTER_RULES = ("name_differs_from_register", "sex_differs_from_register", "birth_year_differs_from_register")
FULL_ID = re.compile(r"(?<![\d*])\d{12}(?![\d*])")


def _score(page, unit: str) -> float:
    page.goto("/dashboard")
    return float(page.get_attribute(f'tr[data-unit="{unit}"] td.score', "data-score"))


def _wait_for_score_change(page, unit: str, before: float, timeout_s: float = 180) -> float:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        now = _score(page, unit)
        if now != before:
            return now
        page.wait_for_timeout(100)
        time.sleep(1)
    raise AssertionError(f"the score of {unit} stayed {before}")


def test_each_role_sees_what_it_may(served, sign_in_as):
    _, _, world = served
    admin = sign_in_as("admin")
    admin.wait_for_selector("#trend-chart[data-ready=true] svg")
    assert admin.locator("nav a[href='/audit']").count() == 1
    assert admin.locator("table.units tbody tr").count() > 2
    screenshot(admin, "dashboard-admin")
    admin.goto("/audit")
    screenshot(admin, "audit-admin")

    officer = sign_in_as("officer")
    assert officer.locator("nav a[href='/audit']").count() == 0
    assert officer.locator("table.units tbody tr").count() == 1
    for url in ("/audit", f"/queue?unit={world.other_unit}", f"/workbook/{world.other_unit}"):
        response = officer.goto(url)
        assert response.status == 403, url
        assert officer.locator(".error-box[data-code^='FORBIDDEN']").count() == 1
    screenshot(officer, "forbidden-officer")

    inspector = sign_in_as("inspector")
    inspector.goto(f"/queue?unit={world.unit}&status=")
    assert inspector.locator("button[data-action=accept]").count() == 0
    assert not FULL_ID.search(inspector.content())
    screenshot(inspector, "queue-inspector")
    assert inspector.goto("/audit").status == 200
    assert inspector.goto("/changes").status == 200
    assert inspector.locator("table.changes tbody tr").count() > 0 and not FULL_ID.search(inspector.content())
    screenshot(inspector, "changes-inspector")


def test_officer_uploads_a_file(served, sign_in_as, tmp_path):
    _, _, world = served
    book = load_workbook(world.campaign_file.parent / "land" / f"{world.unit}.xlsx")
    sheet = book.active
    last = [c.value for c in sheet[sheet.max_row]]
    sheet.append([len(last) + 1, None, *last[2:]])
    path = tmp_path / "thua-dat.xlsx"
    book.save(path)
    page = sign_in_as("officer")
    page.goto("/upload")
    screenshot(page, "upload-officer")
    page.select_option("select[name=dataset]", "land_parcel")
    page.set_input_files("form.upload-form input[name=file] >> nth=0", str(path))
    page.click("button[data-action=upload]")
    page.wait_for_url("**/jobs/*")
    page.wait_for_selector("section.result", timeout=180_000)
    assert page.locator("ul.rejections li[data-code=INGEST_ROW_KEY_MISSING]").count() == 1
    assert page.locator("table.found tbody tr").count() > 0
    screenshot(page, "upload-result")


def _wait_for_jobs(app, world) -> None:
    for queued in app.state.jobs.recent(world.campaign):
        job = app.state.jobs.wait(queued.id)
        assert job.state == "done", (job.kind, job.problems, job.reference)


def _lone_suggestion(app, world) -> dict:
    run = app.state.store.latest_run(world.campaign)
    findings = [f for f in app.state.store.unit_findings(run["id"], world.unit) if f["criterion"] != "shared"]
    per_record = Counter((f["dataset"], f["record_key"]) for f in findings)
    return next(f for f in findings if f["suggested_value"] is not None and f["dataset"] == "land_parcel"
                and f["rule"] in REGISTER_RULES and per_record[(f["dataset"], f["record_key"])] == 1)


def test_fix_in_queue_moves_the_score_and_undo_moves_it_back(served, sign_in_as):
    _, app, world = served
    page = sign_in_as("officer")
    _wait_for_jobs(app, world)
    before = _score(page, world.unit)
    finding = _lone_suggestion(app, world)
    page.goto(f"/queue?unit={world.unit}&rule={finding['rule']}")
    screenshot(page, "queue-officer")
    row = page.locator(f"#finding-{finding['id']}")
    row.locator("button[data-action=accept]").click()
    page.wait_for_selector(f"#finding-{finding['id']} .badge[data-action=edited]")
    _wait_for_jobs(app, world)
    after = _wait_for_score_change(page, world.unit, before)
    assert after > before
    screenshot(page, "dashboard-after-fix")

    page.goto(f"/records/land_parcel/{finding['record_key']}")
    page.select_option("select[name=purpose]", "correct_finding")
    page.click("form.purpose button[type=submit]")
    change = page.locator(f"tr[data-field='{finding['field']}'] li[data-source=person]")
    assert change.count() == 1
    screenshot(page, "record-officer")
    change.locator("summary").click()
    change.locator("input[name=reason]").fill("nhầm, trả lại giá trị cũ")
    change.locator("button[data-action=undo]").click()
    page.wait_for_selector(".notice")
    assert page.locator(f"tr[data-field='{finding['field']}'] li[data-source=undo]").count() == 1
    _wait_for_jobs(app, world)
    assert _wait_for_score_change(page, world.unit, after) == before


def test_sign_in_page_and_english(browser, served):
    base, _, _ = served
    context = browser.new_context(base_url=base, viewport={"width": 1000, "height": 700})
    page = context.new_page()
    page.goto("/dashboard")
    assert "/login" in page.url
    screenshot(page, "login")
    page.goto("/login?lang=en")
    assert page.locator("h1").inner_text() == "Sign in"
    context.close()


def test_lock_out_in_the_browser(browser, served):
    base, _, _ = served
    context = browser.new_context(base_url=base)
    page = context.new_page()
    for _ in range(5):
        page.goto("/login")
        page.fill("input[name=username]", "other_officer")
        page.fill("input[name=password]", "wrong password")
        page.click("button[type=submit]")
    assert page.locator(".error-box[data-code=locked]").count() == 1
    context.close()




def test_pages_fit_a_phone(served, sign_in_as):
    """Commune officers often have only a phone: no page is wider than its screen (a wide table
    scrolls inside itself)."""
    phone = sign_in_as("officer", width=390, height=844)
    for url in ("/dashboard", "/queue", "/upload", "/links", "/changes"):
        phone.goto(url)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390, url
    phone.goto("/queue")
    screenshot(phone, "queue-phone")
    href = phone.locator("table.findings tbody tr a").first.get_attribute("href")
    phone.goto(f"{href}?purpose=correct_finding")
    assert phone.locator("table.record").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390, href
