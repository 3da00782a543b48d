"""Monthly quota attainment as a heatmap of reps (seats) by month, one panel per strategy."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from sim.format import strategy_order
from sim.viz.style import RAMP_COLOUR, Chart, layout, strategy_colour


def quota_chart(attainment: pl.DataFrame) -> Chart:
    """Monthly quota attainment, rep (seat) by month, one heatmap per strategy; 1.0 (on quota) is pale yellow.

    ``attainment``: :func:`sim.metrics.quota_attainment_by_seat` (or :func:`sim.metrics.quota_attainment`)
    of one run per strategy, tagged and concatenated. With a ``seat`` column a row is a territory, and the
    reps who held it follow each other along it; without, a row is a rep.
    """
    strategies = strategy_order(attainment)
    by_seat = "seat" in attainment.columns
    row_key = "seat" if by_seat else "rep"
    k = max(len(strategies), 1)
    fig = make_subplots(
        rows=k,
        cols=1,
        subplot_titles=[f"<b>{s}</b>" for s in strategies] or None,
        vertical_spacing=0.12 / k if k > 1 else 0.0,
    )
    months_all = sorted(set(attainment["day"].to_list()))
    rows_per = []
    for i, name in enumerate(strategies):
        part = attainment.filter(pl.col("arm") == name)
        records = part.to_dicts()
        days = sorted({r["day"] for r in records})
        keys = sorted({r[row_key] for r in records if r[row_key] is not None})
        rows_per.append(len(keys))
        # A review with no target yet (a new hire ramping up) has no attainment to judge: drawn grey.
        judged = {
            (r[row_key], r["day"]): r["attainment"]
            for r in records
            if r.get("target") is None or r["target"] > 0
        }
        ramping = {(r[row_key], r["day"]) for r in records} - set(judged)
        holder = {(r[row_key], r["day"]): r["rep"] for r in records}
        x = [months_all.index(d) + 1 for d in days]
        y = [f"{row_key} {key}" for key in keys]
        custom = [[[day, holder.get((key, day))] for day in days] for key in keys]
        fig.add_trace(
            go.Heatmap(
                x=x,
                y=y,
                z=[[judged.get((key, day)) for day in days] for key in keys],
                customdata=custom,
                # Symmetric around quota; a rep above twice the target shows as the darkest blue.
                zmin=0.0,
                zmax=2.0,
                zmid=1.0,
                # Red-yellow-blue rather than red-white-blue: on quota (pale yellow) must not look like a
                # vacant seat (blank).
                colorscale="RdYlBu",
                showscale=i == 0,
                colorbar={
                    "title": {"text": "attainment"},
                    "tickvals": [0, 0.5, 1.0, 1.5, 2.0],
                    "ticktext": ["0", "0.5", "1.0 = quota", "1.5", "≥ 2.0"],
                    "len": min(0.9, 1.0 / k),
                    "y": 1.0,
                    "yanchor": "top",
                },
                xgap=1,
                ygap=1,
                name=name,
                meta="attainment",
                hovertemplate="%{y}, rep %{customdata[1]}, month %{x} (day %{customdata[0]:.0f}): "
                "%{z:.0%} of target to date<extra></extra>",
            ),
            row=i + 1,
            col=1,
        )
        if ramping:
            fig.add_trace(
                go.Heatmap(
                    x=x,
                    y=y,
                    z=[[0.0 if (key, day) in ramping else None for day in days] for key in keys],
                    customdata=custom,
                    colorscale=[[0.0, RAMP_COLOUR], [1.0, RAMP_COLOUR]],
                    showscale=False,
                    xgap=1,
                    ygap=1,
                    name=f"{name}: ramping",
                    meta="ramping",
                    hovertemplate="%{y}, rep %{customdata[1]}, month %{x}: new hire ramping up, no target yet"
                    "<extra></extra>",
                ),
                row=i + 1,
                col=1,
            )
        fig.update_yaxes(
            title="rep's seat (territory)" if by_seat else "rep", autorange="reversed", row=i + 1, col=1
        )
        fig.update_xaxes(title="month of quota reviews" if i == k - 1 else None, dtick=3, row=i + 1, col=1)
    for j, annotation in enumerate(fig.layout.annotations):
        if j < len(strategies):
            annotation.update(font={"color": strategy_colour(strategies[j]), "size": 14})
    height = 150 + sum(max(8, n) * 20 + 60 for n in rows_per)
    layout(fig, "Which reps are on quota, month by month?", height)
    return Chart(
        "quota",
        fig,
        "Each cell is one monthly review of the rep holding that seat: bookings this quota year against the "
        "target to date; blue is ahead of quota, red behind, pale yellow on it, grey a new hire still ramping "
        "up, blank a vacant seat; a red wall means the quota clock runs faster than deals close.",
    )
