"""An officer's week in Chromium, end to end: send the unit's file, accept the suggestions of
one filtered record (and only those), merge a duplicate into the record kept, and return the
correction workbook while another unit's pass runs — it is applied, not refused."""

from __future__ import annotations

import io

from browser_fixtures import screenshot
from openpyxl import load_workbook

from officer_fixtures import edit_workbook, locate


def _wait_for_jobs(app, world) -> None:
    for queued in app.state.jobs.recent(world.campaign, limit=50):
        job = app.state.jobs.wait(queued.id)
        assert job.state == "done", (job.kind, job.problems, job.reference)


def _land_file_with_new_parcel(world, path) -> None:
    book = load_workbook(world.campaign_file.parent / "land" / f"{world.unit}.xlsx")
    sheet = book.active
    last = [c.value for c in sheet[sheet.max_row]]
    sheet.append([len(last), "TD77777777", *last[2:]])
    book.save(path)


def test_an_officers_week(served, sign_in_as, browser, tmp_path):
    base, app, world = served
    store = app.state.store
    page = sign_in_as("officer")

    # Monday: the unit's file goes in; it is checked on arrival, then passed in the background
    _land_file_with_new_parcel(world, tmp_path / "thua-dat.xlsx")
    page.goto("/upload")
    page.select_option("select[name=dataset]", "land_parcel")
    page.set_input_files("form.upload-form input[name=file] >> nth=0", str(tmp_path / "thua-dat.xlsx"))
    page.click("button[data-action=upload]")
    page.wait_for_url("**/jobs/*")
    page.wait_for_selector("section.result", timeout=300_000)
    _wait_for_jobs(app, world)
    assert store.record(world.campaign, "land_parcel", "TD77777777") is not None

    # Tuesday: accept the suggestions of one record, filtered; no other record changes
    run = store.latest_run(world.campaign)
    findings = [f for f in store.unit_findings(run["id"], world.unit)
                if f["status"] == "open" and f["suggested_value"] and f["field"] != "*"
                and not f["rule"].startswith("duplicate")]
    target = findings[0]
    page.goto(f"/queue?unit={world.unit}&rule={target['rule']}&record_key={target['record_key']}")
    page.click("a[data-action=accept-rule]")
    page.wait_for_url("**/queue/accept-all*")
    assert page.locator("table.bulk-changes tbody tr").count() >= 1
    assert {r.get_attribute("data-record") for r in page.locator("table.bulk-changes tbody tr").all()} == \
        {target["record_key"]}
    assert page.locator("p.notice[data-records='1']").count() == 1
    screenshot(page, "accept-all-preview")
    before = len(store.history(world.campaign, source="person"))
    page.click("button[data-action=accept-rule-confirm]")
    page.wait_for_url("**/queue?*notice=queue.notice_bulk*")
    changed = store.history(world.campaign, source="person")[before:]
    assert changed and {c.record_key for c in changed} == {target["record_key"]}
    _wait_for_jobs(app, world)

    # Wednesday: a duplicate merged into the record kept, from the queue
    run = store.latest_run(world.campaign)
    duplicate = next(f for f in store.unit_findings(run["id"], world.unit) if f["rule"] == "duplicate_record"
                     and f["status"] == "open" and f["suggested_value"] not in (None, f["record_key"]))
    page.goto(f"/queue?unit={world.unit}&rule=duplicate_record&record_key={duplicate['record_key']}")
    page.click(f"#finding-{duplicate['id']} a[data-action=decide-record]")
    page.wait_for_selector("form[action$='/merge']")
    assert page.input_value("form[action$='/merge'] input[name=into]") == duplicate["suggested_value"]
    page.fill("form[action$='/merge'] input[name=reason]", "cùng một thửa, nhập hai lần")
    page.click("button[data-action=merge]")
    page.wait_for_selector("p.notice[data-state=merged]")
    screenshot(page, "record-merged")
    assert store.record(world.campaign, duplicate["dataset"], duplicate["record_key"]).data["_state"] == \
        f"merged:{duplicate['suggested_value']}"
    _wait_for_jobs(app, world)

    # Thursday: the correction workbook goes out …
    page.goto("/upload")
    with page.expect_download() as download:
        page.click(f"a[href='/workbook/{world.unit}']")
    exported = tmp_path / "sua-loi.xlsx"
    download.value.save_as(exported)
    sheet = load_workbook(exported)["land_parcel"]
    key = sheet["A2"].value
    edit_workbook(exported, tmp_path / "da-sua.xlsx", {("land_parcel", key, "map_sheet"): "99"})
    assert locate(sheet, "land_parcel", key, "map_sheet")

    # … while the province sends another unit's file, whose pass starts …
    admin = sign_in_as("admin")
    other = load_workbook(world.campaign_file.parent / "land" / f"{world.other_unit}.xlsx")
    buffer = io.BytesIO()
    other.save(buffer)
    (tmp_path / "don-vi-khac.xlsx").write_bytes(buffer.getvalue())
    admin.goto("/upload")
    admin.select_option("form.upload-form select[name=unit] >> nth=0", world.other_unit)
    admin.select_option("select[name=dataset]", "land_parcel")
    admin.set_input_files("form.upload-form input[name=file] >> nth=0", str(tmp_path / "don-vi-khac.xlsx"))
    admin.click("button[data-action=upload]")
    admin.wait_for_url("**/jobs/*")

    # … and the officer's returned workbook is applied, not refused for the newer pass
    page.goto("/upload")
    page.set_input_files("form.upload-form input[name=file] >> nth=1", str(tmp_path / "da-sua.xlsx"))
    page.click("button[data-action=upload-workbook]")
    page.wait_for_url("**/jobs/*")
    assert page.locator(".error-box").count() == 0
    _wait_for_jobs(app, world)
    assert store.record(world.campaign, "land_parcel", key).data["map_sheet"] == "99"
    assert any(c.source == "unit workbook" and c.record_key == key for c in store.history(world.campaign))
    # the job page reloads itself when its pass ends (HX-Refresh): a reload of our own raced it
    page.wait_for_selector("section.result", timeout=60_000)
    screenshot(page, "workbook-returned")


def test_on_a_phone_the_queue_actions_and_the_record_history_are_on_screen(served, sign_in_as):
    """At 390 px the queue's buttons and a record's history and undo are within the screen, not
    past a sideways scroll."""
    _, app, world = served
    phone = sign_in_as("officer", width=390, height=844)
    phone.goto(f"/queue?unit={world.unit}&status=open")
    action = phone.locator("td.actions button, td.actions a, td.actions summary").first
    box = action.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    run = app.state.store.latest_run(world.campaign)
    fixed = app.state.store.unit_findings(run["id"], world.unit, status="fixed")[0]
    phone.goto(f"/records/{fixed['dataset']}/{fixed['record_key']}?purpose=correct_finding")
    item = phone.locator("ol.history li").first
    box = item.bounding_box()
    assert box and box["x"] + box["width"] <= 390, box
    undo = item.locator("summary")
    if undo.count():
        box = undo.first.bounding_box()
        assert box and box["x"] + box["width"] <= 390, box
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
