"""The rep's week (docs/model.md, sections 3 and 5): prospecting fills the hours the deals leave while anyone
in the territory is free to approach, and every idle hour says why it was idle."""

from __future__ import annotations

import polars as pl
import pytest
from conftest import small_scenario

from sim.engine import simulate
from sim.metrics.hours import hours_summary
from sim.model.reps import IDLE_HORIZON, IDLE_REASONS, IDLE_TERRITORY_EXHAUSTED


def _idle(log: pl.DataFrame) -> pl.DataFrame:
    return log.filter(pl.col("kind") == "IdleHoursLogged")


def _idle_share(log: pl.DataFrame) -> float:
    hours = hours_summary(log)
    return hours["idle_hours"] / hours["selling_hours"]


@pytest.mark.parametrize("preset", ["numbers-game", "qualify-hard"])
def test_a_week_ends_idle_only_when_nobody_is_left_to_approach(preset: str) -> None:
    """Idle hours carry a reason, and only an exhausted territory (or the run's end) leaves hours unused: the
    week's last scrap begins a contact that finishes next week."""
    log, _ = simulate(small_scenario(f'strategy.preset="{preset}"', "sales_org.reps=12"), 3)
    idle = _idle(log)
    assert set(idle["reason"].unique()) <= set(IDLE_REASONS)
    unused = idle.filter(pl.col("hours") > 0)
    assert unused.height > 0
    assert set(unused["reason"].unique()) <= {IDLE_TERRITORY_EXHAUSTED, IDLE_HORIZON}


def test_qualifying_hard_leaves_no_more_idle_hours_than_a_crowded_territory_explains() -> None:
    """A strategy that disqualifies many contacts quickly prospects on with the hours they leave."""
    shares = {}
    for preset in ("numbers-game", "qualify-hard"):
        log, _ = simulate(small_scenario(f'strategy.preset="{preset}"'), 2)
        idle = _idle(log)
        not_exhausted = idle.filter(pl.col("reason") != IDLE_TERRITORY_EXHAUSTED)["hours"].sum()
        shares[preset] = not_exhausted / hours_summary(log)["selling_hours"]
    assert shares["qualify-hard"] < shares["numbers-game"] + 0.10, shares
    assert shares["qualify-hard"] < 0.02, shares


def test_a_small_territory_runs_out_of_accounts_and_a_large_one_does_not() -> None:
    """Idle hours for an exhausted territory come where accounts per rep are few, not where they are many."""
    few, _ = simulate(small_scenario('strategy.preset="qualify-hard"', "sales_org.reps=12"), 1)
    many, _ = simulate(small_scenario('strategy.preset="qualify-hard"', "sales_org.reps=1"), 1)

    def exhausted(log: pl.DataFrame) -> float:
        idle = _idle(log)
        return float(idle.filter(pl.col("reason") == IDLE_TERRITORY_EXHAUSTED)["hours"].sum())

    assert exhausted(few) > 0
    assert exhausted(many) == 0
    assert _idle_share(few) > _idle_share(many)
