"""Sales leadership and the quota clock: monthly reviews, the annual close, pipeline reviews, the forecast.

Seed 002: "you have an annual sales quota that is reviewed monthly". Each review logs every rep's bookings
against the target to date; every twelfth closes the quota year. Leadership reviews the pipeline (coverage of
what is left of the quota) and commits a forecast built on the sales cycle reps *expect*, which is shorter
than the buying cycle, so the forecast runs ahead of bookings. Near each period end, reps who are behind
reach for the tactics their strategy allows (seed 000's Phil: invented scarcity and a price increase).
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.engine import World

REVIEWS_PER_YEAR = 12
MIN_JUDGED_SHARE = 0.25
LATE_STAGES = frozenset({"proposal", "pilot", "negotiation", "close"})
PRESSURE_TACTICS = ("fake_scarcity", "price_increase")


def leadership_process(world: World) -> Generator[Any, Any, None]:
    """Run the quota clock: a pressure sweep before each review, then the review itself."""
    env, org, policy = world.env, world.scenario.sales_org, world.policy
    yield env.timeout(org.quota_start_day)
    start_quota_year(world)
    review = 1
    while True:
        review_at = org.quota_start_day + review * org.review_period_days
        pressure_at = review_at - policy.pressure_days_before_period_end
        if policy.pressure_tactics and pressure_at > env.now:
            yield env.timeout(pressure_at - env.now)
            pressure_sweep(world)
        yield env.timeout(max(0.0, review_at - env.now))
        year_end = review % REVIEWS_PER_YEAR == 0
        quota_review(world, year_end=year_end)
        if year_end:
            start_quota_year(world)
        pipeline_review(world)
        review += 1


def quota_target(world: World, rep: int, now: float) -> float:
    """The bookings a rep should have by ``now`` this quota year, pro rata, after half the ramp-up."""
    org, r = world.scenario.sales_org, world.state.reps[rep]
    year_start = world.quota_year_start(now)
    ramp = 0.0 if r.start_capacity >= 1.0 else org.ramp_days / 2
    counted_from = max(year_start, r.hired + ramp)
    return org.annual_quota * max(0.0, now - counted_from) / world.quota_year_days


def start_quota_year(world: World) -> None:
    """Every rep in a seat starts the quota year at zero bookings (warm-up wins count for nobody)."""
    for seat in range(world.scenario.sales_org.reps):
        rep = world.state.holder(seat)
        if rep is not None:
            world.log.emit("QuotaYearStarted", rep=rep)


def quota_review(world: World, year_end: bool) -> None:
    """Log every rep's standing; at year end, close the quota year."""
    state, emit, now = world.state, world.log.emit, world.env.now
    for seat in range(world.scenario.sales_org.reps):
        rep = state.holder(seat)
        if rep is None:
            continue
        bookings = state.reps[rep].bookings_year
        # The target is measured at the review instant, so the year-end review uses the full year.
        target = quota_target(world, rep, now - (1e-9 if year_end else 0.0))
        # A rep still inside the first half of the ramp carries no target yet: no attainment to report.
        attainment = bookings / target if target > 0 else None
        emit(
            "QuotaReviewed",
            rep=rep,
            amount=round(bookings, 2),
            level=round(target, 2),
            share=None if attainment is None else round(attainment, 6),
        )
        # A rep who carried quota for less than a quarter of the year is not judged on it.
        if year_end and target >= world.scenario.sales_org.annual_quota * MIN_JUDGED_SHARE:
            emit(
                "QuotaPeriodClosed",
                rep=rep,
                amount=round(bookings, 2),
                level=round(target, 2),
                share=round(bookings / target, 6),
                reason="made" if bookings >= target else "missed",
            )


def pipeline_review(world: World) -> None:
    """Pipeline value and coverage of the remaining quota; the forecast commit for the coming period."""
    state, org, now = world.state, world.scenario.sales_org, world.env.now
    open_opps = [o for o in state.opportunities.values() if o.status == "open"]
    # math.fsum: correctly rounded, so logs agree across Python versions (sum() of floats changed in 3.12).
    pipeline = math.fsum(o.amount for o in open_opps)
    remaining = math.fsum(
        max(0.0, org.annual_quota - state.reps[rep].bookings_year)
        for rep in (state.holder(s) for s in range(org.reps))
        if rep is not None
    )
    world.log.emit(
        "PipelineReviewed",
        amount=round(pipeline, 2),
        score=len(open_opps),
        share=round(pipeline / remaining, 6) if remaining > 0 else 0.0,
    )
    period_end = now + org.review_period_days
    commit = math.fsum(
        o.amount * (1.0 - o.discount)
        for o in open_opps
        if o.stage in LATE_STAGES
        and o.opened + getattr(world.scenario.market, o.segment).expected_sales_cycle_days <= period_end
    )
    world.log.emit("ForecastCommitted", amount=round(commit, 2), day=round(period_end, 6))


def pressure_sweep(world: World) -> None:
    """Reps behind on quota put invented urgency on their late-stage deals."""
    state, now = world.state, world.env.now
    for seat in range(world.scenario.sales_org.reps):
        rep = state.holder(seat)
        if rep is None or state.reps[rep].bookings_year >= quota_target(world, rep, now):
            continue
        stream = world.seat_streams[seat]
        for opp in sorted(state.open_by_seat[seat]):
            o = state.opportunities[opp]
            if o.stage in LATE_STAGES and not o.pressure:
                tactic = PRESSURE_TACTICS[stream.integer(0, 1)]
                world.log.emit("PressureApplied", rep=rep, account=o.account, opp=opp, reason=tactic)
