"""Each strategy does what its preset promises, as read off the event log; strategies share one market.

qualify-hard (DiModica): VP+ contacts only, walk away after N days without buyer action. numbers-game: never
walks away. pressure (the satire video, Phil): invented urgency only near period end, seen through by procurement
at the configured rate. Common random numbers: the buyers' side of the market is the same whatever the
strategy.
"""

from __future__ import annotations

import functools

import polars as pl
import pytest
from conftest import LiveRun, live_run, small_scenario

from sim.config import TITLES, load_scenario
from sim.core.events import MARKET_KINDS
from sim.engine import simulate
from sim.model.strategy import PRESETS

VP_RANK = TITLES.index("vp")
MARKET_COLUMNS = (
    "t",
    "kind",
    "account",
    "segment",
    "pain",
    "budget",
    "amount",
    "seat",
    "day",
    "group_size",
    "capital",
    "personas",
    "job",
)
DECIDED_KINDS = ("DealWon", "DealLost", "NoDecisionReached", "OpportunityWalkedAway")

QUALIFY_HARD_MARKET = ("horizon_days=730", "strategy.preset=qualify-hard")
"""The shipped baseline market for two years: enough deals idle long enough to be walked away from."""

PRESSURE_MARKET = (
    "horizon_days=400",
    "market.smb.accounts=0",
    "market.mid_market.accounts=400",
    "market.f1000.accounts=0",
    "sales_org.reps=4",
    "strategy.preset=pressure",
    "market.mid_market.buying_center.procurement.probability=1.0",
)
"""Mid-market deals, all through procurement: cycles short enough for many to reach negotiation in a run."""

PRESSURE_SEEDS = (0, 1, 2, 3)


def _opened_with_titles(events: pl.DataFrame) -> pl.DataFrame:
    """Each opened opportunity with the title of the contact it was opened with (one row per opportunity)."""
    opened = events.filter(pl.col("kind") == "OpportunityOpened").select("opp", "contact")
    # The person met: a contact below the bar may have referred the rep up to a senior title.
    met = events.filter(pl.col("kind") == "MeetingHeld").select("contact", "title")
    return opened.join(met.unique(), on="contact", how="left")


# ------------------------------------------------------------------------------------------------------
# qualify-hard and numbers-game
# ------------------------------------------------------------------------------------------------------


def test_qualify_hard_never_opens_an_opportunity_below_vp() -> None:
    run = live_run(small_scenario("strategy.preset=qualify-hard"), seed=1)
    opened = _opened_with_titles(run.events)
    assert opened.height == run.events.filter(pl.col("kind") == "OpportunityOpened").height
    assert opened.height > 10
    assert opened["title"].null_count() == 0, "an opportunity's contact has no recorded title"
    below = opened.filter(
        pl.col("title").replace_strict(dict(zip(TITLES, range(len(TITLES)), strict=True))) < VP_RANK
    )
    assert below.height == 0, below
    # The bar is really applied: lower titles were reached and turned away.
    disqualified = run.events.filter(pl.col("kind") == "ContactDisqualified")
    assert disqualified.height > 0
    assert set(disqualified["title"].unique()) <= {"manager", "director"}


def test_numbers_game_opens_opportunities_below_vp_too() -> None:
    """The contrast that makes the qualify-hard test meaningful on this market."""
    run = live_run(small_scenario(), seed=1)
    titles = set(_opened_with_titles(run.events)["title"].unique())
    assert titles & {"manager", "director"}


@pytest.mark.parametrize("walk_away_days", [None, 25.0], ids=["preset-default", "configured-25"])
def test_qualify_hard_walks_away_after_days_without_visible_progress(walk_away_days: float | None) -> None:
    overrides = [*QUALIFY_HARD_MARKET]
    if walk_away_days is not None:
        overrides.append(f"strategy.walk_away_days={walk_away_days}")
    days = walk_away_days if walk_away_days is not None else PRESETS["qualify-hard"].walk_away_days
    events, _ = simulate(load_scenario("baseline", overrides), 1)
    walked = events.filter(pl.col("kind") == "OpportunityWalkedAway").select(
        "opp", "account", pl.col("t").alias("walked_at"), "days"
    )
    # The preset's 90 days catch fewer deals than a tight 25; both must catch some.
    assert walked.height >= (5 if walk_away_days is not None else 1)
    assert (walked["days"] >= days - 1e-3).all(), walked.filter(pl.col("days") < days - 1e-3)
    # The idle time is real: the deal's last visible progress (its opening, or a stage done) came at least
    # that many days before the walk-away, and `days` says how long. A stall request is not progress.
    opened = events.filter(pl.col("kind") == "OpportunityOpened").select("opp", pl.col("t").alias("acted_at"))
    stages = events.filter(pl.col("kind") == "StageAdvanced").select("opp", pl.col("t").alias("acted_at"))
    actions = pl.concat([walked.join(opened, on="opp"), walked.join(stages, on="opp")]).filter(
        pl.col("acted_at") <= pl.col("walked_at")
    )
    last = actions.group_by("opp", "walked_at", "days").agg(pl.col("acted_at").max().alias("last_progress"))
    assert last.height == walked.height
    idle = last.with_columns((pl.col("walked_at") - pl.col("last_progress")).alias("idle"))
    assert (idle["idle"] >= days - 1e-6).all(), idle.filter(pl.col("idle") < days - 1e-6)
    assert ((idle["idle"] - idle["days"]).abs() <= 1e-3).all(), idle.filter(
        (pl.col("idle") - pl.col("days")).abs() > 1e-3
    )


def test_numbers_game_never_walks_away() -> None:
    events, _ = simulate(load_scenario("baseline", ["horizon_days=730", "strategy.preset=numbers-game"]), 1)
    assert events.filter(pl.col("kind") == "OpportunityOpened").height > 100
    assert events.filter(pl.col("kind") == "OpportunityWalkedAway").height == 0


# ------------------------------------------------------------------------------------------------------
# pressure
# ------------------------------------------------------------------------------------------------------


def test_pressure_is_applied_only_just_before_a_quota_review() -> None:
    overrides = (
        "sales_org.review_period_days=30",
        "sales_org.quota_start_day=12",
        "strategy.pressure_days_before_period_end=5",
    )
    run = live_run(small_scenario(*PRESSURE_MARKET, *overrides), seed=1)
    org = run.scenario.sales_org
    pressured = run.events.filter(pl.col("kind") == "PressureApplied")
    assert pressured.height > 0
    for t in pressured["t"]:
        k = max(1, -(-(t - org.quota_start_day) // org.review_period_days))  # the next review at or after t
        review = org.quota_start_day + k * org.review_period_days
        assert review - 5.0 - 1e-9 <= t <= review, f"pressure at day {t}, next review on day {review}"


def test_numbers_game_applies_no_pressure(small_run: LiveRun) -> None:
    assert small_run.events.filter(pl.col("kind") == "PressureApplied").height == 0


@functools.cache
def _pressure_runs(detection: float) -> tuple[pl.DataFrame, ...]:
    """The pressure market on each of :data:`PRESSURE_SEEDS` (cached: several tests read the same runs)."""
    overrides = [
        *PRESSURE_MARKET,
        f"market.mid_market.buying_center.procurement.urgency_detection_probability={detection}",
    ]
    return tuple(simulate(load_scenario("baseline", overrides), seed)[0] for seed in PRESSURE_SEEDS)


REPAIR_DAYS = 14.0
"""Procurement sees a tactic through only before the buyer's window closes, and the detection is logged
with the rep's repair, which takes its time: the cases are tactics applied at least this long before the
close, on deals that had a rep to repair them (not lost while the seat was vacant)."""


def _window_closes(events: pl.DataFrame) -> pl.DataFrame:
    """Each opportunity's buyer's window close (``closed``, a ``seq``) and the last day a tactic is counted
    (``last_day``: :data:`REPAIR_DAYS` before the close): its account's first close after it opened."""
    opened = events.filter(pl.col("kind") == "OpportunityOpened").select("opp", "account", pl.col("seq"))
    closes = events.filter(pl.col("kind") == "BuyingWindowClosed").select(
        "account", pl.col("seq").alias("closed"), (pl.col("t") - REPAIR_DAYS).alias("last_day")
    )
    return (
        opened.join(closes, on="account")
        .filter(pl.col("closed") > pl.col("seq"))
        .sort("closed")
        .group_by("opp")
        .agg(pl.col("closed").first(), pl.col("last_day").first())
    )


def _pressured_before_procurement(events: pl.DataFrame) -> pl.DataFrame:
    """Deals pressured while procurement was at work on them (engaged, from the proposal on, and before the
    buyer's window closed) that then reached a decision (so procurement reacted).

    Every window in :data:`PRESSURE_MARKET` runs through procurement, so every pressured deal is one
    procurement can see through while its window is open.
    """
    pressured = events.filter(pl.col("kind") == "PressureApplied").select(
        "opp", "t", pl.col("seq").alias("pressed")
    )
    engaged = events.filter(pl.col("kind") == "ProcurementEngaged").select(
        "opp", pl.col("seq").alias("engaged")
    )
    decided = events.filter(pl.col("kind").is_in(DECIDED_KINDS) & (pl.col("reason") != "seat_vacant")).select(
        "opp"
    )
    detected = (
        events.filter(pl.col("kind") == "PressureDetected")
        .group_by("opp")
        .agg(pl.len().alias("detections"), pl.col("seq").min().alias("detected"))
    )
    return (
        pressured.join(engaged, on="opp")
        .join(_window_closes(events), on="opp")
        .filter(pl.col("t") <= pl.col("last_day"))
        .join(decided, on="opp")
        .join(detected, on="opp", how="left")
        .with_columns(pl.col("detections").fill_null(0))
    )


def test_procurement_never_detects_pressure_at_detection_probability_zero() -> None:
    runs = _pressure_runs(0.0)
    assert sum(_pressured_before_procurement(events).height for events in runs) >= 10
    for events in runs:
        assert events.filter(pl.col("kind") == "PressureDetected").height == 0


def test_procurement_always_detects_pressure_at_detection_probability_one() -> None:
    runs = _pressure_runs(1.0)
    cases = pl.concat([_pressured_before_procurement(events) for events in runs])
    assert cases.height >= 10
    assert (cases["detections"] <= 1).all(), cases.filter(pl.col("detections") > 1)
    # Logged with the rep's repair, which a vacancy or a full queue may hold past the window's close.
    assert (cases["detections"] == 1).mean() >= 0.9, cases.filter(pl.col("detections") != 1)
    seen = cases.filter(pl.col("detections") == 1)
    assert (seen["detected"] > seen["pressed"]).all()
    for events in runs:
        assert events.filter(pl.col("kind") == "PressureWorked").height == 0  # no owner to rush here


def test_procurement_detects_pressure_at_roughly_the_configured_rate() -> None:
    cases = pl.concat([_pressured_before_procurement(events) for events in _pressure_runs(0.5)])
    assert cases.height >= 15
    assert 0.2 <= (cases["detections"] > 0).mean() <= 0.8  # type: ignore[operator]


def test_procurement_sees_pressure_on_every_deal_it_decides_at_probability_one() -> None:
    """However late the tactic lands before the buyer's window closes, a procurement deal pressured and then
    decided was seen through (after the close procurement is no longer at work: issue 20's story rules).

    Pressure that lands while the rep is still working a stage (or waiting on a stall request, or on the
    contract) must not escape procurement just because the decision came before the deal's next check.
    """
    missed = []
    for events in _pressure_runs(1.0):
        pressured = (
            events.filter(pl.col("kind") == "PressureApplied")
            .select("opp", "t", pl.col("seq").alias("pressed"))
            .join(_window_closes(events), on="opp")
            .filter(pl.col("t") <= pl.col("last_day"))
        )
        decided = events.filter(
            pl.col("kind").is_in(DECIDED_KINDS) & (pl.col("reason") != "seat_vacant")
        ).select("opp", pl.col("kind").alias("outcome"))
        detected = events.filter(pl.col("kind") == "PressureDetected").select("opp")
        missed.append(pressured.join(decided, on="opp").join(detected, on="opp", how="anti"))
    escaped = pl.concat(missed)
    cases = sum(
        _pressured_before_procurement(events).height for events in _pressure_runs(1.0)
    )  # the same deals, counted the other way
    # The detection is logged with the rep's repair: a few repairs a vacancy or a full queue holds past the
    # window's close go unlogged (procurement is no longer at work then).
    assert escaped.height <= max(1, 0.1 * cases), f"{escaped.height} of {cases} decided undetected: {escaped}"


# ------------------------------------------------------------------------------------------------------
# common random numbers
# ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("other", ["qualify-hard", "pressure", "help-them-buy"])
def test_market_events_are_identical_across_strategies(other: str) -> None:
    def market(preset: str) -> pl.DataFrame:
        events, _ = simulate(small_scenario(f"strategy.preset={preset}"), 5)
        return events.filter(pl.col("kind").is_in(MARKET_KINDS)).select(MARKET_COLUMNS)

    baseline, contrast = market("numbers-game"), market(other)
    assert baseline.height > 1000
    assert baseline.equals(contrast)


def test_strategies_differ_on_the_selling_side() -> None:
    """The same market, but not the same log: the strategies really changed what reps did."""
    one, _ = simulate(small_scenario("strategy.preset=numbers-game"), 5)
    two, _ = simulate(small_scenario("strategy.preset=qualify-hard"), 5)
    selling = ~pl.col("kind").is_in(MARKET_KINDS)
    assert (
        not one.filter(selling)
        .select("t", "kind", "account")
        .equals(two.filter(selling).select("t", "kind", "account"))
    )
