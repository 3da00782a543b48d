"""Where the selling hours went, per strategy: every category of :data:`sim.metrics.HOURS_CATEGORIES` stacked
as a share of the selling hours, won at the bottom, screening and idle on top."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from sim.format import strategy_order
from sim.metrics import HOURS_CATEGORIES
from sim.viz.style import HOURS_COLOURS, HOURS_PATTERNS, Chart, layout


def hours_from_summaries(runs: pl.DataFrame) -> pl.DataFrame:
    """Long frame of hours per run from summary rows (``runs.parquet``): one row per hours category; columns
    ``strategy``, ``replication``, ``category`` (a key of :data:`sim.metrics.HOURS_CATEGORIES`), ``hours``."""
    columns = {c.figure: c.key for c in HOURS_CATEGORIES}
    present = [c for c in columns if c in runs.columns]
    return (
        runs.select("arm", "replication", *present)
        .unpivot(index=["arm", "replication"], variable_name="column", value_name="hours")
        .with_columns(
            pl.col("column").replace_strict(columns, return_dtype=pl.String).alias("category"),
            pl.col("hours").cast(pl.Float64).fill_null(0.0),
        )
        .select("arm", "replication", "category", "hours")
    )


def waste_chart(hours: pl.DataFrame) -> Chart:
    """Each strategy's selling hours by category, as a share of its selling hours (means over replications).

    ``hours``: columns ``strategy``, ``replication``, ``category`` (a key of
    :data:`sim.metrics.HOURS_CATEGORIES`) and ``hours``; see :func:`hours_from_summaries`, or tag
    :func:`sim.metrics.hours_by_category`.
    """
    strategies = strategy_order(hours)
    runs = hours.select("arm", "replication").unique()
    n_runs = {s: runs.filter(pl.col("arm") == s).height for s in strategies}
    totals = hours.group_by("arm", "category").agg(pl.col("hours").sum())
    summed = {(s, c): h for s, c, h in totals.iter_rows()}

    def mean_hours(strategy: str, category: str) -> float:
        return summed.get((strategy, category), 0.0) / n_runs[strategy] if n_runs[strategy] else 0.0

    selling = {s: sum(mean_hours(s, c.key) for c in HOURS_CATEGORIES) for s in strategies}

    def share(strategy: str, category: str) -> float:
        return mean_hours(strategy, category) / selling[strategy] if selling[strategy] else 0.0

    fig = go.Figure()
    for category in HOURS_CATEGORIES:
        mean = [mean_hours(s, category.key) for s in strategies]
        if not any(mean) and category.key != "won":
            continue  # a cause no strategy met would only lengthen the legend
        fig.add_trace(
            go.Bar(
                x=strategies,
                y=[share(s, category.key) for s in strategies],
                customdata=mean,
                name=category.label,
                legendgroup=category.group,
                marker={
                    "color": HOURS_COLOURS[category.key],
                    "pattern": {"shape": HOURS_PATTERNS.get(category.key, ""), "fgcolor": "#FFFFFF"},
                    "line": {"color": "#FFFFFF", "width": 0.5},
                },
                meta=category.key,
                hovertemplate=f"%{{x}}<br>{category.label}: %{{y:.1%}} of selling hours "
                "(%{customdata:,.0f} h a run)<extra></extra>",
            )
        )
    # Above each bar: the wasted share, everything outside won deals.
    for name in strategies:
        if selling[name]:
            fig.add_annotation(
                x=name,
                y=1.0,
                text=f"not won: <b>{1 - share(name, 'won'):.0%}</b>",
                showarrow=False,
                yanchor="bottom",
            )
    layout(
        fig,
        "Where do the selling hours go, and what share ends in a won deal?",
        520,
        "right",
        barmode="stack",
    )
    fig.update_layout(legend={"traceorder": "reversed", "title": {"text": "selling hours"}})
    fig.update_yaxes(title="share of selling hours (booked + idle)", tickformat=".0%", range=[0, 1.08])
    fig.update_xaxes(title="arm (strategy)")
    return Chart(
        "waste",
        fig,
        "Every selling hour once, stacked by how its deal ended (a contact's hours go to the deal it opened): "
        "the green base is the share that ended in a win, everything above it is waste, with screening "
        "(sand) and idle (grey) hours on top kept apart from the deals lost or never decided.",
    )
