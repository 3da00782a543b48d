"""The headline figures of one run (what ``summary.json``, ``runs.parquet`` and the tables hold), and the
scale each is shown at."""

from __future__ import annotations

from typing import Any

from sim.config import SEGMENTS
from sim.metrics.cycles import median_cycle_by_segment
from sim.metrics.hours import hours_summary, won_deal_hours
from sim.metrics.log import Log, lazy, repeatable
from sim.metrics.money import CostParameters, money_figures
from sim.metrics.opportunities import discounts, opportunities, outcome_rates
from sim.metrics.quota import quota_year_figures
from sim.metrics.revenue import bookings_per_quota_year, revenue

WON_DOLLARS_PER_SHOWN_UNIT = 1000.0
"""``hours_per_won_dollar`` is stored per dollar but shown per $1,000 won, where the figure reads easily."""

DISPLAY_SCALE: dict[str, float] = {"hours_per_won_dollar": WON_DOLLARS_PER_SHOWN_UNIT}
"""What a summary figure is multiplied by before tables and charts show it (1 when absent)."""


TABLE_METRICS: dict[str, tuple[str, bool | None]] = {
    "revenue": ("revenue ($)", True),
    "wasted_share": ("share of selling hours wasted (deals not won, screening)", False),
    "screening_hours": ("screening hours (opened no deal)", False),
    "idle_share": ("unused capacity: share of selling hours idle", None),
    "idle_hours": ("unused capacity: idle selling hours", None),
    "utilisation": ("utilisation (booked ÷ selling hours)", True),
    "win_rate": ("win rate", True),
    "no_decision_rate": ("no-decision rate", False),
    "median_sales_won_cycle_smb": ("median won cycle, SMB (days)", False),
    "median_sales_won_cycle_mid_market": ("median won cycle, mid-market (days)", False),
    "median_sales_won_cycle_f1000": ("median won cycle, Fortune 1000 (days)", False),
    "mean_quota_attainment": ("mean quota attainment", True),
    "share_making_quota": ("share of reps making quota", True),
    "hours_per_won_dollar": ("booked selling hours per won $1k", False),
    "median_discount": ("median discount on won deals", False),
    "cost_of_sales": ("cost of sales: salaries and commission ($)", False),
    "contribution": ("contribution: bookings × margin − cost of sales ($)", True),
    "cost_of_sales_share": ("cost of sales ÷ bookings", False),
    "plan_payback_days": ("hiring plan's payback (days from its start)", False),
}
"""Figures the comparison table reports, with a label (in the unit :func:`display_scale` gives) and whether
more is better (None: neither; unused capacity is not waste, so more of it is not marked worse)."""


FIGURES: tuple[str, ...] = (
    "revenue",
    "bookings_per_quota_year",
    "deals_won",
    "closed",
    "win_rate",
    "loss_rate",
    "no_decision_rate",
    "walk_away_rate",
    "no_decision_share_of_decided",
    "selling_hours",
    "booked_hours",
    "admin_hours",
    "utilisation",
    "selling_share",
    "wasted_hours",
    "wasted_share",
    "idle_share",
    "won_hours",
    "lost_competitor_hours",
    "lost_after_shortlist_hours",
    "lost_not_ready_hours",
    "lost_despite_winning_hours",
    "no_decision_status_quo_hours",
    "no_decision_indecision_hours",
    "no_decision_further_evaluation_hours",
    "no_decision_went_dark_hours",
    "walked_away_hours",
    "still_open_hours",
    "screening_hours",
    "idle_hours",
    "hours_per_won_dollar",
    "median_discount",
    "share_making_quota",
    "mean_quota_attainment",
    "opportunities",
    "salary_cost",
    "commission_cost",
    "cost_of_sales",
    "contribution",
    "cost_of_sales_share",
    "plan_payback_days",
    "plan_paid_back",
)
"""The figures every run's summary holds, in its order (experiments name the ones they keep);
``plan_payback_days`` only when the scenario has a hiring plan (a comparison without one shows no row)."""

SIGNED_FIGURES: frozenset[str] = frozenset({"contribution"})
"""Figures that can be negative (a team that costs more than its bookings leave): their intervals are not cut
at 0."""

CYCLES: tuple[str, ...] = ("buying", "sales", "sales_won")

SEGMENT_FIGURES: tuple[str, ...] = (
    *(figure for cycle in CYCLES for figure in (f"median_{cycle}_cycle", f"{cycle}_cycles")),
    "median_won_deal_hours",
)
"""Figures a summary holds per segment: each cycle's median and count (``median_sales_cycle_f1000``,
``sales_cycles_f1000``; the median NaN without a cycle), and the median selling hours on a won deal
(``median_won_deal_hours_smb``, :func:`sim.metrics.hours.won_deal_hours`)."""

BOUNDED_FIGURES: frozenset[str] = frozenset(
    {
        "win_rate",
        "loss_rate",
        "no_decision_rate",
        "walk_away_rate",
        "no_decision_share_of_decided",
        "utilisation",
        "selling_share",
        "wasted_share",
        "idle_share",
        "median_discount",
        "share_making_quota",
        "plan_paid_back",
    }
)
"""Shares: figures that lie in [0, 1], so their intervals are kept inside [0, 1] (differences inside [-1, 1])."""


def _is_summary_figure(figure: str) -> bool:
    return figure in FIGURES or any(
        figure.startswith(f"{name}_") and figure.removeprefix(f"{name}_") in SEGMENTS
        for name in SEGMENT_FIGURES
    )


def bounds(figure: str) -> tuple[float, float]:
    """The range a figure's mean can take: [0, 1] for a share, [0, ∞) for the summary's other figures (counts,
    dollars, hours, days), any number for a signed one and for a figure this module does not define (a
    caller's own measure, such as a change in reputation)."""
    if figure in BOUNDED_FIGURES:
        return (0.0, 1.0)
    if figure in SIGNED_FIGURES or not _is_summary_figure(figure):
        return (-float("inf"), float("inf"))
    return (0.0, float("inf"))


def display_scale(figure: str) -> float:
    """The factor a summary figure is shown at (see :data:`DISPLAY_SCALE`)."""
    return DISPLAY_SCALE.get(figure, 1.0)


def summary(events: Log, costs: CostParameters | None = None) -> dict[str, Any]:
    """The headline figures of one run, as a flat mapping (what tables and ``summary.json`` show).

    The money figures price the log with ``costs`` (:meth:`CostParameters.from_scenario` of the scenario that
    ran; ``RunResult.summary`` passes them); without them the figures that need a price are NaN.
    """
    lf = lazy(events)
    opps = opportunities(lf)  # built once: most figures start from it
    rates = outcome_rates(lf, opps)
    hours = hours_summary(lf, opps)
    total = revenue(lf)
    won = discounts(lf, opps)
    cycles = median_cycle_by_segment(lf, opps)
    out: dict[str, Any] = {
        "revenue": total,
        "bookings_per_quota_year": bookings_per_quota_year(lf),
        "deals_won": won.height,
        **rates,
        **hours,
        "hours_per_won_dollar": hours["booked_hours"] / total if total else float("nan"),
        "median_discount": float(won["discount"].median()) if won.height else float("nan"),  # type: ignore[arg-type]
        **quota_year_figures(lf),
        "opportunities": opps.height,
        **money_figures(lf, costs),
    }
    for segment in SEGMENTS:
        for cycle in CYCLES:  # a segment without a cycle: no median (NaN), none counted
            out[f"median_{cycle}_cycle_{segment}"] = float("nan")
            out[f"{cycle}_cycles_{segment}"] = 0
    out.update(won_deal_hours(lf, opps))
    for row in cycles.iter_rows(named=True):
        out[f"median_{row['cycle']}_cycle_{row['segment']}"] = row["median_days"]
        # How many cycles the median rests on: a run wins only a handful of Fortune 1000 deals.
        out[f"{row['cycle']}_cycles_{row['segment']}"] = row["n"]
    return {k: repeatable(v) if isinstance(v, float) else v for k, v in out.items()}
