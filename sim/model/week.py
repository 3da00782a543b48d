"""The rep's week: hours that are not for selling, then the deals waiting for hours, then prospecting.

Live deals come first: work the buyer is waiting for (queued last week because it did not fit) takes the new
day's hours each morning before anything else (``sim.model.reps.SellingHours.serve_queue``), and deal work that arrives
during the day takes hours as it comes. Prospecting fills what is left, late in the week: first keeping back
a little per open deal for the deal work still to come that week, then, on the week's last afternoon, with
whatever the deals did not ask for. It goes on while hours and approachable accounts remain, so a week ends
with idle hours only when nobody in the territory was free to approach or less than a contact was left; it
logs them with that reason (``IdleHoursLogged``).
"""

from __future__ import annotations

import math

from sim.core.state import WEEK_DAYS
from sim.core.timing import MORNING, PriorityTimeout
from sim.core.world import Process
from sim.model.prospecting import prospecting_pass
from sim.model.reps import IDLE_NO_OUTBOUND
from sim.model.sales_world import SalesWorld

PROSPECTING_DAY = 4
"""Day of the week the rep prospects with the hours live deals left."""

PROSPECTING_END_MARGIN_DAYS = 0.5
"""Prospecting ends this long before the week does."""

LAST_AFTERNOON_DAYS = 0.5
"""The end of the week's prospecting when the hours kept back for deals go to prospecting too."""


def week_process(world: SalesWorld, seat: int) -> Process:
    """Each week: log last week's idle hours and this week's admin hours; each morning, serve waiting deals;
    late in the week, prospect with what is left."""
    env, state = world.env, world.state
    while True:
        week_start = env.now
        world.hours.close_week(seat)
        rep = state.holder(seat)
        capacity = world.hours.open_week(seat, rep) if rep is not None else 0.0
        for day in range(int(WEEK_DAYS)):
            yield PriorityTimeout(env, max(0.0, week_start + day - env.now), MORNING)
            yield from world.hours.serve_queue(seat)
            if day == PROSPECTING_DAY and rep is not None and state.holder(seat) == rep:
                yield from prospect_with_what_is_left(world, seat, rep, capacity)
        yield env.timeout(WEEK_DAYS * (math.floor(env.now / WEEK_DAYS) + 1) - env.now)


def prospect_with_what_is_left(world: SalesWorld, seat: int, rep: int, capacity: float) -> Process:
    """Prospect with the week's hours the deals left: first keeping back a little per open deal for the rest
    of the week (never more than leaves the share the organisation keeps for prospecting), then, on the last
    afternoon, with the hours kept back that no deal asked for."""
    org, env, state, hours = world.scenario.sales_org, world.env, world.state, world.hours
    if not world.scenario.mechanisms.outbound:
        hours.note_idle_reason(seat, IDLE_NO_OUTBOUND)
        return
    week_end = WEEK_DAYS * (math.floor(env.now / WEEK_DAYS) + 1) - PROSPECTING_END_MARGIN_DAYS
    free = capacity - state.selling_hours_this_week(rep, env.now)
    keep_back = max(0.0, min(hours.reserve_hours(seat), free - org.min_prospecting_share * capacity))
    yield from prospecting_pass(world, seat, rep, keep_back, week_end - LAST_AFTERNOON_DAYS)
    if keep_back > 0 and env.now < week_end:
        yield env.timeout(max(0.0, week_end - LAST_AFTERNOON_DAYS - env.now))
        yield from prospecting_pass(world, seat, rep, 0.0, week_end)
