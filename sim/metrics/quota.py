"""The quota clock as reps live it: monthly reviews against the target to date, and closed quota years."""

from __future__ import annotations

import polars as pl

from sim.metrics.log import Log, lazy


def _quota_events(events: Log, kind: str, level: str, *extra: pl.Expr) -> pl.LazyFrame:
    """A rep's quota events of one kind: rep, day, bookings, the target as ``level``, attainment, ``extra``."""
    return (
        lazy(events)
        .filter(pl.col("kind") == kind)
        .select(
            "rep",
            pl.col("t").alias("day"),
            pl.col("amount").alias("bookings"),
            pl.col("target").alias(level),
            "attainment",
            *extra,
        )
    )


def quota_attainment(events: Log) -> pl.DataFrame:
    """Every monthly review: rep, day, bookings this quota year, target to date, attainment."""
    return (
        _quota_events(events, "QuotaReviewed", "target")
        .with_columns(pl.int_range(pl.len()).over("rep").alias("review"))
        .sort("day", "rep")
        .collect()
    )


def quota_attainment_by_seat(events: Log) -> pl.DataFrame:
    """:func:`quota_attainment` with each rep's ``seat`` (territory), so a seat's reps share one row in charts."""
    seats = lazy(events).filter(pl.col("kind") == "RepHired").select("rep", "seat").collect()
    return quota_attainment(events).join(seats, on="rep", how="left").sort("day", "seat", "rep")


def quota_years(events: Log) -> pl.DataFrame:
    """Every closed quota year: rep, day, bookings, quota, attainment, made."""
    made = (pl.col("reason") == "made").alias("made")
    return _quota_events(events, "QuotaPeriodClosed", "quota", made).collect()


def share_making_quota(events: Log) -> float:
    """Share of closed rep quota years that made quota (NaN when no year closed)."""
    years = quota_years(events)
    return float(years["made"].mean()) if years.height else float("nan")  # type: ignore[arg-type]


def mean_quota_attainment(events: Log) -> float:
    """Mean attainment over closed rep quota years (NaN when no year closed)."""
    years = quota_years(events)
    return float(years["attainment"].mean()) if years.height else float("nan")  # type: ignore[arg-type]
