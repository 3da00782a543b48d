"""Interval bands over replications: a metric frame per run is tagged with its strategy and replication,
then summarised per strategy and x as the mean and a 95% t-interval (:func:`sim.study.stats.mean_interval`, the
same interval as the comparison table), and drawn as a mean line with a shaded band."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
import polars as pl

from sim.study.stats import mean_interval
from sim.viz.style import rgba, strategy_colour
from sim.words.format import strategy_order


def tag(frame: pl.DataFrame, strategy: str, replication: int = 0) -> pl.DataFrame:
    """A metric frame of one run, with its ``strategy`` and ``replication`` as leading columns."""
    return frame.select(
        pl.lit(strategy, dtype=pl.String).alias("arm"),
        pl.lit(replication, dtype=pl.Int64).alias("replication"),
        pl.all(),
    )


def replication_band(frame: pl.DataFrame, x: str, y: str) -> pl.DataFrame:
    """Per strategy and ``x``: mean of ``y`` over replications and its 95% interval (NaN with one run)."""
    rows = []
    for (strategy, xv), group in frame.group_by(["arm", x], maintain_order=True):
        interval = mean_interval([v for v in group[y].to_list() if v is not None])
        rows.append(
            {"arm": strategy, x: xv, "n": interval.n, "mean": interval.mean}
            | {"low": interval.low, "high": interval.high}
        )
    schema: dict[str, Any] = {"arm": pl.String, x: frame.schema[x], "n": pl.Int64}
    schema |= {"mean": pl.Float64, "low": pl.Float64, "high": pl.Float64}
    order = {name: i for i, name in enumerate(strategy_order(frame))}
    # Strategies stay in the order given (the control first), each along its own x.
    return (
        pl.DataFrame(rows, schema=schema)
        .with_columns(pl.col("arm").replace_strict(order, return_dtype=pl.Int64).alias("_order"))
        .sort("_order", x)
        .drop("_order")
    )


def band_traces(fig: go.Figure, band: pl.DataFrame, x: str, hover: str) -> None:
    """Mean line per strategy, with its 95% band shaded where there are two or more replications."""
    for name in strategy_order(band):
        colour = strategy_colour(name)
        part = band.filter(pl.col("arm") == name).sort(x)
        xs = part[x].to_list()
        n = int(part["n"].max() or 0)  # type: ignore[arg-type]
        if n >= 2:
            fig.add_trace(
                go.Scatter(
                    x=xs + xs[::-1],
                    y=part["high"].to_list() + part["low"].to_list()[::-1],
                    fill="toself",
                    fillcolor=rgba(colour, 0.18),
                    line={"width": 0},
                    hoverinfo="skip",
                    legendgroup=name,
                    showlegend=False,
                    name=f"{name} 95% band",
                )
            )
        label = f"{name} (mean of {n}, 95% band)" if n >= 2 else name
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=part["mean"].to_list(),
                mode="lines",
                line={"color": colour, "width": 2.5},
                name=label,
                legendgroup=name,
                hovertemplate=hover,
            )
        )


def day_band_chart(frame: pl.DataFrame, y: str, hover: str) -> go.Figure:
    """A figure of ``y`` over simulated days per strategy: mean line and 95% band across replications (rows
    where ``y`` is null left out); the caller adds the title and the axes."""
    band = replication_band(frame.drop_nulls(y), "day", y)
    fig = go.Figure()
    band_traces(fig, band, "day", hover)
    return fig


def nonnegative(band: pl.DataFrame) -> pl.DataFrame:
    """A band of a figure that cannot be negative (dollars, counts) with the part of each interval below 0 cut
    off: a t-interval over a few skewed runs can reach below zero (as :func:`sim.study.stats.mean_interval` cuts a
    share's to [0, 1])."""
    return band.with_columns(pl.col("low").clip(lower_bound=0.0))


def error_bars(
    means: Sequence[float], lows: Sequence[float], highs: Sequence[float], width: int = 4
) -> dict[str, Any]:
    """Asymmetric 95% error bars for bars of ``means`` (plotly's ``error_y``/``error_x``), none where the
    interval is NaN (a single run), and hidden when no bar has one."""
    ok = [
        not (math.isnan(m) or math.isnan(lo) or math.isnan(hi))
        for m, lo, hi in zip(means, lows, highs, strict=True)
    ]
    return {
        "type": "data",
        "symmetric": False,
        "array": [h - m if good else 0.0 for h, m, good in zip(highs, means, ok, strict=True)],
        "arrayminus": [m - lo if good else 0.0 for lo, m, good in zip(lows, means, ok, strict=True)],
        "color": "#333",
        "thickness": 1.2,
        "width": width,
        "visible": any(ok),
    }
