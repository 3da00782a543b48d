"""Where the selling hours go: every selling hour in exactly one category, on a hand-written log and on real
runs of every shipped preset, checked against a plain Python reading of the log."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import polars as pl
import pytest
from conftest import LiveRun, small_scenario
from test_charts import _EVENTS, hand_log

from sim import metrics
from sim.config.presets import PRESETS
from sim.engine import simulate

# The chart log, plus what it lacks: idle and admin hours, spilled work, a walk-away and a deal still open.
_MORE: list[dict[str, Any]] = [
    {"t": 7.0, "kind": "AdminHoursLogged", "rep": 1, "hours": 27.9},
    {"t": 7.0, "kind": "IdleHoursLogged", "rep": 1, "hours": 3.0, "day": 0.0},
    # the rest of contact 14's meeting, spilled into the next week: its deal was lost
    {"t": 7.5, "kind": "WorkLogged", "rep": 1, "account": 1, "contact": 14, "hours": 1.0,
     "reason": "MeetingHeld"},
    # the rest of deal 100's proposal: won
    {"t": 14.0, "kind": "WorkLogged", "rep": 0, "account": 1, "opp": 100, "hours": 2.0,
     "reason": "StageAdvanced"},
    # contact 15 opens deal 103; the rep walks away
    {"t": 40.0, "kind": "ContactMade", "rep": 1, "account": 1, "contact": 15, "segment": "smb",
     "title": "owner", "hours": 0.5},
    {"t": 40.0, "kind": "MeetingHeld", "rep": 1, "account": 1, "contact": 15, "title": "owner", "hours": 2.0},
    {"t": 40.0, "kind": "OpportunityOpened", "rep": 1, "account": 1, "opp": 103, "contact": 15,
     "segment": "smb", "amount": 25_000.0, "opp_type": "prospect", "score": 2},
    {"t": 45.0, "kind": "StageAdvanced", "rep": 1, "account": 1, "opp": 103, "stage": "discovery",
     "hours": 4.0},
    {"t": 100.0, "kind": "OpportunityWalkedAway", "rep": 1, "account": 1, "opp": 103, "segment": "smb",
     "days": 55.0, "reason": "no_progress"},
    # contact 16 opens deal 104, still open at the horizon
    {"t": 150.0, "kind": "ContactMade", "rep": 1, "account": 2, "contact": 16, "segment": "f1000",
     "title": "vp", "hours": 0.5},
    {"t": 150.0, "kind": "MeetingHeld", "rep": 1, "account": 2, "contact": 16, "title": "vp", "hours": 2.0},
    {"t": 150.0, "kind": "OpportunityOpened", "rep": 1, "account": 2, "opp": 104, "contact": 16,
     "segment": "f1000", "amount": 300_000.0, "opp_type": "prospect", "score": 3},
    {"t": 170.0, "kind": "CheckInMade", "rep": 1, "account": 2, "opp": 104, "hours": 1.0,
     "reason": "waiting_for_buyer"},
    {"t": 180.0, "kind": "OpportunityCensored", "rep": 1, "account": 2, "opp": 104, "segment": "f1000"},
]  # fmt: skip

EXPECTED = {
    "won": 0.5 + 2.0 + 4.0 + 10.0 + 2.0,  # contact 10 and its meeting, discovery, proposal and its spill
    "lost_competitor": 0.5 + 2.0 + 1.0 + 4.0,  # contact 14, its meeting and the meeting's spill, discovery
    "no_decision_further_evaluation": 0.5 + 2.0 + 4.0 + 6.0 + 8.0 + 10.0 + 3.0,  # deal 101, stalls and rework
    "walked_away": 0.5 + 2.0 + 4.0,
    "still_open": 0.5 + 2.0 + 1.0,
    "screening": 0.5 + 0.5 + 0.75,  # contact 11, contact 13 and its meeting
    "idle": 3.0,
}


@pytest.fixture(scope="module")
def log() -> pl.DataFrame:
    return hand_log([*_EVENTS, *_MORE])


def by_category(events: pl.DataFrame) -> dict[str, float]:
    return dict(metrics.hours_by_category(events).select("category", "hours").iter_rows())


def test_every_hour_of_the_hand_log_lands_where_its_deal_ended(log: pl.DataFrame) -> None:
    got = by_category(log)
    assert list(got) == [c.key for c in metrics.HOURS_CATEGORIES]
    assert got == pytest.approx({k: EXPECTED.get(k, 0.0) for k in got})


def test_hand_log_summary_figures_follow_from_the_categories(log: pl.DataFrame) -> None:
    summary = metrics.summary(log)
    selling = sum(EXPECTED.values())
    assert summary["selling_hours"] == pytest.approx(selling)
    assert summary["booked_hours"] == pytest.approx(selling - 3.0)
    assert summary["idle_hours"] == pytest.approx(3.0)
    assert summary["admin_hours"] == pytest.approx(27.9)
    assert summary["utilisation"] == pytest.approx((selling - 3.0) / selling)
    wasted = selling - EXPECTED["won"] - EXPECTED["still_open"] - EXPECTED["idle"]
    assert summary["wasted_hours"] == pytest.approx(wasted)
    assert summary["wasted_share"] == pytest.approx(wasted / selling)
    assert summary["idle_share"] == pytest.approx(3.0 / selling)
    assert summary["screening_hours"] == pytest.approx(1.75)
    assert summary["selling_share"] == pytest.approx(selling / (selling + 27.9))
    for category in metrics.HOURS_CATEGORIES:
        assert summary[category.figure] == pytest.approx(EXPECTED.get(category.key, 0.0))


def test_idle_and_still_open_hours_are_not_waste_and_the_four_kinds_add_up(log: pl.DataFrame) -> None:
    summary = metrics.summary(log)
    kinds: dict[str, float] = defaultdict(float)
    for category in metrics.HOURS_CATEGORIES:
        kinds[category.counts_as] += summary[category.figure]
    assert set(kinds) == {"won", "wasted", "still open", "unused capacity"}
    assert kinds["wasted"] == pytest.approx(summary["wasted_hours"])
    assert kinds["unused capacity"] == pytest.approx(summary["idle_hours"])
    assert sum(kinds.values()) == pytest.approx(summary["selling_hours"])
    assert summary["wasted_hours"] == pytest.approx(
        EXPECTED["lost_competitor"]
        + EXPECTED["no_decision_further_evaluation"]
        + EXPECTED["walked_away"]
        + EXPECTED["screening"]
    )
    assert {"idle", "still_open", "won"}.isdisjoint(metrics.WASTED_CATEGORIES)
    # The selling share keeps its meaning: selling (booked and idle) ÷ selling plus admin.
    assert summary["selling_share"] == pytest.approx(
        (summary["booked_hours"] + summary["idle_hours"])
        / (summary["selling_hours"] + summary["admin_hours"])
    )


def test_hours_on_a_won_deal_by_segment_are_the_median_of_its_deals(log: pl.DataFrame) -> None:
    summary = metrics.summary(log)
    assert summary["median_won_deal_hours_smb"] == pytest.approx(EXPECTED["won"])  # the one won deal
    assert summary["median_won_deal_hours_f1000"] != summary["median_won_deal_hours_f1000"]  # none won: NaN


def test_a_run_that_closed_nothing_has_no_rates_not_zero_rates(log: pl.DataFrame) -> None:
    ended = list(metrics.OUTCOME_OF_KIND)
    opened_only = log.filter(~pl.col("kind").is_in(ended) | (pl.col("kind") == "OpportunityCensored"))
    summary = metrics.summary(opened_only)
    assert summary["closed"] == 0
    rates = ("win_rate", "loss_rate", "no_decision_rate", "walk_away_rate", "no_decision_share_of_decided")
    for rate in rates:
        assert summary[rate] != summary[rate], rate  # NaN: undefined over no deals
    assert summary["median_sales_won_cycle_smb"] != summary["median_sales_won_cycle_smb"]
    assert summary["sales_won_cycles_smb"] == 0


def test_opening_hours_of_a_lost_deal_count_as_lost_not_as_productive(log: pl.DataFrame) -> None:
    hours = metrics.categorised_hours(log)
    contact_14 = hours.filter(pl.col("kind").is_in(["ContactMade", "MeetingHeld"]) & (pl.col("opp") == 102))
    assert contact_14["hours"].sum() == pytest.approx(2.5)
    assert set(contact_14["category"]) == {"lost_competitor"}


def test_an_ending_without_a_category_is_refused_rather_than_dropped(log: pl.DataFrame) -> None:
    odd = log.with_columns(
        pl.when(pl.col("kind") == "DealLost")
        .then(pl.lit("mystery"))
        .otherwise(pl.col("reason"))
        .alias("reason")
    )
    with pytest.raises(ValueError, match="lost:mystery"):
        metrics.hours_by_category(odd)


def test_monthly_utilisation_adds_up_to_the_run(log: pl.DataFrame) -> None:
    monthly = metrics.utilisation_over_time(log)
    assert monthly["day"].to_list()[-1] == 180.0
    assert monthly["booked_hours"].sum() == pytest.approx(sum(EXPECTED.values()) - 3.0)
    assert monthly["idle_hours"].to_list()[0] == 3.0
    first = monthly.row(0, named=True)
    assert first["utilisation"] == pytest.approx(first["booked_hours"] / (first["booked_hours"] + 3.0))


# --------------------------------------------------------------------------------------------------------
# Real runs: the categories add up, and agree with a plain reading of the log
# --------------------------------------------------------------------------------------------------------


def plain_reading(events: pl.DataFrame) -> dict[str, float]:
    """Hours per category, row by row, written without polars joins: the definition as a person reads it."""
    ending: dict[int, str] = {}
    opened_by: dict[int, int] = {}
    for row in events.iter_rows(named=True):
        if row["kind"] == "OpportunityOpened":
            opened_by.setdefault(row["contact"], row["opp"])
        elif row["kind"] in metrics.OUTCOME_OF_KIND:
            outcome = metrics.OUTCOME_OF_KIND[row["kind"]]
            key = f"{outcome}:{row['reason']}" if outcome in ("lost", "no_decision") else outcome
            ending[row["opp"]] = metrics.CATEGORY_OF_ENDING[key]
    totals: dict[str, float] = defaultdict(float)
    for row in events.iter_rows(named=True):
        if row["hours"] is None or row["kind"] == "AdminHoursLogged":
            continue
        if row["kind"] == "IdleHoursLogged":
            totals["idle"] += row["hours"]
            continue
        opp = row["opp"] if row["opp"] is not None else opened_by.get(row["contact"])
        totals["screening" if opp is None else ending.get(opp, "still_open")] += row["hours"]
    return totals


@pytest.mark.parametrize("preset", list(PRESETS))
def test_categories_sum_to_the_selling_hours_on_a_real_run(preset: str) -> None:
    events, _ = simulate(small_scenario(f"strategy.preset={preset}"), 2)
    got = by_category(events)
    hours = events.filter(pl.col("hours").is_not_null())
    idle = hours.filter(pl.col("kind") == "IdleHoursLogged")["hours"].sum()
    booked = hours.filter(~pl.col("kind").is_in(["IdleHoursLogged", "AdminHoursLogged"]))["hours"].sum()
    assert idle > 0 and booked > 0
    assert sum(got.values()) == pytest.approx(booked + idle, rel=1e-12)
    assert got["idle"] == pytest.approx(idle, rel=1e-12)
    reading = plain_reading(events)
    assert got == pytest.approx({k: reading.get(k, 0.0) for k in got}, rel=1e-9, abs=1e-9)
    summary = metrics.summary(events)
    assert summary["utilisation"] == pytest.approx(booked / (booked + idle), rel=1e-9)
    not_wasted = got["won"] + got["still_open"] + got["idle"]
    assert summary["wasted_share"] == pytest.approx(1 - not_wasted / (booked + idle), rel=1e-9)
    assert summary["wasted_share"] + summary["idle_share"] <= 1.0
    monthly = metrics.utilisation_over_time(events)
    assert monthly["booked_hours"].sum() + monthly["idle_hours"].sum() == pytest.approx(booked + idle)


def week_totals(events: pl.DataFrame) -> pl.DataFrame:
    """Per rep and full week (from its ``AdminHoursLogged`` to the next): admin, booked and idle hours."""
    starts = (
        events.filter(pl.col("kind") == "AdminHoursLogged")
        .select("rep", pl.col("t").alias("start"), pl.col("hours").alias("admin"))
        .sort("start")
    )
    booked = (
        metrics.categorised_hours(events).filter(pl.col("category") != "idle").select("rep", "t", "hours")
    )
    per_week = (
        booked.sort("t")
        .join_asof(
            starts.select("rep", "start"), left_on="t", right_on="start", by="rep", check_sortedness=False
        )
        .drop_nulls("start")
        .group_by("rep", "start")
        .agg(pl.col("hours").sum().alias("booked"))
    )
    # Weeks that ran to the end: a rep who left mid-week logs no idle hours, the horizon's week logs them pro rata.
    idle = events.filter(
        (pl.col("kind") == "IdleHoursLogged") & (pl.col("t") < metrics.horizon(events))
    ).select("rep", pl.col("day").alias("start"), pl.col("hours").alias("idle"))
    return (
        starts.join(idle, on=["rep", "start"])
        .join(per_week, on=["rep", "start"], how="left")
        .with_columns(pl.col("booked").fill_null(0.0))
    )


def test_a_full_week_is_admin_plus_booked_plus_idle_hours(small_run: LiveRun) -> None:
    weeks = week_totals(small_run.events)
    hours_per_week = small_run.scenario.sales_org.hours_per_week
    assert weeks.height > 100
    total = weeks["admin"] + weeks["booked"] + weeks["idle"]
    assert total.to_list() == pytest.approx([hours_per_week] * weeks.height, abs=1e-6)
