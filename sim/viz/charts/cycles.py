"""Cycle lengths: the buyer's buying cycle beside each strategy's sales cycles, by segment, as box plots."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import plotly.graph_objects as go
import polars as pl

from sim.format import strategy_order
from sim.viz.style import BUYER_COLOUR, SEGMENT_LABELS, Chart, layout, rgba, segment_label, strategy_colour


def box_stats(values: Iterable[float]) -> dict[str, float] | None:
    """Quartiles and Tukey whiskers (1.5 IQR, clipped to the data) of a sample; None if empty."""
    s = pl.Series([v for v in values if v is not None and math.isfinite(v)], dtype=pl.Float64)
    if s.len() == 0:
        return None
    q1 = float(s.quantile(0.25, "linear") or 0.0)
    q3 = float(s.quantile(0.75, "linear") or 0.0)
    iqr = q3 - q1
    inside = s.filter((s >= q1 - 1.5 * iqr) & (s <= q3 + 1.5 * iqr))
    return {
        "n": float(s.len()),
        "q1": q1,
        "median": float(s.median() or 0.0),  # type: ignore[arg-type]
        "q3": q3,
        "lowerfence": float(inside.min() or 0.0),  # type: ignore[arg-type]
        "upperfence": float(inside.max() or 0.0),  # type: ignore[arg-type]
        "mean": float(s.mean() or 0.0),  # type: ignore[arg-type]
    }


def cycle_chart(cycles: pl.DataFrame, expected: Mapping[str, float] | None = None) -> Chart:
    """Buying cycles beside each strategy's sales cycles, by segment, with the cycle the quota clock expects.

    ``cycles``: :func:`sim.metrics.cycle_lengths` of each run, tagged and concatenated (all replications are
    pooled). ``expected``: the scenario's ``expected_sales_cycle_days`` per segment, drawn as a dash.
    """
    segments = [s for s in SEGMENT_LABELS if s in set(cycles["segment"].to_list())]
    segments += sorted(set(cycles["segment"].to_list()) - set(segments))
    labels = [segment_label(s) for s in segments]
    series: list[tuple[str, str, str, pl.DataFrame]] = [
        ("buyer's own buying cycle", BUYER_COLOUR, "buying", cycles.filter(pl.col("cycle") == "buying"))
    ]
    for name in strategy_order(cycles):
        series.append(
            (
                f"{name}: sales cycle (opened → decided)",
                strategy_colour(name),
                "sales",
                cycles.filter((pl.col("arm") == name) & (pl.col("cycle") == "sales")),
            )
        )
    fig = go.Figure()
    for label, colour, cycle, frame in series:
        stats = {s: box_stats(frame.filter(pl.col("segment") == s)["days"].to_list()) for s in segments}
        got = {s: v for s, v in stats.items() if v is not None}
        present = [s for s in segments if s in got]
        if not present:
            continue
        fig.add_trace(
            go.Box(
                name=label,
                x=[segment_label(s) for s in present],
                q1=[got[s]["q1"] for s in present],
                median=[got[s]["median"] for s in present],
                q3=[got[s]["q3"] for s in present],
                lowerfence=[got[s]["lowerfence"] for s in present],
                upperfence=[got[s]["upperfence"] for s in present],
                mean=[got[s]["mean"] for s in present],
                marker={"color": colour},
                line={"color": colour},
                fillcolor=rgba(colour, 0.35),
                boxpoints=False,
                customdata=[[int(got[s]["n"])] for s in present],
                meta=cycle,
            )
        )
    if expected:
        # A dashed line across each segment's group of boxes, and invisible points carrying its hover text.
        for position, segment in enumerate(segments):
            if segment in expected:
                fig.add_shape(
                    type="line",
                    xref="x",
                    yref="y",
                    x0=position - 0.46,
                    x1=position + 0.46,
                    y0=expected[segment],
                    y1=expected[segment],
                    line={"color": "#111", "width": 2.5, "dash": "dash"},
                    name=f"expected {segment}",
                )
        fig.add_trace(
            go.Scatter(
                x=[segment_label(s) for s in segments if s in expected],
                y=[expected[s] for s in segments if s in expected],
                mode="markers",
                marker={"size": 14, "opacity": 0},
                showlegend=False,
                meta="expected",
                hovertemplate="%{x}: the quota clock expects %{y:.0f} days<extra></extra>",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines",
                line={"color": "#111", "width": 2.5, "dash": "dash"},
                name="sales cycle the quota clock expects",
            )
        )
    layout(fig, "Does the buyer's cycle outlast the sales cycle the quota clock expects?", 480, "right")
    fig.update_layout(boxmode="group", boxgap=0.25, boxgroupgap=0.1)
    fig.update_xaxes(title="market segment", categoryorder="array", categoryarray=labels)
    longest = max([*cycles["days"].drop_nulls().to_list(), *(expected or {}).values(), 10.0])
    fig.update_yaxes(
        title="days (log scale)",
        type="log",
        # From one day up: a deal decided within hours would stretch the axis without telling anything.
        range=[0.0, math.log10(longest * 1.3)],
        tickvals=[1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000],
        ticktext=["1", "2", "5", "10", "20", "50", "100", "200", "500", "1,000", "2,000"],
    )
    return Chart(
        "cycles",
        fig,
        "Boxes show the middle half of cycles (solid line: median, dashed: mean; whiskers: 1.5 IQR), pooled "
        "over replications: "
        "where the grey buying cycle sits above the black dash, buyers take longer than the quota clock "
        "allows, and a deal opened early idles until the buyer is ready.",
    )
