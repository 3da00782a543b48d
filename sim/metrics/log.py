"""The event log as metrics take it: a polars ``DataFrame`` or ``LazyFrame``, and the run's horizon."""

from __future__ import annotations

import polars as pl

Log = pl.DataFrame | pl.LazyFrame


def lazy(events: Log) -> pl.LazyFrame:
    """The log as a ``LazyFrame``, whichever form it came in."""
    return events.lazy() if isinstance(events, pl.DataFrame) else events


def horizon(events: Log) -> float:
    """Simulated days of the run (from ``RunEnded``, else the last event)."""
    lf = lazy(events)
    ended = lf.filter(pl.col("kind") == "RunEnded").select("day").collect()
    if ended.height:
        return float(ended.item(0, 0))
    return float(lf.select(pl.col("t").max()).collect().item())


def repeatable(value: float) -> float:
    """A float figure to twelve significant digits: polars sums in parallel, so the last bits of a float sum
    depend on thread timing; twelve digits make the same log give the same figures in any process."""
    return float(f"{value:.12g}")
