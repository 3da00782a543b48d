"""The world as the model sees it: the core world plus the drawn market, the resolved strategy and lookups.

Mechanism modules take a :class:`SalesWorld` and keep their rules to themselves; this module only holds what
they all read (the market, the policy, the scenario's hot-path lookups, where each seat prospects) and the
reps' selling hours (``sim.model.reps``), all made once per run, when the world is made: nothing is added to
it afterwards.
"""

from __future__ import annotations

import itertools

from sim.config import SEGMENTS, Scenario
from sim.core.rng import Stream
from sim.core.world import World
from sim.model.market import Market, TerritorySlices
from sim.model.reps import SellingHours
from sim.model.strategy import resolve_policy


class SalesWorld(World):
    """One run's world: clock, log, state and streams, the market the buyers live in, and the strategy.

    ``market`` is drawn before the world is made (``sim.model.market_draw.generate_market``), so the market's
    personas, who also act on deals, are not imported by the world they act in.
    """

    def __init__(self, scenario: Scenario, seed: int, market: Market) -> None:
        super().__init__(scenario, seed)
        self.policy = resolve_policy(scenario.strategy)
        self.market = market
        # Hot-path lookups computed once from the validated scenario.
        self.title_weights = {name: seg.contact_titles.weights() for name, seg in scenario.market.items()}
        self.title_cumulative = {
            name: list(itertools.accumulate(w)) for name, w in self.title_weights.items()
        }
        self.min_title_rank = self.policy.min_title_rank
        self.hours = SellingHours(self.env, self.state, self.log, scenario.sales_org)
        """The seats' selling hours, week budgets and waiting work (``sim.model.reps``)."""
        targeting = self.policy.targeting.weights()
        targeted = dict(zip(SEGMENTS, targeting, strict=True))
        self.inbound_segments = frozenset(
            self.policy.inbound_segments
            if self.policy.inbound_segments is not None
            else (name for name, weight in targeted.items() if weight > 0)
        )
        """Segments whose inbound leads the rep takes."""
        self.targeting: list[TerritorySlices | None] = [
            market.territory_slices(seat, targeting) for seat in range(scenario.sales_org.seats)
        ]
        """Per seat (the hiring plan's too), where it prospects."""

    def account_stream(self, account: int) -> Stream:
        """The account's own random stream, keyed by its identity (segment and index), not its run id."""
        return self.account_streams[self.market.identity[account]]
