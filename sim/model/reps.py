"""Reps and their hours: seats that are hired into, ramp up and fall vacant; a weekly budget of selling hours.

The rep is "on a time clock called a sales quota" and hours are the scarce resource (DiModica): every activity costs selling hours within the week, and what does not
fit waits for next week. Reps leave after a tenure (about 17 months) and their seat is vacant until a
replacement starts, then ramps up. Every other mechanism spends a rep's time through :func:`spend` or
:func:`spend_if_free`.
"""

from __future__ import annotations

import heapq
import math

import simpy

from sim.core.kinds import AdminHoursLogged, IdleHoursLogged, RepDeparted, RepHired, Work, WorkLogged
from sim.core.state import WEEK_DAYS
from sim.core.world import Process
from sim.model.sales_world import SalesWorld

PARTIAL_WORK_MIN_HOURS = 0.25
"""Smaller scraps of a week are not worth starting a piece of work in."""


def seat_process(world: SalesWorld, seat: int, start_day: float | None = None) -> Process:
    """Fill a seat again and again: hire, stay for a tenure, leave, stay vacant, hire a replacement.

    A starting team's seat (``start_day`` None) is filled at day 0 by a fully ramped rep. A seat of the hiring
    plan (``sales_org.hires``) stays empty until ``start_day``, like a vacancy, and its first rep then ramps up
    like a replacement: a new hire is a new hire, whether the seat is new or fell vacant. With turnover
    switched off (``mechanisms.turnover = false``) a seat's first rep stays for the whole run.
    """
    org, env, stream = world.scenario.sales_org, world.env, world.org_streams[seat]
    starting_team = start_day is None
    if start_day is not None:
        yield env.timeout(start_day)
    while True:
        rep = world.new_rep_id()
        world.log.emit(
            RepHired(rep=rep, seat=seat, capacity=1.0 if starting_team else org.ramp_start_capacity)
        )
        if not world.scenario.mechanisms.turnover:
            return
        tenure = -math.log(1.0 - stream.uniform()) * org.mean_tenure_days
        yield env.timeout(tenure)
        world.log.emit(RepDeparted(rep=rep, seat=seat, days=round(tenure, 3)))
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


WORK_DAYS = 5
"""A rep's selling hours come a working day at a time: a fifth of the week's each day, Monday to Friday."""


def allowance(world: SalesWorld, rep: int, now: float) -> float:
    """Selling hours the rep may have used by the end of the day containing ``now``.

    A rep cannot spend the whole week's hours on Monday: hours come a day at a time, so work that arrives
    on Wednesday still finds Wednesday's hours, and what waits is served each morning, the work due soonest
    first.
    """
    day = int(now - WEEK_DAYS * math.floor(now / WEEK_DAYS))
    return capacity(world, rep, now) * min(1.0, (day + 1) / WORK_DAYS)


def free_hours(world: SalesWorld, rep: int, now: float) -> float:
    """Selling hours the rep can still use today."""
    return allowance(world, rep, now) - world.state.selling_hours_this_week(rep, now)


def open_week(world: SalesWorld, seat: int, rep: int) -> float:
    """Start a seat's week: log the hours that are not for selling; return the selling hours available."""
    org = world.scenario.sales_org
    available = capacity(world, rep, world.env.now)
    world.log.emit(AdminHoursLogged(rep=rep, hours=round(org.hours_per_week - available, 6)))
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
    elapsed = min(1.0, (world.env.now - started) / WORK_DAYS)  # hours come a working day at a time
    used = world.state.selling_hours_in_week_of(rep, started)
    idle = round(max(0.0, available * elapsed - used), 6)
    world.log.emit(IdleHoursLogged(rep=rep, hours=idle, day=started))


def spend_if_free(world: SalesWorld, seat: int, work: Work) -> int | None:
    """Log an activity now if the seat's rep has its hours (``work.hours``) this week; otherwise it does not
    happen.

    For low-value touches (check-ins) that a busy rep simply skips rather than queues, and skips while live work
    waits in the seat's queue.
    """
    rep = world.state.holder(seat)
    if rep is None or world.work_queue.get(seat) or free_hours(world, rep, world.env.now) < work.hours:
        return None
    work.rep = rep
    world.log.emit(work)
    return rep


def spend(
    world: SalesWorld, seat: int, work: Work, deadline: float = math.inf, due: float | None = None
) -> Process:
    """Spend a seat's selling hours on an activity (``work``, costing ``work.hours``), spilling into later
    weeks, then log it, naming the rep who finished it and the hours left for that last part.

    What fits in today's hours is done now. What does not is logged as ``WorkLogged`` and the rest joins the
    seat's work queue, which the rep serves each working morning, the work due soonest first and before any
    prospecting (``sim.model.week``); a vacant seat's queue waits for the next rep. ``due`` is when the buyer
    will need the work (its next step; by default the deadline). Returns the rep who finished the work, or
    None if ``deadline`` came first (the buyer moved on).
    """
    env, state, log = world.env, world.state, world.log
    when_due = deadline if due is None else min(due, deadline)
    remaining = work.hours
    while True:
        if env.now > deadline:
            return None
        rep = state.holder(seat)
        if rep is not None:
            free = free_hours(world, rep, env.now)
            if free >= remaining - 1e-9:
                work.rep, work.hours = rep, remaining
                log.emit(work)
                return rep
            if free >= PARTIAL_WORK_MIN_HOURS:
                part = round(free, 6)
                log.emit(
                    WorkLogged(
                        rep=rep,
                        account=getattr(work, "account", None),
                        opp=getattr(work, "opp", None),
                        contact=getattr(work, "contact", None),
                        hours=part,
                        reason=type(work).__name__,
                    )
                )
                remaining = round(remaining - part, 6)
        # Wait for a morning with hours; the queue gives up on work whose deadline has passed by then.
        if not (yield _queue(world, seat, when_due, deadline)):
            return None


def reserve_hours(world: SalesWorld, seat: int) -> float:
    """Hours a week kept for the seat's deals' work that is yet to come: a share per open deal.

    Prospecting leaves them alone, so a buyer's step later in the week finds the rep with time to answer it.
    """
    return world.scenario.sales_org.pipeline_reserve_hours * len(world.state.open_by_seat[seat])


def _queue(world: SalesWorld, seat: int, due: float, deadline: float) -> simpy.Event:
    """Join the seat's work queue; the event fires (True) when the rep serves this work on a morning, or
    (False) on the first morning after its deadline."""
    turn = world.env.event()
    world.queued += 1
    heapq.heappush(world.work_queue.setdefault(seat, []), (due, world.queued, deadline, turn))
    return turn


def serve_queue(world: SalesWorld, seat: int) -> Process:
    """Each morning, before anything else: let the waiting work take the day's hours in turn.

    Work whose deadline has passed gives up (the buyer moved on); the rest resumes in order of urgency (the
    events fire in that order, so their processes run in that order) when the seat has a rep, and whatever
    still does not fit queues again for the next morning. A vacant seat's work keeps waiting.
    """
    queue = world.work_queue.get(seat)
    if not queue:
        return
    now, seated = world.env.now, world.state.holder(seat) is not None
    waiting = [heapq.heappop(queue) for _ in range(len(queue))]
    for entry in waiting:
        _, _, deadline, turn = entry
        if now > deadline:
            turn.succeed(False)
        elif seated:
            turn.succeed(True)
        else:
            heapq.heappush(queue, entry)
    if seated:
        yield world.env.timeout(
            0
        )  # scheduled after the turns: the queued work runs before this process goes on
