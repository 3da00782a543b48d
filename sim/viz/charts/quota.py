"""The share of reps on track to quota, month by month of the quota calendar: one line per arm, the mean over
replications with its 95% band.

"On track" is :func:`sim.metrics.quota_on_track`'s: at a monthly review, the rep's bookings this quota year are
at least the annual quota pro rata to the time elapsed in it; new hires in the first half of their ramp-up are
not judged. Every replication counts (a heatmap of one replication's reps would show the dice, not the arm).

Left out, not drawn blank: the whole chart when no review judged anyone (a horizon within the warm-up).
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from sim.viz.bands import band_traces, replication_band
from sim.viz.charts.words import mean_of, percent
from sim.viz.style import Chart, layout, quota_month_axis
from sim.words.format import strategy_order


def quota_takeaway(on_track: pl.DataFrame) -> str:
    """The mean share of reps on track over the monthly reviews, per arm, and the share at the last review.

    ``on_track``: as :func:`quota_chart` takes it. A month's share is the mean over replications (a
    replication that judged nobody that month is left out of it); the average is over the months.
    """
    band = replication_band(on_track.drop_nulls("share"), "month", "share")
    arms = strategy_order(band)
    if not arms:
        return "No monthly review judged a rep within the horizon."
    average = {a: mean_of(band.filter(pl.col("arm") == a)["mean"]) for a in arms}
    last_month = int(band["month"].max())  # type: ignore[arg-type]
    label = on_track.filter(pl.col("month") == last_month)["label"][0]
    final = band.filter(pl.col("month") == last_month)
    last = {a: mean_of(final.filter(pl.col("arm") == a)["mean"]) for a in arms}
    months = band["month"].n_unique()
    control, rest = arms[0], arms[1:]
    head = f"Over {months} monthly reviews, {percent(average[control])} of {control}'s reps were on track to quota"
    if rest:
        head += " (" + ", ".join(f"{a} {percent(average[a])}" for a in rest) + ")"
    tail = f"; at the last review ({label}): " + ", ".join(f"{a} {percent(last[a])}" for a in arms)
    return head + tail + "."


def quota_chart(on_track: pl.DataFrame) -> Chart | None:
    """The share of reps on track to quota per month of the quota calendar, per arm, mean and 95% band over
    replications; None when no review judged anyone (see the module docstring).

    ``on_track``: :func:`sim.metrics.quota_on_track` of each run, :func:`tag`-ged and concatenated.
    """
    judged = on_track.drop_nulls("share")
    if judged.height == 0:
        return None
    names = dict(on_track.select("month", "label").unique().iter_rows())
    band = replication_band(judged, "month", "share")
    fig = go.Figure()
    band_traces(fig, band, "month", "%{customdata}: %{y:.0%} of reps on track<extra></extra>")
    for trace in fig.data:
        trace.customdata = [names.get(x, "") for x in trace.x]
    layout(fig, "What share of the reps is on track to make quota, month by month?", 440)
    quota_month_axis(
        fig, names, "month of the quota calendar (Y1 M1 starts after the warm-up; a review closes each month)"
    )
    fig.update_yaxes(title="reps on track to quota (% of reps judged)", tickformat=".0%", range=[0, 1.02])
    return Chart(
        "quota",
        fig,
        quota_takeaway(on_track),
        "On track: bookings this quota year at least the annual quota pro rata to the time elapsed; new hires "
        "ramping up are not judged; mean over replications with its 95% band.",
    )
