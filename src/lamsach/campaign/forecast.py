"""The forecast of a unit's overall score at the deadline, from the trend of its recent weeks,
and the outlook it gives in words: on track, at risk, or will miss the deadline.

Method: a unit fixes each week a share of what is still wrong, so the remaining gap (1 − score)
is modelled as shrinking by a steady factor: ordinary least squares of log(gap) on the snapshot
date over the last `forecast_weeks` weeks, extended to the deadline. A straight line on the score
itself reached 100% from the second week for any unit that moved at all (a line climbs without
bound and was clamped); on the gap, a unit that halves its errors weekly approaches 100% while one
that fixes little stays near where it is, and a flat unit stays flat. With three weeks or more,
an 80% prediction interval comes from the residual standard error (in log space) and Student's t
with n − 2 degrees of freedom; with two weeks there is a trend but no measure of its noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

# Student's t, 0.90 quantile (two-sided 80% interval), by degrees of freedom; beyond 30, 1.282.
T_90 = {1: 3.078, 2: 1.886, 3: 1.638, 4: 1.533, 5: 1.476, 6: 1.440, 7: 1.415, 8: 1.397, 9: 1.383,
        10: 1.372, 12: 1.356, 15: 1.341, 20: 1.325, 30: 1.310}
# the smallest gap a trend extends to: the last errors of a unit are the slowest to clear, so a
# unit not yet at 100% is not forecast beyond 99.9%
GAP_FLOOR = 0.001
OUTLOOKS = ("on_track", "at_risk", "will_miss")


@dataclass(frozen=True)
class Forecast:
    value: float
    low: float | None
    high: float | None
    slope_per_week: float  # the score's mean change per week over the weeks used


def _t90(dof: int) -> float:
    eligible = [k for k in T_90 if k <= dof]
    return T_90[max(eligible)] if dof <= 30 else 1.282


def _score(log_gap: float) -> float:
    return 1.0 - max(GAP_FLOOR, min(1.0, math.exp(log_gap)))


def forecast_at(points: list[tuple[date, float]], deadline: date) -> Forecast | None:
    """Forecast from (snapshot date, overall score) points, oldest first; None with fewer than two."""
    if len(points) < 2:
        return None
    origin = points[0][0]
    xs = [(d - origin).days for d, _ in points]
    n = len(points)
    mean_x = sum(xs) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return None
    weekly = (points[-1][1] - points[0][1]) / ((xs[-1] - xs[0]) / 7)
    if points[-1][1] >= 1.0:  # nothing left to fix
        return Forecast(1.0, 1.0 if n >= 3 else None, 1.0 if n >= 3 else None, weekly)
    ys = [math.log(max(GAP_FLOOR, 1.0 - y)) for _, y in points]
    mean_y = sum(ys) / n
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    intercept = mean_y - slope * mean_x
    target_x = (deadline - origin).days
    fitted = intercept + slope * target_x
    low = high = None
    if n >= 3:
        residuals = [y - (intercept + slope * x) for x, y in zip(xs, ys, strict=True)]
        se = math.sqrt(sum(r * r for r in residuals) / (n - 2))
        spread = _t90(n - 2) * se * math.sqrt(1 + 1 / n + (target_x - mean_x) ** 2 / sxx)
        low, high = _score(fitted + spread), _score(fitted - spread)  # a larger gap is a lower score
    return Forecast(_score(fitted), low, high, weekly)


def outlook(forecast: Forecast | None, target: float | None, current: float | None = None) -> str | None:
    """"on_track", "at_risk" or "will_miss" against the target; None without a target or a score.

    On track: the forecast reaches the target and so does the low end of its interval (or the
    unit is there already). At risk: the forecast or the interval's high end reaches it, not both
    ends. Will miss: not even the high end does (with two weeks, the forecast itself does not).
    """
    if target is None:
        return None
    if forecast is None:
        if current is None:
            return None
        return "on_track" if current >= target else "at_risk"
    if forecast.value >= target:
        return "on_track" if forecast.low is None or forecast.low >= target else "at_risk"
    if forecast.high is not None and forecast.high >= target:
        return "at_risk"
    return "will_miss"
