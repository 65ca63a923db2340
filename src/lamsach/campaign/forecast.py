"""The forecast of a unit's overall score at the deadline, from the trend of its recent weeks.

Method: ordinary least squares of the weekly overall score on the snapshot date, over the last
`forecast_weeks` weeks, extended to the deadline and clamped to [0, 1]. With three weeks or more,
an 80% prediction interval comes from the residual standard error and Student's t with n − 2
degrees of freedom; with two weeks there is a trend but no measure of its noise, so no interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

# Student's t, 0.90 quantile (two-sided 80% interval), by degrees of freedom; beyond 30, 1.282.
T_90 = {1: 3.078, 2: 1.886, 3: 1.638, 4: 1.533, 5: 1.476, 6: 1.440, 7: 1.415, 8: 1.397, 9: 1.383,
        10: 1.372, 12: 1.356, 15: 1.341, 20: 1.325, 30: 1.310}


@dataclass(frozen=True)
class Forecast:
    value: float
    low: float | None
    high: float | None
    slope_per_week: float


def _t90(dof: int) -> float:
    eligible = [k for k in T_90 if k <= dof]
    return T_90[max(eligible)] if dof <= 30 else 1.282


def forecast_at(points: list[tuple[date, float]], deadline: date) -> Forecast | None:
    """Forecast from (snapshot date, overall score) points, oldest first; None with fewer than two."""
    if len(points) < 2:
        return None
    origin = points[0][0]
    xs = [(d - origin).days for d, _ in points]
    ys = [y for _, y in points]
    n = len(points)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    intercept = mean_y - slope * mean_x
    target_x = (deadline - origin).days
    value = intercept + slope * target_x
    low = high = None
    if n >= 3:
        residuals = [y - (intercept + slope * x) for x, y in zip(xs, ys, strict=True)]
        se = math.sqrt(sum(r * r for r in residuals) / (n - 2))
        spread = _t90(n - 2) * se * math.sqrt(1 + 1 / n + (target_x - mean_x) ** 2 / sxx)
        low, high = _clamp(value - spread), _clamp(value + spread)
    return Forecast(_clamp(value), low, high, slope * 7)


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))
