"""Revenue over time: cumulative bookings per strategy, mean and 95% band across replications."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from sim.viz.bands import band_traces, replication_band
from sim.viz.style import Chart, layout


def revenue_chart(revenue: pl.DataFrame) -> Chart:
    """Cumulative bookings over time per strategy, mean and 95% band across replications.

    ``revenue``: :func:`sim.metrics.revenue_over_time` of each run, :func:`tag`-ged and concatenated.
    """
    start = (
        revenue.select("arm", "replication")
        .unique(maintain_order=True)
        .with_columns(pl.lit(0.0).alias("day"), pl.lit(0.0).alias("cumulative"))
    )
    curve = pl.concat([start, revenue.select("arm", "replication", "day", "cumulative")])
    band = replication_band(curve, "day", "cumulative")
    fig = go.Figure()
    band_traces(fig, band, "day", "day %{x:.0f}: $%{y:,.0f}<extra></extra>")
    layout(fig, "Which strategy books more revenue, and how early?", 440)
    fig.update_xaxes(title="simulated day", rangemode="tozero")
    fig.update_yaxes(title="cumulative bookings ($)", tickprefix="$", tickformat=",.0f", rangemode="tozero")
    return Chart(
        "revenue",
        fig,
        "Cumulative bookings, averaged over replications with a shaded 95% band: where two bands do not "
        "overlap, the strategies differ by more than the market's own noise; a flat start is the buying cycle.",
    )
