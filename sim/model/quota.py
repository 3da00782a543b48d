"""The quota clock: quota years, monthly reviews, the target to date, and how far away the period end is.

"You have an annual sales quota that is reviewed monthly" (DiModica). Each review logs every rep's bookings against the target to date; every twelfth closes the
quota year. The rhythm that calls these is ``sim.model.leadership``.
"""

from __future__ import annotations

import math

from sim.config import SalesOrgConfig
from sim.core.kinds import QuotaPeriodClosed, QuotaReviewed, QuotaYearStarted
from sim.core.state import RepState
from sim.model.sales_world import SalesWorld

REVIEWS_PER_YEAR = 12
MIN_JUDGED_SHARE = 0.25
"""A rep who carried quota for less than this share of the year is not judged on it."""


def quota_year_days(org: SalesOrgConfig) -> float:
    """Length of a quota year: twelve review periods."""
    return org.review_period_days * REVIEWS_PER_YEAR


def quota_year_start(org: SalesOrgConfig, now: float) -> float:
    """Start of the quota year containing ``now`` (the clock runs from ``quota_start_day``)."""
    start = org.quota_start_day
    if now < start:
        return start
    year = quota_year_days(org)
    return start + math.floor((now - start) / year) * year


def days_to_period_end(org: SalesOrgConfig, now: float) -> float:
    """Days until the next monthly review closes the current period."""
    elapsed = now - org.quota_start_day
    if elapsed < 0:
        return -elapsed + org.review_period_days
    return org.review_period_days - (elapsed % org.review_period_days)


def quota_target(org: SalesOrgConfig, rep: RepState, now: float) -> float:
    """The bookings a rep should have by ``now`` this quota year, pro rata, after half the ramp-up."""
    year_start = quota_year_start(org, now)
    ramp = 0.0 if rep.start_capacity >= 1.0 else org.ramp_days / 2
    counted_from = max(year_start, rep.hired + ramp)
    return org.annual_quota * max(0.0, now - counted_from) / quota_year_days(org)


def behind_on_quota(org: SalesOrgConfig, rep: RepState, now: float) -> bool:
    """Whether a rep's bookings this quota year are short of the target to date."""
    return rep.bookings_year < quota_target(org, rep, now)


def start_quota_year(world: SalesWorld) -> None:
    """Every rep in a seat starts the quota year at zero bookings (warm-up wins count for nobody)."""
    for seat in range(world.scenario.sales_org.seats):
        rep = world.state.holder(seat)
        if rep is not None:
            world.log.emit(QuotaYearStarted(rep=rep))


def quota_review(world: SalesWorld, year_end: bool) -> None:
    """Log every rep's standing; at year end, close the quota year."""
    state, emit, now, org = world.state, world.log.emit, world.env.now, world.scenario.sales_org
    for seat in range(org.seats):
        rep = state.holder(seat)
        if rep is None:
            continue
        bookings = state.reps[rep].bookings_year
        # The target is measured at the review instant, so the year-end review uses the full year.
        target = quota_target(org, state.reps[rep], now - (1e-9 if year_end else 0.0))
        # A rep still inside the first half of the ramp carries no target yet: no attainment to report.
        attainment = bookings / target if target > 0 else None
        emit(
            QuotaReviewed(
                rep=rep,
                amount=round(bookings, 2),
                target=round(target, 2),
                attainment=None if attainment is None else round(attainment, 6),
            )
        )
        if year_end and target >= org.annual_quota * MIN_JUDGED_SHARE:
            emit(
                QuotaPeriodClosed(
                    rep=rep,
                    amount=round(bookings, 2),
                    target=round(target, 2),
                    attainment=round(bookings / target, 6),
                    reason="made" if bookings >= target else "missed",
                )
            )
