"""Replaying a log rebuilds the live state: at the end of the run, at any day within it, and from disk.

The live run and :func:`sim.core.state.replay` share one fold (``State.apply``); these tests pin that the log holds
everything the state is made of, so every figure can be recomputed from stored events alone.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from conftest import SCENARIO_DIR, LiveRun, small_scenario

from sim.config import load_scenario
from sim.core.events import MARKET_KINDS
from sim.core.state import State, replay
from sim.engine import World, simulate
from sim.results import RunResult, load_run, save_run

SHIPPED = sorted(SCENARIO_DIR.glob("*.toml"))
MAX_REPLAY_HORIZON_DAYS = 1095.0
"""Shipped scenarios longer than this are cut to it, only to keep the suite fast."""

CHECKPOINT_DAYS = (100.37, 250.91)
"""Days with no event exactly on them (checked), so 'the state at t' is unambiguous."""


def test_a_scenario_ships() -> None:
    assert SHIPPED, f"no scenarios in {SCENARIO_DIR}"


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_replay_of_final_log_equals_live_final_state(path: Path) -> None:
    scenario = load_scenario(path)
    if scenario.horizon_days > MAX_REPLAY_HORIZON_DAYS:
        scenario = load_scenario(path, [f"horizon_days={MAX_REPLAY_HORIZON_DAYS}"])
    events, live = simulate(scenario)
    assert live.events == events.height and events["kind"][-1] == "RunEnded"
    rebuilt = replay(events)
    assert rebuilt == live


def test_state_equality_is_not_blind(small_run: LiveRun) -> None:
    """The comparison above would be worthless if a shorter log still compared equal."""
    events = small_run.events
    won = events.filter(pl.col("kind") == "DealWon")["seq"]
    assert won.len() > 0
    without_one_win = events.filter(pl.col("seq") != won[0])
    assert replay(without_one_win) != small_run.state
    assert replay(events.head(events.height - 1)) != small_run.state


def _snapshot_into(snapshots: dict[float, State], day: float) -> Callable[[World], None]:
    def take(world: World) -> None:
        assert world.env.now == day
        snapshots[day] = copy.deepcopy(world.state)

    return take


@pytest.mark.parametrize("preset", ["numbers-game", "qualify-hard", "pressure", "help-them-buy"])
def test_replay_until_day_equals_live_state_at_that_day(preset: str) -> None:
    scenario = small_scenario(f"strategy.preset={preset}")
    snapshots: dict[float, State] = {}
    events, live = simulate(
        scenario, 3, checkpoints={day: _snapshot_into(snapshots, day) for day in CHECKPOINT_DAYS}
    )
    assert sorted(snapshots) == list(CHECKPOINT_DAYS)
    for day in CHECKPOINT_DAYS:
        assert events.filter(pl.col("t") == day).height == 0, f"an event falls exactly on day {day}"
        at_day = snapshots[day]
        assert at_day.events == events.filter(pl.col("t") <= day).height
        assert at_day.events < live.events
        assert replay(events, until=day) == at_day
    # The snapshots really are of earlier states, not the final one (a shallow copy would be).
    assert snapshots[CHECKPOINT_DAYS[0]] != snapshots[CHECKPOINT_DAYS[1]] != live


def test_saved_and_loaded_run_replays_to_the_live_state(small_run: LiveRun, tmp_path: Path) -> None:
    result = RunResult(scenario=small_run.scenario, seed=small_run.seed, events=small_run.events)
    directory = save_run(result, tmp_path / "run")
    loaded = load_run(directory)
    assert loaded.seed == small_run.seed
    assert loaded.events.equals(small_run.events)
    assert replay(loaded.events) == small_run.state


def test_saved_scenario_reproduces_the_run(small_run: LiveRun, tmp_path: Path) -> None:
    """A run directory is self-describing: its resolved scenario and seed give the same log again."""
    result = RunResult(scenario=small_run.scenario, seed=small_run.seed, events=small_run.events)
    loaded = load_run(save_run(result, tmp_path / "run"))
    assert loaded.scenario == small_run.scenario.model_copy(update={"seed": small_run.seed})
    events, _ = simulate(loaded.scenario, loaded.seed)
    assert events.equals(small_run.events)


@pytest.mark.parametrize("preset", ["numbers-game", "qualify-hard"])
def test_replay_until_a_whole_day_equals_the_live_state_after_that_day(preset: str) -> None:
    """On whole days the buyer acts (the market's clock ticks in days); a checkpoint there sees the state once
    everything of that instant has happened, which is what replay up to that day rebuilds."""
    scenario = small_scenario(f"strategy.preset={preset}")
    days = (60.0, 100.0, 100.5, 200.0)
    snapshots: dict[float, State] = {}
    events, live = simulate(scenario, 3, checkpoints={day: _snapshot_into(snapshots, day) for day in days})
    assert sorted(snapshots) == list(days) and snapshots[200.0] != live
    on_whole_days = events.filter(pl.col("t").is_in([60.0, 100.0, 200.0]))
    assert on_whole_days.filter(pl.col("kind").is_in(MARKET_KINDS)).height > 0, "the buyer acts on these days"
    for day in days:
        assert snapshots[day].events == events.filter(pl.col("t") <= day).height
        assert replay(events, until=day) == snapshots[day]
    # The same run without checkpoints logs the very same events.
    assert simulate(scenario, 3)[0].equals(events)
