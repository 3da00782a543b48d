"""The market: accounts, and every buying window they will open, drawn up front from the market stream.

Seed 002's central observation is that the buyer runs its own, longer buying cycle whatever the rep does;
the DOMAIN's causal skeleton starts with "the buyer moves first". So the buyers' side of the market (needs,
windows, buying jobs, buying centers, and the uniform draws that settle each window's decision) is drawn in
one vectorised pass from its own stream before the run starts. Two strategies on the same seed therefore
face the very same market (common random numbers), and the market's events appear identically in both logs.
A rep can shorten a buyer's cycle only a little, by acting on its own opportunity (see ``sim.model.deal``).
"""

from __future__ import annotations

import bisect
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from sim import rng
from sim.config import MAX_BUYING_WINDOWS, SEGMENTS, Scenario, windows_per_account

if TYPE_CHECKING:
    from sim.engine import World

BUYING_JOBS: tuple[str, ...] = (
    "problem_identification",
    "solution_exploration",
    "requirements",
    "supplier_selection",
    "validation",
    "consensus",
)
"""The buyer's own jobs (Gartner's B2B buying jobs), in the order a buying group works through them."""

JOB_END_SHARES: tuple[float, ...] = (0.15, 0.35, 0.5, 0.7, 0.85, 1.0)
"""When each job is done, as a share of the buying cycle; consensus is the decision."""

REQUIREMENTS_JOB = 3
"""A 'planned' budget gets dollars assigned when this job (requirements) is done."""


PAINS = ("none", "latent", "acute")
BUDGETS = ("none", "planned", "assigned")


class MarketTooLarge(ValueError):
    """The scenario's market would need more buying windows than :data:`MAX_BUYING_WINDOWS`."""


@dataclass(slots=True)
class Market:
    """All accounts and all buying windows of one run, as plain lists for fast scalar access."""

    segment: list[str] = field(default_factory=list)
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
    w_u_no_decision: list[float] = field(default_factory=list)
    w_u_vendor: list[float] = field(default_factory=list)
    w_u_inbound: list[float] = field(default_factory=list)
    windows_by_account: list[list[int]] = field(default_factory=list)
    opens_by_account: list[list[float]] = field(default_factory=list)

    @property
    def accounts(self) -> int:
        """Number of accounts."""
        return len(self.segment)

    def decision_day(self, window: int) -> float:
        """The day the buyer decides (its consensus job is done)."""
        return self.w_jobs[window][-1]

    def window_for(self, account: int, now: float) -> int | None:
        """The account's window open at ``now``, else its next one, else None."""
        opens = self.opens_by_account[account]
        i = bisect.bisect_right(opens, now) - 1
        windows = self.windows_by_account[account]
        if i >= 0 and self.decision_day(windows[i]) > now:
            return windows[i]
        return windows[i + 1] if i + 1 < len(windows) else None

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


def generate_market(scenario: Scenario, seed: int) -> Market:
    """Draw every account and every buying window of the run from the market stream."""
    gen = rng.generator(seed, rng.MARKET)
    market = Market()
    horizon = scenario.horizon_days
    reps = scenario.sales_org.reps
    windows_needed = sum(
        seg.accounts * windows_per_account(horizon, seg.need_interval_days)
        for _, seg in scenario.market.items()
    )
    if windows_needed > MAX_BUYING_WINDOWS:
        raise MarketTooLarge(
            f"market too large: {windows_needed:,} candidate buying windows (at most {MAX_BUYING_WINDOWS:,}); "
            "use fewer accounts, a shorter horizon or a longer need_interval_days"
        )
    shares = np.asarray(JOB_END_SHARES)
    for name, seg in scenario.market.items():
        n = seg.accounts
        if n == 0:
            continue
        first_id = market.accounts
        deal = seg.deal_size.median * np.exp(seg.deal_size.sigma * gen.standard_normal(n))
        market.segment.extend([name] * n)
        market.deal_size.extend(np.round(deal, 2).tolist())
        seats = (np.arange(n) % reps).tolist()
        market.seat.extend(seats)
        for local, seat in enumerate(seats):
            market.territory.setdefault((seat, name), []).append(first_id + local)

        k = windows_per_account(horizon, seg.need_interval_days)
        bc = seg.buying_center
        first = gen.random(n) * seg.need_interval_days
        gaps = gen.exponential(seg.need_interval_days, (n, k))
        cycle = seg.buying_cycle_days.median * np.exp(
            seg.buying_cycle_days.sigma * gen.standard_normal((n, k))
        )
        pain = gen.choice(len(PAINS), (n, k), p=seg.pain.probabilities())
        budget = gen.choice(len(BUDGETS), (n, k), p=seg.budget.probabilities())
        group = gen.integers(bc.group_size.min, bc.group_size.max + 1, (n, k))
        cio = gen.random((n, k)) < bc.stalling_cio_probability
        champion = gen.random((n, k)) < bc.champion_probability
        capital = bc.champion_capital.median * np.exp(bc.champion_capital.sigma * gen.standard_normal((n, k)))
        procurement = gen.random((n, k)) < bc.procurement.probability
        pilot = gen.random((n, k)) < seg.pilot_probability
        u_nd = gen.random((n, k))
        u_vendor = gen.random((n, k))
        u_inbound = gen.random((n, k))

        cycle = np.where(cio, cycle * bc.stall_cycle_factor, cycle)
        # Window j opens after the previous window's decision plus a fresh need gap.
        spans = np.concatenate([np.zeros((n, 1)), (cycle + gaps)[:, :-1]], axis=1)
        opens = first[:, None] + np.cumsum(spans, axis=1)
        keep = opens < horizon
        for i in range(n):
            account = first_id + i
            market.windows_by_account.append([])
            market.opens_by_account.append([])
            for j in np.flatnonzero(keep[i]).tolist():
                opened = float(opens[i, j])
                market.windows_by_account[account].append(len(market.w_account))
                market.opens_by_account[account].append(opened)
                market.w_account.append(account)
                market.w_open.append(opened)
                market.w_jobs.append(tuple((opens[i, j] + cycle[i, j] * shares).tolist()))
                market.w_pain.append(PAINS[pain[i, j]])
                market.w_budget.append(BUDGETS[budget[i, j]])
                market.w_group.append(int(group[i, j]))
                market.w_cio.append(bool(cio[i, j]))
                market.w_capital.append(float(capital[i, j]) if champion[i, j] else 0.0)
                market.w_procurement.append(bool(procurement[i, j]))
                market.w_pilot.append(bool(pilot[i, j]))
                market.w_u_no_decision.append(float(u_nd[i, j]))
                market.w_u_vendor.append(float(u_vendor[i, j]))
                market.w_u_inbound.append(float(u_inbound[i, j]))
    return market


# Order of market happenings that share a day: a window opens before its jobs, budget follows requirements.
_OPEN, _JOB, _BUDGET, _CLOSE = 0, 1, 2, 3


def market_timeline(market: Market, horizon: float) -> list[tuple[float, int, int, int]]:
    """Every buyer-side happening before the horizon as (day, window, order, job), in the order it is logged."""
    timeline: list[tuple[float, int, int, int]] = []
    for w, opened in enumerate(market.w_open):
        timeline.append((opened, w, _OPEN, 0))
        for job, day in enumerate(market.w_jobs[w], start=1):
            if day >= horizon:
                break
            timeline.append((day, w, _JOB, job))
            if job == REQUIREMENTS_JOB and market.w_budget[w] == "planned":
                timeline.append((day, w, _BUDGET, job))
            if job == len(BUYING_JOBS):
                timeline.append((day, w, _CLOSE, job))
    timeline.sort()
    return timeline


def market_process(world: World) -> Generator[Any, Any, None]:
    """Log the market: the accounts at day 0, then each buyer's windows and jobs on the buyer's own clock."""
    market, emit, env = world.market, world.log.emit, world.env
    for account in range(market.accounts):
        emit(
            "AccountCreated",
            account=account,
            segment=market.segment[account],
            amount=market.deal_size[account],
            seat=market.seat[account],
        )
    for day, w, order, job in market_timeline(market, world.scenario.horizon_days):
        if day > env.now:
            yield env.timeout(day - env.now)
        account = market.w_account[w]
        if order == _OPEN:
            emit(
                "BuyingWindowOpened",
                account=account,
                segment=market.segment[account],
                pain=market.w_pain[w],
                budget=market.w_budget[w],
                day=market.decision_day(w),
            )
            personas = [
                name
                for name, present in (
                    ("stalling_cio", market.w_cio[w]),
                    ("champion", market.w_capital[w] > 0),
                    ("procurement", market.w_procurement[w]),
                )
                if present
            ]
            emit(
                "BuyingCenterFormed",
                account=account,
                score=market.w_group[w],
                level=market.w_capital[w],
                reason="+".join(personas) or "none",
            )
        elif order == _JOB:
            emit("BuyingJobCompleted", account=account, stage=BUYING_JOBS[job - 1], score=job)
            if job == 1:
                world.buyer_named_problem(w)
        elif order == _BUDGET:
            emit("BudgetAssigned", account=account)
        else:
            emit("BuyingWindowClosed", account=account)


__all__ = ["BUYING_JOBS", "SEGMENTS", "Market", "generate_market", "market_process", "market_timeline"]
