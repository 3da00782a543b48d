"""The funnel from contact to win as plain horizontal bars: one group of bars per stage, one bar per arm, every
arm on one shared count axis, so the arms' funnels compare at a glance.

Each bar is the stage's count per run, the mean over replications rounded to a whole number (a deal is never
half won), with its 95% interval as an error bar; its label adds the conversion from the stage above
(this stage's mean ÷ the previous stage's mean, i.e. pooled over replications). The stages are those of
:data:`sim.metrics.FUNNEL_NODES` a deal passes on its way to a win (contact, meeting, opportunity, proposal,
procurement, won); the dead ends (no meeting, lost, no decision...) are the gaps between bars, and their hours
are the waste chart's subject.

Left out, not drawn blank: a stage no arm reached (procurement in a market without it), and the whole chart
when no arm made a single contact.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
import polars as pl

from sim.metrics import funnel_node_totals
from sim.study.stats import mean_interval
from sim.viz.bands import error_bars
from sim.viz.charts.words import count, relative
from sim.viz.style import Chart, layout, strategy_colour
from sim.words.format import strategy_order

STAGES: tuple[tuple[str, str], ...] = (
    ("contact", "contacts"),
    ("meeting", "meetings"),
    ("opportunity", "opportunities"),
    ("proposal", "proposals"),
    ("procurement", "in procurement"),
    ("won", "won"),
)
"""The funnel's stages on the way to a win: (node of :func:`sim.metrics.funnel_flows`, how the chart names it)."""
BASE: dict[str, str] = {
    "meeting": "contact",
    "opportunity": "meeting",
    "proposal": "opportunity",
    "procurement": "proposal",
    "won": "proposal",
}
"""The stage each conversion is taken from. Procurement runs only some purchases (none in SMB), so it is a
side step, not a gate: both those in procurement and the wins are shares of the proposals."""


def funnel_counts(flows: pl.DataFrame) -> pl.DataFrame:
    """Per arm and stage: the count per run (mean over replications, and rounded to a whole number), its 95%
    interval, and the conversion from its base stage (:data:`BASE`).

    ``flows``: :func:`sim.metrics.funnel_flows` of each run, tagged and concatenated. Columns: ``arm``,
    ``stage``, ``label``, ``runs``, ``mean``, ``low``, ``high``, ``count`` (``mean`` rounded), ``conversion``
    (``mean`` ÷ the base stage's ``mean``; null for the first stage). Stages no arm reached are left out.
    """
    rows: list[dict[str, object]] = []
    for arm in strategy_order(flows):
        part = flows.filter(pl.col("arm") == arm)
        per_run = [funnel_node_totals(run) for _, run in part.group_by("replication", maintain_order=True)]
        for stage, label in STAGES:
            interval = mean_interval([totals.get(stage, 0.0) for totals in per_run])
            rows.append(
                {"arm": arm, "stage": stage, "label": label, "runs": interval.n}
                | {"mean": interval.mean, "low": max(0.0, interval.low), "high": interval.high}
            )
    schema = {"arm": pl.String, "stage": pl.String, "label": pl.String, "runs": pl.Int64}
    schema |= {"mean": pl.Float64, "low": pl.Float64, "high": pl.Float64}
    table = pl.DataFrame(rows, schema=schema, orient="row")
    reached = table.group_by("stage").agg((pl.col("mean") > 0).any().alias("reached"))
    kept = [s for s, _ in STAGES if s in set(reached.filter("reached")["stage"].to_list())]
    base = table.select("arm", pl.col("stage").alias("base"), pl.col("mean").alias("base_mean"))
    return (
        table.filter(pl.col("stage").is_in(kept))
        .with_columns(
            pl.col("stage").replace_strict(BASE, default=None, return_dtype=pl.String).alias("base")
        )
        .join(base, on=["arm", "base"], how="left", maintain_order="left")
        .with_columns(
            pl.col("mean").round(0).cast(pl.Int64).alias("count"),
            (pl.col("mean") / pl.col("base_mean")).alias("conversion"),
        )
        .with_columns(pl.col("conversion").fill_nan(None))
        .drop("base", "base_mean")
    )


def _rate(share: float) -> str:
    """A conversion rate with the digits it needs: 19%, 3.5%, 0.4%."""
    return f"{share:.1%}" if share < 0.1 else f"{share:.0%}"


def _wins(won: float) -> str:
    return f"{count(won)} win" + ("" if round(won) == 1 else "s")


def funnel_takeaway(counts: pl.DataFrame) -> str:
    """Each arm's contacts and wins per run and its contact-to-win rate; wins set against the first arm (the
    control). ``counts``: :func:`funnel_counts`."""
    arms = strategy_order(counts)
    by = {(r["arm"], r["stage"]): r for r in counts.iter_rows(named=True)}

    def mean(arm: str, stage: str) -> float:
        row = by.get((arm, stage))
        return float(row["mean"]) if row else 0.0

    parts = []
    for i, arm in enumerate(arms):
        contacts, won = mean(arm, "contact"), mean(arm, "won")
        rate = f" ({_rate(won / contacts)})" if contacts else ""
        if i == 0:
            parts.append(f"{arm} turned {count(contacts)} contacts a run into {_wins(won)}{rate}")
            continue
        versus = relative(won, mean(arms[0], "won"), "more wins", "fewer wins")
        parts.append(f"{arm} {count(contacts)} into {count(won)}{rate}" + (f", {versus}" if versus else ""))
    return "; ".join(parts) + "."


def funnel_chart(flows: pl.DataFrame) -> Chart | None:
    """The funnel per arm as grouped horizontal bars on one count axis, with conversion rates; None when no arm
    made a contact (see the module docstring).

    ``flows``: :func:`sim.metrics.funnel_flows` of each run, tagged and concatenated.
    """
    if flows.height == 0:
        return None
    counts = funnel_counts(flows)
    if counts.height == 0:
        return None
    labels = list(dict.fromkeys(counts["label"].to_list()))
    # What a conversion is "of": its base stage, as the chart names it.
    names = dict(STAGES)
    previous = {names[stage]: names[base] for stage, base in BASE.items()}
    fig = go.Figure()
    widest = 0.0
    for arm in strategy_order(counts):
        part = counts.filter(pl.col("arm") == arm)
        means, lows, highs = (part[c].to_list() for c in ("mean", "low", "high"))
        texts = []
        for label, n, rate in part.select("label", "count", "conversion").iter_rows():
            step = f" · {_rate(rate)} of {previous[label]}" if rate is not None else ""
            texts.append(f"{n:,}{step}")
        runs = int(part["runs"].max() or 0)  # type: ignore[arg-type]
        # A label sits past the end of its error bar (a bar's own text would sit under the bar's whisker).
        ends = [m if math.isnan(h) else max(m, h) for m, h in zip(means, highs, strict=True)]
        widest = max(widest, *ends)
        colour = strategy_colour(arm)
        fig.add_trace(
            go.Bar(
                y=part["label"].to_list(),
                x=part["count"].to_list(),
                orientation="h",
                name=f"{arm} (mean of {runs} runs, 95% interval)" if runs >= 2 else arm,
                legendgroup=arm,
                offsetgroup=arm,
                marker={"color": colour},
                error_x=error_bars(means, lows, highs),
                customdata=[[arm, t] for t in texts],
                hovertemplate="%{customdata[0]}: %{y} %{customdata[1]} a run<extra></extra>",
            )
        )
        fig.add_trace(
            go.Scatter(
                y=part["label"].to_list(),
                x=ends,
                mode="text",
                orientation="h",
                text=[f"  {t}" for t in texts],
                textposition="middle right",
                textfont={"color": "#222", "size": 12},
                offsetgroup=arm,
                legendgroup=arm,
                showlegend=False,
                hoverinfo="skip",
                cliponaxis=False,
                meta="labels",
            )
        )
    layout(
        fig,
        f"How many contacts does {'each arm' if len(strategy_order(counts)) > 1 else 'the team'} turn into won "
        "deals, stage by stage?",
        150 + 70 * len(labels),
    )
    fig.update_layout(barmode="group", scattermode="group", bargap=0.25, bargroupgap=0.05)
    fig.update_yaxes(title="stage", categoryorder="array", categoryarray=labels, autorange="reversed")
    # Room on the right for the widest bar's label.
    fig.update_xaxes(title="count per run (mean over replications, whole numbers)", range=[0, widest * 1.35])
    return Chart(
        "funnel",
        fig,
        funnel_takeaway(counts),
        "Bars share one axis, so the arms' funnels compare directly; each label is the count per run and the "
        "share of the stage it comes from that reached it (in procurement and won: of the proposals).",
    )
