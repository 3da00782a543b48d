"""Revenue over time: cumulative bookings per arm, mean and 95% band across replications.

Left out, not drawn blank: the chart when no arm won a deal (the bookings table already says $0).
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from sim.viz.bands import band_traces, nonnegative, replication_band
from sim.viz.charts.words import count, relative
from sim.viz.style import Chart, layout
from sim.words.format import money, strategy_order


def revenue_takeaway(band: pl.DataFrame) -> str:
    """Each arm's mean cumulative bookings at the last day (with its 95% interval), set against the first arm
    (the control). ``band``: :func:`sim.viz.bands.replication_band` of cumulative bookings over ``day``."""
    arms = strategy_order(band)
    end = {a: band.filter(pl.col("arm") == a).sort("day").row(-1, named=True) for a in arms}
    day = max(float(r["day"]) for r in end.values())

    def booked(arm: str) -> str:
        row = end[arm]
        spread = f" (95% CI {money(max(0.0, row['low']))}–{money(row['high'])})" if row["n"] >= 2 else ""
        return f"{money(row['mean'])} a run{spread}"

    control = arms[0]
    parts = [f"By day {count(day)}, {control} had booked {booked(control)}"]
    for arm in arms[1:]:
        versus = relative(end[arm]["mean"], end[control]["mean"])
        parts.append(f"{arm} {booked(arm)}" + (f", {versus}" if versus else ""))
    return "; ".join(parts) + "."


def revenue_chart(revenue: pl.DataFrame) -> Chart | None:
    """Cumulative bookings over time per arm, mean and 95% band across replications; None when no arm won a
    deal (see the module docstring).

    ``revenue``: :func:`sim.metrics.revenue_over_time` of each run, :func:`tag`-ged and concatenated.
    """
    if revenue.height == 0 or not float(revenue["cumulative"].max() or 0.0):  # type: ignore[arg-type]
        return None
    start = (
        revenue.select("arm", "replication")
        .unique(maintain_order=True)
        .with_columns(pl.lit(0.0).alias("day"), pl.lit(0.0).alias("cumulative"))
    )
    curve = pl.concat([start, revenue.select("arm", "replication", "day", "cumulative")])
    band = nonnegative(replication_band(curve, "day", "cumulative"))  # bookings are never below $0
    fig = go.Figure()
    band_traces(fig, band, "day", "day %{x:.0f}: $%{y:,.0f}<extra></extra>")
    several = len(strategy_order(revenue)) > 1
    title = (
        "Which arm books more revenue, and how early?"
        if several
        else "How much does the team book, and how early?"
    )
    layout(fig, title, 440)
    fig.update_xaxes(title="simulated day", rangemode="tozero")
    fig.update_yaxes(title="cumulative bookings ($)", tickprefix="$", tickformat=",.0f", rangemode="tozero")
    return Chart(
        "revenue",
        fig,
        revenue_takeaway(band),
        "Cumulative bookings, mean over replications with its 95% band: where two bands do not overlap, the "
        "arms differ by more than the market's own noise; a flat start is the buying cycle.",
    )
