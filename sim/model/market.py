"""The market: accounts, and every buying window they will open, as the run reads them.

The buyer runs its own, longer buying cycle whatever the rep does, and the buyer moves first. So the buyers'
side of the market (needs, windows, buying jobs, buying centers, and the uniform draws that settle each
window's decision) is drawn up front (``sim.model.market_draw``) and held here as plain lists; two strategies
on the same seed face the very same market (common random numbers). This module also says when the buyer's
jobs are done within a window and where each seat prospects. How the windows unfold day by day is
``sim.model.buying_cycle``.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from sim.config import SEGMENTS
from sim.core.events import BUYING_JOBS

SHORTLIST_JOB = BUYING_JOBS.index("supplier_selection") + 1
"""Once this job is done the buyer has its shortlist: a vendor that first reaches it later is not on it."""

JOB_END_SHARES: tuple[float, ...] = (0.15, 0.35, 0.5, 0.7, 0.85, 1.0)
"""When each job is done, as a share of the buying cycle; consensus is the decision."""

REQUIREMENTS_JOB = 3
"""A 'planned' budget gets dollars assigned when this job (requirements) is done."""

TerritorySlices = list[tuple[float, float, list[int]]]
"""Where a seat prospects: ``(low, high, accounts)`` slices of [0, 1), one per targeted segment."""

WindowDraws = Callable[[str], np.ndarray]
"""The market stream's uniforms for one segment's accounts x candidate windows, by draw name (one of
``sim.model.market_draw.MARKET_DRAWS``): how a persona's module draws its own attributes."""

PAINS = ("none", "latent", "acute")
BUDGETS = ("none", "planned", "assigned")


PERSONAS = ("stalling_cio", "champion", "procurement")
PERSONA_NAMES: tuple[str, ...] = tuple(
    "+".join(name for bit, name in zip((4, 2, 1), PERSONAS, strict=True) if code & bit) or "none"
    for code in range(8)
)
"""Buying-center personas by bit code (stalling CIO 4, champion 2, procurement 1), as logged."""


class MarketTooLarge(ValueError):
    """The scenario's market would need more buying windows than :data:`MAX_BUYING_WINDOWS`."""


@dataclass(slots=True)
class Market:
    """All accounts and all buying windows of one run, as plain lists for fast scalar access."""

    segment: list[str] = field(default_factory=list)
    identity: list[int] = field(default_factory=list)
    """An account's identity whatever the size of other segments: segment number << 32 | index in segment."""
    deal_size: list[float] = field(default_factory=list)
    seat: list[int] = field(default_factory=list)
    territory: dict[tuple[int, str], list[int]] = field(default_factory=dict)
    w_account: list[int] = field(default_factory=list)
    w_open: list[float] = field(default_factory=list)
    w_jobs: list[tuple[float, ...]] = field(default_factory=list)
    w_pain: list[str] = field(default_factory=list)
    w_budget: list[str] = field(default_factory=list)
    w_group: list[int] = field(default_factory=list)
    w_cio: list[bool] = field(default_factory=list)
    w_capital: list[float] = field(default_factory=list)
    w_procurement: list[bool] = field(default_factory=list)
    w_pilot: list[bool] = field(default_factory=list)
    w_personas: list[str] = field(default_factory=list)
    """Who is in the buying center besides the group, e.g. 'stalling_cio+procurement', or 'none'."""
    w_u_no_decision: list[float] = field(default_factory=list)
    w_u_vendor: list[float] = field(default_factory=list)
    w_u_inbound: list[float] = field(default_factory=list)
    first_window: list[int] = field(default_factory=lambda: [0])
    """Windows of account ``a`` are ``first_window[a]`` up to ``first_window[a + 1]``, in time order."""
    open_days: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """``w_open`` as an array, for vectorised work on the whole market (the timeline)."""
    job_days: np.ndarray = field(default_factory=lambda: np.zeros((0, len(BUYING_JOBS))))
    """``w_jobs`` as a windows x jobs array."""

    @property
    def accounts(self) -> int:
        """Number of accounts."""
        return len(self.segment)

    def decision_day(self, window: int) -> float:
        """The day the buyer decides (its consensus job is done)."""
        return self.w_jobs[window][-1]

    def window_for(self, account: int, now: float) -> int | None:
        """The account's window open at ``now``, else its next one, else None."""
        first, end = self.first_window[account], self.first_window[account + 1]
        i = bisect.bisect_right(self.w_open, now, first, end) - 1
        if i >= first and self.w_jobs[i][-1] > now:
            return i
        return i + 1 if i + 1 < end else None

    def is_open(self, window: int | None, now: float) -> bool:
        """Whether a window is open at ``now``."""
        return window is not None and self.w_open[window] <= now < self.decision_day(window)

    def jobs_done(self, window: int | None, now: float) -> int:
        """How many buying jobs the buyer has finished by ``now`` in that window."""
        if window is None or now < self.w_open[window]:
            return 0
        return bisect.bisect_right(self.w_jobs[window], now)

    def budget_assigned(self, window: int, now: float) -> bool:
        """Whether the window's budget has dollars assigned at ``now``."""
        budget = self.w_budget[window]
        return budget == "assigned" or (
            budget == "planned" and self.jobs_done(window, now) >= REQUIREMENTS_JOB
        )

    def territory_slices(self, seat: int, targeting: list[float]) -> TerritorySlices | None:
        """Where a seat prospects, as slices of [0, 1): one per segment it has accounts in, sized by the
        strategy's segment mix (``targeting``, in :data:`~sim.config.SEGMENTS` order), with the seat's accounts
        there. None if it has no account to target."""
        pools = [self.territory.get((seat, seg), []) for seg in SEGMENTS]
        weights = [w if pool else 0.0 for pool, w in zip(pools, targeting, strict=True)]
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
