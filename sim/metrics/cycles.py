"""Cycle lengths: the vendor's sales cycles beside the buyer's own buying cycles, by segment."""

from __future__ import annotations

import polars as pl

from sim.metrics.log import Log, lazy
from sim.metrics.opportunities import DECIDED, opportunities_of


def cycle_lengths(events: Log, opps: pl.DataFrame | None = None) -> pl.DataFrame:
    """Sales cycles (opportunity opened to close) and buying cycles (window open to close), by segment.

    Columns: ``segment``, ``cycle`` (``sales`` for decided opportunities, ``sales_won`` for won ones,
    ``buying`` for completed buying windows), ``days``.
    """
    lf = lazy(events)
    opps = opportunities_of(lf, opps)
    sales = opps.filter(pl.col("outcome").is_in(DECIDED)).select(
        "segment", pl.lit("sales").alias("cycle"), pl.col("cycle_days").alias("days")
    )
    won = opps.filter(pl.col("outcome") == "won").select(
        "segment", pl.lit("sales_won").alias("cycle"), pl.col("cycle_days").alias("days")
    )
    # The buyer's planned cycle of every window, not only those that closed before the horizon (which
    # would favour short cycles).
    buying = (
        lf.filter(pl.col("kind") == "BuyingWindowOpened")
        .select("segment", pl.lit("buying").alias("cycle"), (pl.col("day") - pl.col("t")).alias("days"))
        .collect()
    )
    return pl.concat([sales, won, buying])


def median_cycle_by_segment(events: Log, opps: pl.DataFrame | None = None) -> pl.DataFrame:
    """Median sales cycle of won deals, of decided deals, and median buying cycle, per segment."""
    return (
        cycle_lengths(events, opps)
        .group_by("segment", "cycle")
        .agg(pl.col("days").median().alias("median_days"), pl.len().alias("n"))
        .sort("segment", "cycle")
    )
