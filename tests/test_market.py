"""The pre-drawn market: its vectorised timeline and lookups agree with plain, obviously-correct versions.

The market is drawn and ordered with numpy for speed; these tests recompute the same things one window at a
time in plain Python and compare, over random small markets (hypothesis) and the shipped sizes' shapes.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import polars as pl
import pytest
from conftest import small_scenario
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import engine
from sim.core import kinds
from sim.core.events import MARKET_KINDS, content_hash
from sim.engine import World, simulate
from sim.model.buying_cycle import (
    BUDGET,
    BUYING_JOBS,
    CLOSE,
    OPEN,
    BuyerDay,
    market_timeline,
)
from sim.model.market import REQUIREMENTS_JOB, Market
from sim.model.market_draw import generate_market


def plain_timeline(market: Market, horizon: float) -> list[tuple[float, int, int]]:
    """Every happening as (day, window, what), built window by window and sorted as tuples."""
    items: list[tuple[float, int, int]] = []
    for w, opened in enumerate(market.w_open):
        items.append((opened, w, OPEN))
        for job, day in enumerate(market.w_jobs[w], start=1):
            if day >= horizon:
                break
            items.append((day, w, job))
            if job == REQUIREMENTS_JOB and market.w_budget[w] == "planned":
                items.append((day, w, BUDGET))
            if job == len(BUYING_JOBS):
                items.append((day, w, CLOSE))
    return sorted(items)


def plain_window_for(market: Market, account: int, now: float) -> int | None:
    """The account's open window at ``now``, else its next one: a linear scan over all windows."""
    mine = [w for w, a in enumerate(market.w_account) if a == account]
    for w in mine:
        if market.w_open[w] <= now < market.w_jobs[w][-1]:
            return w
    later = [w for w in mine if market.w_open[w] > now]
    return later[0] if later else None


market_shapes = st.fixed_dictionaries(
    {
        "seed": st.integers(0, 2**32 - 1),
        "horizon": st.sampled_from([30, 200, 365, 900]),
        "smb": st.integers(0, 40),
        "f1000": st.integers(0, 15),
    }
)


@settings(max_examples=25, deadline=None)
@given(shape=market_shapes)
def test_timeline_and_window_lookup_match_plain_versions(shape: dict[str, int]) -> None:
    scenario = small_scenario(
        f"horizon_days={shape['horizon']}",
        f"market.smb.accounts={shape['smb']}",
        "market.mid_market.accounts=3",
        f"market.f1000.accounts={shape['f1000']}",
    )
    market = generate_market(scenario, shape["seed"])
    timeline = market_timeline(market, scenario.horizon_days)
    entries = zip(timeline.day.tolist(), timeline.window.tolist(), timeline.happening.tolist(), strict=True)
    assert list(entries) == plain_timeline(market, scenario.horizon_days)

    for account in range(market.accounts):
        for now in (0.0, 0.5, 17.0, shape["horizon"] / 2, float(shape["horizon"])):
            assert market.window_for(account, now) == plain_window_for(market, account, now)
        opens = [market.w_open[w] for w, a in enumerate(market.w_account) if a == account]
        assert opens == sorted(opens), "an account's windows are in time order"
        assert all(day < scenario.horizon_days for day in opens)


def test_the_buyer_acts_on_whole_days() -> None:
    """Windows open and jobs finish on whole days, so the market logs a day's happenings in one step."""
    market = generate_market(small_scenario(), 7)
    assert market.w_open and all(day == int(day) for day in market.w_open)
    assert all(day == int(day) for jobs in market.w_jobs for day in jobs)
    assert all(
        list(jobs) == sorted(jobs) and jobs[0] >= opened
        for opened, jobs in zip(market.w_open, market.w_jobs, strict=True)
    )


def test_buying_center_personas_are_logged_as_drawn() -> None:
    scenario = small_scenario()
    market = generate_market(scenario, 3)
    log, _ = simulate(scenario, 3)
    formed = log.filter(pl.col("kind") == "BuyingCenterFormed")["personas"].to_list()
    opened_windows = sorted(range(len(market.w_open)), key=lambda w: (market.w_open[w], w))
    expected = []
    for w in opened_windows:
        names = [
            name
            for name, present in (
                ("stalling_cio", market.w_cio[w]),
                ("champion", market.w_capital[w] > 0),
                ("procurement", market.w_procurement[w]),
            )
            if present
        ]
        expected.append("+".join(names) or "none")
    assert formed == expected


def test_on_a_day_the_buyer_acts_first() -> None:
    """Market happenings of a day are logged before anything a rep or deal does that day."""
    log, _ = simulate(small_scenario("strategy.preset=qualify-hard", "strategy.walk_away_days=25"), 1)
    later = log.filter(pl.col("t") > 0).with_columns(
        pl.col("kind").is_in(MARKET_KINDS).alias("market"),
    )
    # Within one instant, a market event never comes after a non-market one.
    offenders = (
        later.group_by("t")
        .agg((pl.col("market").cast(pl.Int8).diff() > 0).any().alias("market_after_other"))
        .filter(pl.col("market_after_other"))
    )
    assert offenders.height == 0, offenders
    shared = (
        later.group_by("t").agg(pl.col("market").any() & (~pl.col("market")).any()).filter(pl.col("market"))
    )
    assert shared.height > 0, "some days see both the buyer and the reps act"


def plain_market_process(world: World, on_problem_named: Callable[[int], None]) -> Generator[Any, Any, None]:
    """The market emitting every happening as its own event, the way every other actor logs."""
    market, emit, env = world.market, world.log.emit, world.env
    for account in range(market.accounts):
        emit(
            kinds.AccountCreated(
                account=account,
                segment=market.segment[account],
                amount=market.deal_size[account],
                seat=market.seat[account],
            )
        )
    timeline = market_timeline(market, world.scenario.horizon_days)
    for day, w, what in zip(
        timeline.day.tolist(), timeline.window.tolist(), timeline.happening.tolist(), strict=True
    ):
        if day > env.now:
            yield BuyerDay(env, day - env.now)
        account = market.w_account[w]
        if what == OPEN:
            emit(
                kinds.BuyingWindowOpened(
                    account=account,
                    segment=market.segment[account],
                    pain=market.w_pain[w],
                    budget=market.w_budget[w],
                    day=market.w_jobs[w][-1],
                )
            )
            emit(
                kinds.BuyingCenterFormed(
                    account=account,
                    group_size=market.w_group[w],
                    capital=market.w_capital[w],
                    personas=market.w_personas[w],
                )
            )
        elif what < BUDGET:
            emit(kinds.BuyingJobCompleted(account=account, job=BUYING_JOBS[what - 1]))
            if what == 1:
                on_problem_named(w)
        elif what == BUDGET:
            emit(kinds.BudgetAssigned(account=account))
        else:
            emit(kinds.BuyingWindowClosed(account=account))


@pytest.mark.parametrize(
    "overrides",
    [
        (),
        ("strategy.preset=qualify-hard", "strategy.walk_away_days=25"),
        ("market.smb.accounts=0", "market.mid_market.accounts=0", "horizon_days=200"),
        (
            "market.smb.accounts=2",
            "market.mid_market.accounts=0",
            "market.f1000.accounts=0",
            "horizon_days=20",
        ),
    ],
)
def test_batched_market_log_equals_one_emit_per_event(
    overrides: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The market logs in daily batches built at the end; the log and state are as if it emitted each event."""
    scenario = small_scenario(*overrides)
    batched_log, batched_state = simulate(scenario, 5)
    monkeypatch.setattr(engine, "market_process", plain_market_process)
    plain_log, plain_state = simulate(scenario, 5)
    assert batched_log.equals(plain_log)
    assert content_hash(batched_log) == content_hash(plain_log)
    assert batched_state == plain_state
    assert batched_log.filter(pl.col("kind").is_in(MARKET_KINDS)).height > 0


def test_the_log_taken_mid_run_holds_the_batches_logged_so_far() -> None:
    """A log frame taken at a checkpoint has exactly the happenings up to that moment, that instant's included
    (a checkpoint runs once every event of its instant has happened)."""
    frames: dict[float, pl.DataFrame] = {}
    final, _ = simulate(
        small_scenario(), 2, checkpoints={100.5: lambda w: frames.update({100.5: w.log.to_frame()})}
    )
    early = frames[100.5]
    assert early.height == final.filter(pl.col("t") <= 100.5).height
    assert early.drop("seq").equals(final.filter(pl.col("t") <= 100.5).drop("seq"))
