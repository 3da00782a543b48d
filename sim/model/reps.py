"""Reps and their hours: seats that are hired into, ramp up and fall vacant; a weekly budget of selling hours.

The rep is "on a time clock called a sales quota" and hours are the scarce resource (DiModica): every activity costs selling hours within the week, and what does not
fit waits for next week. Reps leave after a tenure (about 17 months) and their seat is vacant until a
replacement starts, then ramps up. The seats' hours, their week budgets and the work waiting for them belong
to :class:`SellingHours` (the world's ``hours``); every other mechanism spends a rep's time through its
:meth:`~SellingHours.spend` or :meth:`~SellingHours.spend_if_free`.
"""

from __future__ import annotations

import heapq
import math

import simpy

from sim.config import SalesOrgConfig
from sim.core.events import EventLog
from sim.core.kinds import AdminHoursLogged, IdleHoursLogged, RepDeparted, RepHired, Work, WorkLogged
from sim.core.state import WEEK_DAYS, State
from sim.core.world import Process, World

PARTIAL_WORK_MIN_HOURS = 1e-6
"""Work waiting for the rep takes every scrap of the day's hours, however small (below this is float noise):
a rep whose deals wait for hours has no idle hours."""


def seat_process(world: World, seat: int, start_day: float | None = None) -> Process:
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


IDLE_TERRITORY_EXHAUSTED = "territory_exhausted"
"""Idle because every account of the targeted segments in the seat's territory was in a deal, cooling off
after a no or in nurture: nobody was left to approach."""
IDLE_WEEK_FULL = "week_full"
"""The week's hours were all used: the last scrap, too small for a contact and its meeting, began a contact
that finishes next week (any idle figure is float noise, rounded to 0)."""
IDLE_NO_OUTBOUND = "no_outbound"
"""Idle because the scenario switches outbound prospecting off (``mechanisms.outbound = false``)."""
IDLE_HORIZON = "horizon"
"""Idle hours of the week under way when the run ended, before its prospecting."""
IDLE_REASONS = (IDLE_TERRITORY_EXHAUSTED, IDLE_WEEK_FULL, IDLE_NO_OUTBOUND, IDLE_HORIZON)
"""Why a week's selling hours went unused (``IdleHoursLogged.reason``); see docs/model.md."""

WORK_DAYS = 5
"""A rep's selling hours come a working day at a time: a fifth of the week's each day, Monday to Friday."""

WorkQueue = list[tuple[float, int, float, simpy.Event]]
"""One seat's waiting work, a heap of (due, order queued, deadline, the event that resumes it)."""


class SellingHours:
    """The seats' selling hours: each rep's weekly capacity, the week's budget, and the work waiting for it.

    The world holds one (``world.hours``), made with the world; it is the only keeper of the reps' work queues
    and week budgets, and every mechanism spends a rep's time through :meth:`spend` or :meth:`spend_if_free`.
    It holds the clock, the folded state and the log, not the world, so a finished run is freed as soon as it
    is dropped (see ``World.close``).
    """

    def __init__(self, env: simpy.Environment, state: State, log: EventLog, org: SalesOrgConfig) -> None:
        self.env, self.state, self.log, self.org = env, state, log, org
        self.full_capacity = org.hours_per_week * org.selling_share
        """A fully ramped rep's selling hours a week."""
        self.work_queue: dict[int, WorkQueue] = {}
        """Per seat, work waiting for a morning's hours."""
        self.queued = 0
        """Work queued so far: the tie-break that keeps equally due work in the order it came."""
        self.week_budget: dict[int, tuple[int, float, float]] = {}
        """Per seat, this week's (rep, week start, selling hours available), set as the week starts."""
        self.idle_reason: dict[int, str] = {}
        """Per seat, why this week's prospecting stopped (one of :data:`IDLE_REASONS`), the reason its idle
        hours are logged with."""

    def capacity(self, rep: int, now: float) -> float:
        """Selling hours a rep has in the week containing ``now``, ramping up linearly for a new hire.

        The ramp is read at the start of the week, so a week's selling and admin hours add up to the week.
        """
        r = self.state.reps[rep]
        ramp_days = self.org.ramp_days
        if r.start_capacity >= 1.0 or ramp_days <= 0:
            return self.full_capacity
        week_start = WEEK_DAYS * math.floor(now / WEEK_DAYS)
        ramp = min(1.0, max(0.0, week_start - r.hired) / ramp_days)
        return self.full_capacity * (r.start_capacity + (1.0 - r.start_capacity) * ramp)

    def allowance(self, rep: int, now: float) -> float:
        """Selling hours the rep may have used by the end of the day containing ``now``.

        A rep cannot spend the whole week's hours on Monday: hours come a day at a time, so work that arrives
        on Wednesday still finds Wednesday's hours, and what waits is served each morning, the work due
        soonest first.
        """
        day = int(now - WEEK_DAYS * math.floor(now / WEEK_DAYS))
        return self.capacity(rep, now) * min(1.0, (day + 1) / WORK_DAYS)

    def free_hours(self, rep: int, now: float) -> float:
        """Selling hours the rep can still use today."""
        return self.allowance(rep, now) - self.state.selling_hours_this_week(rep, now)

    def open_week(self, seat: int, rep: int) -> float:
        """Start a seat's week: log the hours that are not for selling; return the selling hours available."""
        now = self.env.now
        available = self.capacity(rep, now)
        self.log.emit(AdminHoursLogged(rep=rep, hours=round(self.org.hours_per_week - available, 6)))
        self.week_budget[seat] = (rep, now, available)
        self.idle_reason.pop(seat, None)
        return available

    def note_idle_reason(self, seat: int, reason: str) -> None:
        """Record why the seat's rep stopped prospecting this week (the last stop of the week counts)."""
        self.idle_reason[seat] = reason

    def close_week(self, seat: int) -> None:
        """Log the selling hours the seat's rep had this week and did not use (at the horizon, pro rata).

        Only a rep who held the seat all week has an idle figure: a rep who left mid-week has none, and a new
        hire's first partial week starts with their first full one.
        """
        budget = self.week_budget.pop(seat, None)
        if budget is None:
            return
        rep, started, available = budget
        reason = self.idle_reason.pop(seat, IDLE_HORIZON)
        if self.state.holder(seat) != rep:
            return
        elapsed = min(1.0, (self.env.now - started) / WORK_DAYS)  # hours come a working day at a time
        used = self.state.selling_hours_in_week_of(rep, started)
        idle = round(max(0.0, available * elapsed - used), 6)
        self.log.emit(IdleHoursLogged(rep=rep, hours=idle, day=started, reason=reason))

    def spend_if_free(self, seat: int, work: Work) -> int | None:
        """Log an activity now if the seat's rep has its hours (``work.hours``) this week; otherwise it does
        not happen.

        For low-value touches (check-ins) that a busy rep simply skips rather than queues, and skips while live
        work waits in the seat's queue.
        """
        rep = self.state.holder(seat)
        if rep is None or self.work_queue.get(seat) or self.free_hours(rep, self.env.now) < work.hours:
            return None
        work.rep = rep
        self.log.emit(work)
        return rep

    def spend(self, seat: int, work: Work, deadline: float = math.inf, due: float | None = None) -> Process:
        """Spend a seat's selling hours on an activity (``work``, costing ``work.hours``), spilling into later
        weeks, then log it, naming the rep who finished it and the hours left for that last part.

        What fits in today's hours is done now (on the last day before its deadline, in what is left of the
        week's hours: the rep works ahead to save the deal). What does not is logged as ``WorkLogged`` and the rest joins
        the seat's work queue, which the rep serves each working morning, the work due soonest first and
        before any prospecting (``sim.model.week``); a vacant seat's queue waits for the next rep. ``due`` is
        when the buyer will need the work (its next step; by default the deadline). Returns the rep who
        finished the work, or None if ``deadline`` came first (the buyer moved on).
        """
        env, state, log = self.env, self.state, self.log
        when_due = deadline if due is None else min(due, deadline)
        remaining = work.hours
        while True:
            if env.now > deadline:
                return None
            rep = state.holder(seat)
            if rep is not None:
                free = self.free_hours(rep, env.now)
                if deadline < env.now + 1.0:
                    # The buyer's last day of waiting: the rep takes the rest of the week's hours for it.
                    free = self.capacity(rep, env.now) - state.selling_hours_this_week(rep, env.now)
                if free >= remaining - 1e-9:
                    work.rep, work.hours = rep, remaining
                    log.emit(work)
                    return rep
                if free >= PARTIAL_WORK_MIN_HOURS:
                    part = round(free, 6)
                    log.emit(
                        WorkLogged(
                            rep=rep,
                            account=work.account,
                            opp=getattr(work, "opp", None),
                            contact=getattr(work, "contact", None),
                            hours=part,
                            reason=type(work).__name__,
                        )
                    )
                    remaining = round(remaining - part, 6)
            # Wait for a morning with hours; the queue gives up on work whose deadline has passed by then.
            served = yield self._queue(seat, when_due, deadline)
            if not served:
                return None

    def reserve_hours(self, seat: int) -> float:
        """Hours a week kept for the seat's deals' work that is yet to come: a share per open deal.

        Prospecting leaves them alone, so a buyer's step later in the week finds the rep with time to answer it.
        """
        return self.org.pipeline_reserve_hours * len(self.state.open_by_seat[seat])

    def _queue(self, seat: int, due: float, deadline: float) -> simpy.Event:
        """Join the seat's work queue; the event fires (True) when the rep serves this work on a morning, or
        (False) on the first morning after its deadline."""
        turn = self.env.event()
        self.queued += 1
        heapq.heappush(self.work_queue.setdefault(seat, []), (due, self.queued, deadline, turn))
        return turn

    def serve_queue(self, seat: int) -> Process:
        """Each morning, before anything else: let the waiting work take the day's hours in turn.

        Work whose deadline has passed gives up (the buyer moved on); the rest resumes in order of urgency (the
        events fire in that order, so their processes run in that order) when the seat has a rep, and whatever
        still does not fit queues again for the next morning. A vacant seat's work keeps waiting, and so does
        the work of a rep with no hour left today (a weekend morning after a full week), in its place.
        """
        queue = self.work_queue.get(seat)
        if not queue:
            return
        now, rep = self.env.now, self.state.holder(seat)
        seated = rep is not None and self.free_hours(rep, now) > 1e-9
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
            yield self.env.timeout(
                0
            )  # scheduled after the turns: the queued work runs before this process goes on
