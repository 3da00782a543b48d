"""The charts: one function per figure, each taking metric frames (polars) and returning a :class:`Chart`.

A chart never reads simulation objects or the raw run: its input is what :mod:`sim.metrics` computed, tagged
with the ``strategy`` (and ``replication``) it came from, so a stored comparison draws the same pictures as
a live one. Every chart is titled with the question it answers, has units on its axes and a one-sentence
caption saying what to look for; a strategy has the same colour in every chart (:func:`strategy_colour`).

Where a chart summarises replications it shows the mean and a 95% t-interval (:func:`sim.stats.mean_interval`,
the same interval as the comparison table).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from sim.format import fmt
from sim.metrics import FUNNEL_NODES, WASTE_CAUSES
from sim.stats import mean_interval

# --------------------------------------------------------------------------------------------------------
# Colours and common layout
# --------------------------------------------------------------------------------------------------------

#: Fixed colours of the shipped presets (Okabe-Ito, safe for colour-blind readers).
STRATEGY_COLOURS: dict[str, str] = {
    "numbers-game": "#0072B2",
    "qualify-hard": "#009E73",
    "pressure": "#D55E00",
    "help-them-buy": "#CC79A7",
    "smb-focus": "#E69F00",
    "f1000-focus": "#56B4E9",
}
_SPARE_COLOURS = ("#8C564B", "#7F7F7F", "#BCBD22", "#17BECF", "#9467BD", "#1F3A5F")

#: Causes of waste stacked from the bottom up, warm (waste is the cost), darkest at the bottom.
CAUSE_COLOURS: dict[str, str] = {
    "unqualified contacts": "#7F2704",
    "stall requests": "#C0392B",
    "no decision": "#E6550D",
    "lost": "#FD8D3C",
    "procurement rework": "#FDAE6B",
    "late walk-away": "#FDD0A2",
}
PRODUCTIVE_COLOUR = "#4A5A6A"
OPEN_COLOUR = "#C9CED6"
BUYER_COLOUR = "#9A9A9A"
RAMP_COLOUR = "#D9DDE2"
STALL_COLOUR = "#C0392B"

SEGMENT_LABELS: dict[str, str] = {"smb": "SMB", "mid_market": "mid-market", "f1000": "Fortune 1000"}
OUTCOME_LABELS: dict[str, str] = {
    "won": "won",
    "lost": "lost",
    "no_decision": "no decision",
    "walked_away": "walked away",
    "open": "still open",
}
_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"


def strategy_colour(name: str) -> str:
    """The colour of a strategy in every chart: fixed for the presets, stable by name for any other."""
    if name in STRATEGY_COLOURS:
        return STRATEGY_COLOURS[name]
    digest = int(hashlib.sha256(name.encode()).hexdigest(), 16)
    return _SPARE_COLOURS[digest % len(_SPARE_COLOURS)]


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def segment_label(segment: str) -> str:
    """How a segment is named in charts."""
    return SEGMENT_LABELS.get(segment, segment.replace("_", " "))


@dataclass(frozen=True)
class Chart:
    """A figure with the question it answers (its title) and a caption saying what to look for."""

    key: str
    figure: go.Figure
    caption: str

    @property
    def title(self) -> str:
        """The question the chart answers."""
        return str(self.figure.layout.title.text)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        """Display inline in Jupyter as the figure."""
        return self.figure._repr_mimebundle_(include, exclude)


def _layout(fig: go.Figure, title: str, height: int, legend: str = "top", **extra: Any) -> go.Figure:
    """Common look: the question as a left-aligned title, units on axes, the legend on top or at the right."""
    if legend == "right":
        legend_layout = {"orientation": "v", "yanchor": "top", "y": 1.0, "x": 1.02, "xanchor": "left"}
        margin = {"l": 70, "r": 30, "t": 70, "b": 60}
    elif legend == "bottom":
        legend_layout = {"orientation": "h", "yanchor": "top", "y": -0.16, "x": 0.0, "xanchor": "left"}
        margin = {"l": 70, "r": 30, "t": 60, "b": 120}
    else:
        legend_layout = {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0.0, "xanchor": "left"}
        margin = {"l": 70, "r": 30, "t": 100, "b": 60}
    fig.update_layout(
        title={
            "text": title,
            "x": 0.0,
            "xanchor": "left",
            "xref": "container",
            "y": 1.0,
            "yanchor": "top",
            "yref": "container",
            "pad": {"t": 16, "l": 12},
            "font": {"size": 17},
        },
        template="plotly_white",
        font={"family": _FONT, "size": 13, "color": "#222"},
        height=height,
        margin=margin,
        legend=legend_layout,
        hoverlabel={"font": {"family": _FONT}},
        **extra,
    )
    return fig


def _strategies(frame: pl.DataFrame) -> list[str]:
    return list(dict.fromkeys(frame["strategy"].to_list())) if frame.height else []


def tag(frame: pl.DataFrame, strategy: str, replication: int = 0) -> pl.DataFrame:
    """A metric frame of one run, with its ``strategy`` and ``replication`` as leading columns."""
    return frame.select(
        pl.lit(strategy, dtype=pl.String).alias("strategy"),
        pl.lit(replication, dtype=pl.Int64).alias("replication"),
        pl.all(),
    )


def replication_band(frame: pl.DataFrame, x: str, y: str) -> pl.DataFrame:
    """Per strategy and ``x``: mean of ``y`` over replications and its 95% interval (NaN with one run)."""
    rows = []
    for (strategy, xv), group in frame.group_by(["strategy", x], maintain_order=True):
        interval = mean_interval([v for v in group[y].to_list() if v is not None])
        rows.append(
            {"strategy": strategy, x: xv, "n": interval.n, "mean": interval.mean}
            | {"low": interval.low, "high": interval.high}
        )
    schema: dict[str, Any] = {"strategy": pl.String, x: frame.schema[x], "n": pl.Int64}
    schema |= {"mean": pl.Float64, "low": pl.Float64, "high": pl.Float64}
    order = {name: i for i, name in enumerate(_strategies(frame))}
    # Strategies stay in the order given (the control first), each along its own x.
    return (
        pl.DataFrame(rows, schema=schema)
        .with_columns(pl.col("strategy").replace_strict(order, return_dtype=pl.Int64).alias("_order"))
        .sort("_order", x)
        .drop("_order")
    )


def _band_traces(fig: go.Figure, band: pl.DataFrame, x: str, hover: str) -> None:
    """Mean line per strategy, with its 95% band shaded where there are two or more replications."""
    for name in _strategies(band):
        colour = strategy_colour(name)
        part = band.filter(pl.col("strategy") == name).sort(x)
        xs = part[x].to_list()
        n = int(part["n"].max() or 0)  # type: ignore[arg-type]
        if n >= 2:
            fig.add_trace(
                go.Scatter(
                    x=xs + xs[::-1],
                    y=part["high"].to_list() + part["low"].to_list()[::-1],
                    fill="toself",
                    fillcolor=_rgba(colour, 0.18),
                    line={"width": 0},
                    hoverinfo="skip",
                    legendgroup=name,
                    showlegend=False,
                    name=f"{name} 95% band",
                )
            )
        label = f"{name} (mean of {n}, 95% band)" if n >= 2 else name
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=part["mean"].to_list(),
                mode="lines",
                line={"color": colour, "width": 2.5},
                name=label,
                legendgroup=name,
                hovertemplate=hover,
            )
        )


# --------------------------------------------------------------------------------------------------------
# Revenue over time
# --------------------------------------------------------------------------------------------------------


def revenue_chart(revenue: pl.DataFrame) -> Chart:
    """Cumulative bookings over time per strategy, mean and 95% band across replications.

    ``revenue``: :func:`sim.metrics.revenue_over_time` of each run, :func:`tag`-ged and concatenated.
    """
    start = (
        revenue.select("strategy", "replication")
        .unique(maintain_order=True)
        .with_columns(pl.lit(0.0).alias("day"), pl.lit(0.0).alias("cumulative"))
    )
    curve = pl.concat([start, revenue.select("strategy", "replication", "day", "cumulative")])
    band = replication_band(curve, "day", "cumulative")
    fig = go.Figure()
    _band_traces(fig, band, "day", "day %{x:.0f}: $%{y:,.0f}<extra></extra>")
    _layout(fig, "Which strategy books more revenue, and how early?", 440)
    fig.update_xaxes(title="simulated day", rangemode="tozero")
    fig.update_yaxes(title="cumulative bookings ($)", tickprefix="$", tickformat=",.0f", rangemode="tozero")
    return Chart(
        "revenue",
        fig,
        "Cumulative bookings, averaged over replications with a shaded 95% band: where two bands do not "
        "overlap, the strategies differ by more than the market's own noise; a flat start is the buying cycle.",
    )


# --------------------------------------------------------------------------------------------------------
# Wasted hours
# --------------------------------------------------------------------------------------------------------


def cause_key(cause: str) -> str:
    """The ``summary.json`` / ``runs.parquet`` column of a waste cause (``wasted_stall_requests``)."""
    return "wasted_" + cause.replace(" ", "_").replace("-", "_")


def hours_from_summaries(runs: pl.DataFrame) -> pl.DataFrame:
    """Long frame of hours per run from summary rows (``runs.parquet``): one row per waste cause, productive
    and still-open hours; columns ``strategy``, ``replication``, ``category``, ``hours``."""
    columns = {cause_key(c): c for c in WASTE_CAUSES} | {
        "productive_hours": "productive",
        "open_hours": "open",
    }
    present = [c for c in columns if c in runs.columns]
    return (
        runs.select("strategy", "replication", *present)
        .unpivot(index=["strategy", "replication"], variable_name="column", value_name="hours")
        .with_columns(
            pl.col("column").replace_strict(columns, return_dtype=pl.String).alias("category"),
            pl.col("hours").cast(pl.Float64).fill_null(0.0),
        )
        .select("strategy", "replication", "category", "hours")
    )


def waste_chart(hours: pl.DataFrame) -> Chart:
    """Wasted selling hours stacked by cause, beside productive (and still-open) hours, mean per replication.

    ``hours``: columns ``strategy``, ``replication``, ``category`` (a cause of
    :data:`sim.metrics.WASTE_CAUSES`, ``productive`` or ``open``) and ``hours``; see
    :func:`hours_from_summaries`, or tag :func:`sim.metrics.wasted_hours_by_cause` with ``category = cause``.
    """
    strategies = _strategies(hours)
    runs = hours.select("strategy", "replication").unique()
    n_runs = {s: runs.filter(pl.col("strategy") == s).height for s in strategies}

    def mean_of(strategy: str, category: str) -> float:
        total = hours.filter((pl.col("strategy") == strategy) & (pl.col("category") == category))["hours"]
        return float(total.sum()) / n_runs[strategy] if n_runs[strategy] else 0.0

    outlines = [strategy_colour(s) for s in strategies]
    fig = go.Figure()
    for cause in WASTE_CAUSES:
        fig.add_trace(
            go.Bar(
                x=[strategies, ["wasted"] * len(strategies)],
                y=[mean_of(s, cause) for s in strategies],
                name=cause,
                marker={"color": CAUSE_COLOURS[cause], "line": {"color": outlines, "width": 1.5}},
                hovertemplate=f"%{{x}}<br>{cause}: %{{y:,.0f}} h<extra></extra>",
            )
        )
    extra = [("productive", "productive", "productive (won deals)", PRODUCTIVE_COLOUR)]
    if hours.filter(pl.col("category") == "open").height:
        extra.append(("open", "still open", "still open at the end", OPEN_COLOUR))
    for category, column, label, colour in extra:
        fig.add_trace(
            go.Bar(
                x=[strategies, [column] * len(strategies)],
                y=[mean_of(s, category) for s in strategies],
                name=label,
                marker={"color": colour, "line": {"color": outlines, "width": 1.5}},
                hovertemplate=f"%{{x}}<br>{label}: %{{y:,.0f}} h<extra></extra>",
            )
        )
    _layout(fig, "Where do the selling hours go, and how many are wasted?", 480, "right", barmode="stack")
    fig.update_layout(legend={"traceorder": "reversed", "title": {"text": "selling hours"}})
    fig.update_yaxes(title="rep hours per run (mean of replications)", tickformat=",.0f")
    fig.update_xaxes(title="strategy")
    return Chart(
        "waste",
        fig,
        "Each strategy's wasted hours stacked by cause beside the hours that ended in a win: the taller the "
        "warm stack against the grey bar, the more of the team's time went to deals that were never going "
        "to close.",
    )


# --------------------------------------------------------------------------------------------------------
# Funnel
# --------------------------------------------------------------------------------------------------------

_NODE_LABELS = {
    "contact": "contacts",
    "no meeting": "no meeting",
    "meeting": "meetings",
    "no opportunity": "met, not pursued",
    "opportunity": "opportunities",
    "proposal": "proposal",
    "procurement": "procurement",
    **OUTCOME_LABELS,
}
_NODE_COLOURS = {
    "no meeting": "#BDBDBD",
    "no opportunity": "#BDBDBD",
    "won": "#2B2B2B",
    "lost": "#B0413E",
    "no_decision": "#E08A3C",
    "walked_away": "#8C8C8C",
    "open": "#C9CED6",
}
# Column of each node, left to right; a dead end sits below the stage that continues, in the same column.
_NODE_COLUMN = {
    "contact": 0,
    "meeting": 1,
    "no meeting": 1,
    "opportunity": 2,
    "no opportunity": 2,
    "proposal": 3,
    "procurement": 4,
    "won": 5,
    "lost": 5,
    "no_decision": 5,
    "walked_away": 5,
    "open": 5,
}

_STACK_ORDER = [
    "contact",
    "meeting",
    "no meeting",
    "opportunity",
    "no opportunity",
    "proposal",
    "procurement",
]
_STACK_ORDER += ["won", "lost", "no_decision", "walked_away", "open"]


def _sankey_positions(nodes: list[str], totals: Mapping[str, float]) -> tuple[list[float], list[float]]:
    """Node centres: columns left to right; in a column, nodes stacked from the top in funnel order, so the
    path to a win runs along the top and what drops out hangs below it."""
    columns = sorted({_NODE_COLUMN[n] for n in nodes})
    scale = max(sum(totals[n] for n in nodes if _NODE_COLUMN[n] == c) for c in columns) or 1.0
    gap = 0.04
    centre: dict[str, tuple[float, float]] = {}
    filled: dict[int, float] = {}
    for node in sorted(nodes, key=_STACK_ORDER.index):
        column = _NODE_COLUMN[node]
        height = 0.82 * totals[node] / scale
        top = filled.get(column, 0.02)
        x = 0.001 + 0.998 * columns.index(column) / max(len(columns) - 1, 1)
        # A thin node still gets room for its label.
        slot = max(height, 0.06)
        centre[node] = (x, min(0.999, top + slot / 2))
        filled[column] = top + slot + gap
    return [centre[n][0] for n in nodes], [centre[n][1] for n in nodes]


def funnel_chart(flows: pl.DataFrame) -> Chart:
    """The funnel from contact to outcome as a Sankey per strategy (mean flows per replication).

    ``flows``: :func:`sim.metrics.funnel_flows` of each run, tagged and concatenated.
    """
    strategies = _strategies(flows)
    k = max(len(strategies), 1)
    gap = 0.1 if k > 1 else 0.0
    height_each = (1.0 - gap * (k - 1)) / k
    fig = go.Figure()
    annotations = []
    for i, name in enumerate(strategies):
        part = flows.filter(pl.col("strategy") == name)
        n = part["replication"].n_unique()
        links = part.group_by("source", "target", maintain_order=True).agg(
            (pl.col("count").sum() / n).alias("value")
        )
        nodes = [
            node
            for node in FUNNEL_NODES
            if node in set(links["source"].to_list()) | set(links["target"].to_list())
        ]
        index = {node: j for j, node in enumerate(nodes)}
        inflow = {node: 0.0 for node in nodes}
        outflow = {node: 0.0 for node in nodes}
        for row in links.iter_rows(named=True):
            outflow[row["source"]] += row["value"]
            inflow[row["target"]] += row["value"]
        totals = {node: max(inflow[node], outflow[node]) for node in nodes}
        colour = strategy_colour(name)
        node_x, node_y = _sankey_positions(nodes, totals)
        top = 1.0 - i * (height_each + gap)
        fig.add_trace(
            go.Sankey(
                domain={"x": [0.0, 1.0], "y": [max(0.0, top - height_each), min(1.0, top)]},
                arrangement="snap",
                valueformat=",.1f" if n > 1 else ",.0f",
                valuesuffix=" per run" if n > 1 else "",
                node={
                    "label": [f"{_NODE_LABELS[node]} {fmt(float(totals[node]))}" for node in nodes],
                    "color": [_NODE_COLOURS.get(node, colour) for node in nodes],
                    "x": node_x,
                    "y": node_y,
                    "pad": 14,
                    "thickness": 16,
                    "line": {"width": 0},
                },
                link={
                    "source": [index[s] for s in links["source"].to_list()],
                    "target": [index[t] for t in links["target"].to_list()],
                    "value": links["value"].to_list(),
                    "color": [_rgba(colour, 0.65 if t == "won" else 0.3) for t in links["target"].to_list()],
                },
                name=name,
            )
        )
        label = f"{name}: mean of {n} replications" if n > 1 else name
        annotations.append(
            {
                "text": f"<b>{label}</b>",
                "x": 0.0,
                "y": top + 0.01,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"color": colour, "size": 14},
            }
        )
    _layout(
        fig,
        "How many contacts become opportunities, and how do they end?",
        140 + 360 * k,
        annotations=annotations,
    )
    fig.update_layout(margin={"t": 100, "l": 20, "r": 20, "b": 20})
    return Chart(
        "funnel",
        fig,
        "Read left to right: every contact either stops (grey) or moves on, and every opportunity ends in "
        "one outcome, with the flow into “won” darkest; compare how much of each strategy's funnel ends in "
        "no decision rather than a win or a loss.",
    )


# --------------------------------------------------------------------------------------------------------
# Cycle lengths
# --------------------------------------------------------------------------------------------------------


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
    for name in _strategies(cycles):
        series.append(
            (
                f"{name}: sales cycle (opened → decided)",
                strategy_colour(name),
                "sales",
                cycles.filter((pl.col("strategy") == name) & (pl.col("cycle") == "sales")),
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
                fillcolor=_rgba(colour, 0.35),
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
    _layout(fig, "Does the buyer's cycle outlast the sales cycle the quota clock expects?", 480, "right")
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


# --------------------------------------------------------------------------------------------------------
# Quota attainment
# --------------------------------------------------------------------------------------------------------


def quota_chart(attainment: pl.DataFrame) -> Chart:
    """Monthly quota attainment, rep (seat) by month, one heatmap per strategy; 1.0 (on quota) is pale yellow.

    ``attainment``: :func:`sim.metrics.quota_attainment_by_seat` (or :func:`sim.metrics.quota_attainment`)
    of one run per strategy, tagged and concatenated. With a ``seat`` column a row is a territory, and the
    reps who held it follow each other along it; without, a row is a rep.
    """
    strategies = _strategies(attainment)
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
        part = attainment.filter(pl.col("strategy") == name)
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
    _layout(fig, "Which reps are on quota, month by month?", height)
    return Chart(
        "quota",
        fig,
        "Each cell is one monthly review of the rep holding that seat: bookings this quota year against the "
        "target to date; blue is ahead of quota, red behind, pale yellow on it, grey a new hire still ramping "
        "up, blank a vacant seat; a red wall means the quota clock runs faster than deals close.",
    )


# --------------------------------------------------------------------------------------------------------
# One deal's timeline
# --------------------------------------------------------------------------------------------------------

_EVENT_GROUPS: list[tuple[str, tuple[str, ...], str, str, int]] = [
    # (legend label, kinds, colour, symbol, size)
    (
        "prospecting & qualification",
        ("ContactMade", "MeetingHeld", "QualificationScored", "OpportunityOpened", "NurtureStarted"),
        "#6B7B8C",
        "circle",
        9,
    ),
    ("check-in / work on the deal", ("CheckInMade", "WorkLogged"), "#B8C0CA", "circle", 6),
    ("vendor stage done", ("StageAdvanced", "BuyerEnabled"), "#1F3A5F", "circle", 10),
    ("stalling CIO request", ("StallRequested",), STALL_COLOUR, "x", 14),
    (
        "setback or politics",
        ("EvidenceFailed", "ChampionCapitalSpent", "PressureApplied", "PressureWorked"),
        "#E08A3C",
        "triangle-down",
        11,
    ),
    (
        "procurement",
        (
            "ProcurementEngaged",
            "SupplierRiskAssessed",
            "CapitalApprovalFellShort",
            "NegotiationRoundHeld",
            "DiscountConceded",
            "PressureDetected",
        ),
        "#7E57C2",
        "square",
        10,
    ),
    (
        "buyer's own progress",
        ("BuyingWindowOpened", "BuyingJobCompleted", "BudgetAssigned", "BuyingWindowClosed"),
        "#4D9078",
        "diamond-open",
        10,
    ),
    (
        "outcome",
        ("DealWon", "DealLost", "NoDecisionReached", "OpportunityWalkedAway", "OpportunityCensored"),
        "#111111",
        "star",
        18,
    ),
]


def _short_label(row: Mapping[str, Any]) -> str:
    kind = row["kind"]
    if kind == "StallRequested":
        return "CIO: " + str(row["reason"]).replace("_", " ")
    if kind == "StageAdvanced":
        return str(row["stage"])
    if kind in ("DealWon",):
        return f"WON ${row['amount']:,.0f}"
    if kind == "DealLost":
        return "LOST"
    if kind == "NoDecisionReached":
        return "NO DECISION"
    if kind == "OpportunityWalkedAway":
        return "WALKED AWAY"
    if kind == "OpportunityCensored":
        return "still open"
    return ""


def _label_position(group: str, j: int) -> str:
    if group == "stalling CIO request":
        # Alternate sides of the rising line so neighbouring requests do not overwrite each other.
        return "top left" if j % 2 else "bottom right"
    if group == "outcome":
        return "top center"
    return "top left"


def deal_timeline_chart(deal: pl.DataFrame, strategy: str | None = None) -> Chart:
    """One deal's events on a time axis, with the rep hours it burnt accumulating; stall requests stand out.

    ``deal``: :func:`sim.story.deal_events` of one opportunity.
    """
    from sim.story import describe

    rows = deal.sort("seq").to_dicts()
    opened = next((r for r in rows if r["kind"] == "OpportunityOpened"), rows[0] if rows else {})
    opp = opened.get("opp")
    segment = segment_label(str(opened.get("segment") or ""))
    total = 0.0
    for row in rows:
        total += float(row["hours"] or 0.0)
        row["cumulative"] = total
    end = next((r for r in rows if r["kind"] in _EVENT_GROUPS[-1][1]), None)
    outcome = _short_label(end).lower() if end else "still running"
    colour = strategy_colour(strategy) if strategy else "#333333"
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[r["t"] for r in rows],
            y=[r["cumulative"] for r in rows],
            mode="lines",
            line={"shape": "hv", "color": colour, "width": 2.5},
            name="rep hours burnt (cumulative)" + (f" · {strategy}" if strategy else ""),
            hoverinfo="skip",
        )
    )
    stalls = 0
    for label, kinds, marker_colour, symbol, size in _EVENT_GROUPS:
        group = [r for r in rows if r["kind"] in kinds]
        if not group:
            continue
        is_stall = kinds == ("StallRequested",)
        stalls += len(group) if is_stall else 0
        labelled = is_stall or label in ("vendor stage done", "outcome")
        text = [_short_label(r) for r in group] if labelled else None
        fig.add_trace(
            go.Scatter(
                x=[r["t"] for r in group],
                y=[r["cumulative"] for r in group],
                mode="markers+text" if labelled else "markers",
                marker={
                    "color": marker_colour,
                    "symbol": symbol,
                    "size": size,
                    "line": {"width": 2.5 if is_stall else 0.5, "color": marker_colour},
                },
                text=text,
                textposition=[_label_position(label, j) for j in range(len(group))] if labelled else None,
                textfont={
                    "color": marker_colour if is_stall else "#555",
                    "size": {"outcome": 13}.get(label, 12 if is_stall else 11),
                },
                name=f"{label} ({len(group)})" if is_stall else label,
                customdata=[[describe(r), float(r["hours"] or 0.0)] for r in group],
                hovertemplate="day %{x:.0f}: %{customdata[0]}<br>%{customdata[1]:.1f} h, "
                "%{y:.1f} h in total<extra></extra>",
                meta=kinds[0] if is_stall else label,
            )
        )
    title = f"Where did {total:,.0f} rep hours go on deal {opp} ({segment}, {outcome})?"
    _layout(fig, title, 560, "bottom")
    days = [r["t"] for r in rows] or [0.0]
    span = max(days) - min(days) or 1.0
    # Room either side so the first and last labels are not cut off.
    fig.update_xaxes(title="simulated day", range=[min(days) - 0.12 * span, max(days) + 0.08 * span])
    fig.update_yaxes(title="rep hours on this deal (cumulative)", range=[0, max(total, 1.0) * 1.15])
    stall_text = (
        f"the {stalls} red crosses are the stalling CIO's requests, each costing hours and days without "
        "moving the deal towards a decision"
        if stalls
        else "no stalling CIO here; look for flat stretches where the deal waits on the buyer"
    )
    return Chart(
        "deal",
        fig,
        f"One deal, event by event (hover a marker for the story): the line climbs with every hour the rep "
        f"spends; {stall_text}.",
    )


# --------------------------------------------------------------------------------------------------------
# Reputation and hours per won dollar
# --------------------------------------------------------------------------------------------------------


def reputation_chart(reputation: pl.DataFrame) -> Chart:
    """The vendor's reputation over time per strategy, mean and 95% band across replications.

    ``reputation``: :func:`sim.metrics.reputation_path` of each run, tagged and concatenated.
    """
    band = replication_band(reputation.drop_nulls("reputation"), "day", "reputation")
    fig = go.Figure()
    _band_traces(fig, band, "day", "day %{x:.0f}: reputation %{y:.2f}<extra></extra>")
    _layout(fig, "Does the strategy build or burn the vendor's reputation?", 420)
    fig.update_xaxes(title="simulated day", rangemode="tozero")
    fig.update_yaxes(title="vendor reputation (0 = toxic, 1 = trusted)", range=[0, 1])
    return Chart(
        "reputation",
        fig,
        "Reputation moves with delivered value, failed adoptions and detected pressure, and feeds back into "
        "later win rates: a line that climbs is the long game paying off.",
    )


def hours_per_dollar_chart(runs: pl.DataFrame) -> Chart:
    """Selling hours per won $1,000 per strategy: mean and 95% interval (the comparison table's figure).

    ``runs``: one row per run with ``strategy`` and ``hours_per_won_dollar`` (``runs.parquet``, or run
    summaries).
    """
    strategies = _strategies(runs)
    means, lows, highs, ns = [], [], [], []
    for name in strategies:
        values = runs.filter(pl.col("strategy") == name)["hours_per_won_dollar"].to_list()
        interval = mean_interval([1000.0 * v for v in values if v is not None])
        means.append(interval.mean)
        lows.append(interval.low)
        highs.append(interval.high)
        ns.append(interval.n)
    has_band = [not math.isnan(h) for h in highs]
    fig = go.Figure(
        go.Bar(
            x=strategies,
            y=[None if math.isnan(m) else m for m in means],
            marker={"color": [strategy_colour(s) for s in strategies]},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [h - m if ok else 0.0 for h, m, ok in zip(highs, means, has_band, strict=True)],
                "arrayminus": [
                    m - lo if ok else 0.0 for lo, m, ok in zip(lows, means, has_band, strict=True)
                ],
                "color": "#333",
                "thickness": 1.5,
                "width": 8,
                "visible": any(has_band),
            },
            customdata=[[n] for n in ns],
            hovertemplate="%{x}: %{y:.2f} h per won $1k (mean of %{customdata[0]} runs)<extra></extra>",
            showlegend=False,
        )
    )
    # The value sits above the bar, left of its error bar, so the two never overlap.
    for name, mean in zip(strategies, means, strict=True):
        if not math.isnan(mean):
            fig.add_annotation(
                x=name,
                y=mean,
                text=f"<b>{fmt(mean)}</b> h",
                showarrow=False,
                yanchor="bottom",
                xanchor="right",
                xshift=-8,
                font={"color": strategy_colour(name), "size": 14},
            )
    _layout(fig, "How many selling hours does each won $1,000 cost?", 400)
    fig.update_xaxes(title="strategy")
    fig.update_yaxes(title="selling hours per won $1,000", rangemode="tozero")
    return Chart(
        "hours_per_dollar",
        fig,
        "All selling hours divided by bookings, with the 95% interval across replications: a shorter bar is "
        "a strategy that spends less of the team's time for the same revenue; a missing bar means no wins.",
    )
