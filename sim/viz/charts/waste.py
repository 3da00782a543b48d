"""Where the selling hours went, per arm: every category of :data:`sim.metrics.HOURS_CATEGORIES` stacked as a
share of the selling hours, in four blocks from the bottom: won, wasted (deals that ended not won, and
screening), still open at the horizon (neither wasted nor won), and unused capacity (idle: selling time no deal
used) on top, hatched, so it never reads as part of the waste.

Each cause has its own colour from a colour-blind-safe set (:data:`sim.viz.style.HOURS_COLOURS`), and a
segment wide enough for it carries its name and share, so the legend is a key, not a puzzle. A share is the mean
over replications of each run's share (so the shares add up to 100%, and the "wasted" figure above each bar is
the comparison table's wasted share, with its 95% interval; the unused capacity is written beside it).

Left out, not drawn blank: a cause no arm met (it would only lengthen the legend), and the whole chart when no
arm logged a selling hour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go
import polars as pl

from sim.metrics import HOURS_CATEGORIES, WASTED_CATEGORIES
from sim.study.stats import mean_interval
from sim.viz.bands import error_bars
from sim.viz.charts.words import change, count, mean_of, percent
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


STACK_ORDER = ("won", "wasted", "still open", "unused capacity")
"""The blocks of a bar, bottom to top (:attr:`sim.metrics.HoursCategory.counts_as`)."""

STACKED = sorted(HOURS_CATEGORIES, key=lambda c: STACK_ORDER.index(c.counts_as))
"""The categories in the order the bars stack them: won, the wasted causes, still open, idle."""


def _per_run(shares: pl.DataFrame, arm: str, categories: Sequence[str]) -> pl.DataFrame:
    """Per run of ``arm``: the hours and share of ``categories`` together."""
    return (
        shares.filter((pl.col("arm") == arm) & pl.col("category").is_in(list(categories)))
        .group_by("replication")
        .agg(pl.col("hours", "share").sum())
    )


def waste_takeaway(shares: pl.DataFrame) -> str:
    """Each arm's wasted hours a run (deals that ended not won, and screening) and their share of the selling
    hours, set against the first arm (the control); the control's largest cause of waste; and each arm's unused
    capacity (idle), reported beside the waste, never in it. ``shares``: :func:`run_shares`."""
    arms = strategy_order(shares)
    labels = {c.key: c.label for c in HOURS_CATEGORIES}
    wasted = {
        arm: (
            mean_of(_per_run(shares, arm, WASTED_CATEGORIES)["hours"]),
            mean_of(_per_run(shares, arm, WASTED_CATEGORIES)["share"]),
        )
        for arm in arms
    }
    idle = {arm: mean_of(_per_run(shares, arm, ["idle"])["share"]) for arm in arms}
    control = arms[0]
    hours, share = wasted[control]
    parts = [
        f"{control}'s reps wasted {count(hours)} selling hours a run on deals not won and screening "
        f"({percent(share)})"
    ]
    for arm in arms[1:]:
        other, other_share = wasted[arm]
        parts.append(f"{arm}'s {change(other, hours)} ({percent(other_share)})")
    causes = (
        shares.filter((pl.col("arm") == control) & pl.col("category").is_in(list(WASTED_CATEGORIES)))
        .group_by("category")
        .agg(pl.col("share").mean())
        .filter(pl.col("share") > 0)
        .sort("share", "category", descending=[True, False])
    )
    top = causes.row(0, named=True) if causes.height else None
    tail = (
        f"; {control}'s largest cause of waste: {labels[top['category']]} ({percent(top['share'])})"
        if top
        else ""
    )
    unused = "; unused capacity (idle, not counted as waste): " + ", ".join(
        f"{arm} {percent(idle[arm])}" for arm in arms
    )
    return "; ".join(parts) + tail + unused + "."


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
    wasted_share = {
        a: mean_interval(_per_run(shares, a, WASTED_CATEGORIES)["share"].to_list(), limits=(0.0, 1.0))
        for a in arms
    }
    fig = go.Figure()
    for rank, category in enumerate(STACKED):
        hours_a_run = [mean.get((a, category.key), (0.0, 0.0))[0] for a in arms]
        if not any(hours_a_run) and category.key != "won":
            continue  # a cause no arm met would only lengthen the legend
        y = [mean.get((a, category.key), (0.0, 0.0))[1] for a in arms]
        unused = category.counts_as == "unused capacity"
        marker: dict[str, object] = {
            "color": HOURS_COLOURS[category.key],
            "line": {"color": "#FFFFFF", "width": 0.8},
        }
        if unused:  # unused capacity is not a cause of waste: hatched, outlined, its own legend block
            marker["pattern"] = {"shape": "/", "fgcolor": "#AAAAAA", "solidity": 0.15}
            marker["line"] = {"color": "#888888", "width": 1.0}
        bar = go.Bar(
            x=arms,
            y=y,
            customdata=hours_a_run,
            name=category.label if not unused else "unused capacity (idle, not waste)",
            legendgroup=category.counts_as,
            legendgrouptitle={"text": category.counts_as},
            legendrank=1000 - rank,  # the legend lists the blocks top to bottom, as the bar stacks them
            marker=marker,
            text=[f"{'unused' if unused else category.label} {share:.0%}" for share in y],
            textposition="inside",
            insidetextanchor="middle",
            meta=category.key,
            hovertemplate=f"%{{x}}<br>{category.label} ({category.counts_as}): %{{y:.1%}} of selling hours "
            "(%{customdata:,.0f} h a run)<extra></extra>",
        )
        if category.key == "won":
            # The 95% interval of the won share marks the boundary between won and the other hours.
            bar.error_y = error_bars(
                y, [won_share[a].low for a in arms], [won_share[a].high for a in arms], width=10
            )
        fig.add_trace(bar)
    # Above each bar: the wasted share with its 95% interval, and the unused capacity beside it (not in it).
    for name in arms:
        interval = wasted_share[name]
        spread = f" ({interval.low:.0%}–{interval.high:.0%})" if not math.isnan(interval.low) else ""
        idle = mean.get((name, "idle"), (0.0, 0.0))[1]
        fig.add_annotation(
            x=name,
            y=1.0,
            text=f"wasted: <b>{interval.mean:.0%}</b>{spread}<br>unused: {idle:.0%}",
            showarrow=False,
            yanchor="bottom",
        )
    layout(
        fig,
        "Where do the selling hours go: what share is wasted, and how much capacity goes unused?",
        580,
        "right",
    )
    fig.update_layout(
        barmode="stack",
        uniformtext={"minsize": 10, "mode": "hide"},
        legend={"traceorder": "grouped", "title": {"text": "selling hours by cause"}},
    )
    fig.update_yaxes(title="share of selling hours (booked + idle), %", tickformat=".0%", range=[0, 1.14])
    fig.update_xaxes(title="arm")
    return Chart(
        "waste",
        fig,
        waste_takeaway(shares),
        "Every selling hour once, stacked by how its deal ended (a contact's hours go to the deal it opened): "
        "won, wasted (lost, no decision, walked away, screening), still open at the horizon, and unused capacity "
        "(idle, hatched: not waste); mean share over replications; the whisker on the green base is the 95% "
        "interval of the share won, the figure above each bar the wasted share with its 95% interval.",
    )
