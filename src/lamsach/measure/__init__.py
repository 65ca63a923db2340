"""Measure: scorecards per unit, dataset and criterion."""

from lamsach.measure.scorecard import SCORECARD_COLUMNS, build_scorecard

__all__ = ["SCORECARD_COLUMNS", "build_scorecard"]
