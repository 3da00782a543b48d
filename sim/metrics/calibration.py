"""The published ranges the baseline scenario must land in, and the figures of a log to check against them.

Loose on purpose (``docs/calibration.md``): they check that the defaults are plausible, not tuned. Each
figure is computed from the event log by ``sim.metrics``; ``docs/calibration.md`` cites the sources.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from sim import metrics


@dataclass(frozen=True, slots=True)
class Range:
    """A published range for one figure of the baseline log."""

    figure: str
    low: float
    high: float
    source: str

    def holds(self, value: float) -> bool:
        """Whether a value lies in the range (bounds included)."""
        return self.low <= value <= self.high


RANGES: tuple[Range, ...] = (
    Range("median_won_cycle_smb_days", 14, 60, "practitioner sites: SMB 14-30 days (blog)"),
    Range(
        "median_won_cycle_f1000_days",
        120,
        540,
        "practitioner sites: enterprise 90-180+ days, strategic 6-12+ months",
    ),
    Range("f1000_buying_minus_sales_cycle_days", 0.0, float("inf"), "Gartner (Barnes): ~18 vs ~12 months"),
    Range("f1000_no_decision_share_of_decided", 0.35, 0.65, "Dixon & McKenna, The JOLT Effect: 40-60%"),
    Range("win_rate", 0.12, 0.40, "HubSpot / Ebsta x Pavilion 2025: about 20%"),
    Range("selling_share", 0.30, 0.45, "CSO Insights 2011: 41%; HubSpot: 34%"),
    Range("share_making_quota", 0.35, 0.70, "CSO Insights: 52-57% (2009-2015), 54% (2018)"),
    Range("f1000_median_discount", 0.10, 0.45, "advisory firms: 20-40% early procurement, 6-14% late"),
    Range("win_rate_of_closed_smb", 0.20, 0.45, "HubSpot / practitioner sites: SMB 25-40% (blog)"),
    Range("win_rate_of_closed_f1000", 0.08, 0.25, "practitioner sites: enterprise 10-20%, strategic 8-15%"),
    Range(
        "late_share_of_closed",
        0.0,
        0.15,
        "no source makes lateness a leading loss cause; late buyers mostly stay with the incumbent",
    ),
    Range(
        "idle_share_while_approachable",
        0.0,
        0.0,
        "by construction (issue 'The rep's week'): a rep idles only when no targeted account is approachable",
    ),
)

IDLE_EXPLAINED = ("territory_exhausted", "horizon")
"""Idle reasons (``IdleHoursLogged.reason``) that leave no approachable account unused: the territory is
exhausted, or the run ended before the week's prospecting (a partial week cut by the horizon)."""

LATE_REASONS = ("after_shortlist", "not_ready", "seat_vacant")
"""Loss reasons that mean the vendor was not there in time (``DealLost``)."""

CLOSED_KINDS = ("DealWon", "DealLost", "NoDecisionReached")
"""A closed opportunity: the buyer bought from us or elsewhere, or decided not to (walk-aways are ours)."""


def closed_outcomes(events: pl.DataFrame) -> pl.DataFrame:
    """One row per closed opportunity: its segment, terminal kind and reason."""
    return events.filter(pl.col("kind").is_in(CLOSED_KINDS)).select("segment", "kind", "reason")


def segment_figures(closed: pl.DataFrame) -> dict[str, float]:
    """Win rate of closed opportunities per segment, and the share of closed lost for being late."""
    out: dict[str, float] = {}
    for segment in ("smb", "mid_market", "f1000"):
        mine = closed.filter(pl.col("segment") == segment)
        won = mine.filter(pl.col("kind") == "DealWon").height
        out[f"win_rate_of_closed_{segment}"] = won / mine.height if mine.height else float("nan")
        out[f"wins_{segment}"] = float(won)
    late = closed.filter((pl.col("kind") == "DealLost") & pl.col("reason").is_in(LATE_REASONS)).height
    out["late_share_of_closed"] = late / closed.height if closed.height else float("nan")
    return out


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def figures(logs: pl.DataFrame | Sequence[pl.DataFrame]) -> dict[str, float]:
    """The calibration figures of one log, or of several runs (seeds) taken together.

    Over several runs, per-deal figures (cycle lengths, discounts, outcome shares) pool the deals of all runs
    before taking the median or the share: a baseline run wins only a handful of Fortune 1000 deals, and a
    median of per-run medians of five deals each would mostly measure luck. Run-level figures (win rate,
    selling share, share of reps making quota) are the median over the runs.
    """
    runs = [logs] if isinstance(logs, pl.DataFrame) else list(logs)
    if not runs:
        raise ValueError("calibration figures need at least one run")
    samples: dict[tuple[str, str], list[float]] = {}
    closed = pl.concat([closed_outcomes(events) for events in runs])
    outcomes: list[str] = []
    discounts: list[float] = []
    summaries = []
    for events in runs:
        cycles = metrics.cycle_lengths(events)
        for (segment, kind), group in cycles.group_by("segment", "cycle"):
            samples.setdefault((str(segment), str(kind)), []).extend(group["days"].to_list())
        opps = metrics.opportunities(events).filter(pl.col("segment") == "f1000")
        outcomes.extend(opps.filter(pl.col("outcome").is_in(metrics.DECIDED))["outcome"].to_list())
        discounts.extend(metrics.discounts(events).filter(pl.col("segment") == "f1000")["discount"].to_list())
        summaries.append(metrics.summary(events))

    def cycle(segment: str, kind: str) -> float:
        return _median(samples.get((segment, kind), []))

    def across_runs(name: str) -> float:
        # A run without the figure (no quota year closed, say) has NaN; a median over NaNs is not defined.
        values = [float(summary[name]) for summary in summaries]
        return _median([v for v in values if not math.isnan(v)])

    idle = pl.concat([events.filter(pl.col("kind") == "IdleHoursLogged") for events in runs])
    unexplained = idle.filter(~pl.col("reason").cast(pl.String).is_in(IDLE_EXPLAINED))["hours"].sum()
    selling = sum(float(summary["selling_hours"]) for summary in summaries)

    return {
        "idle_share_while_approachable": float(unexplained) / selling if selling else float("nan"),
        "median_won_cycle_smb_days": cycle("smb", "sales_won"),
        "median_won_cycle_f1000_days": cycle("f1000", "sales_won"),
        "f1000_buying_minus_sales_cycle_days": cycle("f1000", "buying") - cycle("f1000", "sales"),
        "f1000_no_decision_share_of_decided": (
            outcomes.count("no_decision") / len(outcomes) if outcomes else float("nan")
        ),
        "win_rate": across_runs("win_rate"),
        "selling_share": across_runs("selling_share"),
        "share_making_quota": across_runs("share_making_quota"),
        "f1000_median_discount": _median(discounts),
        **segment_figures(closed),
    }
