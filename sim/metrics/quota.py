"""The quota clock as reps live it: monthly reviews against the target to date, and closed quota years."""

from __future__ import annotations

import polars as pl

from sim.metrics.calendar import month_label, quota_clock
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


def quota_year_figures(events: Log) -> dict[str, float]:
    """``share_making_quota`` and ``mean_quota_attainment`` over the closed rep quota years, from one read of
    them (a run's summary wants both; NaN when no year closed)."""
    years = quota_years(events)
    if not years.height:
        return {"share_making_quota": float("nan"), "mean_quota_attainment": float("nan")}
    return {
        "share_making_quota": float(years["made"].mean()),  # type: ignore[arg-type]
        "mean_quota_attainment": float(years["attainment"].mean()),  # type: ignore[arg-type]
    }


def share_making_quota(events: Log) -> float:
    """Share of closed rep quota years that made quota (NaN when no year closed)."""
    return quota_year_figures(events)["share_making_quota"]


def mean_quota_attainment(events: Log) -> float:
    """Mean attainment over closed rep quota years (NaN when no year closed)."""
    return quota_year_figures(events)["mean_quota_attainment"]


def quota_on_track(events: Log) -> pl.DataFrame:
    """Per monthly quota review: how many reps were judged and how many were on track to make quota.

    A sales leader's question each month is not "who made quota" (that is only known at year end) but "who is
    on track": a rep is **on track** at a review when the bookings of this quota year (``QuotaReviewed.amount``,
    counted from the rep's ``QuotaYearStarted``) are at least the target to date (``QuotaReviewed.target``):
    the annual quota pro rata to the days elapsed in the quota year, counted from the later of the year's start
    and half-way through a new hire's ramp-up (as ``sim.model.quota`` sets it). That is ``attainment >= 1``.
    A rep whose target to date is still zero (a new hire in the first half of the ramp) is not judged and
    counts in neither ``judged`` nor ``on_track``; a vacant seat logs no review.

    The review at the end of quota month *k* is labelled with that month (``Y1 M1`` closes at the first
    review). Columns: ``month`` (1 = Y1 M1, counting on across years), ``label``, ``day`` (of the review),
    ``judged``, ``on_track`` and ``share`` (on track ÷ judged; null when nobody was judged).
    """
    clock = quota_clock(events)
    judged = pl.col("target") > 0
    months = (
        quota_attainment(events)
        .with_columns(((pl.col("day") - clock.start) / clock.month).round(0).cast(pl.Int64).alias("month"))
        .group_by("month")
        .agg(
            pl.col("day").max(),
            judged.sum().cast(pl.Int64).alias("judged"),
            (judged & (pl.col("bookings") >= pl.col("target"))).sum().cast(pl.Int64).alias("on_track"),
        )
    )
    # A month of nothing but ramping hires stays a row with a null share: a gap in a chart, not a zero.
    labels = [month_label(clock, clock.month_start(m - 1))[0] for m in months["month"].to_list()]
    return (
        months.with_columns(
            pl.Series("label", labels, dtype=pl.String),
            pl.when(pl.col("judged") > 0).then(pl.col("on_track") / pl.col("judged")).alias("share"),
        )
        .select("month", "label", "day", "judged", "on_track", "share")
        .sort("month")
    )
