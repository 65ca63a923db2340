"""The forecast method, the campaign file's checks and the unit hierarchy."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lamsach.campaign import forecast_at, load_campaign
from lamsach.campaign.units import unit_catalogue
from lamsach.domain import LamsachError

MONDAY = date(2026, 10, 5)


def weekly(scores):
    return [(MONDAY + timedelta(weeks=i), s) for i, s in enumerate(scores)]


def test_a_straight_trend_is_extended_to_the_deadline():
    result = forecast_at(weekly([0.60, 0.65, 0.70, 0.75]), MONDAY + timedelta(weeks=6))
    assert result.value == pytest.approx(0.90)
    assert result.slope_per_week == pytest.approx(0.05)
    assert result.low == pytest.approx(0.90) and result.high == pytest.approx(0.90)  # no noise, no spread


def test_noise_widens_the_interval_and_the_value_is_clamped():
    noisy = forecast_at(weekly([0.60, 0.70, 0.66, 0.80]), MONDAY + timedelta(weeks=8))
    assert noisy.low < noisy.value < noisy.high or noisy.value == 1.0
    assert 0.0 <= noisy.low <= noisy.high <= 1.0
    assert forecast_at(weekly([0.9, 0.99]), MONDAY + timedelta(weeks=20)).value == 1.0


def test_too_few_weeks_give_no_forecast_and_two_give_no_interval():
    assert forecast_at(weekly([0.5]), MONDAY + timedelta(weeks=3)) is None
    two = forecast_at(weekly([0.5, 0.6]), MONDAY + timedelta(weeks=3))
    assert two.value == pytest.approx(0.8) and two.low is None


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


def test_units_of_a_province_are_its_communes_and_departments():
    units = unit_catalogue("38")
    assert units["38"].kind == "province"
    communes = [u for u in units.values() if u.kind == "commune"]
    assert len(communes) == 166 and all(u.parent == "38" for u in communes)
    assert units["16012"].name == "Xã Hậu Lộc"
    assert units["STP"].kind == "department" and units["STP"].name == "Sở Tư pháp"
