"""Utilisation per month per arm: booked ÷ selling hours, mean and 95% band across replications.

Left out, not drawn blank: the chart when no month had a selling hour.
"""

from __future__ import annotations

import polars as pl

from sim.viz.bands import day_band_chart
from sim.viz.charts.words import percent
from sim.viz.style import Chart, layout
from sim.words.format import strategy_order


def utilisation_takeaway(utilisation: pl.DataFrame) -> str:
    """Each arm's utilisation averaged over its months and replications, and its lowest monthly mean.

    ``utilisation``: as :func:`utilisation_chart` takes it (rows without a utilisation left out).
    """
    rows = utilisation.drop_nulls("utilisation")
    parts: list[str] = []
    for arm in strategy_order(rows):
        part = rows.filter(pl.col("arm") == arm)
        monthly = part.group_by("day").agg(pl.col("utilisation").mean())
        mean = float(part["utilisation"].mean())  # type: ignore[arg-type]
        low = float(monthly["utilisation"].min())  # type: ignore[arg-type]
        if not parts:
            parts.append(
                f"{arm}'s reps booked {percent(mean)} of their selling hours to work (lowest month {percent(low)})"
            )
        else:
            parts.append(f"{arm}'s {percent(mean)} (lowest month {percent(low)})")
    return "; ".join(parts) + "."


def utilisation_chart(utilisation: pl.DataFrame) -> Chart | None:
    """Utilisation per month per arm (booked ÷ booked plus idle selling hours), mean and 95% band; None when no
    month had a selling hour (see the module docstring).

    ``utilisation``: :func:`sim.metrics.utilisation_over_time` of each run, tagged and concatenated.
    """
    if utilisation.drop_nulls("utilisation").height == 0:
        return None
    hover = "month to day %{x:.0f}: %{y:.0%} of selling hours booked<extra></extra>"
    fig = day_band_chart(utilisation, "utilisation", hover)
    layout(fig, "Do the reps run out of selling hours, or out of work worth doing?", 420)
    fig.update_xaxes(title="simulated day (end of month)", rangemode="tozero")
    fig.update_yaxes(title="utilisation (booked ÷ selling hours), %", tickformat=".0%", range=[0, 1.02])
    return Chart(
        "utilisation",
        fig,
        utilisation_takeaway(utilisation),
        "Mean over replications with its 95% band: a line pinned near 100% means rep hours limit the arm; "
        "a line that sags means reps sat idle for want of buyers ready to move.",
    )
