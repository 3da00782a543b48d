"""Arms: a preset plus overrides, named; paired on common random numbers; named in every output."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from conftest import SMALL, run_cli, small_scenario

from sim.core.events import MARKET_KINDS
from sim.model.strategy import resolve_policy
from sim.store.parquet import read_events
from sim.study.arms import Arm, ArmError, arm_scenario, parse_arm, parse_arms
from sim.study.comparison import compare


def test_an_arm_is_a_name_a_preset_and_overrides() -> None:
    arm = parse_arm("walk60=numbers-game:strategy.walk_away_days=60:sales_org.reps=3")
    assert arm == Arm("walk60", "numbers-game", ("strategy.walk_away_days=60", "sales_org.reps=3"))
    assert parse_arm("qualify-hard") == Arm("qualify-hard", "qualify-hard")
    assert parse_arm("qualify-hard:sales_org.reps=3") == Arm(
        "qualify-hard", "qualify-hard", ("sales_org.reps=3",)
    )
    # A ':' inside a value stays in the value; only ':' before 'dotted.path=' starts another override.
    assert parse_arm('x=pressure:name="a:b":sales_org.reps=2').overrides == ('name="a:b"', "sales_org.reps=2")


def test_an_arms_scenario_is_its_preset_with_its_overrides() -> None:
    base = small_scenario("strategy.preset=qualify-hard", "strategy.walk_away_days=30")
    walk = arm_scenario(base, parse_arm("w=numbers-game:strategy.walk_away_days=90:sales_org.reps=2"))
    assert (walk.strategy.preset, walk.strategy.walk_away_days, walk.sales_org.reps) == (
        "numbers-game",
        90,
        2,
    )
    # The file's own strategy overrides reach an arm of the same preset only.
    assert arm_scenario(base, parse_arm("q=qualify-hard")).strategy.walk_away_days == 30
    assert arm_scenario(base, parse_arm("n=numbers-game")).strategy.walk_away_days is None
    assert arm_scenario(base, parse_arm("same=qualify-hard")) is base
    # "never" switches a preset's walk-away off; the retired flag is refused with a line naming the new form.
    keep = arm_scenario(base, parse_arm("keep=qualify-hard:strategy.walk_away_days=never"))
    assert keep.strategy.walk_away_days == "never" and resolve_policy(keep.strategy).walk_away_days is None
    with pytest.raises(
        ArmError, match=r"^--arm old: strategy\.never_walk_away: no longer a field; write walk_"
    ):
        arm_scenario(base, parse_arm("old=qualify-hard:strategy.never_walk_away=true"))


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("walk60=numbers-gme", "unknown strategy 'numbers-gme' (did you mean 'numbers-game'?)"),
        ("bad name=numbers-game", "arm name 'bad name' must be"),
        (
            "w=numbers-game:strategy.walk_away_dayz=60",
            "--arm w: strategy.walk_away_dayz: unknown field (did you mean 'walk_away_days'?)",
        ),
        ("w=numbers-game:strategy.walk_away_days=-5", "--arm w: strategy.walk_away_days:"),
        ("w=numbers-game:60", "override '60' must be dotted.path=value"),
    ],
)
def test_a_bad_arm_is_one_clear_error(spec: str, expected: str) -> None:
    with pytest.raises(ArmError) as caught:
        arm_scenario(small_scenario(), parse_arm(spec))
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)


def test_two_arms_of_one_name_are_refused() -> None:
    with pytest.raises(ArmError, match="two arms share this name"):
        parse_arms(["a=numbers-game", "a=qualify-hard"])


def test_arms_of_one_preset_are_paired_on_the_same_market(tmp_path: Path) -> None:
    scenario = small_scenario("horizon_days=200")
    arms = [
        "control=numbers-game",
        "walk30=numbers-game:strategy.walk_away_days=30",
    ]
    runs = compare(scenario, arms, replications=2, seed=3, workers=1, out=tmp_path / "cmp")
    assert runs["arm"].to_list() == ["control", "control", "walk30", "walk30"]
    assert runs["strategy"].unique().to_list() == ["numbers-game"]
    assert runs.filter(pl.col("arm") == "walk30")["overrides"].to_list() == ["strategy.walk_away_days=30"] * 2
    logs = [
        read_events(tmp_path / "cmp" / arm / "rep-000" / "events.parquet") for arm in ("control", "walk30")
    ]
    market = [log.filter(pl.col("kind").is_in(MARKET_KINDS)).drop("seq") for log in logs]
    assert market[0].equals(market[1])
    assert logs[1].filter(pl.col("kind") == "OpportunityWalkedAway").height > 0
    assert logs[0].filter(pl.col("kind") == "OpportunityWalkedAway").height == 0
    # A plain preset given as an arm is the same run as the preset itself.
    plain = compare(scenario, ["numbers-game"], replications=2, seed=3, workers=1)
    assert (
        plain["events_sha256"].to_list() == runs.filter(pl.col("arm") == "control")["events_sha256"].to_list()
    )


def test_cli_compare_names_every_arm_and_its_overrides(tmp_path: Path) -> None:
    sets = [arg for o in (*SMALL, "horizon_days=120") for arg in ("--set", o)]
    result = run_cli(
        [
            *("compare", "baseline", "--arm", "control=numbers-game"),
            *("--arm", "walk60=numbers-game:strategy.walk_away_days=60", "--replications", "2"),
            *("--workers", "1", "--out", "cmp", *sets),
        ],
        cwd=tmp_path,
        env={"COLUMNS": "250"},
    )
    assert result.returncode == 0, result.stderr
    assert "walk60 − control" in result.stdout
    assert "arms: control = numbers-game; walk60 = numbers-game + walk_away_days=60" in result.stdout
    info = json.loads((tmp_path / "cmp" / "compare.json").read_text())
    assert info["arms"][1] == {
        "name": "walk60",
        "preset": "numbers-game",
        "overrides": ["strategy.walk_away_days=60"],
    }
    report = run_cli(["report", "cmp"], cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    assert "walk60 = numbers-game + walk_away_days=60" in (tmp_path / "cmp" / "report.html").read_text()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--arm", "w=numbers-game:strategy.walk_away_dayz=6"],
            "--arm w: strategy.walk_away_dayz: unknown field",
        ),
        (["--arm", "w=qualify-hardd"], "unknown strategy 'qualify-hardd'"),
        (["--arm", "a=numbers-game", "--arm", "a=pressure"], "two arms share this name"),
        (
            ["--strategies", "numbers-game,numbers-game"],
            "to compare variants of one preset, name them with --arm",
        ),
        ([], "give --strategies a,b or one --arm"),
    ],
)
def test_cli_bad_arms_are_one_line_and_exit_2(tmp_path: Path, args: list[str], expected: str) -> None:
    result = run_cli(["compare", "baseline", *args, "--out", "cmp"], cwd=tmp_path)
    assert result.returncode == 2
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "cmp").exists()
