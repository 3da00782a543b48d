"""Sales leadership's monthly rhythm: a pressure sweep before each period end, the quota review, the pipeline.

The rules live in the modules named for them (``quota``, ``pressure``, ``forecast``); this process only
keeps the calendar that calls them.
"""

from __future__ import annotations

from sim.core.world import Process
from sim.model.forecast import pipeline_review
from sim.model.pressure import pressure_sweep
from sim.model.quota import REVIEWS_PER_YEAR, quota_review, start_quota_year
from sim.model.sales_world import SalesWorld


def leadership_process(world: SalesWorld) -> Process:
    """Run the quota clock: a pressure sweep before each review, then the review itself."""
    env, org, policy = world.env, world.scenario.sales_org, world.policy
    yield env.timeout(org.quota_start_day)
    start_quota_year(world)
    review = 1
    while True:
        review_at = org.quota_start_day + review * org.review_period_days
        pressure_at = review_at - policy.pressure_days_before_period_end
        if policy.pressure_tactics and world.scenario.mechanisms.pressure and pressure_at > env.now:
            yield env.timeout(pressure_at - env.now)
            pressure_sweep(world)
        yield env.timeout(max(0.0, review_at - env.now))
        year_end = review % REVIEWS_PER_YEAR == 0
        quota_review(world, year_end=year_end)
        if year_end:
            start_quota_year(world)
        pipeline_review(world)
        review += 1
