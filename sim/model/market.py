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
import polars as pl
import simpy
from simpy.events import URGENT

from sim.config import MAX_BUYING_WINDOWS, SEGMENTS, Scenario, windows_per_account
from sim.core import rng
from sim.core.events import SCHEMA
from sim.core.timing import PriorityTimeout

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


def generate_market(scenario: Scenario, seed: int) -> Market:
    """Draw every account and every buying window of the run from the market stream.

    The buyer's clock ticks in whole days: a window opens, and each buying job is done, on the first whole
    day at or after its drawn time. A buying group acts on a day, not at an instant, and a daily clock lets
    the market process log one day's happenings in one step instead of one step each.
    """
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
    open_days: list[np.ndarray] = []
    job_days: list[np.ndarray] = []
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
        drawn_open = first[:, None] + np.cumsum(spans, axis=1)
        opens = np.ceil(drawn_open)
        jobs = np.ceil(drawn_open[:, :, None] + cycle[:, :, None] * shares)
        # Windows that open before the horizon, account by account and in time order within an account.
        keep = opens < horizon
        kept = int(keep.sum())
        first_window = len(market.w_account)
        seg_opens = opens[keep]
        market.first_window.extend((first_window + np.cumsum(keep.sum(axis=1))).tolist())
        market.w_account.extend((np.nonzero(keep)[0] + first_id).tolist())
        market.w_open.extend(seg_opens.tolist())
        seg_jobs = jobs[keep]
        market.w_jobs.extend(map(tuple, seg_jobs.tolist()))
        market.w_pain.extend(np.asarray(PAINS)[pain[keep]].tolist())
        market.w_budget.extend(np.asarray(BUDGETS)[budget[keep]].tolist())
        market.w_group.extend(group[keep].tolist())
        market.w_cio.extend(cio[keep].tolist())
        market.w_capital.extend(np.where(champion, capital, 0.0)[keep].tolist())
        market.w_procurement.extend(procurement[keep].tolist())
        market.w_pilot.extend(pilot[keep].tolist())
        persona_code = cio[keep] * 4 + (champion[keep] & (capital[keep] > 0)) * 2 + procurement[keep] * 1
        market.w_personas.extend(np.asarray(PERSONA_NAMES, dtype=object)[persona_code].tolist())
        market.w_u_no_decision.extend(u_nd[keep].tolist())
        market.w_u_vendor.extend(u_vendor[keep].tolist())
        market.w_u_inbound.extend(u_inbound[keep].tolist())
        assert len(market.w_account) == first_window + kept
        open_days.append(seg_opens)
        job_days.append(seg_jobs)
    if open_days:
        market.open_days = np.concatenate(open_days)
        market.job_days = np.concatenate(job_days)
    return market


# A window's happenings, in the order they are logged when they share a day: it opens, its buying jobs are done
# (1-6), a planned budget gets its dollars (it needs the requirements job), and it closes with the decision.
OPEN, BUDGET, CLOSE = 0, len(BUYING_JOBS) + 1, len(BUYING_JOBS) + 2


@dataclass(frozen=True, slots=True)
class Timeline:
    """Every buyer-side happening before the horizon, in the order it is logged, as parallel arrays.

    ``happening`` is ``OPEN``, a job number 1-6, ``BUDGET`` or ``CLOSE``; happenings are sorted by day, then
    window, then that order.
    """

    day: np.ndarray
    window: np.ndarray
    happening: np.ndarray


def market_timeline(market: Market, horizon: float) -> Timeline:
    """Every buyer-side happening before the horizon, in the order it is logged."""
    windows = market.open_days.size
    days = np.empty((windows, CLOSE + 1))
    days[:, OPEN] = market.open_days
    days[:, 1:BUDGET] = market.job_days
    days[:, BUDGET] = market.job_days[:, REQUIREMENTS_JOB - 1]
    days[:, CLOSE] = market.job_days[:, -1]
    present = days < horizon
    present[:, BUDGET] &= np.asarray(market.w_budget, dtype=object) == "planned"
    window, happening = np.nonzero(present)
    day = days[present]
    # Row-major selection lists each window's happenings in order; a stable sort by day keeps that order.
    sequence = np.argsort(day, kind="stable")
    return Timeline(day[sequence], window[sequence], happening[sequence])


def market_rows(market: Market, timeline: Timeline, logged: int) -> pl.DataFrame:
    """The log rows of the market's first ``logged`` happenings, built in one vectorised pass.

    Happenings are numbered as the market process logs them: account ``a`` is created as happening ``a``,
    then timeline entry ``k`` is happening ``accounts + k``. A window's opening gives two rows
    (``BuyingWindowOpened``, ``BuyingCenterFormed``); everything else one. Columns: :data:`SCHEMA` but
    ``seq``, plus ``happening`` (see :data:`sim.core.events.BatchBuilder`).
    """
    accounts = min(logged, market.accounts)
    entries = logged - accounts
    created = np.arange(accounts)
    segment = pl.Series(market.segment, dtype=pl.String)
    parts = [
        pl.DataFrame(
            {
                "happening": created,
                "t": np.zeros(accounts),
                "kind": "AccountCreated",
                "account": created,
                "segment": segment.head(accounts),
                "amount": market.deal_size[:accounts],
                "seat": market.seat[:accounts],
            }
        )
    ]
    day = timeline.day[:entries]
    window = timeline.window[:entries]
    happening = timeline.happening[:entries]
    number = market.accounts + np.arange(entries)
    account = np.asarray(market.w_account, dtype=np.int64)[window]

    def rows(kind: str, mask: np.ndarray, sub: int = 0, **columns: Any) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "happening": number[mask],
                "sub": np.full(int(mask.sum()), sub),
                "t": day[mask],
                "kind": kind,
                "account": account[mask],
                **columns,
            }
        )

    opened = happening == OPEN
    w_open = window[opened]
    job = (happening >= 1) & (happening < BUDGET)
    parts += [
        rows(
            "BuyingWindowOpened",
            opened,
            segment=segment.gather(account[opened]),
            pain=pl.Series(market.w_pain, dtype=pl.String).gather(w_open),
            budget=pl.Series(market.w_budget, dtype=pl.String).gather(w_open),
            day=market.job_days[w_open, -1],
        ),
        rows(
            "BuyingCenterFormed",
            opened,
            sub=1,
            score=np.asarray(market.w_group, dtype=np.int64)[w_open],
            level=np.asarray(market.w_capital, dtype=np.float64)[w_open],
            reason=pl.Series(market.w_personas, dtype=pl.String).gather(w_open),
        ),
        rows(
            "BuyingJobCompleted",
            job,
            stage=pl.Series(BUYING_JOBS, dtype=pl.String).gather(happening[job] - 1),
            score=happening[job],
        ),
        rows("BudgetAssigned", happening == BUDGET),
        rows("BuyingWindowClosed", happening == CLOSE),
    ]
    frame = pl.concat(parts, how="diagonal_relaxed").sort("happening", "sub", nulls_last=False)
    return frame.select(
        *(
            (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in SCHEMA.items()
            if name != "seq"
        ),
        pl.col("happening").cast(pl.Int64),
    )


class BuyerDay(PriorityTimeout):
    """The market's wake-up on a day the buyer acts: before every ordinary event of that instant.

    On such a day the buyer's happenings are logged before any rep acts: a deal that would walk away on the
    very day the buyer finishes a job sees the job first.
    """

    def __init__(self, env: simpy.Environment, delay: float) -> None:
        super().__init__(env, delay, URGENT)


def market_process(world: World) -> Generator[Any, Any, None]:
    """Log the market: the accounts at day 0, then each buyer's windows and jobs on the buyer's own clock.

    The market's happenings are the bulk of a log and all drawn up front, so they are logged in batches, a
    day at a time: the state folds each through the same ``State`` method its event's handler uses, and the
    log notes the batch and builds its rows at the end (:meth:`sim.core.events.EventLog.log_batch`).
    """
    market, state, log, env = world.market, world.state, world.log, world.env
    timeline = market_timeline(market, world.scenario.horizon_days)
    log.batch_source(lambda logged: market_rows(market, timeline, logged))
    for account in range(market.accounts):
        state.account_created(
            account, market.segment[account], market.deal_size[account], market.seat[account]
        )
    state.advance(env.now, market.accounts)
    log.log_batch(market.accounts, market.accounts)

    days, windows, happenings = timeline.day.tolist(), timeline.window.tolist(), timeline.happening.tolist()
    w_account, w_jobs = market.w_account, market.w_jobs
    i, end = 0, len(days)
    while i < end:
        day = days[i]
        if day > env.now:
            yield BuyerDay(env, day - env.now)
        first, rows = i, 0
        while i < end and days[i] == day:
            w, happening = windows[i], happenings[i]
            account = w_account[w]
            if happening == OPEN:
                state.window_opened(account, market.w_pain[w], market.w_budget[w], w_jobs[w][-1])
                state.center_formed(account, market.w_group[w], market.w_capital[w])
                rows += 2
            elif happening < BUDGET:
                state.job_completed(day, account, happening)
                rows += 1
                if happening == 1:
                    world.buyer_named_problem(w)
            elif happening == BUDGET:
                state.budget_assigned(account)
                rows += 1
            else:
                state.window_closed(account)
                rows += 1
            i += 1
        state.advance(day, rows)
        log.log_batch(i - first, rows)


__all__ = ["BUYING_JOBS", "SEGMENTS", "Market", "generate_market", "market_process", "market_timeline"]
