"""The buyer's own cycle: six buying jobs, each done on the buyer's clock, logged day by day.

Buyers work through Gartner's B2B buying jobs whatever the vendor does (DiModica); a vendor stage can only
follow the job it needs (``sim.model.opportunity``). The windows are drawn up front
(``sim.model.market_draw``; ``sim.model.market`` says when each job is done within a window); this module
logs them as the days pass: a window opens, its buying center forms, jobs are done, a planned budget gets its
dollars, the window closes with the decision. A buyer that names its problem may reach out to a vendor
(the engine hands :func:`market_process` what to do then).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from sim.core.columns import NULL_CODE, Column, NumberColumn, TextColumn, row_index_dtype
from sim.core.events import BUYING_JOBS, MARKET_KINDS, Batch
from sim.core.timing import BUYER_FIRST, PriorityTimeout
from sim.model.market import REQUIREMENTS_JOB, Market

if TYPE_CHECKING:
    from sim.core.world import Process
    from sim.model.sales_world import SalesWorld


# A window's happenings, in the order they are logged when they share a day: it opens, its buying jobs are done
# (1-6), a planned budget gets its dollars (it needs the requirements job), and it closes with the decision.
OPEN, BUDGET, CLOSE = 0, len(BUYING_JOBS) + 1, len(BUYING_JOBS) + 2


@dataclass(frozen=True, slots=True)
class Timeline:
    """Every buyer-side happening before the horizon, in the order it is logged, as parallel arrays.

    ``happening`` is ``OPEN``, a job number 1-6, ``BUDGET`` or ``CLOSE``; happenings are sorted by day, then
    window, then that order. ``day`` is float32 (whole days), ``window`` int32 and ``happening`` int8: the
    timeline is held until the frame is built (see :func:`market_timeline`).
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
    # Narrow types: the timeline is held until the frame is built, and at 9 bytes an entry rather than 24 it
    # weighs ~9 bytes an event less at the frame's peak. Windows fit in 32 bits (MAX_BUYING_WINDOWS); days are
    # whole (the buyer's daily clock) and below MAX_HORIZON_DAYS, so a float32 holds each exactly.
    return Timeline(
        day.astype(np.float32)[sequence],
        window.astype(np.int32)[sequence],
        happening.astype(np.int8)[sequence],
    )


def _codes(values: list[str]) -> tuple[np.ndarray, list[str]]:
    """Strings as codes into their distinct values, in order of first appearance."""
    index: dict[str, int] = {}
    codes = np.fromiter((index.setdefault(v, len(index)) for v in values), dtype=np.int32, count=len(values))
    return codes, list(index)


@dataclass(frozen=True, slots=True)
class MarketRows:
    """What the market's log rows need of the market, as compact arrays (text as codes).

    The market itself keeps plain Python lists for fast scalar access during the run, at tens of bytes a
    value; the rows are built after the run, when only these few columns are needed. Holding them apart lets
    a finished run let go of the market (and the rest of its world) before its frame is built.
    """

    accounts: int
    segment: tuple[np.ndarray, list[str]]
    deal_size: np.ndarray
    seat: np.ndarray
    w_account: np.ndarray
    w_personas: tuple[np.ndarray, list[str]]
    w_pain: tuple[np.ndarray, list[str]]
    w_budget: tuple[np.ndarray, list[str]]
    w_capital: np.ndarray
    w_group: np.ndarray
    w_decision: np.ndarray

    @classmethod
    def of(cls, market: Market) -> MarketRows:
        """The columns of ``market`` its rows are built from."""
        return cls(
            accounts=market.accounts,
            segment=_codes(market.segment),
            deal_size=np.asarray(market.deal_size, dtype=np.float64),
            seat=np.asarray(market.seat, dtype=np.int64),
            w_account=np.asarray(market.w_account, dtype=np.int64),
            w_personas=_codes(market.w_personas),
            w_pain=_codes(market.w_pain),
            w_budget=_codes(market.w_budget),
            w_capital=np.asarray(market.w_capital, dtype=np.float64),
            w_group=np.asarray(market.w_group, dtype=np.int64),
            w_decision=market.job_days[:, -1].copy(),
        )


def market_batch(market: MarketRows, timeline: Timeline, logged: int) -> Batch:
    """The log rows of the market's first ``logged`` happenings, built column by column in one pass.

    Happenings are numbered as the market process logs them: account ``a`` is created as happening ``a``,
    then timeline entry ``k`` is happening ``accounts + k``. A window's opening gives two rows
    (``BuyingWindowOpened``, then ``BuyingCenterFormed``); everything else one. Each column is allocated
    once at full length and filled where its kinds have a value (see :class:`sim.core.events.Batch`).
    """
    accounts = min(logged, market.accounts)
    entries = logged - accounts
    day = timeline.day[:entries]
    window = timeline.window[:entries]
    happening = timeline.happening[:entries]
    opened = happening == OPEN
    job = (happening >= 1) & (happening < BUDGET)
    length = accounts + entries + int(np.count_nonzero(opened))
    # Row numbers as 32-bit ints where they fit: these arrays live until the frame is built, at its peak.
    rows_type = row_index_dtype(length)
    rows_per_entry = opened.astype(rows_type) + 1
    first = np.cumsum(rows_per_entry, dtype=rows_type)  # each entry's first row
    first -= rows_per_entry
    first += accounts
    del rows_per_entry
    formed = first[opened] + 1  # the BuyingCenterFormed row of each opening
    window_opened = window[opened]
    w_account = market.w_account
    account_opened = w_account[window_opened]

    row_happening = np.empty(length, dtype=rows_type)
    row_happening[:accounts] = np.arange(accounts)
    row_happening[first] = accounts + np.arange(entries)
    row_happening[formed] = accounts + np.flatnonzero(opened)

    def numbers(dtype: type[np.generic], *parts: tuple[Any, Any]) -> NumberColumn:
        values = np.zeros(length, dtype=dtype)
        valid = np.zeros(length, dtype=bool)
        for rows, part in parts:
            values[rows] = part
            valid[rows] = True
        return NumberColumn(values, None if valid.all() else valid)

    def text(categories: list[str], *parts: tuple[Any, Any]) -> TextColumn:
        codes = np.full(length, NULL_CODE, dtype=np.int32)
        for rows, part in parts:
            codes[rows] = part
        return TextColumn(codes, categories)

    kind_code = {kind: code for code, kind in enumerate(MARKET_KINDS)}

    def coded(values: tuple[np.ndarray, list[str]], *parts: tuple[Any, Any]) -> TextColumn:
        """Text from a per-account or per-window column: ``(rows, which entries of values)`` parts."""
        codes, categories = values
        return text(categories, *((rows, codes[which]) for rows, which in parts))

    entry_kind = np.full(entries, kind_code["BuyingWindowClosed"], dtype=np.int8)  # a byte, not eight
    entry_kind[opened] = kind_code["BuyingWindowOpened"]
    entry_kind[job] = kind_code["BuyingJobCompleted"]
    entry_kind[happening == BUDGET] = kind_code["BudgetAssigned"]

    def times() -> NumberColumn:
        t = np.zeros(length)
        t[first] = day
        t[formed] = day[opened]
        return NumberColumn(t)

    def account_ids() -> NumberColumn:
        account = np.empty(length, dtype=np.int64)
        account[:accounts] = np.arange(accounts)
        account[first] = w_account[window]
        account[formed] = account_opened
        return NumberColumn(account)

    accounts_rows = slice(0, accounts)
    builders: dict[str, Callable[[], Column]] = {
        "t": times,
        "kind": lambda: text(
            list(MARKET_KINDS),
            (accounts_rows, kind_code["AccountCreated"]),
            (first, entry_kind),
            (formed, kind_code["BuyingCenterFormed"]),
        ),
        "account": account_ids,
        "segment": lambda: coded(
            market.segment, (accounts_rows, slice(0, accounts)), (first[opened], account_opened)
        ),
        "job": lambda: text(list(BUYING_JOBS), (first[job], happening[job] - 1)),
        "personas": lambda: coded(market.w_personas, (formed, window_opened)),
        "pain": lambda: coded(market.w_pain, (first[opened], window_opened)),
        "budget": lambda: coded(market.w_budget, (first[opened], window_opened)),
        "amount": lambda: numbers(np.float64, (accounts_rows, market.deal_size[:accounts])),
        "capital": lambda: numbers(np.float64, (formed, market.w_capital[window_opened])),
        "day": lambda: numbers(np.float64, (first[opened], market.w_decision[window_opened])),
        "group_size": lambda: numbers(np.int64, (formed, market.w_group[window_opened])),
        "seat": lambda: numbers(np.int64, (accounts_rows, market.seat[:accounts])),
    }

    def column(name: str) -> Column:
        build = builders.get(name)
        return None if build is None else build()

    return Batch(row_happening, column)


class BuyerDay(PriorityTimeout):
    """The market's wake-up on a day the buyer acts: before every ordinary event of that instant.

    On such a day the buyer's happenings are logged before any rep acts: a deal that would walk away on the
    very day the buyer finishes a job sees the job first.
    """

    def __init__(self, env: simpy.Environment, delay: float) -> None:
        super().__init__(env, delay, BUYER_FIRST)


def market_process(world: SalesWorld, on_problem_named: Callable[[int], None]) -> Process:
    """Log the market: the accounts at day 0, then each buyer's windows and jobs on the buyer's own clock.

    The market's happenings are the bulk of a log and all drawn up front, so they are logged in batches, a
    day at a time: the state folds those it reads (an account, a buying center's champion) through the same
    ``State`` method their events' handlers use, and counts them all; the log notes the batch and builds its
    rows at the end (:meth:`sim.core.events.EventLog.log_batch`).
    """
    market, state, log, env = world.market, world.state, world.log, world.env
    timeline = market_timeline(market, world.scenario.horizon_days)
    rows_of = MarketRows.of(market)  # not the market: a finished run's rows need only these columns
    log.batch_source(lambda logged: market_batch(rows_of, timeline, logged))
    for account in range(market.accounts):
        state.account_created(account)
    state.advance(env.now, market.accounts)
    log.log_batch(market.accounts, market.accounts)

    w_account, w_capital = market.w_account, market.w_capital
    current, happened, rows = -1.0, 0, 0  # the day being logged, its happenings and their rows so far
    for day, window, happening in _happenings(timeline):
        if day != current:
            if happened:
                state.advance(current, rows)
                log.log_batch(happened, rows)
            if day > env.now:
                yield BuyerDay(env, day - env.now)
            current, happened, rows = day, 0, 0
        if happening == OPEN:
            state.center_formed(w_account[window], w_capital[window])
            rows += 2  # the window opened and its buying center formed
        else:
            rows += 1
            if happening == 1:
                on_problem_named(window)
        happened += 1
    if happened:
        state.advance(current, rows)
        log.log_batch(happened, rows)


TIMELINE_CHUNK = 8192
"""Timeline entries turned into Python numbers at a time (all at once would hold ~75 bytes an entry)."""


def _happenings(timeline: Timeline) -> Iterator[tuple[float, int, int]]:
    """The timeline's (day, window, happening) entries in order, converted a chunk at a time."""
    for start in range(0, timeline.day.size, TIMELINE_CHUNK):
        stop = start + TIMELINE_CHUNK
        yield from zip(
            timeline.day[start:stop].tolist(),
            timeline.window[start:stop].tolist(),
            timeline.happening[start:stop].tolist(),
            strict=True,
        )
