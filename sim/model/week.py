"""The rep's week: hours that are not for selling, then prospecting in two passes around live deal work.

Early in the week the rep keeps a minimum share of hours for prospecting; live deals are served next (work
that did not fit last week retries at the start of this one, ``sim.model.reps.spend``); late in the week
whatever they left goes to prospecting too. Deals come before the late pass, so a full pipeline slows
prospecting rather than starving live deals.
"""

from __future__ import annotations

import math

from sim.core.state import WEEK_DAYS
from sim.core.world import Process
from sim.model import reps
from sim.model.prospecting import prospecting_pass
from sim.model.sales_world import SalesWorld

EARLY_PASS_DAYS = 2.5
"""Days over which the early prospecting pass spreads its contacts."""

LATE_PASS_DAY = 4.0
"""Day of the week the rep prospects with the hours live deals left."""

LATE_PASS_END_MARGIN_DAYS = 0.5
"""The late pass ends this long before the week does."""


def week_process(world: SalesWorld, seat: int) -> Process:
    """Each week: log the hours not available for selling, then prospect in two passes."""
    org, env, state = world.scenario.sales_org, world.env, world.state
    while True:
        week_start = env.now
        reps.close_week(world, seat)
        rep = state.holder(seat)
        if rep is not None:
            capacity = reps.open_week(world, seat, rep)
            yield from prospecting_pass(
                world, seat, rep, org.min_prospecting_share * capacity, EARLY_PASS_DAYS
            )
            yield env.timeout(max(0.0, week_start + LATE_PASS_DAY - env.now))
            if state.holder(seat) == rep:
                reserve = org.pipeline_reserve_hours * len(state.open_by_seat[seat])
                spare = capacity - state.selling_hours_this_week(rep, env.now) - reserve
                yield from prospecting_pass(
                    world, seat, rep, spare, WEEK_DAYS - LATE_PASS_DAY - LATE_PASS_END_MARGIN_DAYS
                )
        yield env.timeout(WEEK_DAYS * (math.floor(env.now / WEEK_DAYS) + 1) - env.now)
