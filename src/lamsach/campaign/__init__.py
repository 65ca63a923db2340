"""Campaigns: the file that declares one, its weekly snapshots, forecasts and lagging units."""

from lamsach.campaign.forecast import Forecast, forecast_at
from lamsach.campaign.model import CampaignProgress, CampaignSpec, UnitWeek
from lamsach.campaign.progress import campaign_progress, iso_week, weekly_snapshots
from lamsach.campaign.spec import load_campaign

__all__ = ["CampaignProgress", "CampaignSpec", "Forecast", "UnitWeek", "campaign_progress", "forecast_at",
           "iso_week", "load_campaign", "weekly_snapshots"]
