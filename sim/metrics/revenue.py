"""Bookings: the total, per period over time, and beside the monthly forecast commits."""

from __future__ import annotations

import polars as pl

from sim.metrics.log import Log, horizon, lazy

MONTH_DAYS = 30.4
"""A month in simulated days (365 / 12, rounded): the period of the bookings curve."""


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
