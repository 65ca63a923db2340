"""The page "12 CSDL trọng điểm": every signed-in user sees the province's twelve, with the figures
of the datasets the pass scored and the stages set by hand marked as such."""

from __future__ import annotations

import re

import pytest

from lamsach.web.key_databases import KeyDatabasesPage


@pytest.mark.parametrize("role", ["admin", "officer", "inspector"])
def test_every_role_sees_the_twelve_and_the_count(role, client_as):
    client = client_as(role)
    dashboard = client.get("/dashboard")
    assert 'href="/databases"' in dashboard.text and "12 CSDL trọng điểm" in dashboard.text  # in the menu
    response = client.get("/databases")
    assert response.status_code == 200
    page = response.context["page"]
    assert isinstance(page, KeyDatabasesPage) and page.total == 12 and len(page.databases) == 12
    assert f"{page.complete}/12 CSDL đã hoàn thành" in response.text
    assert re.findall(r'<tbody data-database="([a-z_]+)"', response.text)[:2] == ["land", "finance"]


def test_figures_come_from_the_pass_and_hand_set_stages_say_so(client_as, shared_app, built_world):
    response = client_as("admin").get("/databases")
    cards = {d.id: d for d in response.context["page"].databases}
    land = cards["land"]
    records = sum(r["records"] for r in shared_app.state.store.scorecard(built_world.run_id)
                  if r["dataset"] == "land_parcel" and r["criterion"] == "overall")
    assert land.records == records > 0 and land.stage_source == "data"
    assert 0 < land.scores["overall"] < 1 and land.datasets[0].label.startswith("Cơ sở dữ liệu đất đai")
    goods = cards["goods"]
    assert goods.stage_source == "hand" and goods.records == 0 and goods.datasets == []
    body = response.text.split('data-database="goods"')[1].split("</tbody>")[0]
    assert "(nhập tay)" in body and "chưa có tập dữ liệu" in body
    assert 'data-database="civil_status"' in response.text
    civil = response.text.split('data-database="civil_status"')[1].split("</tbody>")[0]
    assert 'href="/queue?dataset=birth&amp;status=open"' in civil or 'href="/queue?dataset=birth&status=open"' in civil


def test_the_page_speaks_english(client_as):
    response = client_as("inspector").get("/databases?lang=en")
    assert "The 12 key databases" in response.text and "Social security" in response.text
    assert re.search(r"\d+ of 12 databases complete", response.text)


def test_the_dashboard_groups_datasets_by_key_database(client_as, shared_app, built_world):
    page = client_as("admin").get("/dashboard").context["page"]
    groups = {g.id: g for g in page.databases}
    assert list(groups)[:2] == ["land", "education"] and list(groups)[-1] == "reference"
    assert [d.dataset for d in groups["social_security"].datasets] == ["social_protection", "social_insurance"]
    assert [d.dataset for d in groups["civil_status"].datasets] == ["birth", "death", "marriage"]
    land = sum(r["records"] for r in shared_app.state.store.scorecard(built_world.run_id)
               if r["dataset"] == "land_parcel" and r["criterion"] == "overall")
    assert groups["land"].records == land
    officer = client_as("officer").get("/dashboard")
    mine = {g.id: g for g in officer.context["page"].databases}
    assert 0 < mine["land"].records < land  # an officer's figures are the own unit's
    assert 'data-database="social_security"' in officer.text and "/databases" in officer.text
