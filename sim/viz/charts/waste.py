"""Wasted selling hours stacked by cause, beside productive and still-open hours, per strategy."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from sim.format import strategy_order
from sim.metrics import WASTE_CAUSES, waste_cause_key
from sim.viz.style import CAUSE_COLOURS, OPEN_COLOUR, PRODUCTIVE_COLOUR, Chart, layout, strategy_colour


def hours_from_summaries(runs: pl.DataFrame) -> pl.DataFrame:
    """Long frame of hours per run from summary rows (``runs.parquet``): one row per waste cause, productive
    and still-open hours; columns ``strategy``, ``replication``, ``category``, ``hours``."""
    columns = {waste_cause_key(c): c for c in WASTE_CAUSES} | {
        "productive_hours": "productive",
        "open_hours": "open",
    }
    present = [c for c in columns if c in runs.columns]
    return (
        runs.select("strategy", "replication", *present)
        .unpivot(index=["strategy", "replication"], variable_name="column", value_name="hours")
        .with_columns(
            pl.col("column").replace_strict(columns, return_dtype=pl.String).alias("category"),
            pl.col("hours").cast(pl.Float64).fill_null(0.0),
        )
        .select("strategy", "replication", "category", "hours")
    )


def waste_chart(hours: pl.DataFrame) -> Chart:
    """Wasted selling hours stacked by cause, beside productive (and still-open) hours, mean per replication.

    ``hours``: columns ``strategy``, ``replication``, ``category`` (a cause of
    :data:`sim.metrics.WASTE_CAUSES`, ``productive`` or ``open``) and ``hours``; see
    :func:`hours_from_summaries`, or tag :func:`sim.metrics.wasted_hours_by_cause` with ``category = cause``.
    """
    strategies = strategy_order(hours)
    runs = hours.select("strategy", "replication").unique()
    n_runs = {s: runs.filter(pl.col("strategy") == s).height for s in strategies}

    def mean_of(strategy: str, category: str) -> float:
        total = hours.filter((pl.col("strategy") == strategy) & (pl.col("category") == category))["hours"]
        return float(total.sum()) / n_runs[strategy] if n_runs[strategy] else 0.0

    outlines = [strategy_colour(s) for s in strategies]
    fig = go.Figure()
    for cause in WASTE_CAUSES:
        fig.add_trace(
            go.Bar(
                x=[strategies, ["wasted"] * len(strategies)],
                y=[mean_of(s, cause) for s in strategies],
                name=cause,
                marker={"color": CAUSE_COLOURS[cause], "line": {"color": outlines, "width": 1.5}},
                hovertemplate=f"%{{x}}<br>{cause}: %{{y:,.0f}} h<extra></extra>",
            )
        )
    extra = [("productive", "productive", "productive (won deals)", PRODUCTIVE_COLOUR)]
    if hours.filter(pl.col("category") == "open").height:
        extra.append(("open", "still open", "still open at the end", OPEN_COLOUR))
    for category, column, label, colour in extra:
        fig.add_trace(
            go.Bar(
                x=[strategies, [column] * len(strategies)],
                y=[mean_of(s, category) for s in strategies],
                name=label,
                marker={"color": colour, "line": {"color": outlines, "width": 1.5}},
                hovertemplate=f"%{{x}}<br>{label}: %{{y:,.0f}} h<extra></extra>",
            )
        )
    layout(fig, "Where do the selling hours go, and how many are wasted?", 480, "right", barmode="stack")
    fig.update_layout(legend={"traceorder": "reversed", "title": {"text": "selling hours"}})
    fig.update_yaxes(title="rep hours per run (mean of replications)", tickformat=",.0f")
    fig.update_xaxes(title="strategy")
    return Chart(
        "waste",
        fig,
        "Each strategy's wasted hours stacked by cause beside the hours that ended in a win: the taller the "
        "warm stack against the grey bar, the more of the team's time went to deals that were never going "
        "to close.",
    )
