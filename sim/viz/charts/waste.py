"""Where the selling hours went, per arm: every category of :data:`sim.metrics.HOURS_CATEGORIES` stacked as a
share of the selling hours, won at the bottom, screening and idle on top.

Each cause has its own colour from a colour-blind-safe set (:data:`sim.viz.style.HOURS_COLOURS`), and a
segment wide enough for it carries its name and share, so the legend is a key, not a puzzle. A share is the mean over replications of each run's share (so the shares add up to 100%, and the
"not won" figure is the comparison table's wasted share, with its 95% interval).

Left out, not drawn blank: a cause no arm met (it would only lengthen the legend), and the whole chart when no
arm logged a selling hour.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
import polars as pl

from sim.metrics import HOURS_CATEGORIES
from sim.study.stats import mean_interval
from sim.viz.bands import error_bars
from sim.viz.charts.words import change, count, percent
from sim.viz.style import HOURS_COLOURS, Chart, layout
from sim.words.format import strategy_order


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


def run_shares(hours: pl.DataFrame) -> pl.DataFrame:
    """Each run's hours per category with its share of that run's selling hours: ``arm``, ``replication``,
    ``category``, ``hours``, ``share`` (every category of every run, zero where the run had none)."""
    runs = hours.select("arm", "replication").unique(maintain_order=True)
    grid = runs.join(
        pl.DataFrame({"category": [c.key for c in HOURS_CATEGORIES]}, schema={"category": pl.String}),
        how="cross",
    )
    summed = hours.group_by("arm", "replication", "category").agg(pl.col("hours").sum())
    return (
        grid.join(summed, on=["arm", "replication", "category"], how="left")
        .with_columns(pl.col("hours").fill_null(0.0))
        .with_columns(pl.col("hours").sum().over("arm", "replication").alias("selling"))
        .with_columns(
            pl.when(pl.col("selling") > 0)
            .then(pl.col("hours") / pl.col("selling"))
            .otherwise(0.0)
            .alias("share")
        )
        .drop("selling")
    )


def waste_takeaway(shares: pl.DataFrame) -> str:
    """Each arm's hours a run outside won deals and their share of the selling hours, set against the first
    arm (the control), and the control's largest cause. ``shares``: :func:`run_shares`."""
    arms = strategy_order(shares)
    labels = {c.key: c.label for c in HOURS_CATEGORIES}
    not_won = shares.filter(pl.col("category") != "won")
    wasted: dict[str, tuple[float, float]] = {}
    for arm in arms:
        per_run = (
            not_won.filter(pl.col("arm") == arm).group_by("replication").agg(pl.col("hours", "share").sum())
        )
        wasted[arm] = (float(per_run["hours"].mean() or 0.0), float(per_run["share"].mean() or 0.0))  # type: ignore[arg-type]
    control = arms[0]
    hours, share = wasted[control]
    parts = [
        f"{control}'s reps spent {count(hours)} selling hours a run outside won deals ({percent(share)})"
    ]
    for arm in arms[1:]:
        other, other_share = wasted[arm]
        parts.append(f"{arm}'s {change(other, hours)} ({percent(other_share)})")
    causes = (
        not_won.filter(pl.col("arm") == control)
        .group_by("category")
        .agg(pl.col("share").mean())
        .sort("share", "category", descending=[True, False])
    )
    top = causes.row(0, named=True) if causes.height else None
    tail = (
        f"; {control}'s largest single cause: {labels[top['category']]} ({percent(top['share'])})"
        if top
        else ""
    )
    return "; ".join(parts) + tail + "."


def waste_chart(hours: pl.DataFrame) -> Chart | None:
    """Each arm's selling hours by category, as a share of its selling hours (mean over replications of each
    run's share); None when no arm logged a selling hour (see the module docstring).

    ``hours``: columns ``arm``, ``replication``, ``category`` (a key of :data:`sim.metrics.HOURS_CATEGORIES`)
    and ``hours``; see :func:`hours_from_summaries`, or tag :func:`sim.metrics.hours_by_category`.
    """
    if hours.height == 0 or not float(hours["hours"].sum() or 0.0):
        return None
    shares = run_shares(hours)
    arms = strategy_order(shares)
    mean = {
        (a, c): (h, s)
        for a, c, h, s in shares.group_by("arm", "category")
        .agg(pl.col("hours").mean(), pl.col("share").mean())
        .iter_rows()
    }
    won_share = {
        a: mean_interval(
            shares.filter((pl.col("arm") == a) & (pl.col("category") == "won"))["share"].to_list(),
            limits=(0.0, 1.0),  # a share: "not won: 96% (91%–101%)" was possible on four draws
        )
        for a in arms
    }
    fig = go.Figure()
    for category in HOURS_CATEGORIES:
        hours_a_run = [mean.get((a, category.key), (0.0, 0.0))[0] for a in arms]
        if not any(hours_a_run) and category.key != "won":
            continue  # a cause no arm met would only lengthen the legend
        y = [mean.get((a, category.key), (0.0, 0.0))[1] for a in arms]
        bar = go.Bar(
            x=arms,
            y=y,
            customdata=hours_a_run,
            name=category.label,
            legendgroup=category.group,
            marker={
                "color": HOURS_COLOURS[category.key],
                "line": {"color": "#FFFFFF", "width": 0.8},
            },
            text=[f"{category.label} {share:.0%}" for share in y],
            textposition="inside",
            insidetextanchor="middle",
            meta=category.key,
            hovertemplate=f"%{{x}}<br>{category.label}: %{{y:.1%}} of selling hours "
            "(%{customdata:,.0f} h a run)<extra></extra>",
        )
        if category.key == "won":
            # The 95% interval of the won share marks the boundary between won and wasted hours.
            bar.error_y = error_bars(
                y, [won_share[a].low for a in arms], [won_share[a].high for a in arms], width=10
            )
        fig.add_trace(bar)
    # Above each bar: the wasted share (everything outside won deals) with its 95% interval.
    for name in arms:
        interval = won_share[name]
        spread = f" ({1 - interval.high:.0%}–{1 - interval.low:.0%})" if not math.isnan(interval.low) else ""
        fig.add_annotation(
            x=name,
            y=1.0,
            text=f"not won: <b>{1 - interval.mean:.0%}</b>{spread}",
            showarrow=False,
            yanchor="bottom",
        )
    layout(fig, "Where do the selling hours go, and what share is wasted on deals not won?", 560, "right")
    fig.update_layout(
        barmode="stack",
        uniformtext={"minsize": 10, "mode": "hide"},
        legend={"traceorder": "reversed", "title": {"text": "selling hours by cause"}},
    )
    fig.update_yaxes(title="share of selling hours (booked + idle), %", tickformat=".0%", range=[0, 1.08])
    fig.update_xaxes(title="arm")
    return Chart(
        "waste",
        fig,
        waste_takeaway(shares),
        "Every selling hour once, stacked by how its deal ended (a contact's hours go to the deal it opened), "
        "mean share over replications; the whisker on the green base is the 95% interval of the share won.",
    )
