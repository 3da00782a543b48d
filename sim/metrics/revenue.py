"""Bookings: the total, per period over time and per quarter and quota year, and beside the monthly forecast
commits."""

from __future__ import annotations

import numpy as np
import polars as pl

from sim.metrics.calendar import MONTH_DAYS as MONTH_DAYS  # its home was here; sim.metrics.hours imports it
from sim.metrics.calendar import month_label, quota_calendar, quota_clock
from sim.metrics.log import Log, horizon, lazy


def revenue(events: Log) -> float:
    """Total bookings: the sum of won amounts."""
    return float(
        lazy(events).filter(pl.col("kind") == "DealWon").select(pl.col("amount").sum()).collect().item()
    )


def revenue_over_time(events: Log, bucket_days: float = MONTH_DAYS) -> pl.DataFrame:
    """Bookings per period and cumulative, one row per period from day 0 to the horizon."""
    end = horizon(events)
    periods = int(end // bucket_days) + 1
    won = (
        lazy(events)
        .filter(pl.col("kind") == "DealWon")
        .select((pl.col("t") // bucket_days).cast(pl.Int64).alias("period"), "amount")
        .group_by("period")
        .agg(pl.col("amount").sum().alias("bookings"))
        .collect()
    )
    grid = pl.DataFrame({"period": list(range(periods))}, schema={"period": pl.Int64})
    return (
        grid.join(won, on="period", how="left")
        .with_columns(
            pl.col("bookings").fill_null(0.0),
            ((pl.col("period") + 1) * bucket_days).clip(upper_bound=end).alias("day"),
        )
        .with_columns(pl.col("bookings").cum_sum().alias("cumulative"))
        .select("period", "day", "bookings", "cumulative")
    )


def forecast_vs_actual(events: Log) -> pl.DataFrame:
    """Each monthly forecast commit beside the bookings actually won in that period."""
    lf = lazy(events)
    commits = (
        lf.filter(pl.col("kind") == "ForecastCommitted")
        .select(pl.col("t").alias("start"), pl.col("day").alias("end"), pl.col("amount").alias("forecast"))
        .collect()
    )
    won = lf.filter(pl.col("kind") == "DealWon").select("t", "amount").collect()
    actual = [
        float(won.filter((pl.col("t") >= s) & (pl.col("t") < e))["amount"].sum())
        for s, e in zip(commits["start"].to_list(), commits["end"].to_list(), strict=True)
    ]
    return commits.with_columns(pl.Series("actual", actual, dtype=pl.Float64))


def bookings_by_quarter(
    events: Log, quota_start_day: float | None = None, review_period_days: float | None = None
) -> pl.DataFrame:
    """Bookings per quarter of the quota calendar, the warm-up as its own first row.

    One row per period of :func:`~sim.metrics.calendar.quota_calendar` (``label`` ``warm-up``, ``Y1 Q1``, ...;
    ``year`` 0 is the warm-up; ``complete`` is false for a quarter cut by the horizon) with ``bookings`` ($,
    the won amounts) and ``deals_won``. The rows add up to :func:`revenue`. The quota clock is read from the
    log unless given.
    """
    return _bookings_by_period(events, "quarter", quota_start_day, review_period_days)


def bookings_by_quota_year(
    events: Log, quota_start_day: float | None = None, review_period_days: float | None = None
) -> pl.DataFrame:
    """Bookings per quota year (``Y1``, ``Y2``, ...), the warm-up as its own first row; as
    :func:`bookings_by_quarter`."""
    return _bookings_by_period(events, "year", quota_start_day, review_period_days)


def bookings_per_quota_year(events: Log) -> float:
    """Mean bookings of the run's complete quota years (NaN when no quota year completed): what a sales leader
    calls a year's bookings, the warm-up left out."""
    years = bookings_by_quota_year(events).filter((pl.col("year") > 0) & pl.col("complete"))
    return float(years["bookings"].mean()) if years.height else float("nan")  # type: ignore[arg-type]


def _bookings_by_period(
    events: Log, per: str, quota_start_day: float | None, review_period_days: float | None
) -> pl.DataFrame:
    """Won deals counted into the calendar's periods: a deal won at a period's first instant is in it."""
    calendar = quota_calendar(events, per, quota_start_day, review_period_days)
    won = lazy(events).filter(pl.col("kind") == "DealWon").select("t", "amount").collect()
    starts = calendar["start_day"].to_numpy()
    index = np.searchsorted(starts, won["t"].to_numpy(), side="right") - 1
    totals = (
        won.with_columns(pl.Series("row", index.clip(0), dtype=pl.Int64))
        .group_by("row")
        .agg(pl.col("amount").sum().alias("bookings"), pl.len().cast(pl.Int64).alias("deals_won"))
    )
    return (
        calendar.with_row_index("row")
        .with_columns(pl.col("row").cast(pl.Int64))
        .join(totals, on="row", how="left")
        .with_columns(pl.col("bookings").fill_null(0.0), pl.col("deals_won").fill_null(0))
        .drop("row")
    )


def forecast_vs_actual_by_month(
    events: Log, quota_start_day: float | None = None, review_period_days: float | None = None
) -> pl.DataFrame:
    """:func:`forecast_vs_actual` on the quota calendar: one row per monthly forecast commit.

    Columns: ``label`` (``Y1 M2``: the quota month the commit is for; the first month of the clock has no
    forecast, as leadership commits at the end of each review), ``year``, ``month``, ``start_day``,
    ``end_day``, ``forecast`` ($ committed), ``actual`` ($ won in the month), ``ratio`` (forecast ÷ actual;
    infinite when something was forecast and nothing closed, null when neither) and ``complete`` (false for a
    month the horizon cuts, whose actual is short by construction).
    """
    clock = quota_clock(events, quota_start_day, review_period_days)
    table = forecast_vs_actual(events)
    labels = [month_label(clock, start) for start in table["start"].to_list()]
    ratio = (
        pl.when(pl.col("actual") > 0)
        .then(pl.col("forecast") / pl.col("actual"))
        .when(pl.col("forecast") > 0)
        .then(float("inf"))
        .otherwise(None)
    )
    return table.select(
        pl.Series("label", [lab for lab, _, _ in labels], dtype=pl.String),
        pl.Series("year", [y for _, y, _ in labels], dtype=pl.Int64),
        pl.Series("month", [m for _, _, m in labels], dtype=pl.Int64),
        pl.col("start").alias("start_day"),
        pl.col("end").alias("end_day"),
        "forecast",
        "actual",
        ratio.alias("ratio"),
        (pl.col("end") <= clock.horizon + 1e-6).alias("complete"),
    )
