"""Measure: scorecards per unit, dataset and criterion."""

from lamsach.measure.against_truth import TruthScore, score_against_truth
from lamsach.measure.scorecard import OVERALL, SCORECARD_COLUMNS, build_scorecard

__all__ = ["OVERALL", "SCORECARD_COLUMNS", "TruthScore", "build_scorecard", "score_against_truth"]
