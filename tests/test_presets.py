"""Each preset's behaviour, read off its events: help-them-buy and the targeting presets.

(qualify-hard, numbers-game and pressure are pinned in test_strategies_behaviour.py.)
"""

from __future__ import annotations

import polars as pl
import pytest
from conftest import live_run, small_scenario

from sim.config import ScenarioError, load_scenario
from sim.model.strategy import PRESETS, resolve_policy


def _events(preset: str, *overrides: str) -> pl.DataFrame:
    return live_run(small_scenario(f'strategy.preset="{preset}"', *overrides), seed=3).events


def test_help_them_buy_spends_enablement_hours_at_every_stage_it_works() -> None:
    events = _events("help-them-buy")
    stages = events.filter(pl.col("kind") == "StageAdvanced").select("opp", "stage")
    enabled = events.filter(pl.col("kind") == "BuyerEnabled").select("opp", "stage")
    worked = stages.filter(pl.col("stage") != "close")
    assert worked.height > 20
    # Every stage the rep finished was preceded by enablement at that stage (enablement may also have been
    # spent on a stage the buyer decided before the rep finished).
    assert worked.join(enabled, on=["opp", "stage"], how="anti").height == 0
    # Each enablement costs the preset's 3 hours scaled by the segment's stage effort, like the stage's own
    # hours; part of it may be logged in an earlier week (WorkLogged) and joins the activity by opp and stage.
    scenario = small_scenario('strategy.preset="help-them-buy"')
    effort = {name: seg.stage_effort for name, seg in scenario.market.items()}
    per_opp = events.filter(pl.col("kind") == "OpportunityOpened").select("opp", "segment")
    spent = (
        events.filter(pl.col("kind") == "BuyerEnabled")
        .select("opp", "hours")
        .join(per_opp, on="opp")
        .with_columns(pl.col("segment").replace_strict(effort, return_dtype=pl.Float64).alias("effort"))
    )
    assert (spent["hours"] <= 3.0 * spent["effort"] + 1e-6).all()
    assert spent.filter(pl.col("segment") == "smb")["hours"].max() < spent["hours"].max()
    assert (
        events.filter((pl.col("kind") == "DiscountConceded") & (pl.col("reason") == "period_end")).height == 0
    )


def test_numbers_game_never_enables_the_buyer() -> None:
    assert _events("numbers-game").filter(pl.col("kind") == "BuyerEnabled").height == 0


@pytest.mark.parametrize(("preset", "segment"), [("smb-focus", "smb"), ("f1000-focus", "f1000")])
def test_targeting_presets_prospect_only_their_segment(preset: str, segment: str) -> None:
    events = _events(preset)
    outbound = events.filter((pl.col("kind") == "ContactMade") & (pl.col("reason") == "outbound"))
    assert outbound.height > 10
    assert set(outbound["segment"].to_list()) == {segment}


def test_a_scenario_overrides_a_preset_field_by_field() -> None:
    scenario = load_scenario(
        "baseline", ['strategy.preset="qualify-hard"', "strategy.qualification_threshold=3"]
    )
    policy = resolve_policy(scenario.strategy)
    assert policy.qualification_threshold == 3
    assert policy.min_contact_title == PRESETS["qualify-hard"].min_contact_title == "vp"


def test_an_explicit_walk_away_period_turns_walking_away_on() -> None:
    scenario = load_scenario("baseline", ["strategy.walk_away_days=45"])
    policy = resolve_policy(scenario.strategy)
    assert policy.walk_away_days == 45 and not policy.never_walk_away


def test_unknown_preset_and_unknown_policy_field_name_the_valid_ones() -> None:
    with pytest.raises(ScenarioError, match="valid presets: numbers-game, qualify-hard"):
        load_scenario("baseline", ['strategy.preset="qualify-hrad"'])
    with pytest.raises(
        ScenarioError, match=r"strategy\.walkaway_days: unknown field \(did you mean 'walk_away_days'\?\)"
    ):
        load_scenario("baseline", ["strategy.walkaway_days=30"])
