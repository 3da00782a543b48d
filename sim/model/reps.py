"""Reps and their hours: seats that are hired into, ramp up and fall vacant; a weekly budget of selling hours.

The rep is "on a time clock called a sales quota" and hours are the scarce resource (DiModica): every activity costs selling hours within the week, and what does not
fit waits for next week. Reps leave after a tenure (about 17 months) and their seat is vacant until a
replacement starts, then ramps up. Every other mechanism spends a rep's time through :func:`spend` or
:func:`spend_if_free`.
"""

from __future__ import annotations

import math
from typing import Any

from sim.core.state import WEEK_DAYS
from sim.core.world import Process
from sim.model.sales_world import SalesWorld

PARTIAL_WORK_MIN_HOURS = 0.25
"""Smaller scraps of a week are not worth starting a piece of work in."""

RETRY_AFTER_WEEK_START_DAYS = 0.01
"""Work that did not fit retries just after the week turns, once the week's own first pass has started."""
RETRY_SPREAD_MAX_DAYS = 2.0
RETRY_SLACK_DAYS_PER_DAY = 100.0
"""Waiting work is served most urgent first: it retries later in the new week by one day per hundred days of
slack before its deadline, up to two days (an ordering encoded in retry times; it reaches the log)."""


def seat_process(world: SalesWorld, seat: int) -> Process:
    """Fill a seat again and again: hire, stay for a tenure, leave, stay vacant, hire a replacement."""
    org, env, stream = world.scenario.sales_org, world.env, world.org_streams[seat]
    starting_team = True
    while True:
        rep = world.new_rep_id()
        world.log.emit(
            "RepHired", rep=rep, seat=seat, capacity=1.0 if starting_team else org.ramp_start_capacity
        )
        tenure = -math.log(1.0 - stream.uniform()) * org.mean_tenure_days
        yield env.timeout(tenure)
        world.log.emit("RepDeparted", rep=rep, seat=seat, days=round(tenure, 3))
        yield env.timeout(org.vacancy_days)
        starting_team = False


def capacity(world: SalesWorld, rep: int, now: float) -> float:
    """Selling hours a rep has in the week containing ``now``, ramping up linearly for a new hire.

    The ramp is read at the start of the week, so a week's selling and admin hours add up to the week.
    """
    r = world.state.reps[rep]
    ramp_days = world.scenario.sales_org.ramp_days
    if r.start_capacity >= 1.0 or ramp_days <= 0:
        return world.full_capacity
    week_start = WEEK_DAYS * math.floor(now / WEEK_DAYS)
    ramp = min(1.0, max(0.0, week_start - r.hired) / ramp_days)
    return world.full_capacity * (r.start_capacity + (1.0 - r.start_capacity) * ramp)


def free_hours(world: SalesWorld, rep: int, now: float) -> float:
    """Selling hours the rep has left in the week containing ``now``."""
    return capacity(world, rep, now) - world.state.selling_hours_this_week(rep, now)


def open_week(world: SalesWorld, seat: int, rep: int) -> float:
    """Start a seat's week: log the hours that are not for selling; return the selling hours available."""
    org = world.scenario.sales_org
    available = capacity(world, rep, world.env.now)
    world.log.emit("AdminHoursLogged", rep=rep, hours=round(org.hours_per_week - available, 6))
    world.week_budget[seat] = (rep, world.env.now, available)
    return available


def close_week(world: SalesWorld, seat: int) -> None:
    """Log the selling hours the seat's rep had this week and did not use (at the horizon, pro rata).

    Only a rep who held the seat all week has an idle figure: a rep who left mid-week has none, and a new
    hire's first partial week starts with their first full one.
    """
    budget = world.week_budget.pop(seat, None)
    if budget is None:
        return
    rep, started, available = budget
    if world.state.holder(seat) != rep:
        return
    elapsed = min(1.0, (world.env.now - started) / WEEK_DAYS)
    used = world.state.selling_hours_this_week(rep, started)
    idle = round(max(0.0, available * elapsed - used), 6)
    world.log.emit("IdleHoursLogged", rep=rep, hours=idle, day=started)


def spend_if_free(world: SalesWorld, seat: int, hours: float, kind: str, **fields: Any) -> int | None:
    """Log an activity now if the seat's rep has the hours this week; otherwise it does not happen.

    For low-value touches (check-ins) that a busy rep simply skips rather than queues.
    """
    rep = world.state.holder(seat)
    if rep is None or free_hours(world, rep, world.env.now) < hours:
        return None
    world.log.emit(kind, rep=rep, hours=hours, **fields)
    return rep


def retry_delay(now: float, deadline: float) -> float:
    """Days until work that did not fit this week tries again: early next week, the most urgent first."""
    next_week = WEEK_DAYS * (math.floor(now / WEEK_DAYS) + 1)
    offset = (
        RETRY_AFTER_WEEK_START_DAYS
        + min(RETRY_SPREAD_MAX_DAYS, max(0.0, deadline - next_week) / RETRY_SLACK_DAYS_PER_DAY)
        if deadline < math.inf
        else RETRY_AFTER_WEEK_START_DAYS
    )
    return min(next_week + offset, deadline) - now


def spend(
    world: SalesWorld, seat: int, hours: float, kind: str, deadline: float = math.inf, **fields: Any
) -> Process:
    """Spend a seat's selling hours on an activity, spilling into later weeks, then log the activity.

    What does not fit in this week is logged as ``WorkLogged`` and carries over; a vacant seat waits.
    Returns the rep who finished the work, or None if ``deadline`` came first (the buyer moved on).
    """
    env, state, log = world.env, world.state, world.log
    remaining = hours
    while True:
        if env.now >= deadline:
            return None
        rep = state.holder(seat)
        if rep is not None:
            free = free_hours(world, rep, env.now)
            if free >= remaining - 1e-9:
                log.emit(kind, rep=rep, hours=remaining, **fields)
                return rep
            if free >= PARTIAL_WORK_MIN_HOURS:
                part = round(free, 6)
                log.emit(
                    "WorkLogged",
                    rep=rep,
                    account=fields.get("account"),
                    opp=fields.get("opp"),
                    contact=fields.get("contact"),
                    hours=part,
                    reason=kind,
                )
                remaining = round(remaining - part, 6)
        yield env.timeout(retry_delay(env.now, deadline))
