"""The vendor's reputation over time per arm, mean and 95% band across replications.

In most scenarios reputation barely moves, and a flat line says nothing a VP needs; so the chart is drawn only
when reputation moves: when some arm's mean reputation over its replications (the line drawn) spans more than
:data:`MOVES_BY` on the 0-1 scale between its lowest and highest day. Otherwise, and when no run logged a
reputation at all, it is left out.
"""

from __future__ import annotations

import polars as pl

from sim.viz.bands import day_band_chart, replication_band
from sim.viz.charts.words import count, joined
from sim.viz.style import Chart, layout
from sim.words.format import strategy_order

MOVES_BY = 0.05
"""The least span of an arm's mean reputation that earns the chart a place (five points on the 0-1 scale)."""


def reputation_moves(reputation: pl.DataFrame) -> bool:
    """Whether some arm's reputation, averaged over its replications day by day, spans more than
    :data:`MOVES_BY` (one run's noise that averages out does not count)."""
    band = replication_band(reputation.drop_nulls("reputation"), "day", "reputation")
    spans = band.group_by("arm").agg((pl.col("mean").max() - pl.col("mean").min()).alias("span"))
    return spans.height > 0 and float(spans["span"].max()) > MOVES_BY  # type: ignore[arg-type]


def reputation_takeaway(reputation: pl.DataFrame) -> str:
    """Each arm's mean reputation at the first and the last day drawn. ``reputation``: as the chart takes it."""
    band = replication_band(reputation.drop_nulls("reputation"), "day", "reputation")
    parts = []
    end = 0.0
    for arm in strategy_order(band):
        path = band.filter(pl.col("arm") == arm).sort("day")
        first, last = round(float(path["mean"][0]), 2), round(float(path["mean"][-1]), 2)
        end = max(end, float(path["day"][-1]))
        if last == first:
            parts.append(f"stayed at {first:.2f} under {arm}")
        else:
            parts.append(f"{'rose' if last > first else 'fell'} from {first:.2f} to {last:.2f} under {arm}")
    return f"Over {count(end)} days, the vendor's reputation (0 to 1) " + joined(parts) + "."


def reputation_chart(reputation: pl.DataFrame) -> Chart | None:
    """The vendor's reputation over time per arm, mean and 95% band across replications; None when it does not
    move (see the module docstring).

    ``reputation``: :func:`sim.metrics.reputation_path` of each run, tagged and concatenated.
    """
    if not reputation_moves(reputation):
        return None
    fig = day_band_chart(reputation, "reputation", "day %{x:.0f}: reputation %{y:.2f}<extra></extra>")
    several = len(strategy_order(reputation)) > 1
    layout(
        fig,
        "Which arm builds or burns the vendor's reputation?"
        if several
        else "Does the strategy build or burn the vendor's reputation?",
        420,
    )
    fig.update_xaxes(title="simulated day", rangemode="tozero")
    # Zoomed to what the lines and their bands reach, so a move of a few points is visible.
    band = replication_band(reputation.drop_nulls("reputation"), "day", "reputation")
    edges = pl.concat([band["mean"], band["low"], band["high"]]).fill_nan(None).drop_nulls()
    low, high = float(edges.min()), float(edges.max())  # type: ignore[arg-type]
    pad = max(0.02, (high - low) * 0.1)
    fig.update_yaxes(
        title="vendor reputation (0 = toxic, 1 = trusted)", range=[max(0.0, low - pad), min(1.0, high + pad)]
    )
    return Chart(
        "reputation",
        fig,
        reputation_takeaway(reputation),
        "Reputation moves with delivered value, failed adoptions and detected pressure, and feeds back into "
        "later win rates; mean over replications with its 95% band (the axis is zoomed to the range reached).",
    )
