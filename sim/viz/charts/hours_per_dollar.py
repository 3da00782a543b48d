"""Selling hours per won $1,000 per strategy: mean and 95% interval, the comparison table's figure."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import polars as pl

from sim.format import fmt, strategy_order
from sim.metrics import display_scale
from sim.stats import mean_interval
from sim.viz.style import Chart, layout, strategy_colour


def hours_per_dollar_chart(runs: pl.DataFrame) -> Chart:
    """Selling hours per won $1,000 per strategy: mean and 95% interval (the comparison table's figure).

    ``runs``: one row per run with ``strategy`` and ``hours_per_won_dollar`` (``runs.parquet``, or run
    summaries).
    """
    strategies = strategy_order(runs)
    scale = display_scale("hours_per_won_dollar")
    means, lows, highs, ns = [], [], [], []
    for name in strategies:
        values = runs.filter(pl.col("arm") == name)["hours_per_won_dollar"].to_list()
        interval = mean_interval([scale * v for v in values if v is not None])
        means.append(interval.mean)
        lows.append(interval.low)
        highs.append(interval.high)
        ns.append(interval.n)
    has_band = [not math.isnan(h) for h in highs]
    fig = go.Figure(
        go.Bar(
            x=strategies,
            y=[None if math.isnan(m) else m for m in means],
            marker={"color": [strategy_colour(s) for s in strategies]},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [h - m if ok else 0.0 for h, m, ok in zip(highs, means, has_band, strict=True)],
                "arrayminus": [
                    m - lo if ok else 0.0 for lo, m, ok in zip(lows, means, has_band, strict=True)
                ],
                "color": "#333",
                "thickness": 1.5,
                "width": 8,
                "visible": any(has_band),
            },
            customdata=[[n] for n in ns],
            hovertemplate="%{x}: %{y:.2f} h per won $1k (mean of %{customdata[0]} runs)<extra></extra>",
            showlegend=False,
        )
    )
    # The value sits above the bar, left of its error bar, so the two never overlap.
    for name, mean in zip(strategies, means, strict=True):
        if not math.isnan(mean):
            fig.add_annotation(
                x=name,
                y=mean,
                text=f"<b>{fmt(mean)}</b> h",
                showarrow=False,
                yanchor="bottom",
                xanchor="right",
                xshift=-8,
                font={"color": strategy_colour(name), "size": 14},
            )
    layout(fig, "How many selling hours does each won $1,000 cost?", 400)
    fig.update_xaxes(title="arm (strategy)")
    fig.update_yaxes(title="selling hours per won $1,000", rangemode="tozero")
    return Chart(
        "hours_per_dollar",
        fig,
        "All selling hours divided by bookings, with the 95% interval across replications: a shorter bar is "
        "a strategy that spends less of the team's time for the same revenue; a missing bar means no wins.",
    )
