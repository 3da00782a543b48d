"""Selling hours per won $1,000 per arm: mean and 95% interval, the comparison table's figure.

Left out, not drawn blank: the chart when no arm won a deal (the figure is undefined without bookings).
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
import polars as pl

from sim.metrics import display_scale
from sim.study.stats import mean_interval
from sim.viz.bands import error_bars
from sim.viz.charts.words import relative
from sim.viz.style import Chart, layout, strategy_colour
from sim.words.format import fmt, strategy_order


def hours_per_dollar_takeaway(arms: list[str], means: list[float]) -> str:
    """Each arm's hours per won $1,000, set against the first arm (the control)."""
    drawn = [(a, m) for a, m in zip(arms, means, strict=True) if not math.isnan(m)]
    (control, reference), rest = drawn[0], drawn[1:]
    parts = [f"{control} spent {fmt(reference)} selling hours for each $1,000 it booked"]
    for arm, mean in rest:
        versus = relative(mean, reference)
        parts.append(f"{arm} {fmt(mean)}" + (f", {versus}" if versus else ""))
    missing = [a for a in arms if a not in dict(drawn)]
    tail = f" ({', '.join(missing)}: no wins)" if missing else ""
    return "; ".join(parts) + tail + "."


def hours_per_dollar_chart(runs: pl.DataFrame) -> Chart | None:
    """Selling hours per won $1,000 per arm: mean and 95% interval (the comparison table's figure); None when no
    arm won a deal (see the module docstring).

    ``runs``: one row per run with ``arm`` and ``hours_per_won_dollar`` (``runs.parquet``, or run summaries).
    """
    strategies = strategy_order(runs)
    scale = display_scale("hours_per_won_dollar")
    means, lows, highs, ns = [], [], [], []
    for name in strategies:
        values = runs.filter(pl.col("arm") == name)["hours_per_won_dollar"].to_list()
        interval = mean_interval([scale * v for v in values if v is not None and not math.isnan(v)])
        means.append(interval.mean)
        lows.append(max(0.0, interval.low))  # hours cannot be negative; a t-interval over few runs can
        highs.append(interval.high)
        ns.append(interval.n)
    if all(math.isnan(m) for m in means):
        return None
    fig = go.Figure(
        go.Bar(
            x=strategies,
            y=[None if math.isnan(m) else m for m in means],
            marker={"color": [strategy_colour(s) for s in strategies]},
            error_y=error_bars(means, lows, highs, width=8),
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
    fig.update_xaxes(title="arm")
    fig.update_yaxes(title="selling hours per won $1,000 (h)", rangemode="tozero")
    return Chart(
        "hours_per_dollar",
        fig,
        hours_per_dollar_takeaway(strategies, means),
        "All selling hours divided by bookings, mean over replications with its 95% interval: a shorter bar "
        "spends less of the team's time for the same revenue.",
    )
