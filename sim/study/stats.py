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
    """A mean with its confidence interval over ``n`` finite observations of ``of`` given: a figure undefined
    in a replication (a rate over no deals, NaN) is left out, and ``n`` of ``of`` says how many remain."""

    n: int
    mean: float
    low: float
    high: float
    of: int = 0
    """How many observations were given, defined or not (0: not known)."""

    @property
    def complete(self) -> bool:
        """Every observation given was defined (or the count is not known)."""
        return self.n >= self.of


Bounds = tuple[float, float]
"""The range a mean can take: an interval is clipped to it (a share's interval stays inside [0, 1])."""


def clip(value: float, limits: Bounds | None) -> float:
    """``value`` inside ``limits`` (NaN stays NaN)."""
    if limits is None or value != value:
        return value
    return min(max(value, limits[0]), limits[1])


def difference_bounds(limits: Bounds | None) -> Bounds | None:
    """The range of a difference of two means in ``limits``: [low - high, high - low]."""
    return None if limits is None else (limits[0] - limits[1], limits[1] - limits[0])


def mean_interval(
    values: Sequence[float], confidence: float = 0.95, limits: Bounds | None = None
) -> Interval:
    """Mean and t-interval of the finite values (NaN bounds with fewer than two), clipped to ``limits``.

    A t-interval of a share near 0 or 1 reaches past the bound; the part outside is impossible, so it is cut
    (the interval's coverage can only rise).
    """
    given = list(values)
    x = np.asarray([v for v in given if v is not None and math.isfinite(v)], dtype=float)
    n, of = int(x.size), len(given)
    if n == 0:
        return Interval(0, math.nan, math.nan, math.nan, of)
    mean = float(x.mean())
    if n < 2:
        return Interval(n, mean, math.nan, math.nan, of)
    from scipy import stats as sps  # imported here: scipy costs half a second of CLI start-up

    sem = float(x.std(ddof=1)) / math.sqrt(n)
    half = float(sps.t.ppf(0.5 + confidence / 2, n - 1)) * sem
    return Interval(n, mean, clip(mean - half, limits), clip(mean + half, limits), of)


def paired_difference(
    treatment: Sequence[float],
    control: Sequence[float],
    confidence: float = 0.95,
    limits: Bounds | None = None,
) -> Interval:
    """Interval of the mean of ``treatment[i] - control[i]`` over pairs where both are finite (``n`` of ``of``
    pairs); with the ``limits`` of the figure itself, the interval stays inside the range a difference can
    take."""
    diffs = [
        t - c if t is not None and c is not None and math.isfinite(t) and math.isfinite(c) else math.nan
        for t, c in zip(treatment, control, strict=True)
    ]
    return mean_interval(diffs, confidence, difference_bounds(limits))
