"""The calendar leaders count in: the warm-up, then quota years (Y1, Y2, ...) of four quarters (Y1 Q1, ...).

A run's own day count is not how a sales leader reads results: bookings are judged per quarter and per quota
year, and the first ``quota_start_day`` days are a warm-up that fills the pipeline and counts for nobody
(``docs/model.md`` section 12). This module lays that calendar over a run, from the log alone:

- the first quota year starts at the first ``QuotaYearStarted`` (the model logs it at ``quota_start_day``);
- a month is the review period, the gap between a ``ForecastCommitted`` and the end of the period it
  commits (``day - t``); a quarter is three, a quota year twelve (as in ``sim.model.quota``);
- the last period is cut at the horizon (``RunEnded``) and marked incomplete.

A log that holds none of these (a run shorter than the warm-up) is all warm-up. Either figure can be given
explicitly for a log written without them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

from sim.metrics.log import Log, horizon, lazy

MONTH_DAYS = 30.4
"""A month in simulated days (365 / 12, rounded): the default review period and the bookings curve's period."""
REVIEWS_PER_YEAR = 12
"""Monthly reviews in a quota year (as ``sim.model.quota``, which metrics may not import)."""
REVIEWS_PER_QUARTER = 3
WARM_UP = "warm-up"
"""The label of the days before the first quota year."""

_EPS = 1e-6
"""Tolerance on day comparisons: logged days are rounded to 6 decimals."""


@dataclass(frozen=True, slots=True)
class QuotaClock:
    """Where the quota clock of a run starts, how long its month is, and where the run ends (all in days)."""

    start: float
    month: float
    horizon: float

    def month_start(self, index: int) -> float:
        """Start of quota month ``index`` (0 = Y1 M1), computed as the model computes its review days."""
        return self.start + index * self.month


def quota_clock(
    events: Log, quota_start_day: float | None = None, review_period_days: float | None = None
) -> QuotaClock:
    """The run's quota clock, read from the log unless given (see the module docstring for how)."""
    lf = lazy(events)
    end = horizon(events)
    month = review_period_days
    if month is None:
        commits = lf.filter(pl.col("kind") == "ForecastCommitted").select("t", "day").head(1).collect()
        month = round(commits["day"][0] - commits["t"][0], 6) if commits.height else MONTH_DAYS
    start = quota_start_day
    if start is None:
        started = lf.filter(pl.col("kind") == "QuotaYearStarted").select(pl.col("t").min()).collect().item()
        if started is None:
            # No seated rep at the start of the quota clock: the first forecast comes one month after it.
            first = (
                lf.filter(pl.col("kind") == "ForecastCommitted").select(pl.col("t").min()).collect().item()
            )
            started = end if first is None else first - month
        start = float(started)
    return QuotaClock(float(start), float(month), end)


def quota_calendar(
    events: Log,
    per: str = "quarter",
    quota_start_day: float | None = None,
    review_period_days: float | None = None,
) -> pl.DataFrame:
    """The run's periods in order: the warm-up (if any), then every ``per`` (``"quarter"``, ``"year"`` or
    ``"month"``) of the quota clock that starts before the horizon.

    Columns: ``label`` (``warm-up``, ``Y1``, ``Y1 Q1`` or ``Y1 M1``), ``year`` (0 for the warm-up), ``number``
    (the quarter or month within the year; 0 for the warm-up and for years), ``start_day``, ``end_day`` (cut
    at the horizon), ``days`` (covered), ``full_days`` (the period's nominal length) and ``complete`` (the run
    covers the whole period; the last one is usually cut short).
    """
    months = {"month": 1, "quarter": REVIEWS_PER_QUARTER, "year": REVIEWS_PER_YEAR}
    if per not in months:
        raise ValueError(f"per must be one of {', '.join(months)}, not {per!r}")
    step = months[per]
    clock = quota_clock(events, quota_start_day, review_period_days)
    rows: list[dict[str, object]] = []
    if clock.start > 0:
        cut = min(clock.start, clock.horizon)
        rows.append(_row(WARM_UP, 0, 0, 0.0, clock.start, cut))
    if clock.start < clock.horizon:
        count = math.ceil((clock.horizon - clock.start) / (clock.month * step) - _EPS)
        for i in range(count):
            first = i * step
            start, end = clock.month_start(first), clock.month_start(first + step)
            year, within = divmod(first, REVIEWS_PER_YEAR)
            number = 0 if per == "year" else within // step + 1
            suffix = {"year": "", "quarter": f" Q{number}", "month": f" M{number}"}[per]
            rows.append(_row(f"Y{year + 1}{suffix}", year + 1, number, start, end, min(end, clock.horizon)))
    schema = {"label": pl.String, "year": pl.Int64, "number": pl.Int64, "start_day": pl.Float64}
    schema |= {"end_day": pl.Float64, "days": pl.Float64, "full_days": pl.Float64, "complete": pl.Boolean}
    return pl.DataFrame(rows, schema=schema, orient="row")


def _row(label: str, year: int, number: int, start: float, end: float, cut: float) -> dict[str, object]:
    return {
        "label": label,
        "year": year,
        "number": number,
        "start_day": start,
        "end_day": cut,
        "days": max(0.0, cut - start),
        "full_days": end - start,
        "complete": cut >= end - _EPS,
    }


def month_label(clock: QuotaClock, day: float) -> tuple[str, int, int]:
    """The quota month a day falls in: (``Y1 M2``, year, month); days before the clock are the warm-up."""
    if day < clock.start - _EPS:
        return WARM_UP, 0, 0
    index = math.floor((day - clock.start) / clock.month + _EPS)
    year, month = divmod(index, REVIEWS_PER_YEAR)
    return f"Y{year + 1} M{month + 1}", year + 1, month + 1
