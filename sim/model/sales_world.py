"""The world as the model sees it: the core world plus the drawn market, the resolved strategy and lookups.

Mechanism modules take a :class:`SalesWorld` and keep their rules to themselves; this module only holds what
they all read (the market, the policy, the scenario's hot-path lookups), computed once per run.
"""

from __future__ import annotations

import itertools

import simpy

from sim.config import SEGMENTS, Scenario
from sim.core.rng import Stream
from sim.core.world import World
from sim.model.market import Market, generate_market
from sim.model.strategy import resolve_policy

TerritorySlices = list[tuple[float, float, list[int]]]
"""Where a seat prospects: ``(low, high, accounts)`` slices of [0, 1), one per targeted segment."""


class SalesWorld(World):
    """One run's world: clock, log, state and streams, the market the buyers live in, and the strategy."""

    def __init__(self, scenario: Scenario, seed: int) -> None:
        super().__init__(scenario, seed)
        self.policy = resolve_policy(scenario.strategy)
        self.market: Market = generate_market(scenario, seed)
        org = scenario.sales_org
        # Hot-path lookups computed once from the validated scenario.
        self.title_weights = {name: seg.contact_titles.weights() for name, seg in scenario.market.items()}
        self.title_cumulative = {
            name: list(itertools.accumulate(w)) for name, w in self.title_weights.items()
        }
        self.min_title_rank = self.policy.min_title_rank
        self.full_capacity = org.hours_per_week * org.selling_share
        """A fully ramped rep's selling hours a week."""
        self.work_queue: dict[int, list[tuple[float, int, float, simpy.Event]]] = {}
        """Per seat, work waiting for a morning's hours: (due, order queued, deadline, the event that resumes
        it)."""
        self.queued = 0
        targeted = dict(zip(SEGMENTS, self.policy.targeting.weights(), strict=True))
        self.inbound_segments = frozenset(
            self.policy.inbound_segments
            if self.policy.inbound_segments is not None
            else (name for name, weight in targeted.items() if weight > 0)
        )
        """Segments whose inbound leads the rep takes."""
        self.week_budget: dict[int, tuple[int, float, float]] = {}
        """Per seat, this week's (rep, week start, selling hours available), set as the week starts."""
        self.targeting: list[TerritorySlices | None] = []

    def account_stream(self, account: int) -> Stream:
        """The account's own random stream, keyed by its identity (segment and index), not its run id."""
        return self.account_streams[self.market.identity[account]]
        """Per seat, where it prospects (``sim.model.prospecting.territory_slices``); set by the engine."""
