"""Forecast versus actual per month of the quota calendar: what leadership committed and what closed.

The forecast counts late-stage deals on the sales cycle reps *expect*, which is shorter than the buyer's own
(DiModica), so it runs ahead of bookings; the seeds' point is that optimism, and this chart is where it shows:
a dashed forecast line per strategy above its solid bookings line, both averaged over replications with 95%
bands, and the median ratio of the two in the caption.
"""

from __future__ import annotations

import math
import statistics

import plotly.graph_objects as go
import polars as pl

from sim.metrics.calendar import REVIEWS_PER_YEAR
from sim.viz.bands import band_traces, nonnegative, replication_band
from sim.viz.style import Chart, layout, quota_month_axis
from sim.words.format import strategy_order


def median_ratios(months: pl.DataFrame) -> dict[str, float]:
    """Per strategy, the median of forecast ÷ actual over its complete months and replications.

    A month that forecast something and closed nothing counts as above every other (its ratio is infinite),
    so it pulls the median up rather than dropping out; a month with neither is left out.
    """
    complete = months.filter(pl.col("complete"))
    out = {}
    for name in strategy_order(complete):
        ratios = complete.filter((pl.col("arm") == name) & pl.col("ratio").is_not_null())["ratio"].to_list()
        out[name] = statistics.median(ratios) if ratios else math.nan
    return out


def times(ratio: float) -> str:
    """A ratio as people say it: 4.2×, 19×."""
    if math.isinf(ratio):
        return "∞×"
    return f"{ratio:.1f}×" if ratio < 10 else f"{ratio:,.0f}×"


def forecast_takeaway(months: pl.DataFrame) -> str:
    """The chart's one-sentence finding, from the data: each strategy's median forecast-to-actual ratio, and
    the share of months in which nothing closed against a forecast.

    ``months``: as :func:`forecast_vs_actual_chart` takes it.
    """
    ratios = median_ratios(months)
    if not ratios or all(math.isnan(r) for r in ratios.values()):
        return "No complete month of the quota calendar has a forecast to compare."
    first, *rest = ratios
    if math.isinf(ratios[first]):
        # A median that is infinite says that most months closed nothing against a forecast: say so.
        head = f"Month by month, {first}'s forecast was met by nothing at all in most months"
    else:
        head = f"Month by month, {first}'s forecast ran a median {times(ratios[first])} what actually closed"
    if rest:
        head += (
            " ("
            + ", ".join(
                f"{name}: nothing in most months"
                if math.isinf(ratios[name])
                else f"{name} {times(ratios[name])}"
                for name in rest
            )
            + ")"
        )
    complete = months.filter(pl.col("complete") & (pl.col("forecast") > 0))
    empty = complete.filter(pl.col("actual") == 0).height / complete.height if complete.height else 0.0
    tail = f", and in {empty:.0%} of the months nothing closed at all" if empty >= 0.005 else ""
    return f"{head}{tail}: the forecast counts deals on the cycle reps expect, and buyers take longer."


def forecast_vs_actual_chart(months: pl.DataFrame) -> Chart | None:
    """Per month of the quota calendar: the forecast committed for it and the bookings that closed in it, per
    strategy, mean and 95% band across replications.

    ``months``: :func:`sim.metrics.forecast_vs_actual_by_month` of each run, :func:`tag`-ged and concatenated.
    Months the horizon cuts short are left out (their bookings are short by construction); None when no month
    is complete.
    """
    if months.filter(pl.col("complete")).height == 0:
        return None
    complete = months.filter(pl.col("complete")).with_columns(
        ((pl.col("year") - 1) * REVIEWS_PER_YEAR + pl.col("month")).alias("quota_month")
    )
    names = dict(complete.select("quota_month", "label").unique().iter_rows())
    fig = go.Figure()
    for column, what, dash in (("forecast", "forecast", "dash"), ("actual", "closed", "solid")):
        first = len(fig.data)
        band = nonnegative(replication_band(complete, "quota_month", column))
        band_traces(fig, band, "quota_month", f"%{{customdata}}: {what} $%{{y:,.0f}}<extra></extra>")
        for trace in fig.data[first:]:
            if trace.mode == "lines":
                trace.line.dash = dash
                trace.name = trace.name.replace(trace.legendgroup, f"{trace.legendgroup}: {what}", 1)
                trace.customdata = [names[x] for x in trace.x]
    layout(fig, "How far ahead of bookings does the monthly forecast run?", 460)
    quota_month_axis(
        fig,
        names,
        "month of the quota calendar (Y1 M1 starts after the warm-up; the first forecast is for M2)",
    )
    fig.update_yaxes(title="$ per month", tickprefix="$", tickformat=",.0f", rangemode="tozero")
    return Chart(
        "forecast_vs_actual",
        fig,
        forecast_takeaway(months),
        "Dashed: the forecast committed for the month; solid: what closed in it; each the mean over "
        "replications with its 95% band.",
    )
