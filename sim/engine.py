"""The SimPy world: one environment, one market, one log, one folded state, and the actors' processes.

:func:`simulate` is the engine's whole contract: a validated scenario and a seed in, an event log out. The
world wires the actors of ``sim.model`` together and offers them the few shared services they need (rep
hours, ids, the quota calendar, reputation changes). It knows nothing of plotting, storage or the CLI.
"""

from __future__ import annotations

import gc
import itertools
import math
from collections.abc import Callable, Generator
from typing import Any

import polars as pl
import simpy

from sim.config import SEGMENTS, Scenario
from sim.core import rng
from sim.core.events import EventLog
from sim.core.state import WEEK_DAYS, State
from sim.core.timing import AFTER_ALL, PriorityTimeout
from sim.model import buyer
from sim.model.leadership import REVIEWS_PER_YEAR, leadership_process
from sim.model.market import generate_market, market_process
from sim.model.rep import inbound_inquiry, seat_process, week_process
from sim.model.strategy import resolve_policy

PARTIAL_WORK_MIN_HOURS = 0.25
"""Smaller scraps of a week are not worth starting a piece of work in."""


class World:
    """Everything one run shares: clock, market, log, state, random streams, id counters."""

    def __init__(self, scenario: Scenario, seed: int) -> None:
        self.scenario = scenario
        self.seed = seed
        self.policy = resolve_policy(scenario.strategy)
        self.env = simpy.Environment()
        self.state = State()
        env = self.env
        self.log = EventLog(clock=lambda: env.now, sink=self.state.apply)  # no reference back to the world
        self._processes: list[Generator[Any, Any, Any]] = []
        self.market = generate_market(scenario, seed)
        self.account_streams = rng.StreamTable(seed, rng.ACCOUNT)
        self.seat_streams = rng.StreamTable(seed, rng.REP)
        self.org_streams = rng.StreamTable(seed, rng.ORG)
        self.quota_year_days = scenario.sales_org.review_period_days * REVIEWS_PER_YEAR
        self._ids = {"rep": 0, "opp": 0, "contact": 0}
        # Hot-path lookups computed once from the validated scenario.
        self.title_weights = {name: seg.contact_titles.weights() for name, seg in scenario.market.items()}
        self.title_cumulative = {
            name: list(itertools.accumulate(w)) for name, w in self.title_weights.items()
        }
        self.min_title_rank = self.policy.min_title_rank
        org = scenario.sales_org
        self.full_capacity = org.hours_per_week * org.selling_share
        self.ramp_days = org.ramp_days
        self.targeting = [self._seat_targeting(seat) for seat in range(scenario.sales_org.reps)]

    def _seat_targeting(self, seat: int) -> list[tuple[float, float, list[int]]] | None:
        """Where a seat prospects, as slices of [0, 1): one per segment it has accounts in, sized by the
        strategy's segment mix, with the seat's accounts there. None if it has no account to target."""
        pools = [self.market.territory.get((seat, seg), []) for seg in SEGMENTS]
        weights = [w if pool else 0.0 for pool, w in zip(pools, self.policy.targeting.weights(), strict=True)]
        total = math.fsum(weights)  # the same on every Python version (sum() of floats changed in 3.12)
        if total <= 0:
            return None
        targeted = [(weight, pool) for weight, pool in zip(weights, pools, strict=True) if weight > 0]
        slices, low = [], 0.0
        for i, (weight, pool) in enumerate(targeted):
            high = 1.0 if i == len(targeted) - 1 else low + weight / total  # the last slice ends at 1 exactly
            slices.append((low, high, pool))
            low = high
        return slices

    # -- processes -------------------------------------------------------------------------------------------
    def spawn(self, process: Generator[Any, Any, Any]) -> None:
        """Start an actor's process (every process of a run starts here, so :meth:`close` can end them)."""
        self._processes.append(process)
        self.env.process(process)

    def close(self) -> None:
        """End the processes still waiting at the horizon, so a finished run is freed as soon as it is dropped.

        A waiting process's frame refers to the world, and the world (through the clock's queue) to the
        process: without this, each run's log and state would wait for a full garbage collection, and a
        worker running thousands of replications would grow by tens of MB a run.
        """
        for process in self._processes:
            process.close()
        self._processes.clear()

    # -- ids ------------------------------------------------------------------------------------------------
    def _next(self, name: str) -> int:
        value = self._ids[name]
        self._ids[name] = value + 1
        return value

    def new_rep_id(self) -> int:
        """A fresh rep id."""
        return self._next("rep")

    def new_opportunity_id(self) -> int:
        """A fresh opportunity id."""
        return self._next("opp")

    def new_contact_id(self) -> int:
        """A fresh contact id."""
        return self._next("contact")

    # -- rep hours ---------------------------------------------------------------------------------------
    def capacity(self, rep: int, now: float) -> float:
        """Selling hours a rep has in the week containing ``now``, ramping up linearly for a new hire.

        The ramp is read at the start of the week, so a week's selling and admin hours add up to the week.
        """
        r = self.state.reps[rep]
        if r.start_capacity >= 1.0 or self.ramp_days <= 0:
            return self.full_capacity
        week_start = WEEK_DAYS * math.floor(now / WEEK_DAYS)
        ramp = min(1.0, max(0.0, week_start - r.hired) / self.ramp_days)
        return self.full_capacity * (r.start_capacity + (1.0 - r.start_capacity) * ramp)

    def free_hours(self, rep: int, now: float) -> float:
        """Selling hours the rep has left in the week containing ``now``."""
        return self.capacity(rep, now) - self.state.selling_hours_this_week(rep, now)

    def spend_if_free(self, seat: int, hours: float, kind: str, **fields: Any) -> int | None:
        """Log an activity now if the seat's rep has the hours this week; otherwise it does not happen.

        For low-value touches (check-ins) that a busy rep simply skips rather than queues.
        """
        rep = self.state.holder(seat)
        if rep is None or self.free_hours(rep, self.env.now) < hours:
            return None
        self.log.emit(kind, rep=rep, hours=hours, **fields)
        return rep

    def spend(
        self, seat: int, hours: float, kind: str, deadline: float = math.inf, **fields: Any
    ) -> Generator[Any, Any, int | None]:
        """Spend a seat's selling hours on an activity, spilling into later weeks, then log the activity.

        What does not fit in this week is logged as ``WorkLogged`` and carries over; a vacant seat waits.
        Returns the rep who finished the work, or None if ``deadline`` came first (the buyer moved on).
        """
        env, state = self.env, self.state
        remaining = hours
        while True:
            if env.now >= deadline:
                return None
            rep = state.holder(seat)
            if rep is not None:
                free = self.free_hours(rep, env.now)
                if free >= remaining - 1e-9:
                    self.log.emit(kind, rep=rep, hours=remaining, **fields)
                    return rep
                if free >= PARTIAL_WORK_MIN_HOURS:
                    part = round(free, 6)
                    self.log.emit(
                        "WorkLogged",
                        rep=rep,
                        account=fields.get("account"),
                        opp=fields.get("opp"),
                        contact=fields.get("contact"),
                        hours=part,
                        reason=kind,
                    )
                    remaining = round(remaining - part, 6)
            # Next week the rep serves waiting work most-urgent first: work due sooner retries earlier.
            next_week = WEEK_DAYS * (math.floor(env.now / WEEK_DAYS) + 1)
            urgency = 0.01 + min(2.0, max(0.0, deadline - next_week) / 100.0) if deadline < math.inf else 0.01
            yield env.timeout(min(next_week + urgency, deadline) - env.now)

    # -- calendar ----------------------------------------------------------------------------------------
    def quota_year_start(self, now: float) -> float:
        """Start of the quota year containing ``now`` (the clock runs from ``quota_start_day``)."""
        start = self.scenario.sales_org.quota_start_day
        if now < start:
            return start
        return start + math.floor((now - start) / self.quota_year_days) * self.quota_year_days

    def days_to_period_end(self) -> float:
        """Days until the next monthly review closes the current period."""
        org = self.scenario.sales_org
        elapsed = self.env.now - org.quota_start_day
        if elapsed < 0:
            return -elapsed + org.review_period_days
        return org.review_period_days - (elapsed % org.review_period_days)

    # -- buyers reaching out ---------------------------------------------------------------------------
    def buyer_named_problem(self, window: int) -> None:
        """A buyer that has named its problem may reach out to us itself (more often when we are trusted)."""
        account = self.market.w_account[window]
        cfg = getattr(self.scenario.market, self.market.segment[account])
        p = cfg.inbound_probability * buyer.reputation_factor(
            self.state.reputation, self.scenario.reputation.meeting_weight
        )
        if self.market.w_u_inbound[window] < p:
            self.spawn(inbound_inquiry(self, account))

    # -- market memory ------------------------------------------------------------------------------------
    def change_reputation(self, delta: float, reason: str, opp: int | None) -> None:
        """Move the vendor's reputation and log why.

        Gains shrink as reputation nears 1 and losses as it nears 0 (``delta`` is the move from a neutral
        0.5), so a steady mix of outcomes settles at a level of its own instead of drifting to an end.
        """
        current = self.state.reputation
        delta = 2.0 * delta * ((1.0 - current) if delta > 0 else current)
        level = min(1.0, max(0.0, current + delta))
        self.log.emit(
            "ReputationChanged", opp=opp, share=round(delta, 6), level=round(level, 6), reason=reason
        )

    def adoption(
        self, account: int, opp: int, pressured: bool, champion_exhausted: bool
    ) -> Generator[Any, Any, None]:
        """After a sale: adoption succeeds or fails, reputation moves, a happy customer may refer another."""
        rep_cfg = self.scenario.reputation
        yield self.env.timeout(rep_cfg.adoption_days)
        stream = self.account_streams[account]
        p_fail = buyer.adoption_failure_probability(
            rep_cfg, self.scenario.buyer_response, self.policy, pressured, champion_exhausted
        )
        if stream.chance(p_fail):
            self.log.emit("AdoptionFailed", account=account, opp=opp)
            self.change_reputation(rep_cfg.adoption_failed_delta, "adoption_failed", opp)
            return
        self.log.emit("AdoptionSucceeded", account=account, opp=opp)
        self.change_reputation(rep_cfg.adoption_succeeded_delta, "adoption_succeeded", opp)
        if stream.chance(rep_cfg.referral_probability):
            peers = self.market.territory[(self.market.seat[account], self.market.segment[account])]
            referred = peers[stream.integer(0, len(peers) - 1)]
            if referred != account:
                self.log.emit("ReferralGiven", account=referred, opp=opp)

    # -- the run ---------------------------------------------------------------------------------------
    def start(self) -> None:
        """Log the starting reputation and start every actor's process."""
        self.log.emit(
            "ReputationChanged", share=0.0, level=self.scenario.reputation.initial, reason="initial"
        )
        self.spawn(market_process(self))
        for seat in range(self.scenario.sales_org.reps):
            self.spawn(seat_process(self, seat))
        for seat in range(self.scenario.sales_org.reps):
            self.spawn(week_process(self, seat))
        self.spawn(leadership_process(self))

    def finish(self) -> None:
        """At the horizon: censor every still-open opportunity, then mark the end of the run."""
        for opp in sorted(o for o, s in self.state.opportunities.items() if s.status == "open"):
            o = self.state.opportunities[opp]
            self.log.emit(
                "OpportunityCensored",
                rep=self.state.holder(o.seat),
                account=o.account,
                opp=opp,
                segment=o.segment,
            )
        self.log.emit("RunEnded", day=self.scenario.horizon_days)


def simulate(
    scenario: Scenario,
    seed: int | None = None,
    checkpoints: dict[float, Callable[[World], None]] | None = None,
) -> tuple[pl.DataFrame, State]:
    """Run a scenario to its horizon; return the event log and the live final state.

    ``checkpoints`` maps days to callbacks that see the world at that day once every event of that instant has
    happened (what ``replay(log, until=day)`` rebuilds); tests use them to compare live state with replay.
    """
    world = World(scenario, scenario.seed if seed is None else seed)
    world.start()
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
        world.finish()
        return world.log.to_frame(), world.state
    finally:
        world.close()
        gc.set_threshold(*thresholds)
        gc.unfreeze()
