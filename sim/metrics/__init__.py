"""Every figure a user sees, as a pure function of the event log (polars in, polars or numbers out).

Nothing here reads simulation objects: a stored ``events.parquet`` gives the same figures as a live run.
Functions accept a ``DataFrame`` or a ``LazyFrame`` log; they are the single place each figure (and the scale
it is shown at) is defined, so tables, charts and reports call these rather than computing their own.

One module per subject: :mod:`~sim.metrics.opportunities` (outcomes, discounts, stall requests),
:mod:`~sim.metrics.revenue` (bookings, per quarter and quota year, forecast), :mod:`~sim.metrics.calendar`
(the warm-up, quota years and quarters), :mod:`~sim.metrics.hours` (where every selling hour went),
:mod:`~sim.metrics.cycles`, :mod:`~sim.metrics.quota`, :mod:`~sim.metrics.funnel`,
:mod:`~sim.metrics.reputation`, :mod:`~sim.metrics.money` (cost of sales, contribution, payback of hires; the
log priced with a scenario's cost parameters), :mod:`~sim.metrics.summary` (a run's headline figures) and
:mod:`~sim.metrics.mechanism` (the figures behind them that ``docs/findings.md`` compares).
"""

from sim.metrics.calendar import MONTH_DAYS, WARM_UP, QuotaClock, quota_calendar, quota_clock
from sim.metrics.cycles import cycle_lengths, median_cycle_by_segment
from sim.metrics.funnel import FUNNEL_NODES, FUNNEL_STAGES, funnel, funnel_flows, funnel_node_totals
from sim.metrics.hours import (
    CATEGORY_OF_ENDING,
    HOURS_CATEGORIES,
    WASTED_CATEGORIES,
    HoursCategory,
    categorised_hours,
    hours_by_activity,
    hours_by_category,
    hours_summary,
    selling_hour_events,
    utilisation_over_time,
    won_deal_hours,
)
from sim.metrics.log import Log, horizon
from sim.metrics.mechanism import mechanism_figures
from sim.metrics.money import (
    CostParameters,
    commission_cost,
    contribution,
    employment,
    hire_paybacks,
    money_figures,
    payback_days,
    plan_payback_days,
    salary_cost,
)
from sim.metrics.opportunities import (
    DECIDED,
    OUTCOME_OF_KIND,
    OUTCOMES,
    discounts,
    opportunities,
    outcome_rates,
    stall_requests_by_opportunity,
)
from sim.metrics.quota import (
    mean_quota_attainment,
    quota_attainment,
    quota_attainment_by_seat,
    quota_on_track,
    quota_years,
    share_making_quota,
)
from sim.metrics.reputation import reputation_over_time, reputation_path
from sim.metrics.revenue import (
    bookings_by_quarter,
    bookings_by_quota_year,
    forecast_vs_actual,
    forecast_vs_actual_by_month,
    revenue,
    revenue_over_time,
)
from sim.metrics.summary import (
    BOUNDED_FIGURES,
    DISPLAY_SCALE,
    FIGURES,
    SEGMENT_FIGURES,
    SIGNED_FIGURES,
    TABLE_METRICS,
    bounds,
    display_scale,
    summary,
)

__all__ = [
    "BOUNDED_FIGURES",
    "CATEGORY_OF_ENDING",
    "DECIDED",
    "DISPLAY_SCALE",
    "FIGURES",
    "FUNNEL_NODES",
    "FUNNEL_STAGES",
    "HOURS_CATEGORIES",
    "MONTH_DAYS",
    "OUTCOMES",
    "OUTCOME_OF_KIND",
    "SEGMENT_FIGURES",
    "SIGNED_FIGURES",
    "TABLE_METRICS",
    "WARM_UP",
    "WASTED_CATEGORIES",
    "CostParameters",
    "HoursCategory",
    "Log",
    "QuotaClock",
    "bookings_by_quarter",
    "bookings_by_quota_year",
    "bounds",
    "categorised_hours",
    "commission_cost",
    "contribution",
    "cycle_lengths",
    "discounts",
    "display_scale",
    "employment",
    "forecast_vs_actual",
    "forecast_vs_actual_by_month",
    "funnel",
    "funnel_flows",
    "funnel_node_totals",
    "hire_paybacks",
    "horizon",
    "hours_by_activity",
    "hours_by_category",
    "hours_summary",
    "mean_quota_attainment",
    "mechanism_figures",
    "median_cycle_by_segment",
    "money_figures",
    "opportunities",
    "outcome_rates",
    "payback_days",
    "plan_payback_days",
    "quota_attainment",
    "quota_attainment_by_seat",
    "quota_calendar",
    "quota_clock",
    "quota_on_track",
    "quota_years",
    "reputation_over_time",
    "reputation_path",
    "revenue",
    "revenue_over_time",
    "salary_cost",
    "selling_hour_events",
    "share_making_quota",
    "stall_requests_by_opportunity",
    "summary",
    "utilisation_over_time",
    "won_deal_hours",
]
