"""Bookings per quarter of the quota calendar: grouped bars per strategy, mean and 95% interval over replications.

Leaders count bookings by quarter and quota year, not by simulated day, and the warm-up before the first quota
year counts for nobody; so the bars start at Y1 Q1, the warm-up is named in the caption, and a quarter the
horizon cuts short is hatched and labelled as partial.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
import polars as pl

from sim.viz.bands import error_bars, nonnegative, replication_band
from sim.viz.style import Chart, layout, strategy_colour
from sim.words.format import money, strategy_order


def quarter_takeaway(bookings: pl.DataFrame) -> str:
    """The chart's one-sentence finding, from the data: mean bookings per complete quarter of each strategy,
    set against the first (the control), and what the warm-up booked (left out of the bars).

    ``bookings``: as :func:`bookings_by_quarter_chart` takes it.
    """
    strategies = strategy_order(bookings)
    complete = bookings.filter((pl.col("year") > 0) & pl.col("complete"))
    per_quarter = {
        name: float(complete.filter(pl.col("arm") == name)["bookings"].mean() or math.nan)  # type: ignore[arg-type]
        for name in strategies
    }
    quarters = complete["label"].n_unique()
    if not strategies or quarters == 0:
        return "No quarter of the quota calendar is complete within the horizon."
    control = strategies[0]
    if len(strategies) == 1:
        head = f"{control} booked {money(per_quarter[control])} a quarter on average"
    else:
        parts = []
        for name in strategies[1:]:
            change = per_quarter[name] / per_quarter[control] - 1 if per_quarter[control] else math.nan
            word = "more" if change >= 0 else "less"
            parts.append(f"{name} {money(per_quarter[name])} ({abs(change):.0%} {word})")
        head = f"{control} booked {money(per_quarter[control])} a quarter on average, " + ", ".join(parts)
    warm = bookings.filter(pl.col("year") == 0)
    tail = ""
    if warm.height:
        days = float(warm["full_days"].max())  # type: ignore[arg-type]
        booked = ", ".join(
            f"{money(float(warm.filter(pl.col('arm') == n)['bookings'].mean() or 0.0))} for {n}"  # type: ignore[arg-type]
            for n in strategies
        )
        tail = f"; the {days:.0f}-day warm-up before Y1 ({booked}) is not shown"
    return f"Over {quarters} complete quarters, {head}{tail}."


def bookings_by_quarter_chart(bookings: pl.DataFrame) -> Chart | None:
    """Bookings per quarter of the quota calendar per strategy: mean and 95% interval across replications.

    ``bookings``: :func:`sim.metrics.bookings_by_quarter` of each run, :func:`tag`-ged and concatenated. The
    warm-up row (``year`` 0) is left out of the bars and named in the caption; a quarter the horizon cuts
    short is hatched, and its tick says how many of its days the run covers. None when the horizon ends
    within the warm-up (no quarter to draw).
    """
    quarters = bookings.filter(pl.col("year") > 0)
    if quarters.height == 0:
        return None
    calendar = (
        quarters.group_by("label", maintain_order=True)
        .agg(
            pl.col("year").first(),
            pl.col("number").first(),
            pl.col("complete").all(),
            pl.col("days").min(),
            pl.col("full_days").first(),
        )
        .sort("year", "number")
    )
    labels = calendar["label"].to_list()
    ticks = [
        label if complete else f"{label}<br>({days:.0f} of {full:.0f} d)"
        for label, complete, days, full in calendar.select(
            "label", "complete", "days", "full_days"
        ).iter_rows()
    ]
    hatch = ["" if complete else "/" for complete in calendar["complete"].to_list()]
    band = nonnegative(replication_band(quarters, "label", "bookings"))
    fig = go.Figure()
    for name in strategy_order(quarters):
        rows = {r["label"]: r for r in band.filter(pl.col("arm") == name).iter_rows(named=True)}
        means = [rows[label]["mean"] if label in rows else math.nan for label in labels]
        lows = [rows[label]["low"] if label in rows else math.nan for label in labels]
        highs = [rows[label]["high"] if label in rows else math.nan for label in labels]
        n = max((rows[label]["n"] for label in rows), default=0)
        colour = strategy_colour(name)
        fig.add_trace(
            go.Bar(
                x=labels,
                y=[None if math.isnan(m) else m for m in means],
                name=f"{name} (mean of {n}, 95% interval)" if n >= 2 else name,
                marker={"color": colour, "pattern": {"shape": hatch, "fgcolor": "white", "solidity": 0.35}},
                error_y=error_bars(means, lows, highs),
                customdata=[[n, tick.replace("<br>", ", ")] for tick in ticks],
                hovertemplate=f"{name}, %{{customdata[1]}}: $%{{y:,.0f}} (mean of %{{customdata[0]}} runs)"
                "<extra></extra>",
            )
        )
    who = "each arm" if len(strategy_order(quarters)) > 1 else "the team"
    layout(fig, f"How much does {who} book per quarter of the quota year?", 440, barmode="group")
    fig.update_xaxes(
        title="quarter of the quota calendar (Y1 Q1 starts after the warm-up; hatched: cut by the horizon)",
        tickvals=labels,
        ticktext=ticks,
        categoryorder="array",
        categoryarray=labels,
    )
    fig.update_yaxes(title="bookings per quarter ($)", tickprefix="$", tickformat=",.0f", rangemode="tozero")
    return Chart(
        "bookings_by_quarter",
        fig,
        quarter_takeaway(bookings),
        "Mean bookings per quarter over replications with 95% error bars; a hatched bar is a quarter the "
        "horizon cuts short.",
    )
