"""Pipeline reviews and the forecast: what leadership sees each month, and why it runs ahead of bookings.

Leadership reviews the pipeline (its value and its coverage of what is left of the quota) and commits a
forecast of late-stage deals expected to close in the coming period, judged by the sales cycle reps
*expect*, which is shorter than the buyer's buying cycle (DiModica), so the forecast runs ahead of bookings.
"""

from __future__ import annotations

import math

from sim.core.kinds import ForecastCommitted, PipelineReviewed
from sim.model.opportunity import LATE_STAGES
from sim.model.sales_world import SalesWorld


def pipeline_review(world: SalesWorld) -> None:
    """Pipeline value and coverage of the remaining quota; the forecast commit for the coming period."""
    state, org, now = world.state, world.scenario.sales_org, world.env.now
    open_opps = [o for o in state.opportunities.values() if o.status == "open"]
    # math.fsum: correctly rounded, so logs agree across Python versions (sum() of floats changed in 3.12).
    pipeline = math.fsum(o.amount for o in open_opps)
    remaining = math.fsum(
        max(0.0, org.annual_quota - state.reps[rep].bookings_year)
        for rep in (state.holder(s) for s in range(org.seats))
        if rep is not None
    )
    world.log.emit(
        PipelineReviewed(
            amount=round(pipeline, 2),
            open_deals=len(open_opps),
            coverage=round(pipeline / remaining, 6) if remaining > 0 else 0.0,
        )
    )
    period_end = now + org.review_period_days
    commit = math.fsum(
        o.amount * (1.0 - o.discount)
        for o in open_opps
        if o.stage in LATE_STAGES
        and o.opened + getattr(world.scenario.market, o.segment).expected_sales_cycle_days <= period_end
    )
    world.log.emit(ForecastCommitted(amount=round(commit, 2), day=round(period_end, 6)))
