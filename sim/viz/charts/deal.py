"""One deal's timeline: its events on a time axis with the rep hours it burnt accumulating."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go
import polars as pl

from sim.core.events import KINDS, TERMINAL_KINDS
from sim.viz.style import STALL_COLOUR, Chart, layout, strategy_colour
from sim.words.labels import segment_label

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
    ("outcome", tuple(kind for kind in KINDS if kind in TERMINAL_KINDS), "#111111", "star", 18),
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

    ``deal``: :func:`sim.words.story.deal_events` of one opportunity.
    """
    from sim.words.story import describe

    rows = deal.sort("seq").to_dicts()
    opened = next((r for r in rows if r["kind"] == "OpportunityOpened"), rows[0] if rows else {})
    opp = opened.get("opp")
    segment = segment_label(str(opened.get("segment") or ""))
    total = 0.0
    for row in rows:
        total += float(row["hours"] or 0.0)
        row["cumulative"] = total
    end = next((r for r in rows if r["kind"] in TERMINAL_KINDS), None)
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
    layout(fig, title, 560, "bottom")
    days = [r["t"] for r in rows] or [0.0]
    span = max(days) - min(days) or 1.0
    # Room either side so the first and last labels are not cut off.
    fig.update_xaxes(title="simulated day", range=[min(days) - 0.12 * span, max(days) + 0.08 * span])
    fig.update_yaxes(title="rep hours on this deal (cumulative)", range=[0, max(total, 1.0) * 1.15])
    stall_hours = sum(float(r["hours"] or 0.0) for r in rows if r["kind"] == "StallRequested")
    elapsed = max(days) - min(days)
    where = f"{segment}, {outcome}" if segment else outcome
    stall_text = (
        f", {stall_hours:,.0f} of them on {stalls} stalling CIO request{'s' if stalls != 1 else ''} "
        "that did not move it toward a decision"
        if stalls
        else " and met no stalling CIO"
    )
    takeaway = f"Deal {opp} ({where}) took {total:,.0f} rep hours over {elapsed:,.0f} days{stall_text}."
    return Chart(
        "deal",
        fig,
        takeaway,
        "One deal, event by event (hover a marker for the story): the line climbs with every hour the rep "
        + (
            f"spends; the {stalls} red crosses are the stalling CIO's requests."
            if stalls
            else "spends; flat stretches are the deal waiting on the buyer."
        ),
    )
