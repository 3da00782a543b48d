"""The figures a sales leader reads first, grouped and in the order a VP reads them, each with its unit.

The run summary holds some fifty figures (:data:`sim.metrics.summary.FIGURES`); the terminal, the report and
the comparison table lead with these and keep the rest one flag away (``--all``). The unit says how a figure
is written (:func:`sim.words.format.by_unit`): dollars, a share as a percentage, hours, days or a count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Unit = Literal["usd", "share", "hours", "days", "count", "hours_per_1k"]


@dataclass(frozen=True, slots=True)
class Headline:
    """A headline figure: its key in the summary, a label, its unit, its group and whether more is better."""

    key: str
    label: str
    unit: Unit
    group: str
    more_is_better: bool | None


HEADLINES: tuple[Headline, ...] = (
    Headline("bookings_per_quota_year", "bookings a quota year", "usd", "bookings", True),
    Headline("revenue", "bookings, whole run with warm-up", "usd", "bookings", True),
    Headline("deals_won", "deals won", "count", "bookings", True),
    Headline("win_rate", "win rate of closed deals", "share", "bookings", True),
    Headline("median_discount", "median discount", "share", "bookings", False),
    Headline("opportunities", "opportunities opened", "count", "pipeline", None),
    Headline("no_decision_rate", "closed as no decision", "share", "pipeline", False),
    Headline("walk_away_rate", "walked away from", "share", "pipeline", None),
    Headline("wasted_share", "share of hours wasted", "share", "time", False),
    Headline("wasted_hours", "wasted selling hours", "hours", "time", False),
    Headline("idle_share", "unused capacity (idle)", "share", "time", None),
    Headline("idle_hours", "idle hours, not waste", "hours", "time", None),
    Headline("hours_per_won_dollar", "selling hours per $1k won", "hours_per_1k", "time", False),
    Headline("median_sales_won_cycle_smb", "won cycle, SMB", "days", "time", False),
    Headline("median_sales_won_cycle_f1000", "won cycle, Fortune 1000", "days", "time", False),
    Headline("median_won_deal_hours_smb", "median hours a won SMB deal", "hours", "time", None),
    Headline("median_won_deal_hours_f1000", "median hours a won F1000 deal", "hours", "time", None),
    Headline("share_making_quota", "reps making quota", "share", "people", True),
    Headline("mean_quota_attainment", "mean quota attainment", "share", "people", True),
    Headline("utilisation", "selling hours booked", "share", "people", True),
    Headline("cost_of_sales", "cost of sales", "usd", "money", False),
    Headline("cost_of_sales_share", "cost of sales ÷ bookings", "share", "money", False),
    Headline("contribution", "contribution after sales cost", "usd", "money", True),
    Headline("plan_payback_days", "payback of the hiring plan", "days", "money", False),
    Headline("plan_paid_back", "plan paid back (share of runs)", "share", "money", True),
)
"""Headline figures in reading order; a figure a run does not have (no hiring plan) is left out of its table, one
it has but cannot compute (a rate over no deals, no Fortune 1000 win) is shown as –. Wasted hours are those on
deals that ended not won, and screening; idle hours are unused capacity beside them, with no good direction;
the hours on a won deal are the median per segment."""

HEADLINE_BY_KEY = {h.key: h for h in HEADLINES}

GROUPS: tuple[str, ...] = tuple(dict.fromkeys(h.group for h in HEADLINES))
"""The groups, in reading order: bookings, pipeline, time, people, money."""
