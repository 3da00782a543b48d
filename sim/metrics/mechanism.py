"""The mechanism behind a run's headline figures, read from its log: how its deals ended by segment and reason,
revenue, win rate and discount by segment, selling hours by activity, the events of each persona and tactic,
contacts by channel, deals with a stalling CIO and the vendor's reputation.

These are the figures ``docs/findings.md`` compares (:mod:`sim.tools.findings` only writes the document). Each
figure's name is the label the document prints (``SMB: revenue ($)``, ``events: StallRequested``): the names
are built here, once, by :func:`segment_figure` and the prefixes below, so a reading that quotes a figure
names it the way the table does.
"""

from __future__ import annotations

import polars as pl

from sim.config import SEGMENTS
from sim.config.segments import SEGMENT_LABELS
from sim.metrics.hours import CATEGORY_OF_ENDING, HOURS_CATEGORIES, hours_by_activity, selling_hour_events
from sim.metrics.log import Log, lazy, repeatable
from sim.metrics.opportunities import DECIDED, OUTCOME_OF_KIND, opportunities, stall_requests_by_opportunity

_CATEGORY_LABEL = {c.key: c.label for c in HOURS_CATEGORIES}
ENDING_LABEL: dict[str, str] = {
    ending: _CATEGORY_LABEL[c] for ending, c in CATEGORY_OF_ENDING.items() if ending != "lost:seat_vacant"
} | {"lost:seat_vacant": "lost: seat vacant"}
"""How each ending (every key of :data:`sim.metrics.CATEGORY_OF_ENDING`) is named: as its hours category (a
loss while the seat was vacant, whose hours count as "rep not ready", has a name of its own)."""

WATCHED_EVENTS = (
    "ContactDisqualified",
    "ContactReferredUp",
    "NurtureStarted",
    "ReferralGiven",
    "BuyerEnabled",
    "StallRequested",
    "EvidenceFailed",
    "PressureApplied",
    "PressureWorked",
    "PressureDetected",
    "CapitalApprovalFellShort",
    "AdoptionSucceeded",
    "AdoptionFailed",
    "AccountCooledOff",
)
"""Events of a persona, a tactic or a strategy's step, counted per run."""

REVENUE = "revenue ($)"
OPENED = "opportunities opened"
DECIDED_DEALS = "decided (won, lost, no decision)"
WIN_RATE = "win rate of decided (won ÷ won, lost, no decision)"
DISCOUNT = "mean discount on won deals"
REVENUE_PER_WON_DEAL = "revenue per won deal"
REPUTATION_CHANGE = "reputation change: "
ACTIVITY = "hours on "
EVENT = "events: "
INBOUND = "contacts: inbound"
OUTBOUND = "contacts: outbound"
REPUTATION = "reputation at the horizon"
WALK_AWAY_DAYS = "median idle days at a walk-away"
STALLED_DEALS = "deals with a stalling CIO"
STALLED_DAYS = "deals with a stalling CIO: mean days open"
STALLED_HOURS = "deals with a stalling CIO: mean rep hours"
STALLED_SHARE = "share of selling hours on deals with a stalling CIO"

ZERO_WHEN_ABSENT = (ACTIVITY, REPUTATION_CHANGE)
"""Figures a run may lack because nothing happened (they are 0 there, not missing)."""


def segment_figure(segment: str, what: str) -> str:
    """A figure of one segment: ``SMB: revenue ($)``."""
    return f"{SEGMENT_LABELS[segment]}: {what}"


def ending_figure(segment: str, ending: str) -> str:
    """How many deals of one segment ended one way: ``SMB: lost to a competitor``."""
    return segment_figure(segment, ENDING_LABEL[ending])


def mechanism_figures(events: Log) -> dict[str, float | None]:
    """One run's mechanism figures: endings, revenue, win rate and discount by segment, selling hours by
    activity, the watched events, contacts by channel, stalling-CIO deals, the reputation at the horizon.
    ``None`` where a figure has no value in this run (a mean over no deals)."""
    events = lazy(events).collect()
    out: dict[str, float | None] = {}
    outcome = pl.col("kind").replace_strict(OUTCOME_OF_KIND)
    ends = events.filter(pl.col("kind").is_in(list(OUTCOME_OF_KIND))).with_columns(
        pl.when(pl.col("kind").is_in(["DealLost", "NoDecisionReached"]))
        .then(pl.concat_str(outcome, pl.lit(":"), pl.col("reason").fill_null("")))
        .otherwise(outcome)
        .alias("ending")
    )
    counts = {(s, e): n for s, e, n in ends.group_by("segment", "ending").len().iter_rows()}
    won = ends.filter(pl.col("kind") == "DealWon")
    opened = dict(events.filter(pl.col("kind") == "OpportunityOpened").group_by("segment").len().iter_rows())
    for segment in SEGMENTS:
        for ending in ENDING_LABEL:
            out[ending_figure(segment, ending)] = float(counts.get((segment, ending), 0))
        decided = sum(n for (s, e), n in counts.items() if s == segment and e.split(":")[0] in DECIDED)
        seg_won = won.filter(pl.col("segment") == segment)
        out[segment_figure(segment, OPENED)] = float(opened.get(segment, 0))
        out[segment_figure(segment, DECIDED_DEALS)] = float(decided)
        out[segment_figure(segment, REVENUE)] = float(seg_won["amount"].sum())
        out[segment_figure(segment, WIN_RATE)] = seg_won.height / decided if decided else None
        out[segment_figure(segment, DISCOUNT)] = _mean(seg_won["discount"])
    out[REVENUE_PER_WON_DEAL] = float(won["amount"].sum()) / won.height if won.height else None
    out.update({ACTIVITY + activity: hours for activity, hours in hours_by_activity(events).items()})
    kinds = dict(events.group_by("kind").len().iter_rows())
    for kind in WATCHED_EVENTS:
        out[EVENT + kind] = float(kinds.get(kind, 0))
    contacts = events.filter(pl.col("kind") == "ContactMade")
    inbound = contacts.filter(pl.col("reason") == "inbound").height
    out[INBOUND] = float(inbound)
    out[OUTBOUND] = float(contacts.height - inbound)
    moves = events.filter(pl.col("kind") == "ReputationChanged")
    out[REPUTATION] = float(moves["reputation"][-1]) if moves.height else None
    for reason, change in (
        moves.group_by("reason").agg(pl.col("reputation_change").sum()).sort("reason").iter_rows()
    ):
        if reason != "initial":
            out[REPUTATION_CHANGE + reason] = float(change)
    walked = events.filter(pl.col("kind") == "OpportunityWalkedAway")["days"]
    out[WALK_AWAY_DAYS] = _median(walked)
    stalled = opportunities(events).join(stall_requests_by_opportunity(events), on="opp", how="inner")
    out[STALLED_DEALS] = float(stalled.height)
    out[STALLED_DAYS] = _mean(stalled["cycle_days"])
    out[STALLED_HOURS] = _mean(stalled["hours"])
    total = float(selling_hour_events(events).select(pl.col("hours").sum()).collect().item() or 0.0)
    out[STALLED_SHARE] = float(stalled["hours"].sum()) / total if total else None
    return {k: None if v is None else repeatable(v) for k, v in out.items()}


def _mean(values: pl.Series) -> float | None:
    values = values.drop_nulls()
    return float(values.cast(pl.Float64).mean()) if values.len() else None  # type: ignore[arg-type]


def _median(values: pl.Series) -> float | None:
    values = values.drop_nulls()
    return float(values.cast(pl.Float64).median()) if values.len() else None  # type: ignore[arg-type]
