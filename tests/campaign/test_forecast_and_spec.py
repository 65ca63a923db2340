"""The forecast method, the campaign file's checks and the unit hierarchy."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lamsach.campaign import forecast_at, load_campaign
from lamsach.campaign.forecast import outlook
from lamsach.campaign.units import unit_catalogue
from lamsach.domain import LamsachError

MONDAY = date(2026, 10, 5)


def weekly(scores):
    return [(MONDAY + timedelta(weeks=i), s) for i, s in enumerate(scores)]


def test_a_unit_halving_its_errors_weekly_is_forecast_on_that_trend():
    result = forecast_at(weekly([0.60, 0.80, 0.90, 0.95]), MONDAY + timedelta(weeks=6))
    assert result.value == pytest.approx(1 - 0.4 / 64)  # the gap halves three more weeks
    assert result.slope_per_week == pytest.approx(0.35 / 3)
    assert result.low == pytest.approx(result.value) and result.high == pytest.approx(result.value)  # no noise
    assert outlook(result, 0.95) == "on_track"


def test_each_unit_keeps_its_own_trend_and_never_reaches_100_percent_by_extrapolation():
    """The straight line on the score gave 100.0% (100.0%–100.0%) to every unit that moved at all."""
    deadline = MONDAY + timedelta(weeks=12)
    slow = forecast_at(weekly([0.60, 0.61]), deadline)
    fast = forecast_at(weekly([0.60, 0.80]), deadline)
    assert 0.6 < slow.value < 0.8 < fast.value < 1.0
    assert outlook(slow, 0.95) == "will_miss" and outlook(fast, 0.95) == "on_track"
    flat = forecast_at(weekly([0.55, 0.55, 0.55]), deadline)
    assert flat.value == pytest.approx(0.55) and flat.high == pytest.approx(0.55)
    assert outlook(flat, 0.95) == "will_miss"
    assert forecast_at(weekly([0.9, 1.0]), deadline).value == 1.0


def test_noise_widens_the_interval_and_an_uncertain_unit_is_at_risk():
    noisy = forecast_at(weekly([0.60, 0.75, 0.66, 0.80]), MONDAY + timedelta(weeks=8))
    assert 0.0 <= noisy.low < noisy.value < noisy.high <= 1.0
    target = (noisy.value + noisy.low) / 2
    assert outlook(noisy, target) == "at_risk"
    assert outlook(noisy, noisy.high + 0.001) == "will_miss"
    assert outlook(None, 0.9, current=0.95) == "on_track" and outlook(None, None, 0.5) is None


def test_too_few_weeks_give_no_forecast_and_two_give_no_interval():
    assert forecast_at(weekly([0.5]), MONDAY + timedelta(weeks=3)) is None
    two = forecast_at(weekly([0.5, 0.75]), MONDAY + timedelta(weeks=3))
    assert two.value == pytest.approx(1 - 0.25 / 4) and two.low is None


def test_campaign_file_problems_are_reported_together(tmp_path):
    (tmp_path / "a.csv").write_text("x\n", encoding="utf-8")
    path = tmp_path / "campaign.yaml"
    path.write_text('name: Thử\nprovince: "38"\nstart: "2026-12-01"\ndeadline: "2026-11-01"\n'
                    "targets: {overall: 1.5, dung: 0.9}\nsources:\n  - {path: a.csv, dataset: population}\n",
                    encoding="utf-8")
    with pytest.raises(ExceptionGroup) as caught:
        load_campaign(path)
    messages = " ".join(e.message("en") for e in caught.value.exceptions if isinstance(e, LamsachError))
    assert "deadline" in messages and "overall" in messages and "dung" in messages
    vietnamese = " ".join(e.message("vi") for e in caught.value.exceptions if isinstance(e, LamsachError))
    assert "hạn hoàn thành" in vietnamese and "must" not in vietnamese and "not a criterion" not in vietnamese


def test_every_misspelt_key_is_an_error_with_its_line_and_the_nearest_key(tmp_path):
    (tmp_path / "a.csv").write_text("x\n", encoding="utf-8")
    path = tmp_path / "campaign.yaml"
    path.write_text('name: Thử\nprovince: "38"\nstart: "2026-10-01"\ndealine: "2026-12-31"\n'
                    "lagging: {no_submision_days: 10}\nreport:\n  issuing_bdy: UBND\n"
                    "sources:\n  - {path: a.csv, dataset: population}\n", encoding="utf-8")
    with pytest.raises(ExceptionGroup) as caught:
        load_campaign(path)
    found = {e.params["key"]: e for e in caught.value.exceptions
             if isinstance(e, LamsachError) and e.code.value == "MANIFEST_KEY_UNKNOWN"}
    assert set(found) == {"dealine", "lagging.no_submision_days", "report.issuing_bdy"}
    assert found["dealine"].location.row == 4 and "“deadline”" in found["dealine"].message("vi")
    assert found["lagging.no_submision_days"].params["nearest"] == "no_submission_days"
    assert (found["report.issuing_bdy"].location.row, found["report.issuing_bdy"].params["nearest"]) == (7, "issuing_body")


def test_units_of_a_province_are_its_communes_and_departments():
    units = unit_catalogue("38")
    assert units["38"].kind == "province"
    communes = [u for u in units.values() if u.kind == "commune"]
    assert len(communes) == 166 and all(u.parent == "38" for u in communes)
    assert units["16012"].name == "Xã Hậu Lộc"
    assert units["STP"].kind == "department" and units["STP"].name == "Sở Tư pháp"
