"""Utilisation per month per strategy: booked ÷ selling hours, mean and 95% band across replications."""

from __future__ import annotations

import polars as pl

from sim.viz.bands import day_band_chart
from sim.viz.style import Chart, layout


def utilisation_chart(utilisation: pl.DataFrame) -> Chart:
    """Utilisation per month per strategy (booked ÷ booked plus idle selling hours), mean and 95% band.

    ``utilisation``: :func:`sim.metrics.utilisation_over_time` of each run, tagged and concatenated.
    """
    hover = "month to day %{x:.0f}: %{y:.0%} of selling hours booked<extra></extra>"
    fig = day_band_chart(utilisation, "utilisation", hover)
    layout(fig, "Do the reps run out of selling hours, or out of work worth doing?", 420)
    fig.update_xaxes(title="simulated day (end of month)", rangemode="tozero")
    fig.update_yaxes(title="utilisation (booked ÷ selling hours)", tickformat=".0%", range=[0, 1.02])
    return Chart(
        "utilisation",
        fig,
        "The share of each month's selling hours the reps booked to work, mean with a 95% band over "
        "replications: a line pinned near 100% means rep hours are what limits the strategy; a line that "
        "sags means reps sat idle for want of buyers ready to move.",
    )
