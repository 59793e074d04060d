"""Statistics over one metric's values: summary with Cpk, and least-squares regression."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Summary:
    """count, mean, std (sample), min, max; Cpk against LSL/USL (given, or mean ± 3σ)."""

    count: int
    mean: float | None
    std: float | None
    min: float | None
    max: float | None
    lsl: float | None
    usl: float | None
    cpk: float | None


def summarize(values: Sequence[float], *, lsl: float | None = None, usl: float | None = None) -> Summary:
    """Describe the values; Cpk is None when there is no spread or fewer than two values."""
    if not values:
        return Summary(0, None, None, None, None, lsl, usl, None)
    data = np.asarray(values, dtype=float)
    mean = float(data.mean())
    std = float(data.std(ddof=1)) if data.size > 1 else 0.0
    lo = lsl if lsl is not None else mean - 3 * std
    hi = usl if usl is not None else mean + 3 * std
    cpk = min(hi - mean, mean - lo) / (3 * std) if std > 0 else None
    return Summary(int(data.size), mean, std, float(data.min()), float(data.max()), lo, hi, cpk)


@dataclass(frozen=True, slots=True)
class LinearFit:
    """y = slope * x + intercept, with r² and the number of points."""

    count: int
    slope: float | None
    intercept: float | None
    r2: float | None


def linreg(x: Sequence[float], y: Sequence[float]) -> LinearFit:
    """Least-squares line through (x, y); None fields when x has no spread or fewer than two points."""
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} values and y {len(y)}")
    if len(x) < 2:
        return LinearFit(len(x), None, None, None)
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if float(xs.std()) == 0.0:
        return LinearFit(len(x), None, None, None)
    slope, intercept = np.polyfit(xs, ys, 1)
    residual = float(((ys - (slope * xs + intercept)) ** 2).sum())
    total = float(((ys - ys.mean()) ** 2).sum())
    r2 = 1.0 - residual / total if total > 0 else 1.0
    return LinearFit(len(x), float(slope), float(intercept), r2)
