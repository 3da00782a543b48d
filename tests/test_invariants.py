"""Invariants every event log must satisfy, on fixed runs and on small random scenarios (hypothesis).

Each ``*_violations`` function returns human-readable violations (empty when the log is sound), so the
property test can report every broken invariant of a drawn scenario at once.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from conftest import LiveRun, live_run, small_scenario
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import metrics
from sim.config import SEGMENTS, Scenario, scenario_from_mapping
from sim.core.events import FRAME_SCHEMA, KINDS, TERMINAL_KINDS
from sim.core.state import replay
from sim.model.strategy import PRESETS

HOURS_TOLERANCE = 1e-6
AFTER_SALE_KINDS = frozenset(
    {"CommissionEarned", "AdoptionSucceeded", "AdoptionFailed", "ReputationChanged", "ReferralGiven"}
)
"""Kinds that legitimately name an opportunity after it was won: the sale's consequences, not the deal."""

PRESET_NAMES = sorted(PRESETS)


def _show(frame: pl.DataFrame, rows: int = 5) -> str:
    return str(frame.head(rows).to_dicts())


def terminal_violations(events: pl.DataFrame) -> list[str]:
    """Exactly one terminal event per opened opportunity; nothing of the deal itself after it."""
    out: list[str] = []
    opened = events.filter(pl.col("kind") == "OpportunityOpened").select(
        "opp", pl.col("seq").alias("open_seq")
    )
    terminal = events.filter(pl.col("kind").is_in(list(TERMINAL_KINDS))).select(
        "opp", pl.col("seq").alias("end_seq"), pl.col("kind").alias("end_kind")
    )
    if terminal["opp"].null_count():
        out.append("terminal event without an opportunity id")
    counts = terminal.group_by("opp").len()
    if (bad := counts.filter(pl.col("len") != 1)).height:
        out.append(f"opportunities with more than one terminal event: {_show(bad)}")
    if (never := opened.join(terminal, on="opp", how="anti")).height:
        out.append(f"opportunities without a terminal event: {_show(never)}")
    if (orphan := terminal.join(opened, on="opp", how="anti")).height:
        out.append(f"terminal events for opportunities never opened: {_show(orphan)}")
    after = (
        events.join(terminal, on="opp")
        .filter(pl.col("seq") > pl.col("end_seq"))
        .filter(~(pl.col("kind").is_in(list(AFTER_SALE_KINDS)) & (pl.col("end_kind") == "DealWon")))
    )
    if after.height:
        out.append(
            f"events for an opportunity after its terminal event: {_show(after.select('seq', 't', 'kind', 'opp', 'end_kind'))}"
        )
    before = events.join(opened, on="opp").filter(pl.col("seq") < pl.col("open_seq"))
    if before.height:
        out.append(
            f"events for an opportunity before it was opened: {_show(before.select('seq', 'kind', 'opp'))}"
        )
    return out


def weekly_hours(events: pl.DataFrame) -> pl.DataFrame:
    """Hours each rep recorded per week (week = floor(t / 7)), admin hours included, idle hours not."""
    return (
        events.filter(
            pl.col("hours").is_not_null()
            & pl.col("rep").is_not_null()
            & (pl.col("kind") != "IdleHoursLogged")
        )
        .group_by("rep", (pl.col("t") // 7).cast(pl.Int64).alias("week"))
        .agg(pl.col("hours").sum())
    )


def hours_violations(events: pl.DataFrame, scenario: Scenario) -> list[str]:
    """No rep records more hours in a week than ``sales_org.hours_per_week``; no negative hours."""
    out: list[str] = []
    limit = scenario.sales_org.hours_per_week + HOURS_TOLERANCE
    over = weekly_hours(events).filter(pl.col("hours") > limit).sort("hours", descending=True)
    if over.height:
        out.append(
            f"{over.height} rep-weeks over {scenario.sales_org.hours_per_week} h, worst: {_show(over)}"
        )
    if (negative := events.filter(pl.col("hours") < 0)).height:
        out.append(f"negative hours: {_show(negative.select('seq', 'kind', 'hours'))}")
    return out


def revenue_violations(events: pl.DataFrame) -> list[str]:
    """Revenue is the sum of DealWon amounts, each booked to a rep."""
    out: list[str] = []
    won = float(events.filter(pl.col("kind") == "DealWon")["amount"].sum())
    revenue = metrics.revenue(events)
    if revenue != pytest.approx(won, rel=1e-9, abs=1e-6):
        out.append(f"metrics.revenue {revenue} != sum of DealWon amounts {won}")
    if (unowned := events.filter((pl.col("kind") == "DealWon") & pl.col("rep").is_null())).height:
        out.append(f"DealWon without a rep (revenue nobody booked): {_show(unowned)}")
    return out


def order_violations(events: pl.DataFrame, scenario: Scenario) -> list[str]:
    """seq is 0..n-1 in order, t never decreases, RunEnded is last and only, nothing after the horizon."""
    out: list[str] = []
    n = events.height
    if events["seq"].to_list() != list(range(n)):
        out.append("seq is not 0..n-1 in row order")
    t = events.sort("seq")["t"]
    if n > 1 and (t.diff().drop_nulls() < 0).any():
        i = int((t.diff() < 0).arg_true()[0])
        out.append(f"t decreases at seq {i}: {t[i - 1]} -> {t[i]}")
    if events["t"].null_count() or (events["t"] < 0).any():
        out.append("t missing or negative")
    if (late := events.filter(pl.col("t") > scenario.horizon_days)).height:
        out.append(
            f"events after the horizon {scenario.horizon_days}: {_show(late.select('seq', 't', 'kind'))}"
        )
    ended = events.filter(pl.col("kind") == "RunEnded")
    if ended.height != 1 or events["kind"][-1] != "RunEnded":
        out.append(
            f"RunEnded must be the one last event (found {ended.height}, last is {events['kind'][-1]})"
        )
    return out


def schema_violations(events: pl.DataFrame) -> list[str]:
    """The frame has the fixed schema; every kind is known and fills only the columns its KINDS entry lists."""
    out: list[str] = []
    if dict(events.schema) != {name: dtype() for name, dtype in FRAME_SCHEMA.items()}:
        out.append(f"schema {dict(events.schema)} differs from events.FRAME_SCHEMA")
    if unknown := set(events["kind"].unique()) - set(KINDS):
        out.append(f"unknown event kinds: {sorted(unknown)}")
    columns = [c for c in events.columns if c not in ("seq", "t", "kind")]
    used = events.group_by("kind").agg(pl.col(c).is_not_null().any() for c in columns)
    for row in used.iter_rows(named=True):
        kind = row["kind"]
        if kind not in KINDS:
            continue
        extra = sorted(c for c in columns if row[c] and c not in KINDS[kind].fields)
        if extra:
            out.append(f"{kind} fills columns not in its KINDS fields: {extra}")
    return out


def all_violations(run: LiveRun) -> list[str]:
    """Every invariant of this file, plus replay == live, for one run."""
    out = [
        *order_violations(run.events, run.scenario),
        *schema_violations(run.events),
        *terminal_violations(run.events),
        *hours_violations(run.events, run.scenario),
        *revenue_violations(run.events),
    ]
    if replay(run.events) != run.state:
        out.append("replay(events) != live final state")
    return out


# ------------------------------------------------------------------------------------------------------
# Fixed runs: one per preset on the small market, plus one with heavy rep turnover (hires ramp up)
# ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=PRESET_NAMES)
def preset_run(request: pytest.FixtureRequest) -> LiveRun:
    # Fortune 1000 buyers take most of a year to decide: a team aimed only at them needs two years of a
    # larger segment to close enough deals for the revenue checks to mean something.
    focus = ("horizon_days=730", "market.f1000.accounts=120") if request.param == "f1000-focus" else ()
    return live_run(small_scenario(f"strategy.preset={request.param}", *focus), seed=2)


@pytest.fixture(scope="module")
def turnover_run() -> LiveRun:
    """Reps leave every few months, so ramping new hires work most of the year."""
    scenario = small_scenario("sales_org.mean_tenure_days=60", "sales_org.vacancy_days=5")
    return live_run(scenario, seed=4)


def test_every_opportunity_has_exactly_one_terminal_event(preset_run: LiveRun) -> None:
    assert preset_run.events.filter(pl.col("kind") == "OpportunityOpened").height > 10
    assert terminal_violations(preset_run.events) == []


def test_rep_hours_never_exceed_the_working_week(preset_run: LiveRun) -> None:
    assert weekly_hours(preset_run.events)["hours"].max() > 0.9 * preset_run.scenario.sales_org.hours_per_week
    assert hours_violations(preset_run.events, preset_run.scenario) == []


def test_ramping_new_hires_do_not_exceed_the_working_week(turnover_run: LiveRun) -> None:
    """A new hire's capacity grows during the week; admin hours were fixed at the week's start."""
    hires = turnover_run.events.filter((pl.col("kind") == "RepHired") & (pl.col("capacity") < 1.0))
    assert hires.height >= 4
    assert hours_violations(turnover_run.events, turnover_run.scenario) == []


def test_revenue_is_the_sum_of_won_deals_each_booked_to_a_rep(preset_run: LiveRun) -> None:
    assert preset_run.events.filter(pl.col("kind") == "DealWon").height > 0
    assert revenue_violations(preset_run.events) == []


def test_seq_and_time_run_forward_and_run_ended_is_last(preset_run: LiveRun) -> None:
    assert order_violations(preset_run.events, preset_run.scenario) == []


def test_every_event_kind_is_declared_and_uses_only_its_fields(preset_run: LiveRun) -> None:
    assert schema_violations(preset_run.events) == []


def test_invariant_checks_catch_broken_logs(small_run: LiveRun) -> None:
    """The checks above are not vacuous: each one fires on a log broken in its way."""
    events, scenario = small_run.events, small_run.scenario
    won = events.filter(pl.col("kind") == "DealWon").row(0, named=True)
    twice_won = pl.concat(
        [events.head(events.height - 1), pl.DataFrame([won], schema=events.schema), events.tail(1)]
    )
    assert terminal_violations(twice_won)
    overworked = events.with_columns(
        pl.when(pl.col("kind") == "AdminHoursLogged").then(pl.col("hours") + 30.0).otherwise(pl.col("hours"))
    )
    assert hours_violations(overworked, scenario)
    unbooked = events.with_columns(pl.when(pl.col("kind") != "DealWon").then(pl.col("rep")).alias("rep"))
    assert revenue_violations(unbooked)
    shuffled = events.with_columns(pl.col("t").reverse())
    assert order_violations(shuffled, scenario)
    stray = events.with_columns(
        pl.when(pl.col("kind") == "RunEnded").then(pl.lit(0.5)).otherwise(pl.col("hours")).alias("hours")
    )
    assert schema_violations(stray)


# ------------------------------------------------------------------------------------------------------
# Property test: small random scenarios
# ------------------------------------------------------------------------------------------------------

probability = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@st.composite
def small_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """Raw scenario mappings (shown compactly when a case fails) with 1-4 reps, 0-80 accounts per segment (not all empty), 30-400 days, any preset."""
    accounts = draw(
        st.lists(st.integers(0, 80), min_size=3, max_size=3).filter(lambda counts: sum(counts) > 0)
    )
    market: dict[str, Any] = {}
    for segment, count in zip(SEGMENTS, accounts, strict=True):
        market[segment] = {
            "accounts": count,
            "evidence_failure_probability": draw(probability),
            "buying_center": {
                "stalling_cio_probability": draw(probability),
                "champion_probability": draw(probability),
                "procurement": {
                    "probability": draw(probability),
                    "urgency_detection_probability": draw(probability),
                    "capital_shortfall_probability": draw(probability),
                },
            },
        }
    raw = {
        "name": "drawn",
        "horizon_days": draw(st.floats(30.0, 400.0)),
        "seed": draw(st.integers(0, 2**32)),
        "market": market,
        "sales_org": {
            "reps": draw(st.integers(1, 4)),
            "mean_tenure_days": draw(st.floats(30.0, 600.0)),
            "vacancy_days": draw(st.floats(0.0, 60.0)),
        },
        "strategy": {"preset": draw(st.sampled_from(PRESET_NAMES))},
    }
    return raw


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(raw=small_scenarios())
def test_invariants_hold_for_random_small_scenarios(raw: dict[str, Any]) -> None:
    scenario = scenario_from_mapping(raw, "<drawn>")
    run = live_run(scenario, seed=scenario.seed)
    assert all_violations(run) == []


def test_summary_says_how_many_cycles_each_median_rests_on(small_run: LiveRun) -> None:
    """A median of four won deals reads very differently from one of four hundred; the summary says which."""
    summary = metrics.summary(small_run.events)
    won = small_run.events.filter(pl.col("kind") == "DealWon").select("opp")
    opened = small_run.events.filter(pl.col("kind") == "OpportunityOpened").select("opp", "segment")
    won_by_segment = dict(won.join(opened, on="opp").group_by("segment").len().iter_rows())
    assert won_by_segment
    for segment, count in won_by_segment.items():
        assert summary[f"sales_won_cycles_{segment}"] == count
        assert f"median_sales_won_cycle_{segment}" in summary
