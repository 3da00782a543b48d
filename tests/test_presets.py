"""Each preset's behaviour, read off its events: help-them-buy and the targeting presets; how walk-away is set.

(qualify-hard, numbers-game and pressure are pinned in test_strategies_behaviour.py.)
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from conftest import live_run, small_scenario

from sim.config import NEVER, ScenarioError, load_scenario, scenario_to_toml
from sim.core.events import content_hash
from sim.engine import simulate
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


# ------------------------------------------------------------------------------------------------------
# Walk-away: one optional number of days; "never" where leaving it out would mean the preset's period
# ------------------------------------------------------------------------------------------------------


def test_presets_that_never_walk_away_have_no_period() -> None:
    periods = {name: policy.walk_away_days for name, policy in PRESETS.items()}
    assert periods == {
        "numbers-game": None,
        "qualify-hard": 90.0,
        "pressure": None,
        "help-them-buy": 120.0,
        "smb-focus": None,
        "f1000-focus": None,
    }


def test_an_explicit_walk_away_period_turns_walking_away_on() -> None:
    scenario = load_scenario("baseline", ["strategy.walk_away_days=45"])
    assert resolve_policy(scenario.strategy).walk_away_days == 45


@pytest.mark.parametrize("preset", ["qualify-hard", "help-them-buy"])
def test_never_turns_a_presets_walk_away_off(preset: str, tmp_path: Path) -> None:
    by_set = load_scenario("baseline", [f'strategy.preset="{preset}"', "strategy.walk_away_days=never"])
    file = tmp_path / "never.toml"
    file.write_text(f'[strategy]\npreset = "{preset}"\nwalk_away_days = "never"\n')
    by_file = load_scenario(file)
    assert resolve_policy(by_set.strategy).walk_away_days is None
    assert by_file.strategy == by_set.strategy
    # A run directory's scenario.toml writes it back the same way.
    written = tmp_path / "written.toml"
    written.write_text(scenario_to_toml(by_set))
    assert load_scenario(written).strategy.walk_away_days == NEVER


def test_walk_away_days_left_out_and_never_are_the_same_run() -> None:
    """For a preset that never walks away, leaving walk_away_days out and writing "never" are one setting."""
    absent = small_scenario("horizon_days=200")
    never = small_scenario("horizon_days=200", "strategy.walk_away_days=never")
    assert resolve_policy(absent.strategy) == resolve_policy(never.strategy)
    assert content_hash(simulate(absent, 2)[0]) == content_hash(simulate(never, 2)[0])


@pytest.mark.parametrize("value", ["0", "-5", "0.0", "soon", '"Never"', "true", "99999", "nan"])
def test_a_walk_away_period_must_be_above_zero_days_or_never(value: str) -> None:
    # 0 is refused rather than read as "never" (what the app's lever once meant by it): walking away after no
    # idle time at all drops every deal the moment it opens, which no strategy means.
    with pytest.raises(ScenarioError) as caught:
        load_scenario("baseline", [f"strategy.walk_away_days={value}"])
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("baseline: strategy.walk_away_days: expected a number of days above 0"), message
    assert 'or "never"' in message


@pytest.mark.parametrize("value", ["true", "false"])
def test_the_retired_never_walk_away_key_names_the_new_form(value: str, tmp_path: Path) -> None:
    file = tmp_path / "old.toml"
    file.write_text(f"[strategy]\nwalk_away_days = 60\nnever_walk_away = {value}\n")
    for load in (
        lambda: load_scenario(file),
        lambda: load_scenario("baseline", [f"strategy.never_walk_away={value}"]),
    ):
        with pytest.raises(ScenarioError) as caught:
            load()
        message = str(caught.value)
        assert "\n" not in message
        assert "strategy.never_walk_away: no longer a field; write walk_away_days = N (days)" in message
        assert '"never"' in message and "unknown field" not in message


def test_unknown_preset_and_unknown_policy_field_name_the_valid_ones() -> None:
    with pytest.raises(ScenarioError, match="valid presets: numbers-game, qualify-hard"):
        load_scenario("baseline", ['strategy.preset="qualify-hrad"'])
    with pytest.raises(
        ScenarioError, match=r"strategy\.walkaway_days: unknown field \(did you mean 'walk_away_days'\?\)"
    ):
        load_scenario("baseline", ["strategy.walkaway_days=30"])
