"""The engine: one scenario and seed in, one event log out, with the model's processes wired together.

:func:`simulate` is the engine's whole contract. It builds the world (``sim.model.sales_world``), starts each
actor's process from the module named for its mechanism, runs the clock to the horizon and censors what is
still open. It knows nothing of plotting, storage or the command line.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from functools import partial

import polars as pl

from sim.config import Scenario
from sim.core.kinds import OpportunityCensored, RunEnded
from sim.core.state import State
from sim.core.timing import AFTER_ALL, PriorityTimeout
from sim.model.buying_cycle import market_process
from sim.model.leadership import leadership_process
from sim.model.market_draw import generate_market
from sim.model.prospecting import buyer_named_problem
from sim.model.reps import seat_process
from sim.model.reputation import log_initial_reputation
from sim.model.sales_world import SalesWorld
from sim.model.week import week_process

World = SalesWorld
"""The world a run's checkpoints see."""


def start(world: SalesWorld) -> None:
    """Log the starting reputation and start every actor's process."""
    org = world.scenario.sales_org
    seats = range(org.seats)  # the starting team's, then the hiring plan's (empty until their start day)
    planned = org.planned_seats()
    log_initial_reputation(world)
    world.spawn(market_process(world, partial(buyer_named_problem, world)))
    for seat in seats:
        world.spawn(seat_process(world, seat, planned.get(seat)))
    for seat in seats:
        world.spawn(week_process(world, seat))
    world.spawn(leadership_process(world))


def finish(world: SalesWorld) -> None:
    """At the horizon: close the week under way, censor every still-open opportunity, mark the end."""
    state = world.state
    for seat in range(world.scenario.sales_org.seats):
        world.hours.close_week(seat)
    for opp in sorted(o for o, s in state.opportunities.items() if s.status == "open"):
        o = state.opportunities[opp]
        world.log.emit(
            OpportunityCensored(rep=state.holder(o.seat), account=o.account, opp=opp, segment=o.segment)
        )
    world.log.emit(RunEnded(day=world.scenario.horizon_days))


def _run_to_horizon(
    scenario: Scenario, seed: int | None, checkpoints: dict[float, Callable[[SalesWorld], None]] | None
) -> SalesWorld:
    """Build the world and run it to the horizon (calling ``checkpoints`` on the way); the log is complete."""
    run_seed = scenario.seed if seed is None else seed
    world = SalesWorld(scenario, run_seed, generate_market(scenario, run_seed))
    start(world)
    # The run allocates millions of small objects that live until it ends; full collections walking them
    # cost about 40% of a run. Freezing what exists and collecting young objects less often keeps cyclic
    # garbage in check without that cost.
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        for day in sorted(checkpoints or {}):
            if world.env.now <= day < scenario.horizon_days:
                world.env.run(until=PriorityTimeout(world.env, day - world.env.now, AFTER_ALL))
                assert checkpoints is not None
                checkpoints[day](world)
        world.env.run(until=scenario.horizon_days)
        finish(world)
        return world
    finally:
        world.close()
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def simulate(
    scenario: Scenario,
    seed: int | None = None,
    checkpoints: dict[float, Callable[[SalesWorld], None]] | None = None,
) -> tuple[pl.DataFrame, State]:
    """Run a scenario to its horizon; return the event log and the live final state.

    ``checkpoints`` maps days to callbacks that see the world at that day once every event of that instant has
    happened (what ``replay(log, until=day)`` rebuilds); tests use them to compare live state with replay.
    """
    world = _run_to_horizon(scenario, seed, checkpoints)
    return world.log.to_frame(), world.state


def event_log(scenario: Scenario, seed: int | None = None) -> pl.DataFrame:
    """Run a scenario to its horizon and return its event log alone (what ``sim.run`` keeps).

    The world (state, clock, the market's lists) is let go before the frame is built: the frame is the
    largest thing a run makes, and building it while the world it no longer needs is still held would add
    the two at the peak.
    """
    log = _run_to_horizon(scenario, seed, None).log
    log.detach()
    return log.take_frame()
