"""A pass dated before its files' own date says so on its job page, as the command line does:
an officer must not read "no date in the future" as a check that was made and passed."""

from __future__ import annotations

from datetime import timedelta

import yaml
from fastapi.testclient import TestClient
from web_fixtures import sign_in

from lamsach.domain.clock import today_vn
from lamsach.web.campaigns import campaign_spec


def _recheck_with_files_dated(app, world, files_day, tmp_path):
    """Run the web's pass (dated today) with the campaign file's own files dated `files_day`."""
    document = yaml.safe_load(world.campaign_file.read_text(encoding="utf-8"))
    document["reference_date"] = files_day.isoformat()
    dated = world.campaign_file.parent / f"campaign-{tmp_path.name}.yaml"  # beside its files
    dated.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    try:
        app.state.store.save_campaign(world.campaign, str(dated), dated.read_text(encoding="utf-8"))
        spec = campaign_spec(app.state.store, world.campaign, app.state.config.work_dir)
        job = app.state.jobs.submit("recheck", spec, "officer", world.unit)
        done = app.state.jobs.wait(job.id, timeout=300)
    finally:
        dated.unlink()
    assert done.state == "done", (done.problems, done.reference)
    with TestClient(app) as client:
        sign_in(client, "officer")
        page = client.get(f"/jobs/{done.id}")
    assert page.status_code == 200
    return page


def test_a_pass_dated_before_its_files_says_so_on_the_job_page(app, world, tmp_path):
    later = today_vn() + timedelta(days=40)  # the files were drawn up 40 days from now
    page = _recheck_with_files_dated(app, world, later, tmp_path)
    assert page.context["page"].dated_before_files == (today_vn().isoformat(), later.isoformat())
    notice = f"Bản chốt ngày {today_vn():%d/%m/%Y} sớm hơn ngày của các tệp ({later:%d/%m/%Y})"
    assert notice in page.text and 'class="notice dated-snapshot"' in page.text


def test_a_pass_dated_after_its_files_has_no_such_notice(app, world, tmp_path):
    page = _recheck_with_files_dated(app, world, today_vn() - timedelta(days=1), tmp_path)
    assert page.context["page"].dated_before_files is None and "dated-snapshot" not in page.text
