"""Cycle lengths: the buyer's buying cycle beside each arm's sales cycles, by segment, as box plots on a linear
axis of days (a log axis hides how much longer the long cycles are, which is the point).

Left out, not drawn blank: a segment with no cycle, and the whole chart when no run has a cycle at all.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import plotly.graph_objects as go
import polars as pl

from sim.config.segments import SEGMENT_LABELS
from sim.viz.charts.words import count, joined
from sim.viz.style import BUYER_COLOUR, Chart, layout, rgba, strategy_colour
from sim.words.format import strategy_order
from sim.words.labels import segment_label


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


def cycle_takeaway(cycles: pl.DataFrame, expected: Mapping[str, float] | None = None) -> str:
    """Per segment: the buyers' median buying cycle against the cycle the quota clock expects, and each arm's
    median sales cycle (all pooled over replications). ``cycles``: as :func:`cycle_chart` takes it."""
    parts = []
    for segment in _segments(cycles):
        rows = cycles.filter(pl.col("segment") == segment)
        buying = rows.filter(pl.col("cycle") == "buying")["days"].median()
        arms = []
        for arm in strategy_order(cycles):
            median = rows.filter((pl.col("arm") == arm) & (pl.col("cycle") == "sales"))["days"].median()
            if median is not None:
                arms.append(f"{count(float(median))} days for {arm}")  # type: ignore[arg-type]
        clauses = []
        if buying is not None:
            clock = (
                f" (the quota clock expects {count(expected[segment])})"
                if expected and segment in expected
                else ""
            )
            clauses.append(f"buyers took a median {count(float(buying))} days to decide{clock}")  # type: ignore[arg-type]
        if arms:
            clauses.append("sales cycles ran a median " + joined(arms))
        if clauses:
            parts.append(f"{segment_label(segment)}: " + ", ".join(clauses))
    if not parts:
        return "No deal was decided and no buying window opened within the horizon."
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."


def _segments(cycles: pl.DataFrame) -> list[str]:
    """The segments present, in the order charts list them (SMB first)."""
    present = set(cycles["segment"].drop_nulls().to_list())
    return [s for s in SEGMENT_LABELS if s in present] + sorted(present - set(SEGMENT_LABELS))


def cycle_chart(cycles: pl.DataFrame, expected: Mapping[str, float] | None = None) -> Chart | None:
    """Buying cycles beside each arm's sales cycles, by segment, with the cycle the quota clock expects; None
    when there is no cycle to draw (see the module docstring).

    ``cycles``: :func:`sim.metrics.cycle_lengths` of each run, tagged and concatenated (all replications are
    pooled). ``expected``: the scenario's ``expected_sales_cycle_days`` per segment, drawn as a dash.
    """
    cycles = cycles.filter(pl.col("cycle") != "sales_won")
    if cycles.height == 0:
        return None
    segments = _segments(cycles)
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
    top = 0.0
    for label, colour, cycle, frame in series:
        stats = {s: box_stats(frame.filter(pl.col("segment") == s)["days"].to_list()) for s in segments}
        got = {s: v for s, v in stats.items() if v is not None}
        present = [s for s in segments if s in got]
        if not present:
            continue
        top = max(top, *(got[s]["upperfence"] for s in present))
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
    # Linear, from zero to the longest whisker (or the expected cycle): a cycle twice as long looks it.
    longest = max([top, *[expected[s] for s in segments if expected and s in expected], 10.0])
    fig.update_yaxes(title="cycle length (days)", type="linear", range=[0.0, longest * 1.08])
    return Chart(
        "cycles",
        fig,
        cycle_takeaway(cycles, expected),
        "Boxes hold the middle half of the cycles, pooled over replications (line: median, dashed: mean, "
        "whiskers: 1.5 IQR); where the grey buying cycle sits above the black dash, buyers take longer than "
        "the quota clock allows.",
    )
