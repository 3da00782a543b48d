"""The funnel from contact to outcome as a Sankey per strategy, node totals from :mod:`sim.metrics`."""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go
import polars as pl

from sim.format import fmt, strategy_order
from sim.metrics import OUTCOMES, funnel_node_totals
from sim.viz.style import OUTCOME_LABELS, Chart, layout, rgba, strategy_colour

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

# Order within a column, top down: the path onwards first, its dead end below it.
_STACK_ORDER = [
    "contact",
    "meeting",
    "no meeting",
    "opportunity",
    "no opportunity",
    "proposal",
    "procurement",
    *OUTCOMES,
]


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
    strategies = strategy_order(flows)
    k = max(len(strategies), 1)
    gap = 0.1 if k > 1 else 0.0
    height_each = (1.0 - gap * (k - 1)) / k
    fig = go.Figure()
    annotations = []
    for i, name in enumerate(strategies):
        part = flows.filter(pl.col("arm") == name)
        n = part["replication"].n_unique()
        links = part.group_by("source", "target", maintain_order=True).agg(
            (pl.col("count").sum() / n).alias("value")
        )
        totals = funnel_node_totals(links, "value")
        nodes = list(totals)
        index = {node: j for j, node in enumerate(nodes)}
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
                    "color": [rgba(colour, 0.65 if t == "won" else 0.3) for t in links["target"].to_list()],
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
    layout(
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
