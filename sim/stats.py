"""Statistics over replications: means with t-based confidence intervals, and paired differences.

Strategies compared on the same seeds see the same market (common random numbers), so the difference
between two strategies is estimated replication by replication (a paired comparison), which removes the
market's own variation from the interval.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Interval:
    """A mean with its confidence interval over ``n`` finite observations."""

    n: int
    mean: float
    low: float
    high: float


def mean_interval(values: Sequence[float], confidence: float = 0.95) -> Interval:
    """Mean and t-interval of the finite values (NaN bounds with fewer than two)."""
    x = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    n = int(x.size)
    if n == 0:
        return Interval(0, math.nan, math.nan, math.nan)
    mean = float(x.mean())
    if n < 2:
        return Interval(n, mean, math.nan, math.nan)
    from scipy import stats as sps  # imported here: scipy costs half a second of CLI start-up

    sem = float(x.std(ddof=1)) / math.sqrt(n)
    half = float(sps.t.ppf(0.5 + confidence / 2, n - 1)) * sem
    return Interval(n, mean, mean - half, mean + half)


def paired_difference(
    treatment: Sequence[float], control: Sequence[float], confidence: float = 0.95
) -> Interval:
    """Interval of the mean of ``treatment[i] - control[i]`` over pairs where both are finite."""
    diffs = [
        t - c
        for t, c in zip(treatment, control, strict=True)
        if t is not None and c is not None and math.isfinite(t) and math.isfinite(c)
    ]
    return mean_interval(diffs, confidence)
