"""Opportunities from open to close: one row each, their outcomes, discounts and stall requests."""

from __future__ import annotations

import polars as pl

from sim.core.events import TERMINAL_KINDS
from sim.metrics.log import Log, lazy

OUTCOME_OF_KIND = {
    "DealWon": "won",
    "DealLost": "lost",
    "NoDecisionReached": "no_decision",
    "OpportunityWalkedAway": "walked_away",
    "OpportunityCensored": "open",
}
"""The outcome each terminal event kind records (``open``: still open when the run ended)."""
assert set(OUTCOME_OF_KIND) == TERMINAL_KINDS, "every terminal kind needs an outcome"

OUTCOMES: tuple[str, ...] = ("won", "lost", "no_decision", "walked_away", "open")
"""Every outcome, in the order tables and charts list them."""
DECIDED = ("won", "lost", "no_decision")
"""Outcomes where the buyer decided (the rep walking away or the horizon are not decisions)."""


def opportunities(events: Log) -> pl.DataFrame:
    """One row per opportunity: segment, type, list amount, open and close day, outcome, hours, discount."""
    lf = lazy(events)
    opened = lf.filter(pl.col("kind") == "OpportunityOpened").select(
        "opp",
        "account",
        "segment",
        "opp_type",
        pl.col("amount").alias("list_amount"),
        pl.col("t").alias("opened"),
    )
    ended = lf.filter(pl.col("kind").is_in(list(TERMINAL_KINDS))).select(
        "opp",
        pl.col("t").alias("closed"),
        pl.col("kind").replace_strict(OUTCOME_OF_KIND).alias("outcome"),
        pl.col("reason").alias("outcome_reason"),
        pl.when(pl.col("kind") == "DealWon").then(pl.col("amount")).otherwise(0.0).alias("won_amount"),
        pl.when(pl.col("kind") == "DealWon").then(pl.col("discount")).alias("discount"),
    )
    hours = (
        lf.filter(pl.col("opp").is_not_null() & pl.col("hours").is_not_null())
        .group_by("opp")
        .agg(pl.col("hours").sum().alias("hours"))
    )
    return (
        opened.join(ended, on="opp", how="left")
        .join(hours, on="opp", how="left")
        .with_columns(
            pl.col("hours").fill_null(0.0),
            pl.col("outcome").fill_null("open"),
            (pl.col("closed") - pl.col("opened")).alias("cycle_days"),
        )
        .sort("opp")
        .collect()
    )


def opportunities_of(events: Log, opps: pl.DataFrame | None) -> pl.DataFrame:
    """``opps`` if the caller already built :func:`opportunities` of ``events``, else built now.

    Several figures start from the same table; a caller computing many of them from one log (a run's summary)
    builds it once and passes it on, which takes about half the time off a summary.
    """
    return opportunities(events) if opps is None else opps


def outcome_rates(events: Log, opps: pl.DataFrame | None = None) -> dict[str, float]:
    """Win, loss, no-decision and walk-away rates over closed opportunities; no-decision share of decided ones.

    A rate over no deals is undefined: NaN (shown "–"), never 0, so a run that closed nothing does not read as
    one that never lost."""
    opps = opportunities_of(events, opps).filter(pl.col("outcome") != "open")
    n = opps.height
    counts = {
        k: opps.filter(pl.col("outcome") == k).height for k in ("won", "lost", "no_decision", "walked_away")
    }
    decided = counts["won"] + counts["lost"] + counts["no_decision"]
    return {
        "closed": float(n),
        "win_rate": _rate(counts["won"], n),
        "loss_rate": _rate(counts["lost"], n),
        "no_decision_rate": _rate(counts["no_decision"], n),
        "walk_away_rate": _rate(counts["walked_away"], n),
        "no_decision_share_of_decided": _rate(counts["no_decision"], decided),
    }


def _rate(part: int, whole: int) -> float:
    return part / whole if whole else float("nan")


def discounts(events: Log, opps: pl.DataFrame | None = None) -> pl.DataFrame:
    """Discount off list on every won deal, with segment and list and won amounts."""
    return (
        opportunities_of(events, opps)
        .filter(pl.col("outcome") == "won")
        .select("opp", "segment", "list_amount", "won_amount", "discount")
    )


def stall_requests_by_opportunity(events: Log) -> pl.DataFrame:
    """Per opportunity: stall requests received and rep hours they cost (only opportunities with any)."""
    return (
        lazy(events)
        .filter(pl.col("kind") == "StallRequested")
        .group_by("opp")
        .agg(pl.len().cast(pl.Int64).alias("stall_requests"), pl.col("hours").sum().alias("stall_hours"))
        .sort("opp")
        .collect()
    )
