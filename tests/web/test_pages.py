"""Every page renders for every role, from its typed page context."""

from __future__ import annotations

import re
from dataclasses import is_dataclass

import pytest

from lamsach.web.audit import AuditPage
from lamsach.web.dashboard import DashboardPage
from lamsach.web.records import PurposePage, RecordPage
from lamsach.web.review import QueuePage
from lamsach.web.upload import UploadPage

ROLES = ("admin", "officer", "inspector")


def _record_key(shared_app, world, unit):
    from lamsach.backends.store import finding_queries as q

    rows, _ = q.findings_page(shared_app.state.store, world.run_id, q.FindingFilter(unit=unit, dataset="land_parcel"))
    return rows[0]["record_key"]


@pytest.mark.parametrize("role", ROLES)
def test_pages_render_from_their_context(role, client_as, shared_app, built_world):
    client = client_as(role)
    key = _record_key(shared_app, built_world, built_world.unit)
    pages = {"/dashboard": DashboardPage, "/queue": QueuePage, "/upload": UploadPage,
             f"/records/land_parcel/{key}": PurposePage,
             f"/records/land_parcel/{key}?purpose=correct_finding": RecordPage}
    if role != "officer":
        pages["/audit"] = AuditPage
    for url, context in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.text[:500])
        page = response.context["page"]
        assert is_dataclass(page) and isinstance(page, context), url
        assert "<html" in response.text and 'id="errors"' in response.text


def test_dashboard_shows_every_unit_to_the_province_and_one_to_an_officer(client_as, built_world):
    admin = client_as("admin").get("/dashboard").context["page"]
    officer = client_as("officer").get("/dashboard").context["page"]
    assert len(admin.units) > 2 and built_world.unit in {u.unit for u in admin.units}
    assert [u.unit for u in officer.units] == [built_world.unit]
    assert admin.week.startswith("Tuần ") and admin.trend["weeks"] == [admin.week.split(" (")[0]]
    assert admin.trend["series"][-1]["name"] == "Toàn tỉnh" and len(admin.trend["series"]) <= 9
    assert [s["unit"] for s in officer.trend["series"]] == [built_world.unit]
    assert set(admin.criteria) >= {"correct", "complete", "clean", "live", "unified"}


def test_every_dashboard_figure_links_to_its_findings(client_as, built_world):
    html = client_as("admin").get("/dashboard").text
    unit = built_world.unit
    assert f'href="/queue?unit={unit}&status=open"' in html
    assert f'href="/queue?unit={unit}&criterion=correct&status=open"' in html
    assert 'href="/queue?criterion=unified&status=open"' in html


def test_queue_filters_narrow_the_findings(client_as, built_world):
    client = client_as("admin")
    everything = client.get("/queue?status=").context["page"]
    unit_only = client.get(f"/queue?unit={built_world.unit}&status=").context["page"]
    correct = client.get(f"/queue?unit={built_world.unit}&criterion=correct&status=").context["page"]
    assert everything.total > unit_only.total > correct.total > 0
    assert all(f.unit == built_world.unit and f.criterion == "correct" for f in correct.findings)


def test_queue_pages_through_findings(client_as):
    client = client_as("admin")
    first = client.get("/queue?status=").context["page"]
    assert first.pages > 1
    second = client.get(f"/queue?{first.query(page=2)}").context["page"]
    assert second.page == 2 and {f.id for f in first.findings}.isdisjoint({f.id for f in second.findings})


def test_htmx_filter_swaps_only_the_table(client_as, built_world):
    response = client_as("admin").get(f"/queue?unit={built_world.unit}", headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.template.name == "_queue_table.html"
    assert "<html" not in response.text and 'id="queue-table"' in response.text


def test_english_switch(client_as):
    client = client_as("admin")
    english = client.get("/dashboard?lang=en")
    assert "Cleaning progress by unit" in english.text and english.cookies.get("lang") == "en"
    assert "Cleaning progress by unit" in client.get("/dashboard").text
    assert "Tiến độ làm sạch theo đơn vị" in client.get("/dashboard?lang=vi").text


def test_static_files_are_served_locally(client_as):
    client = client_as("admin")
    for path in ("/static/vendor/echarts.min.js", "/static/vendor/htmx.min.js", "/static/app.js", "/static/app.css"):
        assert client.get(path).status_code == 200, path
    html = client.get("/dashboard").text
    assert "/static/vendor/echarts.min.js" in html and "cdn" not in html.lower()


def test_pages_name_static_files_by_content_so_browsers_keep_them(client_as):
    client = client_as("officer")
    html = client.get("/dashboard")
    assert html.headers["cache-control"] == "no-store"  # pages carry personal data: never cached
    urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', html.text)
    assert len(urls) == 4 and all("?v=" in u for u in urls)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200 and "immutable" in response.headers["cache-control"], url
    assert client.get("/static/app.css").headers["cache-control"] == "no-cache"  # unversioned: revalidate


def test_pages_travel_compressed(client_as):
    """Commune offices are often on slow links: the queue's HTML is sent gzip-compressed."""
    client = client_as("admin")
    response = client.get("/queue", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.headers.get("content-encoding") == "gzip"
    assert int(response.headers["content-length"]) * 4 < len(response.content)  # at least 4 times smaller
    assert "<table" in response.text


def test_datasets_are_named_in_the_officers_language(client_as):
    client = client_as("admin")
    html = client.get("/queue").text
    assert '<option value="land_parcel"' in html and ">Đất đai</option>" in html
    assert re.search(r'data-dataset="land_parcel">Đất đai ·', html)
    assert ">Land</option>" in client.get("/queue?lang=en").text
    client.get("/queue?lang=vi")


def test_dashboard_shows_the_shared_criterion_beside_the_five_at_zero_before_any_sync(client_as, built_world):
    response = client_as("admin").get("/dashboard")
    page = response.context["page"]
    assert page.criteria == ["correct", "complete", "clean", "live", "unified", "shared"]
    assert all(u.scores["shared"] == 0 for u in page.units) and page.province["shared"] == 0
    assert "Dùng chung" in response.text and 'href="/queue?criterion=shared&status=open"' in response.text


def test_the_trend_draws_the_best_and_the_worst_units_of_150():
    """With 150 units the chart keeps 4 best and 4 worst (the rest are in the table); with 8, all."""
    from types import SimpleNamespace

    from lamsach.report.weekly_chart import shown_units

    ranked = [SimpleNamespace(unit=f"{n:05d}") for n in range(150)]
    assert shown_units(ranked) == ["00000", "00001", "00002", "00003", "00146", "00147", "00148", "00149"]
    assert shown_units(ranked[:8]) == [r.unit for r in ranked[:8]]
