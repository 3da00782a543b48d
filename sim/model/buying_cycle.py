"""The buyer's own cycle: six buying jobs, each done on the buyer's clock, logged day by day.

Buyers work through Gartner's B2B buying jobs whatever the vendor does (*It's Your Customer's Buying Cycle,
Not Your Sales Cycle*); a vendor stage can only follow the job it needs (``sim.model.opportunity``). The
windows are drawn up front (``sim.model.market``); this module says what the jobs are, when each is done, and
logs them as the days pass: a window opens, its buying center forms, jobs are done, a planned budget gets
its dollars, the window closes with the decision. A buyer that names its problem may reach out to a vendor
(the engine hands :func:`market_process` what to do then).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl
import simpy
from simpy.events import URGENT

from sim.core.events import SCHEMA
from sim.core.timing import PriorityTimeout

if TYPE_CHECKING:  # the market's windows are drawn from these jobs, so the market imports this module
    from sim.core.world import Process
    from sim.model.market import Market
    from sim.model.sales_world import SalesWorld

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


def market_process(world: SalesWorld, on_problem_named: Callable[[int], None]) -> Process:
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
            window, happening = windows[i], happenings[i]
            account = w_account[window]
            if happening == OPEN:
                state.window_opened(
                    account, market.w_pain[window], market.w_budget[window], w_jobs[window][-1]
                )
                state.center_formed(account, market.w_group[window], market.w_capital[window])
                rows += 2
            elif happening < BUDGET:
                state.job_completed(day, account, happening)
                rows += 1
                if happening == 1:
                    on_problem_named(window)
            elif happening == BUDGET:
                state.budget_assigned(account)
                rows += 1
            else:
                state.window_closed(account)
                rows += 1
            i += 1
        state.advance(day, rows)
        log.log_batch(i - first, rows)
