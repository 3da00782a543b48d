"""Experiment charts: response curves, a two-factor heatmap, Morris μ*–σ, Sobol bars and convergence.

They draw the tables :mod:`sim.study.analysis` computes from an experiment directory, never runs:
:func:`~sim.study.analysis.point_summary` (per design point and figure: the factors, n, mean and 95% interval)
and :func:`~sim.study.analysis.sensitivity` (Morris or Sobol indices). So a chart shows the numbers
``salesim experiment summarize`` prints, and drawing a million-run experiment costs no more than its summary.

Where a chart puts several design points in one place (points that share a factor's value but differ in
others), it takes the plain mean of their means and of their interval ends. The points run on the same seeds,
so their noise is positively correlated; averaging the ends is then the cautious band (exact when the
correlation is perfect), never narrower than the replications allow.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import replace

import plotly.graph_objects as go
import polars as pl

from sim.metrics import BOUNDED_FIGURES, TABLE_METRICS, display_scale
from sim.viz.bands import band_traces
from sim.viz.style import Chart, layout
from sim.words.format import fmt

MAX_LEVELS = 12
"""A numeric factor with more distinct values than this (a Latin hypercube or Sobol sample) is binned: one
line point per value would draw the other factors' noise, not this factor's effect."""

BINS = 8
"""Equal-width bins of a binned factor, each drawn at its midpoint."""

WHOLE_DESIGN = "all design points"
"""The one line of a factor chart with no other levers to split it by."""

RAISES, LOWERS, SPREAD = "#0072B2", "#D55E00", "#333333"
"""Okabe-Ito blue and vermillion (colour-blind safe) for an uncertainty that raises or lowers the figure, and
the ink of Morris σ."""


def figure_label(metric: str) -> str:
    """How a figure is named on an axis: the comparison table's label (with its unit), else its name in words."""
    return TABLE_METRICS.get(metric, (metric.replace("_", " "), True))[0]


def _formats(metric: str, values: pl.Series) -> tuple[str, str]:
    """(tick format, value format) of a figure: shares as percentages, large figures in whole numbers with
    thousands separated (plotly's ``g`` would write $749,432 as 7.494e+5), small ones to three digits."""
    if metric in BOUNDED_FIGURES:
        return ".0%", ".1%"
    largest = values.abs().max()
    return "~s", ",.0f" if largest is not None and float(largest) >= 100 else ".3~g"  # type: ignore[arg-type]


def _figure_rows(points: pl.DataFrame, metric: str) -> pl.DataFrame:
    """The points' rows of one figure with a value, at the scale tables and charts show it."""
    scale = display_scale(metric)
    return (
        points.filter(pl.col("metric") == metric)
        .drop_nulls("mean")
        .with_columns((pl.col(c) * scale) for c in ("mean", "ci_low", "ci_high"))
    )


def _levels(rows: pl.DataFrame, factor: str) -> tuple[pl.Expr, bool]:
    """The factor as a chart places it, and whether it is binned: its own values, or the midpoint of its bin
    when it takes more than :data:`MAX_LEVELS` of them."""
    column = rows[factor]
    if not column.dtype.is_numeric() or column.n_unique() <= MAX_LEVELS:
        return pl.col(factor), False
    low, high = float(column.min()), float(column.max())  # type: ignore[arg-type]
    width = (high - low) / BINS
    index = ((pl.col(factor) - low) / width).floor().clip(0, BINS - 1)
    return low + (index + 0.5) * width, True


def _arm(arm_factors: Sequence[str]) -> pl.Expr:
    """A point's arm: the value of its one arm factor, or ``name=value`` of each, or the whole design."""
    if not arm_factors:
        return pl.lit(WHOLE_DESIGN)
    if len(arm_factors) == 1:
        return pl.col(arm_factors[0]).cast(pl.String)
    return pl.concat_str([pl.lit(f"{f}=") + pl.col(f).cast(pl.String) for f in arm_factors], separator=" · ")


def factor_chart(
    points: pl.DataFrame,
    factor: str,
    metric: str,
    arm_factors: Sequence[str] = (),
    warnings: Sequence[str] = (),
) -> Chart:
    """A figure's mean against one factor with its 95% band, one line per arm (combination of ``arm_factors``).

    ``points``: :func:`sim.study.analysis.point_summary`. Points sharing an arm and a value of ``factor`` (they
    differ in factors that are neither) are averaged, their band too (see the module's note). A line's legend
    counts the runs behind each of its points. ``warnings`` are written under the plot.
    """
    rows = _figure_rows(points, metric)
    x, binned = _levels(rows, factor)
    band = (
        rows.select(
            _arm(arm_factors).alias("arm"),
            x.alias("x"),
            "n",
            "mean",
            pl.col("ci_low").alias("low"),
            pl.col("ci_high").alias("high"),
        )
        .group_by("arm", "x", maintain_order=True)
        .agg(pl.col("n").sum(), pl.col("mean").mean(), pl.col("low").mean(), pl.col("high").mean())
        # With no interval (one replication) there is no band to shade, whatever the count of runs.
        .with_columns(pl.when(pl.col("low").is_null()).then(1).otherwise(pl.col("n")).alias("n"))
    )
    tick, hover = _formats(metric, band["mean"])
    fig = go.Figure()
    band_traces(fig, band, "x", f"{factor} %{{x}}: %{{y:{hover}}}<extra></extra>")
    # Few x values: mark each mean, and keep plotly's default markers off the bands' outlines.
    for trace in fig.data:
        trace.update(mode="lines" if trace.fill == "toself" else "lines+markers")
    words = metric.replace("_", " ")
    split = f", for each {' × '.join(arm_factors)}" if arm_factors else ""
    layout(fig, f"How does {words} change with {factor}{split}?", 440)
    fig.update_xaxes(title=f"{factor} (binned, bin midpoints)" if binned else factor)
    fig.update_yaxes(title=figure_label(metric), tickformat=tick, rangemode="tozero")
    _warn(fig, warnings)
    return Chart(
        f"factor-{metric}-{factor}",
        fig,
        f"The mean {words} at each {factor} over replications (and over the factors not drawn), with a "
        "shaded 95% band"
        + (
            f", one line per {' × '.join(arm_factors)}: where two lines' bands do not overlap, they differ by "
            "more than the market's own noise."
            if arm_factors
            else ": where the band is wide, the replications cannot pin the mean down."
        ),
    )


def heatmap_chart(points: pl.DataFrame, x_factor: str, y_factor: str, metric: str) -> Chart:
    """A figure's mean over two factors, averaged over any others, as a heatmap with the value in each cell.

    ``points``: :func:`sim.study.analysis.point_summary`; a factor with more than :data:`MAX_LEVELS` values is
    binned.
    """
    rows = _figure_rows(points, metric)
    x, x_binned = _levels(rows, x_factor)
    y, y_binned = _levels(rows, y_factor)
    cells = rows.select(x.alias("x"), y.alias("y"), "mean").group_by("x", "y").agg(pl.col("mean").mean())
    xs = sorted(set(cells["x"].to_list()))
    ys = sorted(set(cells["y"].to_list()))
    value = {(r["x"], r["y"]): r["mean"] for r in cells.iter_rows(named=True)}
    tick, hover = _formats(metric, cells["mean"])
    label = figure_label(metric)
    fig = go.Figure(
        go.Heatmap(
            x=[fmt(v) for v in xs],
            y=[fmt(v) for v in ys],
            z=[[value.get((a, b)) for a in xs] for b in ys],
            colorscale="Viridis",
            colorbar={"title": {"text": label, "side": "right"}, "tickformat": tick},
            texttemplate=f"%{{z:{hover}}}",
            hovertemplate=f"{x_factor} %{{x}} · {y_factor} %{{y}}: %{{z:{hover}}}<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    words = metric.replace("_", " ")
    layout(fig, f"How does {words} vary over {x_factor} and {y_factor} together?", 420)
    fig.update_xaxes(title=f"{x_factor} (binned)" if x_binned else x_factor, type="category")
    fig.update_yaxes(title=f"{y_factor} (binned)" if y_binned else y_factor, type="category")
    return Chart(
        f"heatmap-{metric}",
        fig,
        f"Each cell is the mean {words} of the points with those two values (over replications and any "
        "other factors): a colour change along a row is one factor's effect, and rows that change "
        "differently mean the two factors interact.",
    )


def _warn(fig: go.Figure, lines: Sequence[str]) -> None:
    """Write the unresolved intervals' warnings under the plot, in the lowering colour, wrapped to the width;
    call after :func:`~sim.viz.style.layout` (it grows the bottom margin and the height to fit them)."""
    if not lines:
        return
    wrapped = [textwrap.fill(line, 130).replace("\n", "<br>   ") for line in lines]
    rows = sum(w.count("<br>") + 1 for w in wrapped)
    fig.add_annotation(
        text="⚠ " + "<br>⚠ ".join(wrapped),
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        yshift=-60,
        xanchor="left",
        yanchor="top",
        align="left",
        showarrow=False,
        font={"color": LOWERS, "size": 12},
        name="warning",
    )
    extra = 20 + 17 * rows
    fig.update_layout(margin={"b": fig.layout.margin.b + extra}, height=fig.layout.height + extra)


def sensitivity_chart(
    sensitivity: pl.DataFrame, metric: str, lever_point: int = 0, replications: int = 0
) -> Chart:
    """The uncertainties' sensitivity indices on a figure: :func:`morris_chart` or :func:`sobol_chart`, by the
    columns ``sensitivity`` (:func:`sim.study.analysis.sensitivity`) holds. ``replications`` (per point) is
    named in the warning drawn when an index's interval includes 0."""
    rows = sensitivity.filter((pl.col("metric") == metric) & (pl.col("lever_point") == lever_point))
    several = sensitivity.height > 0 and sensitivity["lever_point"].n_unique() > 1
    under = f" (lever combination {lever_point})" if several else ""
    draw = morris_chart if "mu_star" in rows.columns else sobol_chart
    chart = draw(rows, metric, under, replications)
    return replace(chart, key=f"{chart.key}-{lever_point}") if several and lever_point else chart


def _labels(rows: pl.DataFrame) -> list[str]:
    """Each Morris point's label; points drawn at the same place share one label naming them all."""
    first: dict[tuple[float, float], int] = {}
    labels: list[list[str]] = []
    for factor, mu_star, sigma in rows.select("factor", "mu_star", "sigma").iter_rows():
        at = first.setdefault((round(mu_star or 0.0, 9), round(sigma or 0.0, 9)), len(labels))
        labels.append([])
        labels[at].append(factor)
    return [", ".join(names) for names in labels]


def morris_chart(rows: pl.DataFrame, metric: str, under: str = "", replications: int = 0) -> Chart:
    """Morris μ*–σ: one labelled point per uncertainty, μ* across with its 95% interval as error bars, σ up.

    ``rows``: one figure's and lever combination's rows of :func:`sim.study.analysis.sensitivity`. The points
    are blue where the mean effect μ raises the figure, orange where it lowers it.
    """
    from sim.study.analysis import unresolved_warnings

    rows = rows.sort(["mu_star", "factor"], descending=[True, False], nulls_last=True)
    words = metric.replace("_", " ")
    label = figure_label(metric)
    scale = display_scale(metric)
    tick, value = _formats(metric, rows["mu_star"] * scale)
    fig = go.Figure(
        go.Scatter(
            x=[scale * v for v in rows["mu_star"]],
            y=[scale * v for v in rows["sigma"]],
            mode="markers+text",
            text=_labels(rows),
            textposition="top right",
            cliponaxis=False,
            marker={"size": 11, "color": [RAISES if mu >= 0 else LOWERS for mu in rows["mu"]]},
            error_x={"type": "data", "array": [scale * v for v in rows["mu_star_conf"]], "color": SPREAD},
            customdata=[[scale * mu, f] for mu, f in zip(rows["mu"], rows["factor"], strict=True)],
            hovertemplate=(
                f"%{{customdata[1]}}: μ* %{{x:{value}}}, σ %{{y:{value}}}, μ %{{customdata[0]:{value}}}"
                "<extra></extra>"
            ),
            name="uncertainty (blue raises the figure, orange lowers it)",
        )
    )
    layout(fig, f"Which market uncertainty moves {words} most{under}?", 460)
    _warn(fig, unresolved_warnings(rows, replications))
    fig.update_xaxes(title=f"μ*: mean size of the change in {label}", tickformat=tick, rangemode="tozero")
    fig.update_yaxes(title="σ: spread of that change", tickformat=tick, rangemode="tozero")
    caption = (
        f"Each point is one uncertainty: across, Morris μ*, the mean size of the change in {words} when it "
        "moves alone (error bars its 95% interval); up, σ, how much that change varies with where the "
        "others stand. Blue raises the figure on average, orange lowers it; points far right matter most, "
        "points high up interact or act unevenly."
    )
    return Chart(f"sensitivity-{metric}", fig, caption)


def sobol_chart(rows: pl.DataFrame, metric: str, under: str = "", replications: int = 0) -> Chart:
    """Sobol total (ST) and first-order (S1) indices as grouped bars with 95% error bars, largest ST on top.

    ``rows``: one figure's and lever combination's rows of :func:`sim.study.analysis.sensitivity`.
    """
    from sim.study.analysis import unresolved_warnings

    rows = rows.sort("ST", descending=True, nulls_last=True)
    words = metric.replace("_", " ")
    factors = rows["factor"].to_list()
    fig = go.Figure()
    for index, colour in (("ST", RAISES), ("S1", LOWERS)):
        fig.add_trace(
            go.Bar(
                x=rows[index].to_list(),
                y=factors,
                orientation="h",
                marker={"color": colour},
                error_x={"type": "data", "array": rows[f"{index}_conf"].to_list(), "color": SPREAD},
                hovertemplate=f"%{{y}}: {index} %{{x:.2f}}<extra></extra>",
                name="ST (total, with interactions)" if index == "ST" else "S1 (first order, alone)",
            )
        )
    fig.update_layout(barmode="group")
    layout(
        fig,
        f"Which market uncertainty accounts for most of the spread in {words}{under}?",
        max(300, 140 + 60 * len(factors)),
    )
    fig.update_xaxes(
        title=f"share of the variance of {figure_label(metric)}", rangemode="tozero", zeroline=True
    )
    fig.update_yaxes(title="uncertainty", autorange="reversed")
    _warn(fig, unresolved_warnings(rows, replications))
    caption = (
        f"For each uncertainty, the blue bar (ST) is the share of the variance of {words} it accounts for "
        "with its interactions, the orange bar (S1) the share it accounts for alone; error bars are 95% "
        "intervals. A gap between the two means the uncertainty matters through its interplay with others."
    )
    return Chart(f"sensitivity-{metric}", fig, caption)


def convergence_chart(convergence: pl.DataFrame) -> Chart:
    """The 95% interval's half-width relative to the mean against replications, one line per kept figure.

    ``convergence``: :func:`sim.study.analysis.convergence` (half-widths over the first n replications of
    each point, the median over the points).
    """
    fig = go.Figure()
    for metric in dict.fromkeys(convergence["metric"].to_list()):
        part = convergence.filter(pl.col("metric") == metric).sort("replications")
        fig.add_trace(
            go.Scatter(
                x=part["replications"].to_list(),
                y=part["relative_half_width"].to_list(),
                mode="lines+markers",
                name=metric.replace("_", " "),
                hovertemplate=f"{metric.replace('_', ' ')}, %{{x}} replications: ±%{{y:.1%}}<extra></extra>",
            )
        )
    layout(fig, "How precise do more replications make each figure?", 400)
    fig.update_xaxes(title="replications per design point", dtick=1)
    fig.update_yaxes(title="95% half-width ÷ mean", tickformat=".0%", rangemode="tozero")
    return Chart(
        "convergence",
        fig,
        "Each line is one figure: the half-width of its 95% interval over the first n replications of each "
        "design point, as a share of that point's mean, the median over the points (a point whose mean is "
        "near 0 cannot sway it). Where a line flattens, more replications buy little precision.",
    )
