"""The vendor's reputation over time per strategy, mean and 95% band across replications."""

from __future__ import annotations

import polars as pl

from sim.viz.bands import day_band_chart
from sim.viz.style import Chart, layout


def reputation_chart(reputation: pl.DataFrame) -> Chart:
    """The vendor's reputation over time per strategy, mean and 95% band across replications.

    ``reputation``: :func:`sim.metrics.reputation_path` of each run, tagged and concatenated.
    """
    fig = day_band_chart(reputation, "reputation", "day %{x:.0f}: reputation %{y:.2f}<extra></extra>")
    layout(fig, "Does the strategy build or burn the vendor's reputation?", 420)
    fig.update_xaxes(title="simulated day", rangemode="tozero")
    fig.update_yaxes(title="vendor reputation (0 = toxic, 1 = trusted)", range=[0, 1])
    return Chart(
        "reputation",
        fig,
        "Reputation moves with delivered value, failed adoptions and detected pressure, and feeds back into "
        "later win rates: a line that climbs is the long game paying off.",
    )
