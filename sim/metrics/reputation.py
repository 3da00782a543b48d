"""The vendor's reputation: every change, and the level sampled on a common grid of days."""

from __future__ import annotations

import polars as pl

from sim.metrics.log import Log, horizon, lazy


def reputation_over_time(events: Log) -> pl.DataFrame:
    """The vendor's reputation after each change."""
    return (
        lazy(events)
        .filter(pl.col("kind") == "ReputationChanged")
        .select(pl.col("t").alias("day"), "reputation", "reason")
        .collect()
    )


def reputation_path(events: Log, step_days: float = 7.0) -> pl.DataFrame:
    """The vendor's reputation sampled every ``step_days`` from day 0 to the horizon (a step function).

    Replications change reputation at different moments; sampling each on the same grid lets charts average
    them. Days before the first ``ReputationChanged`` are null.
    """
    changes = reputation_over_time(events).select("day", "reputation").sort("day")
    end = horizon(events)
    n = int(end // step_days) + 1
    grid = pl.DataFrame({"day": [min(i * step_days, end) for i in range(n)]}, schema={"day": pl.Float64})
    if grid["day"][-1] < end:
        grid = pl.concat([grid, pl.DataFrame({"day": [end]}, schema={"day": pl.Float64})])
    # Several changes can share a day; the last one written is the level that day ends on.
    last = changes.group_by("day", maintain_order=True).agg(pl.col("reputation").last())
    return grid.join_asof(last, on="day", strategy="backward")
